"""The decision-boundary lab of notebook 09: a TensorFlow-Playground-style trainer on nnlib.

State (pure numpy, no widgets needed to read it): the dataset and its train/test split,
the input features, a :class:`nnlib.network.Network` with hidden layers of the chosen
activation and one sigmoid output unit (P(class 1)), the epoch counter and the train and
test loss per epoch. Each frame is one epoch of :func:`nnlib.train.train` followed by a
redraw. The view is one Agg figure, updated in place between structural changes:

* the network diagram: every unit as a small heatmap of its output over the plane (inputs
  show their feature), lines between units coloured by the weight's sign (blue +, orange -)
  and as thick as its magnitude;
* the output heatmap with the training points (white edge) and test points (black edge);
* the train and test loss curves.

Everything the lab needs to reproduce a run is in :meth:`BoundaryLab.state_string`, one
line such as ``"dataset=xor n=200 noise=0 ... seed=0"``; ``decision_boundary(state=...)``
restores it, so a teacher can hand a configuration to students.

Beyond the playground: the loss can be cross-entropy (``bce``, the default) or squared
error (``half_sse``) and the AND/OR/XOR truth tables are datasets of their own.
"""
from __future__ import annotations

import html
import shlex
import warnings

import numpy as np
import ipywidgets as widgets
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle
from matplotlib.colors import LinearSegmentedColormap

from ..datasets import FEATURES, features, make_dataset, train_test_split, truth_table
from ..losses import loss_value
from ..network import Network
from ..plotting import NEGATIVE, POSITIVE
from ._base import (BoundedFloatText, BoundedIntText, FigureView, FloatLogSlider, FloatSlider, IntSlider, Lab,
                    button, fmt, grading_mode)

from ..train import train as _nnlib_train

__all__ = ["BoundaryLab", "decision_boundary", "DATASET_CHOICES", "STATE_KEYS"]

DATASET_CHOICES = [("circle", "circle"), ("XOR (clouds)", "xor"), ("two Gaussians", "gaussians"),
                   ("spiral", "spiral"), ("AND truth table", "and-table"), ("OR truth table", "or-table"),
                   ("XOR truth table", "xor-table")]
ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "elu", "identity"]
LOSS_CHOICES = [("cross-entropy", "bce"), ("squared error", "half_sse")]
#: the keys of the one-line state, in the order they are written
STATE_KEYS = ["dataset", "n", "noise", "test_ratio", "seed", "features", "hidden", "activation",
              "loss", "gamma", "batch", "l2", "grid"]
MAX_LAYERS, MAX_UNITS = 4, 8
#: where the network diagram sits in the figure, and the unit thumbnails' resolution
DIAGRAM = [0.0, 0.02, 0.41, 0.96]
THUMB = 24

# the library's colours (nnlib.plotting): blue for class 1 / positive, orange for class 0 / negative
ORANGE, BLUE = NEGATIVE, POSITIVE
CMAP = LinearSegmentedColormap.from_list("nnlib_playground", [ORANGE, "#e8eaeb", BLUE])


def parse_hidden(text) -> tuple[list[int], list[str]]:
    """``"4, 4"`` -> ([4, 4], notes). Sizes are clamped to 1..8, at most 4 layers; "" = none."""
    notes = []
    if isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        parts = [p for p in str(text).replace(";", ",").replace("-", ",").replace(" ", ",").split(",") if p]
    sizes = []
    for p in parts:
        try:
            k = int(float(p))
        except (TypeError, ValueError):
            notes.append(f"hidden: {p!r} is not a number of units; skipped")
            continue
        if not 1 <= k <= MAX_UNITS:
            notes.append(f"hidden: {k} units is outside [1, {MAX_UNITS}]; clamped")
            k = min(max(k, 1), MAX_UNITS)
        sizes.append(k)
    if len(sizes) > MAX_LAYERS:
        notes.append(f"hidden: at most {MAX_LAYERS} hidden layers; kept the first {MAX_LAYERS}")
        sizes = sizes[:MAX_LAYERS]
    return sizes, notes


def _nice_limits():
    """10, 20, 50, 100, 200, 500, ... (the loss plot's x range grows in these steps)."""
    m = 10
    while True:
        for f in (1, 2, 5):
            yield m * f
        m *= 10


def _short(v) -> str:
    """A float written briefly when that reads back exactly, else in full (exact round trip)."""
    s = f"{float(v):.6g}"
    return s if float(s) == float(v) else repr(float(v))


class BoundaryLab(Lab):
    """Train a small network on a 2D dataset and watch its decision boundary.

    Controls: ``dataset``, ``n``, ``noise``, ``test_ratio``, ``seed``, ``features``,
    ``hidden`` (text such as ``"4, 4"``), ``activation``, ``loss``, ``gamma``, ``batch``,
    ``l2``, ``grid``, ``show_test``, ``play`` (a Play widget; each tick is one epoch).
    Buttons: ``step`` (one epoch), ``reset`` (new initial weights from the seed, epoch 0),
    ``regenerate`` (seed + 1: new data). State: ``net``, ``epoch``, ``train_loss`` and
    ``test_loss`` (per epoch, index 0 before training), ``accuracy()``.
    """

    lab_name = "BoundaryLab"

    def __init__(self, state: str | None = None, **initial):
        super().__init__()
        small = grading_mode()
        c = self.controls
        st = {"description_width": "80px"}
        lay = widgets.Layout(width="300px")
        c["dataset"] = widgets.Dropdown(options=DATASET_CHOICES, value="circle", description="dataset", style=st, layout=lay)
        c["n"] = IntSlider(value=100 if small else 200, min=20, max=500, step=10, description="samples",
                                   style=st, layout=lay, continuous_update=False)
        c["noise"] = FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="noise", style=st,
                                         layout=lay, continuous_update=False)
        c["test_ratio"] = FloatSlider(value=0.5, min=0.1, max=0.9, step=0.05, description="test ratio",
                                              style=st, layout=lay, continuous_update=False)
        c["seed"] = BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed", style=st, layout=lay)
        c["features"] = widgets.SelectMultiple(options=FEATURES, value=("x1", "x2"), rows=len(FEATURES),
                                               description="features", style=st, layout=lay)
        c["hidden"] = widgets.Text(value="4, 4", description="hidden", placeholder="e.g. 4, 4",
                                   continuous_update=False, style=st, layout=lay)
        c["activation"] = widgets.Dropdown(options=ACTIVATIONS, value="tanh", description="activation", style=st,
                                           layout=lay)
        c["loss"] = widgets.Dropdown(options=LOSS_CHOICES, value="bce", description="loss", style=st, layout=lay)
        c["gamma"] = FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.1, description="γ", style=st,
                                            layout=lay, readout_format=".3g")
        c["batch"] = IntSlider(value=10, min=1, max=500, description="batch size", style=st, layout=lay)
        c["l2"] = BoundedFloatText(value=0.0, min=0.0, max=1.0, step=0.001, description="L2", style=st,
                                           layout=lay)
        c["grid"] = IntSlider(value=30 if small else 100, min=10, max=200, step=10, description="grid",
                                      style=st, layout=lay, continuous_update=False)
        c["show_test"] = widgets.Checkbox(value=True, description="show test points", indent=False)
        c["play"] = widgets.Play(value=0, min=0, max=10**9, interval=100, show_repeat=False, description="train")
        for name in c:
            self._watch(name)

        self.buttons["step"] = button("step", "step", "train one epoch")
        self.buttons["step"].on_click(lambda _b: self._action(self.train_epochs, 1))
        self.buttons["reset"] = button("reset", "reset", "new initial weights from the seed, epoch 0")
        self.buttons["reset"].on_click(lambda _b: self._action(self.reset))
        self.buttons["regenerate"] = button("regenerate", "regenerate", "seed + 1: draw new data")
        self.buttons["regenerate"].on_click(lambda _b: self.set(seed=self.controls["seed"].value + 1))

        self.fig_view = FigureView((11.0, 4.4), dpi=60 if small else 80)
        self.views = [self.fig_view]
        self.state_text = widgets.HTML()
        self.state_text.add_class("nnlib-state")
        data_box = widgets.VBox([c["dataset"], c["n"], c["noise"], c["test_ratio"],
                                 widgets.HBox([c["seed"], self.buttons["regenerate"]])])
        net_box = widgets.VBox([c["features"], c["hidden"], c["activation"], c["loss"]])
        train_box = widgets.VBox([c["gamma"], c["batch"], c["l2"], c["grid"], c["show_test"],
                                  widgets.HBox([c["play"], self.buttons["step"], self.buttons["reset"]])])
        self.view = widgets.VBox([
            widgets.HBox([data_box, net_box, train_box]),
            self.readout, self.note, self.fig_view.image, self.state_text,
        ])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-boundary")

        self.net = None
        self.epoch = 0
        self.train_loss: list[float] = []
        self.test_loss: list[float] = []
        self._play_last = 0
        self._structure = None
        values = dict(self.parse_state(state)) if state else {}
        values.update(initial)
        self._pending = set(c)
        self._set(values)

    # ----- the one-line state ----------------------------------------------------------------
    def state_string(self) -> str:
        """Seed and every control as one line of ``key=value`` pairs (see ``STATE_KEYS``)."""
        c = self.controls
        out = []
        for key in STATE_KEYS:
            v = c[key].value
            if key == "features":
                v = ",".join(v)
            elif key == "hidden":
                v = ",".join(str(k) for k in self.hidden)
            elif isinstance(v, float):
                v = _short(v)
            out.append(f"{key}={v}")
        return " ".join(out)

    def parse_state(self, text: str) -> dict:
        """The control values written in a state line; malformed parts become notes."""
        values = {}
        try:
            parts = shlex.split(str(text))
        except ValueError:
            parts = str(text).split()
        for part in parts:
            key, sep, raw = part.partition("=")
            if not sep:
                self.notes.append(f"state: {part!r} is not key=value; ignored")
                continue
            if key not in STATE_KEYS:
                self.notes.append(f"state: unknown key {key!r} ignored; known: {STATE_KEYS}")
                continue
            if key in ("features",):
                values[key] = tuple(f for f in raw.split(",") if f)
            elif key in ("hidden", "dataset", "activation", "loss"):
                values[key] = raw
            else:
                try:
                    num = float(raw)
                except ValueError:
                    self.notes.append(f"state: {key}={raw!r} is not a number; ignored")
                    continue
                values[key] = int(num) if key in ("n", "seed", "batch", "grid") and num == int(num) else num
        return values

    def load_state(self, text: str):
        """Restore the controls from a state line, then start again from epoch 0."""
        self.notes = []
        values = self.parse_state(text)
        self._set(values)
        self.reset()  # also when the line equals the current controls: back to epoch 0
        self._show_notes()
        self.request_redraw()
        return self

    # ----- validation of the two special controls ----------------------------------------------
    def clamp(self, name, value):
        if name == "features":
            names = [value] if isinstance(value, str) else list(value)
            known = [f for f in names if f in FEATURES]
            unknown = [f for f in names if f not in FEATURES]
            if unknown:
                self.notes.append(f"features: unknown {unknown} ignored; known: {FEATURES}")
            if not known:
                self.notes.append("features: at least one feature is needed; kept the current ones")
                return self.controls["features"].value
            return tuple(dict.fromkeys(known))
        if name == "hidden":
            sizes, notes = parse_hidden(value)
            self.notes.extend(notes)
            return ", ".join(str(k) for k in sizes)
        return super().clamp(name, value)

    # ----- state updates -----------------------------------------------------------------------
    @property
    def hidden(self) -> list[int]:
        return parse_hidden(self.controls["hidden"].value)[0]

    @property
    def is_table(self) -> bool:
        return self.controls["dataset"].value.endswith("-table")

    def _recompute(self, changed):
        data_keys = {"dataset", "n", "noise", "test_ratio", "seed"}
        if "features" in changed and not self.controls["features"].value:
            self.notes.append("features: at least one feature is needed; using x1, x2")
            self.controls["features"].value = ("x1", "x2")
        if "hidden" in changed:
            # write back the cleaned-up form (clamped sizes), so what is shown is what is used
            sizes, notes = parse_hidden(self.controls["hidden"].value)
            self.notes.extend(notes)
            clean = ", ".join(str(k) for k in sizes)
            if clean != self.controls["hidden"].value:
                self.controls["hidden"].value = clean
        if changed & data_keys:
            self._make_data()
        if changed & (data_keys | {"features", "grid"}):
            self._make_grid()
        if changed & (data_keys | {"features", "hidden", "activation", "loss"}):
            self.reset(redraw=False)
        if "play" in changed:
            value = self.controls["play"].value
            if value > self._play_last:
                self.train_epochs(1, redraw=False)  # one epoch per tick, however late it arrives
            self._play_last = value
        self._update_text()

    def _make_data(self):
        c = self.controls
        seed = int(c["seed"].value)
        if self.is_table:
            X, d = truth_table(c["dataset"].value.split("-")[0])
            self.X_train, self.X_test = X, X
            self.l_train = self.l_test = d[:, 0].astype(np.int64)
            self.window = (-0.5, 1.5)
            self.notes.append("truth table: its four rows are both the training and the test set "
                              "(noise and test ratio do not apply)")
        else:
            X, labels = make_dataset(c["dataset"].value, n=int(c["n"].value), noise=float(c["noise"].value),
                                     seed=seed)
            self.X_train, self.X_test, self.l_train, self.l_test = train_test_split(
                X, labels, float(c["test_ratio"].value), seed=seed + 1)
            self.window = (-6.0, 6.0)

    def _make_grid(self):
        lo, hi = self.window
        names = list(self.controls["features"].value)
        self.F_train = features(self.X_train, names)
        self.F_test = features(self.X_test, names)
        g = int(self.controls["grid"].value)
        t = np.linspace(lo, hi, g)
        x1, x2 = np.meshgrid(t, t)
        self.F_grid = features(np.column_stack([x1.ravel(), x2.ravel()]), names)
        # the unit thumbnails use a coarse grid of their own: they are small on screen
        ts = np.linspace(lo, hi, THUMB)
        s1, s2 = np.meshgrid(ts, ts)
        self.F_thumb = features(np.column_stack([s1.ravel(), s2.ravel()]), names)

    def reset(self, redraw: bool = True):
        """New initial weights (from the seed), epoch 0, empty loss curves."""
        c = self.controls
        sizes = [len(c["features"].value), *self.hidden, 1]
        acts = [c["activation"].value] * len(self.hidden) + ["sigmoid"]
        init = "he" if c["activation"].value in ("relu", "leaky_relu", "elu") else "xavier"
        seed = int(c["seed"].value)
        self.net = Network.from_sizes(sizes, activations=acts, seed=seed + 2, init=init)
        self._shuffle_rng = np.random.default_rng(seed + 3)
        self.epoch = 0
        self.diverged = False
        self.train_loss, self.test_loss = [], []
        self._record()
        if redraw:
            self._update_text()

    def _targets(self, labels):
        return labels.reshape(-1, 1).astype(np.float64)

    def _record(self):
        loss = self.controls["loss"].value
        with np.errstate(over="ignore", invalid="ignore"):
            self.train_loss.append(loss_value(loss, self.net(self.F_train), self._targets(self.l_train), "mean"))
            self.test_loss.append(loss_value(loss, self.net(self.F_test), self._targets(self.l_test), "mean"))

    def train_epochs(self, k: int = 1, redraw: bool = True):
        """Train ``k`` epochs with the current γ, batch size and L2 (one frame each in play)."""
        c = self.controls
        n_train = len(self.F_train)
        batch = min(int(c["batch"].value), n_train)
        d = self._targets(self.l_train)
        for _ in range(k):
            # nnlib.train warns (ConvergenceWarning) when an epoch diverges and then restores
            # the weights; in the lab that becomes a note and playing stops.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                history = _nnlib_train(self.net, self.F_train, d, loss=c["loss"].value,
                                       gamma=float(c["gamma"].value), epochs=1, batch_size=batch,
                                       l2=float(c["l2"].value), seed=self._shuffle_rng)
            if history.status == "diverged":
                self.diverged = True
                c["play"].playing = False
                self.notes.append(f"epoch {self.epoch + 1} diverged, so it was undone: lower γ "
                                  f"(now {fmt(c['gamma'].value)}) and press step again")
                self.notes.extend(str(w.message) for w in caught[:1])
                break
            self.epoch += 1
            self._record()
        if redraw:
            self._update_text()
        return self

    def _action(self, fn, *args):
        """Run a button's action; errors become a note, then one redraw."""
        self.notes = []
        try:
            fn(*args)
        except Exception as exc:
            self.notes.append(f"could not {getattr(fn, '__name__', 'act')} ({type(exc).__name__}: {exc})")
        self._update_text()
        self._show_notes()
        self.request_redraw()

    def accuracy(self, which: str = "train") -> float:
        """Fraction of correctly classified points (output > 0.5 means class 1)."""
        F, labels = (self.F_train, self.l_train) if which == "train" else (self.F_test, self.l_test)
        with np.errstate(over="ignore", invalid="ignore"):
            pred = (self.net(F)[:, 0] > 0.5).astype(np.int64)
        return float(np.mean(pred == labels))

    def _update_text(self):
        sizes = "-".join(str(k) for k in self.net.sizes)
        self.readout.value = (
            f"<b>epoch {self.epoch}</b> · train loss <b>{fmt(self.train_loss[-1])}</b> · "
            f"test loss <b>{fmt(self.test_loss[-1])}</b> · train accuracy {100 * self.accuracy('train'):.1f}% · "
            f"test accuracy {100 * self.accuracy('test'):.1f}% · network {sizes} "
            f"({self.net.n_params} parameters), hidden {self.controls['activation'].value}, sigmoid output")
        self.state_text.value = (f"<span style='font-size:85%'>state: <code>{html.escape(self.state_string())}"
                                 f"</code></span>")

    # ----- drawing ------------------------------------------------------------------------
    def _layout_units(self):
        """Centres of every unit, column by column (inputs, hidden, output), in the diagram
        axes' coordinates (x from 0 to 1, y from 0 to 1), and the thumbnail size."""
        fig_w, fig_h = self.fig_view.fig.get_size_inches()
        columns = self.net.sizes
        most = max(columns)
        h = min(0.17, 0.9 / most - 0.02)
        # the diagram axes is DIAGRAM[2] x DIAGRAM[3] of the figure: keep thumbnails square
        w = h * (DIAGRAM[3] * fig_h) / (DIAGRAM[2] * fig_w)
        xs = np.linspace(0.15, 0.91, len(columns))
        centres = []
        for x, n in zip(xs, columns):
            ys = 0.5 + (np.arange(n)[::-1] - (n - 1) / 2) * (h + 0.025)
            centres.append([(x, y) for y in ys])
        return centres, w, h

    def _build_figure(self):
        """Create the artists (only when the structure changes; frames update them in place)."""
        fig = self.fig_view.fig
        fig.clear()
        self.centres, w, h = self._layout_units()
        names = list(self.controls["features"].value)
        # One axes for the whole diagram: every unit is an image placed by its extent. Far
        # cheaper to draw than one axes per unit (axes carry ticks, spines, layout).
        self.ax_net = ax = fig.add_axes(DIAGRAM)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        self.weight_lines = LineCollection([], zorder=1)
        ax.add_collection(self.weight_lines)
        self.unit_images = []  # per column, per unit: the AxesImage
        frames = []
        blank = np.zeros((THUMB, THUMB))
        for col, units in enumerate(self.centres):
            images = []
            for j, (x, y) in enumerate(units):
                im = ax.imshow(blank, origin="lower", cmap=CMAP, vmin=-1, vmax=1, interpolation="nearest",
                               extent=(x - w / 2, x + w / 2, y - h / 2, y + h / 2), zorder=2)
                images.append(im)
                frames.append(Rectangle((x - w / 2, y - h / 2), w, h))
                if col == 0:
                    ax.text(x - w / 2 - 0.01, y, names[j], ha="right", va="center", fontsize=8)
            self.unit_images.append(images)
        self.unit_frames = PatchCollection(frames, facecolor="none", edgecolor="#555555", linewidth=0.6, zorder=3)
        ax.add_collection(self.unit_frames)
        ax.set_aspect("auto")
        ax.text(self.centres[0][0][0], 0.99, "inputs", ha="center", va="top", fontsize=8)
        ax.text(self.centres[-1][0][0], 0.99, "output", ha="center", va="top", fontsize=8)

        lo, hi = self.window
        fig_w, fig_h = fig.get_size_inches()
        self.ax_out = ax = fig.add_axes([0.45, 0.08, 0.84 * fig_h / fig_w, 0.84])
        self.heatmap = ax.imshow(np.zeros((2, 2)), origin="lower", extent=(lo, hi, lo, hi), cmap=CMAP, vmin=0,
                                 vmax=1, interpolation="bilinear", aspect="auto")
        self.train_points = ax.scatter(self.X_train[:, 0], self.X_train[:, 1], c=self._colors(self.l_train), s=16,
                                       edgecolors="white", linewidths=0.8)
        self.test_points = ax.scatter(self.X_test[:, 0], self.X_test[:, 1], c=self._colors(self.l_test), s=16,
                                      edgecolors="black", linewidths=0.8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.tick_params(labelsize=7)
        ax.set_title("output P(class 1); test points edged black", fontsize=8)

        self.ax_loss = ax = fig.add_axes([0.835, 0.16, 0.155, 0.76])
        (self.train_curve,) = ax.plot([], [], color="#333333", lw=1.2, label="train")
        (self.test_curve,) = ax.plot([], [], color="#999999", lw=1.2, label="test")
        ax.legend(fontsize=7, loc="upper right", frameon=False)
        ax.tick_params(labelsize=7)
        ax.set_title("loss per epoch", fontsize=8)
        ax.set_xlabel("epoch", fontsize=7)
        self._loss_limits = None
        self._structure = self._structure_key()
        self.fig_view.set_animated([self.weight_lines, *[im for col in self.unit_images for im in col],
                                    self.unit_frames, self.heatmap, self.train_points, self.test_points,
                                    self.train_curve, self.test_curve])

    def _colors(self, labels):
        return [BLUE if v == 1 else ORANGE for v in labels]

    def _structure_key(self):
        c = self.controls
        return (tuple(self.net.sizes), tuple(c["features"].value), c["dataset"].value, c["n"].value,
                c["noise"].value, c["test_ratio"].value, c["seed"].value)

    def _draw(self):
        if self._structure != self._structure_key():
            self._build_figure()
        g = int(self.controls["grid"].value)
        with np.errstate(over="ignore", invalid="ignore"):
            self.output_grid = self.net(self.F_grid)[:, 0].reshape(g, g)
            fp = self.net.forward(self.F_thumb)
        # Images get ready-made RGBA bytes: matplotlib then skips its own normalisation and
        # colour mapping, which made up most of an image's drawing time.
        self.heatmap.set_data(CMAP(self.output_grid, bytes=True))
        self.test_points.set_visible(bool(self.controls["show_test"].value))
        self.unit_values = []
        for col, images in enumerate(self.unit_images):
            y = fp.y[col]
            values = []
            for j, im in enumerate(images):
                v = y[:, j].reshape(THUMB, THUMB)
                if col == len(self.unit_images) - 1:
                    v = 2 * v - 1  # the sigmoid output: 0.5 maps to the neutral colour
                else:
                    v = v / (float(np.max(np.abs(v))) or 1.0)
                values.append(v)
                im.set_data(CMAP((v + 1) / 2, bytes=True))
            self.unit_values.append(values)
        segments, colours, widths = [], [], []
        for l, W in enumerate(self.net.W):
            scale = max(float(np.max(np.abs(W))), 1e-12)
            for i, (x0, y0) in enumerate(self.centres[l]):
                for j, (x1, y1) in enumerate(self.centres[l + 1]):
                    segments.append([(x0, y0), (x1, y1)])
                    colours.append(BLUE if W[i, j] > 0 else ORANGE)
                    widths.append(0.3 + 3.0 * min(abs(W[i, j]), 3.0) / 3.0)
        self.weight_lines.set_segments(segments)
        self.weight_lines.set_color(colours)
        self.weight_lines.set_linewidth(widths)
        epochs = np.arange(len(self.train_loss))
        self.train_curve.set_data(epochs, self.train_loss)
        self.test_curve.set_data(epochs, self.test_loss)
        # The loss axes' limits move in coarse jumps (x: 10, 20, 50, 100, ...; y: doubles), so
        # most frames reuse the cached background with its ticks (see FigureView).
        top = max(max(self.train_loss), max(self.test_loss))
        top = top if np.isfinite(top) and top > 0 else 1.0
        x_max = next(m for m in _nice_limits() if m >= max(len(epochs) - 1, 1))
        y_max = self._loss_limits[1] if self._loss_limits else 0.0
        if not (top <= y_max <= 4 * top):
            y_max = 1.1 * top
        if (x_max, y_max) != self._loss_limits:
            self._loss_limits = (x_max, y_max)
            self.ax_loss.set_xlim(0, x_max)
            self.ax_loss.set_ylim(0, y_max)
            self.fig_view.invalidate()

    def summary(self) -> str:
        return f"BoundaryLab({self.state_string()}): epoch {self.epoch}"


def decision_boundary(state: str | None = None, **initial) -> BoundaryLab:
    """The decision-boundary lab (notebook 09).

    ``state`` is a line from :meth:`BoundaryLab.state_string` (e.g. handed out by a teacher);
    keyword arguments set controls on top of it, e.g. ``decision_boundary(dataset="xor")``.
    """
    return BoundaryLab(state=state, **initial)
