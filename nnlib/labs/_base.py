"""What the four labs share: a persistent Agg figure shown in an ``ipywidgets.Image``, the
coalescing of redraws, clamping of control values with a visible note, and self-display.

Why this rendering strategy (see docs/labs.md for the long form): the figure is a
``matplotlib.figure.Figure`` with its own Agg canvas, never registered with pyplot, so no
backend, no JupyterLab extension (ipympl is not needed) and no inline-backend side effects
are involved. Each lab keeps references to its artists and updates their data in place;
a redraw renders the canvas once and encodes a PNG into the ``Image`` widget. That works
wherever ipywidgets 8 works (JupyterLab 4, Notebook 7, Binder, VS Code) and is plain
Python in a headless test.

Redraw coalescing: a control change updates the lab's state at once (cheap), and asks for
a redraw. When the change comes from the browser (the kernel is handling a widget comm
message), the redraw is scheduled on the kernel's asyncio loop a few milliseconds later,
and only one redraw is ever pending: a burst of slider messages that are already queued is
handled first, then the figure is drawn once for the newest state. Changes made by code
(a notebook cell, a test, a benchmark) redraw synchronously, so the next statement can
look at the artists.
"""
from __future__ import annotations

import asyncio
import html
import math
import numbers
import os
import struct
import zlib

import numpy as np
import ipywidgets as widgets
from traitlets import validate
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureView", "Lab", "button", "encode_png", "grading_mode", "fmt", "FloatSlider", "IntSlider",
           "FloatLogSlider", "BoundedIntText", "BoundedFloatText"]


def grading_mode() -> bool:
    """True while nbgrader executes a notebook: the labs then shrink their heavy work."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def fmt(value, digits: int = 4) -> str:
    """A short, finite-looking rendering of a number for tables and readouts."""
    value = float(value)
    if not math.isfinite(value):
        return "overflow"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-4:
        return f"{value:.{max(digits - 2, 1)}e}"
    return f"{value:.{digits}g}"


def _noting(base):
    """``base`` (a bounded ipywidgets control) that reports the values it clamps.

    ipywidgets clamps an out-of-range value silently; these subclasses call
    ``widget.on_clamp(widget, requested, used)`` first, so a lab can show a note also when a
    value is assigned to ``lab.controls[name].value`` directly. A NaN or inf keeps the old
    value (a bare FloatSlider would store NaN). The front end renders them as ``base``.
    """

    class Noting(base):
        on_clamp = None

        @validate("value")
        def _validate_value(self, proposal):
            requested = proposal["value"]
            if isinstance(requested, float) and not math.isfinite(requested):
                used = self.value
            else:
                used = super()._validate_value(proposal)
            if used != requested and self.on_clamp is not None:
                self.on_clamp(self, requested, used)
            return used

    Noting.__name__ = Noting.__qualname__ = base.__name__
    return Noting


FloatSlider = _noting(widgets.FloatSlider)
IntSlider = _noting(widgets.IntSlider)
FloatLogSlider = _noting(widgets.FloatLogSlider)
BoundedIntText = _noting(widgets.BoundedIntText)
BoundedFloatText = _noting(widgets.BoundedFloatText)


def _handling_frontend_message() -> bool:
    """True while the kernel handles a widget (comm) message from the browser."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        if kernel is None:
            return False
        return kernel.get_parent("shell").get("header", {}).get("msg_type") == "comm_msg"
    except Exception:  # any other front end or kernel: redraw synchronously
        return False


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """An RGB PNG of an (h, w, 4) uint8 canvas, written directly with zlib.

    Why not Pillow: its encoder tries an adaptive row filter per row, which for these flat
    plot images costs about 2.5x the time and even gives larger files than no filter at
    zlib level 1 (measured in bench/bench_labs.py's notes, docs/labs.md).
    """
    h, w = rgba.shape[:2]
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" for every row
    raw[:, 1:] = rgba[:, :, :3].reshape(h, 3 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _png_chunk(b"IEND", b""))


class FigureView:
    """A matplotlib Figure drawn off-screen (Agg) and shown as PNG in an ``Image`` widget.

    Fast path for frames (blitting, the standard matplotlib animation technique): artists
    listed in ``animated`` are left out of the full draw; the full draw (axes, ticks, text)
    is cached as a background and each frame only restores it and draws the animated
    artists on top. A lab calls :meth:`invalidate` when something static changed (axis
    limits, titles, the set of artists). ``renders`` counts the PNGs produced and
    ``full_renders`` the full draws, which tests and the bench use.
    """

    def __init__(self, figsize, dpi: int = 80, css_class: str = "nnlib-figure"):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        width = int(figsize[0] * dpi)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height="auto"))
        self.image.add_class(css_class)
        self.renders = 0
        self.full_renders = 0
        self.animated: list = []
        self._background = None

    def set_animated(self, artists) -> None:
        """Declare the artists that change every frame (drawn in this order); invalidates."""
        for a in self.animated:
            a.set_animated(False)
        self.animated = list(artists)
        for a in self.animated:
            a.set_animated(True)
        self.invalidate()

    def invalidate(self) -> None:
        """The static part changed: the next render is a full draw."""
        self._background = None

    def render(self) -> None:
        """Draw (fully, or background + animated artists) and put the PNG into the widget."""
        if self._background is None:
            self.canvas.draw()  # everything except the animated artists
            self.full_renders += 1
            if self.animated:
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.animated:
            if a.get_visible():
                a.draw(renderer)
        self.image.value = encode_png(np.asarray(self.canvas.buffer_rgba()))
        self.renders += 1

    def png(self) -> bytes:
        """The last rendered PNG (empty before the first render)."""
        return bytes(self.image.value)


class Lab:
    """Base of the labs: controls, notes, batching of updates, redraw scheduling, display.

    Subclasses fill ``self.controls`` (name -> value widget), ``self.buttons``, build
    ``self.view`` (the root widget), and implement ``_recompute(changed)``, ``_draw()`` and
    ``summary()``. ``set(**values)`` is the test- and teacher-facing way to change controls:
    it clamps out-of-range values and reports that in ``self.note``.
    """

    lab_name = "Lab"
    #: seconds to wait before a deferred redraw inside a running kernel
    redraw_delay = 0.005

    def __init__(self):
        self.controls: dict[str, widgets.Widget] = {}
        self.buttons: dict[str, widgets.Widget] = {}
        self.notes: list[str] = []
        self.note = widgets.HTML(value="")
        self.note.add_class("nnlib-note")
        self.readout = widgets.HTML(value="")
        self.readout.add_class("nnlib-readout")
        self.views: list[FigureView] = []
        self.view: widgets.Widget | None = None
        self._batch_depth = 0
        self._flushing = False
        self._clamp_notes: list[str] = []
        self._pending: set[str] = set()
        self._redraw_scheduled = False
        self.redraws = 0
        self.defer_redraws = True

    # ----- control plumbing -------------------------------------------------------------
    def _watch(self, name: str) -> None:
        """Recompute (and redraw) whenever control ``name`` changes value."""
        w = self.controls[name]
        w.observe(lambda change, name=name: self._changed(name), names="value")
        if hasattr(w, "on_clamp"):
            w.on_clamp = lambda widget, requested, used, name=name: self._clamped(name, requested, used)

    def _clamped(self, name, requested, used) -> None:
        """A value assigned directly to a control was out of range (see ``_noting``)."""
        self._clamp_notes.append(f"{name}={requested!r} is out of range; using {used!r}")
        if used == self.controls[name].value:  # no change event follows: show it now
            self.notes, self._clamp_notes = self.notes + self._clamp_notes, []
            self._show_notes()

    def _changed(self, name: str) -> None:
        self._pending.add(name)
        if self._batch_depth == 0 and not self._flushing:
            # a fresh change by hand: old notes no longer apply, except a clamp of this change
            self.notes, self._clamp_notes = self._clamp_notes, []
            self._flush_changes()

    def _flush_changes(self) -> None:
        if self._flushing or not self._pending:
            return
        self._flushing = True
        try:
            # _recompute may itself move controls (e.g. the step counter); those changes
            # join the same pass instead of starting a nested one.
            while self._pending:
                changed, self._pending = self._pending, set()
                try:
                    self._recompute(changed)
                except Exception as exc:  # nothing may raise into the notebook from a callback
                    self.notes.append(f"could not update ({type(exc).__name__}: {exc})")
        finally:
            self._flushing = False
        self._show_notes()
        self.request_redraw()

    class _Batch:
        def __init__(self, lab):
            self.lab = lab

        def __enter__(self):
            self.lab._batch_depth += 1

        def __exit__(self, *exc):
            self.lab._batch_depth -= 1
            if self.lab._batch_depth == 0:
                self.lab._flush_changes()

    def batch(self):
        """Context manager: several control changes, one recompute and one redraw."""
        return Lab._Batch(self)

    def _show_notes(self) -> None:
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes[-4:])
            self.note.value = f"<ul style='color:#a04000;margin:2px 0'>{items}</ul>"
        else:
            self.note.value = ""

    def clamp(self, name: str, value):
        """Return ``value`` made valid for control ``name``; clamping adds a note."""
        w = self.controls[name]
        if isinstance(w, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
            options = [o[1] if isinstance(o, tuple) else o for o in w.options]
            if value in options:
                return value
            if isinstance(value, str):
                for o in options:
                    if isinstance(o, str) and o.lower() == value.lower():
                        return o
            self.notes.append(f"{name}={value!r} is not one of {options}; kept {w.value!r}")
            return w.value
        if isinstance(w, widgets.Checkbox):
            return bool(value)
        if isinstance(w, widgets.Text):
            return str(value)
        if hasattr(w, "min") and hasattr(w, "max"):
            integral = isinstance(w.value, numbers.Integral)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                self.notes.append(f"{name}={value!r} is not a finite number; kept {w.value}")
                return w.value
            lo, hi = w.min, w.max
            if isinstance(w, widgets.FloatLogSlider):
                lo, hi = w.base ** w.min, w.base ** w.max
            clipped = min(max(value, lo), hi)
            if clipped != value:
                self.notes.append(f"{name}={value} is outside [{lo:g}, {hi:g}]; clamped to {clipped:g}")
            return int(round(clipped)) if integral else float(clipped)
        return value

    def set(self, **values):
        """Set several controls at once (clamped, with a note), then recompute and redraw once.

        Unknown names are reported in the note and ignored, never raised: this is called from
        notebooks and state strings. Returns ``self`` so calls can be chained.
        """
        self.notes = []
        return self._set(values)

    def _set(self, values: dict):
        """``set`` without clearing the notes gathered so far (e.g. from parsing a state line)."""
        with self.batch():
            for name, value in values.items():
                if name not in self.controls:
                    self.notes.append(f"unknown control {name!r} ignored; known: {sorted(self.controls)}")
                    continue
                self.controls[name].value = self.clamp(name, value)
        self._show_notes()
        return self

    def get(self) -> dict:
        """Current control values, name -> value."""
        return {name: w.value for name, w in self.controls.items()}

    # ----- drawing ------------------------------------------------------------------------
    def request_redraw(self) -> None:
        """Redraw now, or - while handling a message from the front end inside a running
        kernel - once, shortly, on the kernel's event loop (coalesced).

        Code in a cell (``lab.set(...)``, ``lab.step()``) always redraws at once, so the next
        statement sees the new artists; only slider drags, Play ticks and clicks in the
        browser, which can arrive in bursts, are deferred.
        """
        loop = None
        if self.defer_redraws and _handling_frontend_message():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        if loop is None:
            self.redraw()
            return
        if not self._redraw_scheduled:
            self._redraw_scheduled = True
            loop.call_later(self.redraw_delay, self._deferred_redraw)

    def _deferred_redraw(self) -> None:
        self._redraw_scheduled = False
        self.redraw()

    def redraw(self) -> None:
        """Update the artists from the state and render every figure of the lab."""
        try:
            self._draw()
            for v in self.views:
                v.render()
            self.redraws += 1
        except Exception as exc:  # report in the lab instead of the kernel log
            self.notes.append(f"could not draw ({type(exc).__name__}: {exc})")
            self._show_notes()

    # ----- display ------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.summary()}
        if self.view is not None:
            bundle["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.view.model_id,
            }
        return bundle

    def __repr__(self) -> str:
        return self.summary()

    # ----- to implement -------------------------------------------------------------------
    def summary(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _recompute(self, changed: set) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def button(description: str, key: str, tooltip: str = "") -> widgets.Button:
    """A compact button with the DOM class ``nnlib-btn-<key>`` (the browser test finds it so)."""
    b = widgets.Button(description=description, tooltip=tooltip or description,
                       layout=widgets.Layout(width="auto"))
    b.add_class(f"nnlib-btn-{key}")
    return b
