"""The decision-boundary lab of notebook 09: a TensorFlow-Playground-style trainer on nnlib.

This module is the widget view. The state (data, features, network, training, edits, the
one-line state) is a :class:`nnlib.labs.playground.Playground` in ``lab.state``, plain numpy;
the picture is a :class:`nnlib.labs.boundary_figure.BoundaryPicture` in ``lab.picture``.

Controls: ``dataset`` (circle, XOR clouds, Gaussian blobs, spiral, the AND/OR/XOR truth
tables, and two regression sets), ``classes`` (2, 3, 4 for the blobs and the spiral),
``n``, ``noise``, ``test_ratio``, ``seed``, ``features``, ``hidden`` (text such as ``"4, 4"``),
``activation``, ``loss``, ``gamma``, ``batch``, ``l2``, ``l1``, ``grid``, ``discretize``,
``show_test``, ``epochs_per_frame`` and ``play``. Buttons: ``step`` (one epoch), ``reset``,
``regenerate`` (seed + 1).

Play runs in the kernel (``_base.FrameLoop``): up to 40 frames per second, each frame
``epochs_per_frame`` epochs and a redraw; the caption under the network says so.

Weight editor: ``weight_controls["param"]`` (every weight and bias, ``"W1[0,2] (x1 -> h1.3)"``),
``"value"`` and ``"slider"``; from code :meth:`set_weight`, :meth:`set_bias`,
:meth:`set_param`, :meth:`get_param`; in the picture, a click on a weight's line selects it
(:meth:`click`) and the pointer on a unit shows its output large (:meth:`hover`), through
the canvas the picture is drawn on. Edits made at epoch 0 are part of the state line
(``weights=W1[0,2]:0.5;b2[0]:-1``); later ones are counted under the lab.
"""
from __future__ import annotations

import html

import numpy as np
import ipywidgets as widgets

from ..datasets import FEATURES, MULTICLASS_DATASETS
from ..plotting import PLAYGROUND_CMAP as CMAP, NEUTRAL, class_rgba
from ._base import (BoundedFloatText, BoundedIntText, FigureView, FloatLogSlider, FloatSlider, FrameLoop, IntSlider,
                    Lab, button, fmt, grading_mode)
from .boundary_editor import WeightEditor
from .boundary_figure import BoundaryPicture, settings_caption
from .playground import DEFAULTS, STATE_KEYS, Playground, parse_hidden, parse_state
from .regression import REGRESSION_DATASETS

__all__ = ["BoundaryLab", "decision_boundary", "DATASET_CHOICES", "STATE_KEYS", "CMAP", "NEUTRAL", "class_rgba"]

DATASET_CHOICES = [("circle", "circle"), ("XOR (clouds)", "xor"), ("Gaussian blobs", "gaussians"),
                   ("spiral", "spiral"), ("AND truth table", "and-table"), ("OR truth table", "or-table"),
                   ("XOR truth table", "xor-table"), ("regression: plane", "reg-plane"),
                   ("regression: Gaussians", "reg-gauss")]
ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "elu", "identity"]
LOSS_CHOICES = [("cross-entropy", "bce"), ("squared error", "half_sse")]
CLASS_CHOICES = [("2 classes", 2), ("3 classes", 3), ("4 classes", 4)]
#: frames per second that Play aims at
FPS = 40
#: the names of the state that the lab shows as its own attributes (``lab.net`` = ``lab.state.net``)
STATE_ATTRS = ("net", "epoch", "train_loss", "test_loss", "edits", "diverged", "window", "X_train", "X_test",
               "l_train", "l_test", "F_train", "F_test", "F_grid", "F_thumb", "hidden", "is_table", "n_classes",
               "loss_name", "is_regression")
PICTURE_ATTRS = ("heatmap", "train_points", "test_points", "weight_lines", "selection_mark", "train_curve",
                 "test_curve", "centres", "unit_slots", "unit_values", "output_grid", "ax_net", "ax_out",
                 "ax_loss", "_thumb_size")


class BoundaryLab(WeightEditor, Lab):
    """Train a small network on a 2D dataset and watch its decision boundary (see module doc)."""

    lab_name = "BoundaryLab"

    def __init__(self, state: str | None = None, **initial):
        super().__init__()
        small = grading_mode()
        self._make_controls(small)
        self.fig_view = FigureView((11.0, 4.4), dpi=60 if small else 80)
        self.views = [self.fig_view]
        self.picture = BoundaryPicture(self.fig_view)
        self._make_editor()
        self._layout()
        self.frames = FrameLoop(self, self.controls["play"], self._play_frame, fps=FPS)
        # Play follows the editor's boxes only every few frames: exact again on Pause
        self.controls["play"].observe(lambda ch: ch["new"] or self._update_text(), names="playing")
        self._play_last = 0

        values, notes = parse_state(state) if state else ({}, [])
        self.notes.extend(notes)
        self.check_names(initial, extra=("weights",))
        values.update(initial)
        weights = values.pop("weights", None)
        self.state = Playground(**self._config())
        self._pending = set(self.controls)
        self._set(values)
        if weights:
            self.state.apply_weights(weights)
            self._after_state_change()

    # ----- construction ------------------------------------------------------------------------
    def _make_controls(self, small):
        c = self.controls
        st = {"description_width": "80px"}
        lay = widgets.Layout(width="300px")
        slow = dict(style=st, layout=lay, continuous_update=False)  # expensive: on release only
        c["dataset"] = widgets.Dropdown(options=DATASET_CHOICES, value="circle", description="dataset", style=st,
                                        layout=lay)
        c["classes"] = widgets.Dropdown(options=CLASS_CHOICES, value=2, description="classes", style=st, layout=lay)
        c["n"] = IntSlider(value=100 if small else 200, min=20, max=500, step=10, description="samples", **slow)
        c["noise"] = FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="noise", **slow)
        c["test_ratio"] = FloatSlider(value=0.5, min=0.1, max=0.9, step=0.05, description="test ratio", **slow)
        c["seed"] = BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed", style=st,
                                   layout=widgets.Layout(width="190px"))
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
        c["l2"] = BoundedFloatText(value=0.0, min=0.0, max=1.0, step=0.001, description="L2", style=st, layout=lay)
        c["l1"] = BoundedFloatText(value=0.0, min=0.0, max=1.0, step=0.001, description="L1", style=st, layout=lay)
        c["grid"] = IntSlider(value=30 if small else 100, min=10, max=200, step=10, description="grid", **slow)
        c["discretize"] = widgets.Checkbox(value=False, description="discretize output", indent=False)
        c["show_test"] = widgets.Checkbox(value=True, description="show test points", indent=False)
        c["epochs_per_frame"] = IntSlider(value=1, min=1, max=50, description="epochs/frame",
                                          style={"description_width": "95px"}, layout=lay)
        # The Play widget is the play/pause button only: its own ticks (at best 10 per second)
        # are switched off by a huge interval; the kernel's FrameLoop makes the frames.
        c["play"] = widgets.Play(value=0, min=0, max=10**9, interval=10**9, show_repeat=False, description="train")
        for name in c:
            self._watch(name)
        self.buttons["step"] = button("step", "step", "train one epoch")
        self.buttons["step"].on_click(lambda _b: self._action(self.train_epochs, 1))
        self.buttons["reset"] = button("reset", "reset", "new initial weights from the seed, epoch 0")
        self.buttons["reset"].on_click(lambda _b: self._action(self.reset))
        self.buttons["regenerate"] = button("regenerate", "regenerate", "seed + 1: draw new data")
        self.buttons["regenerate"].on_click(lambda _b: self.set(seed=self.controls["seed"].value + 1))

    def _layout(self):
        c = self.controls
        self.state_text = widgets.HTML()
        self.state_text.add_class("nnlib-state")
        data_box = widgets.VBox([c["dataset"], c["classes"], c["n"], c["noise"], c["test_ratio"],
                                 widgets.HBox([c["seed"], self.buttons["regenerate"]])])
        net_box = widgets.VBox([c["features"], c["hidden"], c["activation"], c["loss"]])
        train_box = widgets.VBox([c["gamma"], c["batch"], c["l2"], c["l1"], c["grid"], c["epochs_per_frame"],
                                  widgets.HBox([c["discretize"], c["show_test"]]),
                                  widgets.HBox([c["play"], self.buttons["step"], self.buttons["reset"]])])
        self.view = widgets.VBox([widgets.HBox([data_box, net_box, train_box]), self.editor, self.readout,
                                  self.note, self.fig_view.widget, self.state_text])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-boundary")
        self._attach_events()

    def _attach_events(self):
        """Clicks and pointer moves on the picture (sent by the browser's canvas)."""
        self.fig_view.widget.on_pointer(self._pointer)

    def _pointer(self, kind, x, y):
        try:
            if kind == "click":
                self.click(x, y)
            elif kind == "move":
                self.hover(x, y)
            else:
                self.hover(None, None)
        except Exception as exc:
            self._failed("handle the pointer", exc, from_browser=True)

    # ----- configuration -------------------------------------------------------------------------
    def _config(self) -> dict:
        """The state's configuration from the controls (which have validated them)."""
        c = self.controls
        return {key: (tuple(c[key].value) if key == "features" else c[key].value) for key in DEFAULTS}

    def state_string(self) -> str:
        """Seed and every setting as one line of ``key=value`` pairs (see ``STATE_KEYS``)."""
        return self.state.state_string()

    def parse_state(self, text: str) -> dict:
        """The control values written in a state line; malformed parts become notes."""
        values, notes = parse_state(text)
        self.notes.extend(notes)
        return values

    def load_state(self, text: str):
        """Restore the controls from a state line, then start again from epoch 0."""
        self.notes = []
        values = self.parse_state(text)
        weights = values.pop("weights", None)
        self._set(values)
        self.state.reset()  # also when the line equals the current controls: back to epoch 0
        if weights:
            self.state.apply_weights(weights)
        self._after_state_change()
        return self

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

    def _reconcile(self, changed) -> set:
        """Make the controls consistent (features, hidden, classes vs dataset); returns changed."""
        c = self.controls
        if "features" in changed and not c["features"].value:
            self.notes.append("features: at least one feature is needed; using x1, x2")
            c["features"].value = ("x1", "x2")
        if "hidden" in changed:
            # write back the cleaned-up form (clamped sizes), so what is shown is what is used
            sizes, notes = parse_hidden(c["hidden"].value)
            self.notes.extend(notes)
            clean = ", ".join(str(k) for k in sizes)
            if clean != c["hidden"].value:
                c["hidden"].value = clean
        name = c["dataset"].value
        if changed & {"classes", "dataset"} and int(c["classes"].value) > 2 and name not in MULTICLASS_DATASETS:
            if "classes" in changed:
                # asking for k classes is the more specific wish: take a set that has them
                self.notes.append(f"classes: {name} has two classes; switched to the Gaussian blobs "
                                  f"(more classes: {', '.join(MULTICLASS_DATASETS)})")
                c["dataset"].value = "gaussians"
            else:
                self.notes.append(f"classes: {name} has two classes; classes set back to 2")
                c["classes"].value = 2
            changed = changed | {"dataset"}
        if "dataset" in changed and name in REGRESSION_DATASETS:
            self.notes.append(f"regression: {REGRESSION_DATASETS[name]}; one linear output unit, "
                              f"squared error (the loss choice does not apply)")
        return changed

    def _recompute(self, changed):
        changed = self._reconcile(changed)
        self.state.notes = self.notes
        self.state.update(**self._config())
        if {"classes", "dataset", "features", "hidden", "activation", "loss", "n", "noise", "test_ratio",
                "seed"} & changed:
            self._weight_options()
        if "play" in changed:
            value = self.controls["play"].value
            if value > self._play_last:
                self.train_epochs(1, redraw=False)  # one epoch per tick, however late it arrives
            self._play_last = value
        self._after_next_frame(self._update_text)

    # ----- actions -----------------------------------------------------------------------------
    def reset(self, redraw: bool = True):
        """New initial weights (from the seed), epoch 0, empty loss curves."""
        self.state.reset()
        self._weight_options()
        if redraw:
            self._after_next_frame(self._update_text)

    def train_epochs(self, k: int = 1, redraw: bool = True):
        """Train ``k`` epochs with the current γ, batch size, L2 and L1."""
        self.state.notes = self.notes
        if not self.state.train_epochs(int(k)):
            self.controls["play"].playing = False
        if redraw:
            self._after_next_frame(self._update_text)
        return self

    def _play_frame(self) -> bool:
        """One frame of Play: ``epochs_per_frame`` epochs; False stops playing (divergence).
        The readout and state line follow every 5th frame and the weight editor's boxes every
        10th: each update is more messages for the browser to render and lay out, and nobody
        reads a number changing 30 times a second (all are exact again when Play stops)."""
        self.train_epochs(int(self.controls["epochs_per_frame"].value), redraw=False)
        if self.frames.frames % 5 == 0 or self.state.diverged:
            self._update_text(editor=self.frames.frames % 10 == 0 or self.state.diverged)
        return not self.state.diverged

    def _action(self, fn, *args):
        """Run a button's action, then one redraw."""
        self.notes = []
        try:
            fn(*args)
        except Exception as exc:
            self._failed(getattr(fn, "__name__", "act"), exc)
        self._after_state_change()

    def _after_state_change(self):
        self._hold_text()
        self._show_notes()
        self._after_next_frame(self._update_text)
        self.redraw_now()

    def _held_widgets(self) -> list:
        return super()._held_widgets() + [self.weight_controls["value"], self.weight_controls["slider"]]

    def predict_classes(self, F) -> np.ndarray:
        return self.state.predict_classes(F)

    def accuracy(self, which: str = "train") -> float:
        """Fraction of correctly classified points (NaN for regression)."""
        return self.state.accuracy(which)

    def _update_text(self, editor: bool = True):
        s = self.state
        sizes = "-".join(str(k) for k in s.net.sizes)
        if s.is_regression:
            quality, output = "", "linear output (regression)"
        else:
            quality = (f" · train accuracy {100 * s.accuracy('train'):.1f}% · "
                       f"test accuracy {100 * s.accuracy('test'):.1f}%")
            output = ("sigmoid output" if s.n_outputs == 1 else
                      f"softmax output ({s.n_classes} classes, {s.loss_name})")
        self.readout.value = (
            f"<b>epoch {s.epoch}</b> · train loss <b>{fmt(s.train_loss[-1])}</b> · "
            f"test loss <b>{fmt(s.test_loss[-1])}</b>{quality} · network {sizes} "
            f"({s.net.n_params} parameters), hidden {self.controls['activation'].value}, {output}")
        edited = ""
        later = [e for e in s.edits if e[2] > 0]
        if later:
            edited = (f" · {len(later)} weight edit{'s' if len(later) > 1 else ''} after epoch 0 "
                      f"(not recorded in the line, which restarts at epoch 0)")
        self.state_text.value = (f"<span style='font-size:90%'>state: <code>{html.escape(s.state_string())}"
                                 f"</code>{edited}</span>")
        if editor:
            self._sync_weight_widgets()

    # ----- the picture ---------------------------------------------------------------------------
    def hover(self, px, py):
        """The pointer at pixel (px, py) (None: it left): over a unit, the big heatmap shows
        that unit's output on the full grid. Redraws only when the unit under it changes."""
        unit = None if px is None else self.picture.unit_at(px, py)
        if unit != self.picture.hover:
            self.picture.hover = unit
            self.request_redraw()
        return unit

    def _structure_key(self):
        c = self.controls
        return (tuple(self.state.net.sizes), tuple(c["features"].value), c["dataset"].value, c["classes"].value,
                c["n"].value, c["noise"].value, c["test_ratio"].value, c["seed"].value)

    def _draw(self):
        key = self._structure_key()
        if self.picture.structure != key:
            self.picture.hover = None
            self.picture.build(self.state, key)
        c = self.controls
        self.picture.test_points.set_visible(bool(c["show_test"].value))
        self.picture.draw(self.state, self._selection_path(), settings_caption(self.state.config, c["epochs_per_frame"].value),
                          discretize=bool(c["discretize"].value))

    def summary(self) -> str:
        return f"BoundaryLab({self.state_string()}): epoch {self.state.epoch}"


def _delegate(owner: str, name: str):
    return property(lambda self: getattr(getattr(self, owner), name),
                    doc=f"``lab.{owner}.{name}``")


for _name in STATE_ATTRS:
    setattr(BoundaryLab, _name, _delegate("state", _name))
for _name in PICTURE_ATTRS:
    setattr(BoundaryLab, _name, _delegate("picture", _name))


def decision_boundary(state: str | None = None, **initial) -> BoundaryLab:
    """The decision-boundary lab (notebook 09).

    ``state`` is a line from :meth:`BoundaryLab.state_string` (e.g. handed out by a teacher);
    keyword arguments set controls on top of it, e.g. ``decision_boundary(dataset="xor")``.
    An unknown keyword is a TypeError naming the valid ones.
    """
    return BoundaryLab(state=state, **initial)
