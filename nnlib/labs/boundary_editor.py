"""The weight editor of the decision-boundary lab: pick any weight or bias (in a list, or by
clicking its line or unit in the picture) and set its value; training goes on from it.

A mixin of :class:`nnlib.labs.boundary.BoundaryLab` (it uses the lab's ``state``,
``picture``, ``notes`` and redraw). Names follow the course: ``W1[0,2]`` is
``net.W[0][0, 2]`` (from unit 0 of layer 0 to unit 2 of layer 1), ``b2[0]`` is
``net.b[1][0]``.
"""
from __future__ import annotations

from collections import deque

import numpy as np
import ipywidgets as widgets

from .playground import WEIGHT_LIMIT, parse_param

__all__ = ["WeightEditor"]


class WeightEditor:
    """``weight_controls`` (``param``, ``value``, ``slider``) and the editing methods."""

    def _make_editor(self):
        self._syncing = False
        # values the lab itself put into the editor's boxes (see _weight_widget)
        self._shown = {"value": deque(maxlen=8), "slider": deque(maxlen=8)}
        small = {"description_width": "40px"}
        self.weight_controls = {
            "param": widgets.Dropdown(options=[], description="edit", style=small,
                                      layout=widgets.Layout(width="260px")),
            "value": widgets.FloatText(value=0.0, description="value", continuous_update=False, style=small,
                                       layout=widgets.Layout(width="150px")),
            "slider": widgets.FloatSlider(value=0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT, step=0.01,
                                          readout=False, layout=widgets.Layout(width="200px")),
        }
        for which, w in self.weight_controls.items():
            w.observe(lambda ch, which=which: self._weight_widget(which, ch["new"]), names="value")
            w.add_class("nnlib-weight-editor")
            w.add_class(f"nnlib-weight-{which}")
        self.editor = widgets.HBox([*self.weight_controls.values(), widgets.HTML(
            f"<span style='font-size:90%'>(click a line in the picture to pick its weight; clamped to "
            f"±{WEIGHT_LIMIT:g}; training goes on from the edited value)</span>")])

    # ----- editing single weights ----------------------------------------------------------------
    def unit_names(self) -> list[list[str]]:
        return self.state.unit_names()

    def weight_names(self) -> list[tuple[str, str]]:
        return self.state.weight_names()

    def get_param(self, name: str) -> float:
        """The current value of ``"W1[0,2]"`` (= ``net.W[0][0, 2]``) or ``"b2[0]"``."""
        return self.state.get_param(name)

    def set_weight(self, layer: int, i: int, j: int, value: float):
        """Set ``net.W[layer-1][i, j]``; bad input becomes a note, never an error. Returns self."""
        return self._edit("W", layer, (i, j), value)

    def set_bias(self, layer: int, j: int, value: float):
        """Set the bias of unit j of layer ``layer`` (``net.b[layer-1][j]``). Returns self."""
        return self._edit("b", layer, (j,), value)

    def set_param(self, name: str, value: float):
        """Set a parameter by name, ``"W1[0,2]"`` or ``"b2[0]"`` (as listed by weight_names)."""
        self.notes = []
        try:
            kind, layer, idx = parse_param(name)
        except ValueError as exc:
            self.notes.append(f"edit: {exc}; nothing changed")
            self._show_notes()
            return self
        return self._edit(kind, layer, idx, value, clear=False)

    def _edit(self, kind, layer, idx, value, clear: bool = True):
        if clear:
            self.notes = []
        self.state.notes = self.notes
        name = self.state.apply_edit(kind, layer, idx, value)
        if name is not None:
            self._select(name)
        self._update_text()
        if name is None:
            self._sync_weight_widgets(force=True)  # the box shows the kept value again
        self._show_notes()
        self.request_redraw()
        return self

    def _select(self, name):
        if self.weight_controls["param"].value != name:
            self._syncing = True
            try:
                self.weight_controls["param"].value = name
            finally:
                self._syncing = False

    def _weight_options(self):
        """Refill the editor's list after a reset (the architecture may be new)."""
        w = self.weight_controls["param"]
        options = self.state.weight_names()
        keep = w.value if w.value in [n for _, n in options] else (options[0][1] if options else None)
        self._syncing = True
        try:
            if list(w.options) != options:
                w.options = options
            w.value = keep
        finally:
            self._syncing = False
        self._sync_weight_widgets()

    def _sync_weight_widgets(self, force: bool = False):
        """Show the chosen parameter's current value in the editor (no edit is made)."""
        name = self.weight_controls["param"].value
        if name is None or self._syncing:
            return
        try:
            v = self.state.get_param(name)
        except ValueError:
            return
        self._syncing = True
        try:
            if force or self.weight_controls["value"].value != v:
                self.weight_controls["value"].value = v
            # on the slider's grid as the browser computes it (min + k * step): otherwise its
            # answer, the snapped value, is one more message for each and every change
            lo, step = self.weight_controls["slider"].min, self.weight_controls["slider"].step
            self.weight_controls["slider"].value = lo + round((min(max(v, lo), -lo) - lo) / step) * step
        finally:
            self._syncing = False
        self._shown["value"].append(float(self.weight_controls["value"].value))
        self._shown["slider"].append(float(self.weight_controls["slider"].value))

    def _weight_widget(self, which, new):
        """A change of an editor widget from the browser or from code."""
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
        except Exception as exc:
            self._failed("edit", exc)

    def click(self, px: float, py: float):
        """A click at pixel (px, py) of the picture: on a weight's line, pick that weight in the
        editor (then type or slide its value); on a unit, pick its bias. Returns the name or None."""
        edge = self.picture.edge_at(px, py)
        unit = self.picture.unit_at(px, py)
        if unit is not None and unit[0] > 0:
            name = f"b{unit[0]}[{unit[1]}]"
        elif edge is not None:
            name = f"W{edge[0]}[{edge[1]},{edge[2]}]"
        else:
            return None
        self.weight_controls["param"].value = name
        return name

    def _selection_path(self):
        """The x, y data of the selection mark for the editor's parameter (empty if none)."""
        name = self.weight_controls["param"].value
        if name is None:
            return [], []
        try:
            kind, layer, idx = parse_param(name)
            self.state.param_array(kind, layer, idx)
        except ValueError:
            return [], []
        centres = self.picture.centres
        w, h = self.picture._thumb_size
        if kind == "W":  # the weight's line, from edge to edge of the two units
            (x0, y0), (x1, y1) = centres[layer - 1][idx[0]], centres[layer][idx[1]]
            return [x0 + w / 2, x1 - w / 2], [y0, y1]
        x, y = centres[layer][idx[0]]
        w, h = w / 2 + 0.006, h / 2 + 0.012
        return [x - w, x + w, x + w, x - w, x - w], [y - h, y - h, y + h, y + h, y - h]
