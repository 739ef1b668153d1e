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
error (``half_sse``), the AND/OR/XOR truth tables are datasets of their own, and:

* **more than two classes** (control ``classes``: 2, 3 or 4, for the Gaussian blobs and the
  spiral): the output layer is then k softmax units, the loss categorical cross-entropy
  (``cross_entropy``, chosen by ``loss=bce``) or squared error (``half_sse``) on one-hot
  targets (:func:`nnlib.losses.to_one_hot`); the heatmap shows the winning class in its
  colour with the confidence as intensity; accuracy counts the argmax. The one-line state
  writes ``classes=k`` only for k != 2, so every two-class line is exactly what it was
  before the control existed, and a line without it means two classes;
* **editable weights**: pick any weight or bias (``weight_controls["param"]``, labelled
  ``"W1[0,2] (x1 -> h1.3)"``, or ``set_weight(layer, i, j, value)`` /
  ``set_bias(layer, j, value)`` / ``set_param("W1[0,2]", value)``) and set its value; the
  heatmaps, the diagram and the loss readout follow at once and training continues from the
  edited value. Layers are numbered as in the course (``W1`` = ``net.W[0]``, from layer 0
  to layer 1), unit indices from 0 as in ``net.W[l-1][i, j]``. Values beyond
  +-``WEIGHT_LIMIT`` are clamped, NaN/inf and bad indices are rejected, each with a note.
  An edit replaces the last point of the loss curves (the loss of the network as it now
  stands). Edits made at epoch 0 are part of the configuration and the one-line state
  writes them as ``weights=W1[0,2]:0.5;b2[0]:-1`` (only when there are any, at the end);
  later edits cannot be replayed by a line that restarts at epoch 0, and the line under the
  lab says how many it leaves out.
"""
from __future__ import annotations

import html
import re
import shlex
import warnings
from collections import deque

import numpy as np
import ipywidgets as widgets
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.ticker import MaxNLocator

from ..datasets import FEATURES, MULTICLASS_DATASETS, features, make_dataset, train_test_split, truth_table
from ..losses import loss_value, to_one_hot
from ..network import Network
from ..plotting import CLASS_COLOURS, NEGATIVE, POSITIVE
from ._base import (BoundedFloatText, BoundedIntText, FigureView, FloatLogSlider, FloatSlider, FrameLoop, IntSlider,
                    Lab, button, fmt, grading_mode)

from ..train import train as _nnlib_train

__all__ = ["BoundaryLab", "decision_boundary", "DATASET_CHOICES", "STATE_KEYS"]

DATASET_CHOICES = [("circle", "circle"), ("XOR (clouds)", "xor"), ("Gaussian blobs", "gaussians"),
                   ("spiral", "spiral"), ("AND truth table", "and-table"), ("OR truth table", "or-table"),
                   ("XOR truth table", "xor-table")]
ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "elu", "identity"]
LOSS_CHOICES = [("cross-entropy", "bce"), ("squared error", "half_sse")]
CLASS_CHOICES = [("2 classes", 2), ("3 classes", 3), ("4 classes", 4)]
#: the keys of the one-line state, in the order they are written ("classes" only when not 2,
#: "weights" only when weights were edited at epoch 0)
STATE_KEYS = ["dataset", "classes", "n", "noise", "test_ratio", "seed", "features", "hidden", "activation",
              "loss", "gamma", "batch", "l2", "grid", "weights"]
#: edited weights and biases are clamped to [-WEIGHT_LIMIT, WEIGHT_LIMIT]
WEIGHT_LIMIT = 10.0
MAX_LAYERS, MAX_UNITS = 4, 8
#: frames per second that Play aims at (each frame: ``epochs_per_frame`` epochs + a redraw)
FPS = 40
#: where the network diagram sits in the figure, and the unit thumbnails' resolution
DIAGRAM = [0.0, 0.02, 0.41, 0.96]
THUMB = 24

# the library's colours (nnlib.plotting): blue for class 1 / positive, orange for class 0 / negative
ORANGE, BLUE = NEGATIVE, POSITIVE
NEUTRAL = "#e8eaeb"
CMAP = LinearSegmentedColormap.from_list("nnlib_playground", [ORANGE, NEUTRAL, BLUE])
_NEUTRAL_RGB = np.array(to_rgb(NEUTRAL))
_CLASS_RGB = np.array([to_rgb(c) for c in CLASS_COLOURS])


def class_rgba(P) -> np.ndarray:
    """RGBA bytes (..., 4) for class probabilities ``P`` (..., k): the winning class's colour,
    blended from the neutral grey by the confidence (max P - 1/k) / (1 - 1/k) in [0, 1]."""
    P = np.asarray(P, dtype=np.float64)
    k = P.shape[-1]
    win = np.argmax(P, axis=-1)
    conf = np.clip((np.max(P, axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    rgb = _NEUTRAL_RGB + conf[..., None] * (_CLASS_RGB[win] - _NEUTRAL_RGB)
    out = np.empty(P.shape[:-1] + (4,), dtype=np.uint8)
    out[..., :3] = np.round(255 * rgb)
    out[..., 3] = 255
    return out


def _shade_rgba(v, colour_index: int) -> np.ndarray:
    """RGBA bytes for values ``v`` in [0, 1]: neutral grey (0) to class colour ``colour_index`` (1)."""
    v = np.clip(np.asarray(v, dtype=np.float64), 0.0, 1.0)
    rgb = _NEUTRAL_RGB + v[..., None] * (_CLASS_RGB[colour_index] - _NEUTRAL_RGB)
    out = np.empty(v.shape + (4,), dtype=np.uint8)
    out[..., :3] = np.round(255 * rgb)
    out[..., 3] = 255
    return out


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

    Controls: ``dataset``, ``classes`` (2, 3, 4), ``n``, ``noise``, ``test_ratio``, ``seed``,
    ``features``, ``hidden`` (text such as ``"4, 4"``), ``activation``, ``loss``, ``gamma``,
    ``batch``, ``l2``, ``grid``, ``show_test``, ``play`` (a Play widget; each tick is one epoch).
    Buttons: ``step`` (one epoch), ``reset`` (new initial weights from the seed, epoch 0),
    ``regenerate`` (seed + 1: new data). State: ``net``, ``epoch``, ``train_loss`` and
    ``test_loss`` (per epoch, index 0 before training), ``accuracy()``.

    Weight editor (edits at epoch 0 are in the state line as ``weights=...``): ``weight_controls`` holds ``param`` (a
    Dropdown of every weight and bias, see :meth:`weight_names`), ``value`` (a FloatText) and
    ``slider`` (a FloatSlider); changing ``value`` or ``slider`` edits the chosen parameter.
    From code: :meth:`set_weight`, :meth:`set_bias`, :meth:`set_param`, :meth:`get_param`;
    ``edits`` lists ``(name, value, epoch)`` of the edits since the last reset.
    """

    lab_name = "BoundaryLab"

    def __init__(self, state: str | None = None, **initial):
        super().__init__()
        small = grading_mode()
        c = self.controls
        st = {"description_width": "80px"}
        lay = widgets.Layout(width="300px")
        c["dataset"] = widgets.Dropdown(options=DATASET_CHOICES, value="circle", description="dataset", style=st, layout=lay)
        c["classes"] = widgets.Dropdown(options=CLASS_CHOICES, value=2, description="classes", style=st, layout=lay)
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
        # The Play widget is only the play/pause button: its own ticks (every `interval` ms,
        # at best 10 per second) are switched off, and a loop in the kernel trains and draws
        # up to FPS frames per second while it is playing (_base.FrameLoop).
        c["play"] = widgets.Play(value=0, min=0, max=10**9, interval=10**9, show_repeat=False, description="train")
        c["epochs_per_frame"] = IntSlider(value=1, min=1, max=50, description="epochs/frame", style=st, layout=lay)
        for name in c:
            self._watch(name)
        self.frames = FrameLoop(self, c["play"], self._play_frame, fps=FPS)

        self.buttons["step"] = button("step", "step", "train one epoch")
        self.buttons["step"].on_click(lambda _b: self._action(self.train_epochs, 1))
        self.buttons["reset"] = button("reset", "reset", "new initial weights from the seed, epoch 0")
        self.buttons["reset"].on_click(lambda _b: self._action(self.reset))
        self.buttons["regenerate"] = button("regenerate", "regenerate", "seed + 1: draw new data")
        self.buttons["regenerate"].on_click(lambda _b: self.set(seed=self.controls["seed"].value + 1))

        # the weight editor: not controls of the state line, but widgets all the same
        self._syncing = False
        self.edits: list[tuple[str, float, int]] = []
        # values the lab itself put into the editor's boxes (see _weight_widget)
        self._shown = {"value": deque(maxlen=8), "slider": deque(maxlen=8)}
        wl = widgets.Layout(width="auto")
        self.weight_controls = {
            "param": widgets.Dropdown(options=[], description="edit", style={"description_width": "40px"},
                                      layout=widgets.Layout(width="260px")),
            "value": widgets.FloatText(value=0.0, description="value", continuous_update=False,
                                       style={"description_width": "40px"}, layout=widgets.Layout(width="150px")),
            "slider": widgets.FloatSlider(value=0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT, step=0.01,
                                          readout=False, layout=widgets.Layout(width="220px")),
        }
        self.weight_controls["param"].observe(lambda ch: self._weight_widget("param", ch["new"]), names="value")
        self.weight_controls["value"].observe(lambda ch: self._weight_widget("value", ch["new"]), names="value")
        self.weight_controls["slider"].observe(lambda ch: self._weight_widget("slider", ch["new"]), names="value")
        for w in self.weight_controls.values():
            w.add_class("nnlib-weight-editor")
        editor = widgets.HBox([self.weight_controls["param"], self.weight_controls["value"],
                               self.weight_controls["slider"],
                               widgets.HTML(f"<span style='font-size:85%'>(clamped to ±{WEIGHT_LIMIT:g}; "
                                            f"training goes on from the edited value)</span>")], layout=wl)

        self.fig_view = FigureView((11.0, 4.4), dpi=60 if small else 80)
        self.views = [self.fig_view]
        self.state_text = widgets.HTML()
        self.state_text.add_class("nnlib-state")
        data_box = widgets.VBox([c["dataset"], c["classes"], c["n"], c["noise"], c["test_ratio"],
                                 widgets.HBox([c["seed"], self.buttons["regenerate"]])])
        net_box = widgets.VBox([c["features"], c["hidden"], c["activation"], c["loss"]])
        train_box = widgets.VBox([c["gamma"], c["batch"], c["l2"], c["grid"], c["epochs_per_frame"], c["show_test"],
                                  widgets.HBox([c["play"], self.buttons["step"], self.buttons["reset"]])])
        self.view = widgets.VBox([
            widgets.HBox([data_box, net_box, train_box]),
            editor,
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
        weights = values.pop("weights", None)
        self._pending = set(c)
        self._set(values)
        if weights:
            self._apply_weights(weights)
            self._update_text()
            self._show_notes()
            self.request_redraw()

    # ----- the one-line state ----------------------------------------------------------------
    def state_string(self) -> str:
        """Seed and every control as one line of ``key=value`` pairs (see ``STATE_KEYS``)."""
        c = self.controls
        out = []
        for key in STATE_KEYS:
            if key == "weights":
                # edits made before training belong to the configuration; later ones cannot
                # be replayed by a line that restarts at epoch 0
                start = {name: value for name, value, epoch in self.edits if epoch == 0}
                if start:
                    out.append("weights=" + ";".join(f"{n}:{_short(v)}" for n, v in start.items()))
                continue
            v = c[key].value
            if key == "classes":
                if int(v) == 2:
                    continue  # two-class lines stay exactly as they were before this key existed
                v = int(v)
            elif key == "features":
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
            elif key in ("hidden", "dataset", "activation", "loss", "weights"):
                values[key] = raw
            else:
                try:
                    num = float(raw)
                except ValueError:
                    self.notes.append(f"state: {key}={raw!r} is not a number; ignored")
                    continue
                values[key] = int(num) if key in ("n", "seed", "batch", "grid", "classes") and num == int(num) else num
        # a line without "classes" is a two-class line (written before the key existed, or k = 2)
        values.setdefault("classes", 2)
        return values

    def load_state(self, text: str):
        """Restore the controls from a state line, then start again from epoch 0."""
        self.notes = []
        values = self.parse_state(text)
        weights = values.pop("weights", None)
        self._set(values)
        self.reset()  # also when the line equals the current controls: back to epoch 0
        if weights:
            self._apply_weights(weights)
            self._update_text()
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
        if name == "classes":
            options = [v for _, v in CLASS_CHOICES]
            if not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating)) \
                    and np.isfinite(value) and value == int(value):
                k = int(value)
                if k in options:
                    return k
                used = min(max(k, options[0]), options[-1])
                self.notes.append(f"classes={value!r} is outside [{options[0]}, {options[-1]}]; clamped to {used}")
                return used
            self.notes.append(f"classes={value!r} is not one of {options}; kept {self.controls['classes'].value}")
            return self.controls["classes"].value
        return super().clamp(name, value)

    # ----- state updates -----------------------------------------------------------------------
    @property
    def hidden(self) -> list[int]:
        return parse_hidden(self.controls["hidden"].value)[0]

    @property
    def is_table(self) -> bool:
        return self.controls["dataset"].value.endswith("-table")

    @property
    def n_classes(self) -> int:
        return int(self.controls["classes"].value)

    @property
    def loss_name(self) -> str:
        """The nnlib loss in use: ``bce`` / ``half_sse`` for two classes (one sigmoid output);
        with k > 2 softmax outputs the cross-entropy choice is ``cross_entropy``."""
        loss = self.controls["loss"].value
        if self.n_classes > 2 and loss == "bce":
            return "cross_entropy"
        return loss

    def _recompute(self, changed):
        data_keys = {"dataset", "classes", "n", "noise", "test_ratio", "seed"}  # classes: labels 0..k-1
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
        if changed & {"classes", "dataset"} and self.n_classes > 2 \
                and self.controls["dataset"].value not in MULTICLASS_DATASETS:
            name = self.controls["dataset"].value
            if "classes" in changed:
                # asking for k classes is the more specific wish: take a set that has them
                self.notes.append(f"classes: {name} has two classes; switched to the Gaussian blobs "
                                  f"(more classes: {', '.join(MULTICLASS_DATASETS)})")
                self.controls["dataset"].value = "gaussians"
            else:
                self.notes.append(f"classes: {name} has two classes; classes set back to 2")
                self.controls["classes"].value = 2
            changed = changed | {"dataset"}
        if changed & data_keys:
            self._make_data()
        if changed & (data_keys | {"features", "grid"}):
            self._make_grid()
        if changed & (data_keys | {"classes", "features", "hidden", "activation", "loss"}):
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
                                     seed=seed, n_classes=self.n_classes)
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
        k = self.n_classes
        sizes = [len(c["features"].value), *self.hidden, 1 if k == 2 else k]
        acts = [c["activation"].value] * len(self.hidden) + ["sigmoid" if k == 2 else "softmax"]
        init = "he" if c["activation"].value in ("relu", "leaky_relu", "elu") else "xavier"
        seed = int(c["seed"].value)
        self.net = Network.from_sizes(sizes, activations=acts, seed=seed + 2, init=init)
        self._shuffle_rng = np.random.default_rng(seed + 3)
        self.epoch = 0
        self.diverged = False
        self.train_loss, self.test_loss = [], []
        self.edits = []
        self._record()
        self._weight_options()
        if redraw:
            self._update_text()

    def _targets(self, labels):
        """Targets d: the label as a (N, 1) column for two classes, one-hot (N, k) for k > 2."""
        if self.n_classes == 2:
            return labels.reshape(-1, 1).astype(np.float64)
        return to_one_hot(labels, self.n_classes)

    def _losses(self) -> tuple[float, float]:
        """Mean data loss per sample of the current network, train and test."""
        loss = self.loss_name
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return (loss_value(loss, self.net(self.F_train), self._targets(self.l_train), "mean"),
                    loss_value(loss, self.net(self.F_test), self._targets(self.l_test), "mean"))

    def _record(self):
        train_loss, test_loss = self._losses()
        self.train_loss.append(train_loss)
        self.test_loss.append(test_loss)

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
                history = _nnlib_train(self.net, self.F_train, d, loss=self.loss_name,
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

    def _play_frame(self) -> bool:
        """One frame of Play: ``epochs_per_frame`` epochs; False stops playing (divergence)."""
        self.train_epochs(int(self.controls["epochs_per_frame"].value), redraw=False)
        self._update_text()
        return not self.diverged

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

    def predict_classes(self, F) -> np.ndarray:
        """Class numbers for feature rows ``F``: output > 0.5 for two classes, else the argmax."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.net(F)
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return np.argmax(out, axis=1).astype(np.int64)

    def accuracy(self, which: str = "train") -> float:
        """Fraction of correctly classified points (output > 0.5 means class 1; with k > 2
        classes the largest softmax output wins)."""
        F, labels = (self.F_train, self.l_train) if which == "train" else (self.F_test, self.l_test)
        return float(np.mean(self.predict_classes(F) == labels))

    def _update_text(self):
        sizes = "-".join(str(k) for k in self.net.sizes)
        self.readout.value = (
            f"<b>epoch {self.epoch}</b> · train loss <b>{fmt(self.train_loss[-1])}</b> · "
            f"test loss <b>{fmt(self.test_loss[-1])}</b> · train accuracy {100 * self.accuracy('train'):.1f}% · "
            f"test accuracy {100 * self.accuracy('test'):.1f}% · network {sizes} "
            f"({self.net.n_params} parameters), hidden {self.controls['activation'].value}, "
            + ("sigmoid output" if self.n_classes == 2 else
               f"softmax output ({self.n_classes} classes, {self.loss_name})"))
        edited = ""
        later = [e for e in self.edits if e[2] > 0]
        if later:
            edited = (f" · {len(later)} weight edit{'s' if len(later) > 1 else ''} after epoch 0 "
                      f"(not recorded in the line, which restarts at epoch 0)")
        self.state_text.value = (f"<span style='font-size:85%'>state: <code>{html.escape(self.state_string())}"
                                 f"</code>{edited}</span>")
        self._sync_weight_widgets()

    # ----- editing single weights ---------------------------------------------------------------
    def unit_names(self) -> list[list[str]]:
        """Names of the units, layer by layer: the features, ``h1.1`` ... (hidden layer 1, unit
        1), and ``out`` (one sigmoid unit) or ``class 0`` ... ``class k-1`` (softmax units)."""
        sizes = self.net.sizes
        names = [list(self.controls["features"].value)]
        for l, n in enumerate(sizes[1:-1], start=1):
            names.append([f"h{l}.{j + 1}" for j in range(n)])
        names.append(["out"] if sizes[-1] == 1 else [f"class {j}" for j in range(sizes[-1])])
        return names

    def weight_names(self) -> list[tuple[str, str]]:
        """``(label, name)`` of every weight and bias: ``("W1[0,2] (x1 -> h1.3)", "W1[0,2]")``,
        ..., ``("b2[0] (bias of out)", "b2[0]")``. ``Wl[i,j]`` is ``net.W[l-1][i, j]``."""
        units = self.unit_names()
        out = []
        for l in range(1, self.net.L + 1):
            n_from, n_to = self.net.W[l - 1].shape
            for j in range(n_to):
                for i in range(n_from):
                    out.append((f"W{l}[{i},{j}] ({units[l - 1][i]} -> {units[l][j]})", f"W{l}[{i},{j}]"))
                out.append((f"b{l}[{j}] (bias of {units[l][j]})", f"b{l}[{j}]"))
        return out

    def _weight_options(self):
        """Refill the editor's list after a reset (the architecture may be new)."""
        w = self.weight_controls["param"]
        options = self.weight_names()
        keep = w.value if w.value in [n for _, n in options] else (options[0][1] if options else None)
        self._syncing = True
        try:
            if list(w.options) != options:
                w.options = options
            w.value = keep
        finally:
            self._syncing = False
        self._sync_weight_widgets()

    def _parse_param(self, name):
        """``"W1[0,2]"`` -> ("W", 1, (0, 2)); ``"b2[0]"`` -> ("b", 2, (0,)); else a ValueError."""
        text = str(name).replace(" ", "")
        m = re.fullmatch(r"([Wb])(\d+)\[(\d+)(?:,(\d+))?\]", text)
        if m is None or (m.group(1) == "W") != (m.group(4) is not None):
            raise ValueError(f"{name!r} is not a parameter name such as 'W1[0,2]' or 'b2[0]'")
        idx = (int(m.group(3)),) if m.group(4) is None else (int(m.group(3)), int(m.group(4)))
        return m.group(1), int(m.group(2)), idx

    def _param_array(self, kind, layer, idx):
        """The live array holding parameter (kind, layer, idx), after checking the indices."""
        L = self.net.L
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= L:
            raise ValueError(f"layer must be 1 .. {L} (W1 is net.W[0]); got {layer!r}")
        arr = (self.net.W if kind == "W" else self.net.b)[layer - 1]
        for axis, (k, size) in enumerate(zip(idx, arr.shape)):
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < size:
                what = ("i (from unit)" if axis == 0 else "j (to unit)") if kind == "W" else "j (unit)"
                raise ValueError(f"{kind}{layer} has shape {arr.shape}: {what} must be 0 .. {size - 1}; got {k!r}")
        return arr

    def get_param(self, name: str) -> float:
        """The current value of ``"W1[0,2]"`` (= ``net.W[0][0, 2]``) or ``"b2[0]"``."""
        kind, layer, idx = self._parse_param(name)
        return float(self._param_array(kind, layer, idx)[idx])

    def set_weight(self, layer: int, i: int, j: int, value: float):
        """Set the weight from unit i of layer ``layer - 1`` to unit j of layer ``layer``
        (``net.W[layer-1][i, j]``); bad input becomes a note, never an error. Returns self."""
        return self._edit("W", layer, (i, j), value)

    def set_bias(self, layer: int, j: int, value: float):
        """Set the bias of unit j of layer ``layer`` (``net.b[layer-1][j]``). Returns self."""
        return self._edit("b", layer, (j,), value)

    def set_param(self, name: str, value: float):
        """Set a parameter by name, ``"W1[0,2]"`` or ``"b2[0]"`` (as listed by weight_names)."""
        self.notes = []
        try:
            kind, layer, idx = self._parse_param(name)
        except ValueError as exc:
            self.notes.append(f"edit: {exc}; nothing changed")
            self._show_notes()
            return self
        return self._edit(kind, layer, idx, value, clear=False)

    def _apply_edit(self, kind, layer, idx, value):
        """Check and set one parameter (no redraw); returns its name, or None (then a note says why)."""
        try:
            arr = self._param_array(kind, layer, idx)
        except ValueError as exc:
            self.notes.append(f"edit: {exc}; nothing changed")
            return None
        name = f"{kind}{layer}[{','.join(str(int(k)) for k in idx)}]"
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            self.notes.append(f"edit: {name}={value!r} is not a finite number; kept {fmt(arr[idx])}")
            return None
        used = float(min(max(float(value), -WEIGHT_LIMIT), WEIGHT_LIMIT))
        if used != float(value):
            self.notes.append(f"edit: {name}={value:g} is outside [-{WEIGHT_LIMIT:g}, {WEIGHT_LIMIT:g}]; "
                              f"clamped to {used:g}")
        arr[idx] = used
        if self.edits and self.edits[-1][0] == name and self.edits[-1][2] == self.epoch:
            self.edits[-1] = (name, used, self.epoch)  # one slider drag is one edit
        else:
            self.edits.append((name, used, self.epoch))
        # the last point of the loss curves is the network as it now stands
        self.train_loss[-1], self.test_loss[-1] = self._losses()
        return name

    def _edit(self, kind, layer, idx, value, clear: bool = True):
        if clear:
            self.notes = []
        name = self._apply_edit(kind, layer, idx, value)
        if name is not None and self.weight_controls["param"].value != name:
            self._syncing = True
            try:
                self.weight_controls["param"].value = name
            finally:
                self._syncing = False
        self._update_text()
        if name is None:
            self._sync_weight_widgets(force=True)  # the box shows the kept value again
        self._show_notes()
        self.request_redraw()
        return self

    def _apply_weights(self, text) -> None:
        """Apply the ``weights=`` part of a state line, ``"W1[0,2]:0.5;b2[0]:-1"`` (epoch 0)."""
        for item in (p for p in str(text).split(";") if p):
            name, sep, raw = item.rpartition(":")
            try:
                if not sep:
                    raise ValueError(f"{item!r} is not name:value")
                kind, layer, idx = self._parse_param(name)
                value = float(raw)
            except ValueError as exc:
                self.notes.append(f"state: weights: {exc}; ignored")
                continue
            self._apply_edit(kind, layer, idx, value)

    def _sync_weight_widgets(self, force: bool = False):
        """Show the chosen parameter's current value in the editor (no edit is made)."""
        name = self.weight_controls["param"].value
        if name is None or self._syncing:
            return
        try:
            v = self.get_param(name)
        except ValueError:
            return
        self._syncing = True
        try:
            if force or self.weight_controls["value"].value != v:
                self.weight_controls["value"].value = v
            self.weight_controls["slider"].value = min(max(v, -WEIGHT_LIMIT), WEIGHT_LIMIT)
        finally:
            self._syncing = False
        self._shown["value"].append(float(self.weight_controls["value"].value))
        self._shown["slider"].append(float(self.weight_controls["slider"].value))

    def _weight_widget(self, which, new):
        """A change of an editor widget from the browser or from code; never raises."""
        if self._syncing:
            return
        if which != "param" and isinstance(new, float) and np.isfinite(new):
            # The browser answers a value the lab has shown with that value snapped to the
            # slider's step (or re-parsed from the text box), possibly after the next epoch
            # has moved the weight on. Taking that for an edit would pull the weight back
            # every frame of Play; a real edit is a value the lab has not just shown.
            tol = (self.weight_controls["slider"].step or 0.0) / 2 + 1e-12 if which == "slider" else 0.0
            if any(abs(new - old) <= tol + 1e-9 * max(1.0, abs(old)) for old in self._shown[which]):
                return
        try:
            if which == "param":
                self._sync_weight_widgets()
                self.request_redraw()  # the selection mark in the diagram moves
            elif self.weight_controls["param"].value is not None:
                self.set_param(self.weight_controls["param"].value, new)
        except Exception as exc:  # nothing may raise into the notebook from a callback
            self.notes.append(f"could not edit ({type(exc).__name__}: {exc})")
            self._show_notes()

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
        self._thumb_size = (w, h)
        # the parameter chosen in the weight editor: its line, or the frame of the unit whose bias it is
        (self.selection_mark,) = ax.plot([], [], color="black", lw=1.6, ls=(0, (2, 1.5)), zorder=4)
        ax.set_aspect("auto")
        ax.text(self.centres[0][0][0], 0.99, "inputs", ha="center", va="top", fontsize=8)
        # the training settings, drawn so a change of γ, batch or L2 shows in the picture too
        self.settings_text = fig.text(0.2, 0.01, "", ha="center", va="bottom", fontsize=7.5, color="#333333")
        ax.text(self.centres[-1][0][0], 0.99, "output", ha="center", va="top", fontsize=8)

        lo, hi = self.window
        fig_w, fig_h = fig.get_size_inches()
        self.ax_out = ax = fig.add_axes([0.455, 0.13, 0.79 * fig_h / fig_w, 0.79])
        self.heatmap = ax.imshow(np.zeros((2, 2)), origin="lower", extent=(lo, hi, lo, hi), cmap=CMAP, vmin=0,
                                 vmax=1, interpolation="bilinear", aspect="auto")
        self.train_points = ax.scatter(self.X_train[:, 0], self.X_train[:, 1], c=self._colors(self.l_train), s=16,
                                       edgecolors="white", linewidths=0.8)
        self.test_points = ax.scatter(self.X_test[:, 0], self.X_test[:, 1], c=self._colors(self.l_test), s=16,
                                      edgecolors="black", linewidths=0.8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2", labelpad=1)
        if self.net.sizes[-1] == 1:
            ax.set_title("output P(class 1); test points edged black", fontsize=8)
        else:
            ax.set_title(f"winning class of {self.net.sizes[-1]} (colour), confidence (intensity); "
                         f"test points edged black", fontsize=8)

        self.ax_loss = ax = fig.add_axes([0.85, 0.13, 0.13, 0.79])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        (self.train_curve,) = ax.plot([], [], color="#333333", lw=1.2, label="train")
        (self.test_curve,) = ax.plot([], [], color="#999999", lw=1.2, label="test")
        ax.legend(fontsize=7, loc="upper right", frameon=False)
        ax.tick_params(labelsize=7)
        ax.set_title("loss per epoch", fontsize=8)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean loss", labelpad=1)
        self._loss_limits = None
        self._structure = self._structure_key()
        self.fig_view.set_animated([self.weight_lines, *[im for col in self.unit_images for im in col],
                                    self.unit_frames, self.selection_mark, self.heatmap, self.train_points, self.test_points,
                                    self.train_curve, self.test_curve, self.settings_text])

    def _colors(self, labels):
        """Class colours (nnlib.plotting.CLASS_COLOURS: orange 0, blue 1, green 2, purple 3)."""
        return [CLASS_COLOURS[int(v)] for v in labels]

    def _structure_key(self):
        c = self.controls
        return (tuple(self.net.sizes), tuple(c["features"].value), c["dataset"].value, c["classes"].value,
                c["n"].value, c["noise"].value, c["test_ratio"].value, c["seed"].value)

    def _selection_path(self):
        """The x, y data of the selection mark for the editor's parameter (empty if none)."""
        name = self.weight_controls["param"].value
        if name is None:
            return [], []
        try:
            kind, layer, idx = self._parse_param(name)
            self._param_array(kind, layer, idx)
        except ValueError:
            return [], []
        if kind == "W":
            (x0, y0), (x1, y1) = self.centres[layer - 1][idx[0]], self.centres[layer][idx[1]]
            return [x0, x1], [y0, y1]
        x, y = self.centres[layer][idx[0]]
        w, h = self._thumb_size
        w, h = w / 2 + 0.006, h / 2 + 0.012
        return [x - w, x + w, x + w, x - w, x - w], [y - h, y - h, y + h, y + h, y - h]

    def _draw(self):
        if self._structure != self._structure_key():
            self._build_figure()
        g = int(self.controls["grid"].value)
        k_out = self.net.sizes[-1]
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.net(self.F_grid)
            fp = self.net.forward(self.F_thumb)
        # Images get ready-made RGBA bytes: matplotlib then skips its own normalisation and
        # colour mapping, which made up most of an image's drawing time.
        if k_out == 1:
            self.output_grid = out[:, 0].reshape(g, g)  # P(class 1)
            self.heatmap.set_data(CMAP(self.output_grid, bytes=True))
        else:
            self.output_grid = out.reshape(g, g, k_out)  # the k class probabilities
            self.heatmap.set_data(class_rgba(self.output_grid))
        self.test_points.set_visible(bool(self.controls["show_test"].value))
        self.unit_values = []
        for col, images in enumerate(self.unit_images):
            y = fp.y[col]
            values = []
            for j, im in enumerate(images):
                v = y[:, j].reshape(THUMB, THUMB)
                if col == len(self.unit_images) - 1 and k_out > 1:
                    values.append(v)  # softmax unit j: P(class j), from grey to the class colour
                    im.set_data(_shade_rgba(v, j))
                    continue
                if col == len(self.unit_images) - 1:
                    v = 2 * v - 1  # the sigmoid output: 0.5 maps to the neutral colour
                else:
                    v = v / (float(np.max(np.abs(v))) or 1.0)
                values.append(v)
                im.set_data(CMAP((v + 1) / 2, bytes=True))
            self.unit_values.append(values)
        self.selection_mark.set_data(*self._selection_path())
        c = self.controls
        k = int(c["epochs_per_frame"].value)
        self.settings_text.set_text(f"γ = {fmt(c['gamma'].value, 3)}, batch {c['batch'].value}, "
                                    f"L2 {fmt(c['l2'].value, 3)}; play: {k} epoch{'s' if k > 1 else ''}/frame")
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
