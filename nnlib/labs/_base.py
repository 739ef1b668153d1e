"""What every lab shares: controls that clamp with a visible note, strict keywords, the
coalescing of redraws, errors that fail loudly when code drives a lab, and self-display
(live widgets plus a static picture of the last state).

The figure itself is drawn by ``_render.FigureView`` (an Agg figure shown as PNG in an
``ipywidgets.Image``; see docs/labs.md for why), and Play by ``_play.FrameLoop``; both are
re-exported here, so a lab imports everything it needs from ``_base``.

Redraw coalescing: a control change updates the lab's state at once (cheap), and asks for
a redraw. When the change comes from the browser (the kernel is handling a widget comm
message), the redraw is scheduled on the kernel's asyncio loop (its next turn), and only
one redraw is ever pending: a burst of slider messages that are already queued is handled
first, then the figure is drawn once for the newest state. Changes made by code (a notebook
cell, a test, a benchmark) redraw synchronously, so the next statement can look at the
artists.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import html
import math
import numbers
import os
import weakref

import numpy as np
import ipywidgets as widgets
from traitlets import validate

from ._play import FrameLoop
from ._png import encode_png
from ._render import FigureView, PixelImage, PixelText, ScalarImage

__all__ = ["FigureView", "FrameLoop", "Lab", "ShownSteps", "PixelImage", "PixelText", "ScalarImage", "STYLE", "button", "encode_png", "grading_mode", "fmt", "FloatSlider", "IntSlider",
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


class Lab:
    """Base of the labs: controls, notes, batching of updates, redraw scheduling, display.

    Subclasses fill ``self.controls`` (name -> value widget), ``self.buttons``, build
    ``self.view`` (the root widget), and implement ``_recompute(changed)``, ``_draw()`` and
    ``summary()``. ``set(**values)`` is the test- and teacher-facing way to change controls:
    it clamps out-of-range values and reports that in ``self.note``.
    """

    lab_name = "Lab"
    #: seconds to wait before a deferred redraw inside a running kernel
    redraw_delay = 0.0

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
        #: every exception caught while updating or drawing (also those shown only as notes)
        self.errors: list[Exception] = []
        self._shell = None
        self._static = None
        self._static_redraws = -1
        self._held: contextlib.ExitStack | None = None
        self._after_frame: list = []  # work that waits until the next frame is sent

    # ----- control plumbing -------------------------------------------------------------
    def _watch(self, name: str) -> None:
        """Recompute (and redraw) whenever control ``name`` changes value."""
        w = self.controls[name]
        w.add_class(f"nnlib-ctl-{name}")  # the browser test and bench find controls by it
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

    #: attributes holding HTML widgets whose updates follow the picture (see ``_hold_text``)
    text_widgets = ("readout", "note", "state_text", "table", "verdict_box")

    def _hold_text(self) -> None:
        """While a message from the browser is handled: hold back the updates of the lab's
        text widgets until the new picture has been sent, so that the browser, which handles
        messages in order, draws the picture first (a readout table re-rendered before it
        would delay it); ``_release_text`` sends them."""
        if self._held is not None or not (self.defer_redraws and _handling_frontend_message()):
            return
        held = contextlib.ExitStack()
        for w in self._held_widgets():
            held.enter_context(w.hold_sync())
        self._held = held

    def _held_widgets(self) -> list:
        """The widgets whose updates ``_hold_text`` holds back (the ``text_widgets``)."""
        return [w for w in (getattr(self, name, None) for name in self.text_widgets) if isinstance(w, widgets.Widget)]

    def _after_next_frame(self, fn) -> None:
        """Call ``fn()`` once the next frame has been sent when a redraw from the browser is
        deferred (text the student reads after the picture need not delay it), else now."""
        if self.defer_redraws and _handling_frontend_message():
            if fn not in self._after_frame:
                self._after_frame.append(fn)
            self.request_redraw()
        else:
            fn()

    def _release_text(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def _flush_changes(self) -> None:
        if self._flushing or not self._pending:
            return
        self._hold_text()
        self._flushing = True
        try:
            # _recompute may itself move controls (e.g. the step counter); those changes
            # join the same pass instead of starting a nested one.
            while self._pending:
                changed, self._pending = self._pending, set()
                try:
                    self._recompute(changed)
                except Exception as exc:
                    self._failed("update", exc)
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

        An unknown name is a ``TypeError`` naming the valid ones (a typo such as ``gama=`` must
        not pass silently); out-of-range values are clamped with a note, as the sliders do.
        Returns ``self`` so calls can be chained.
        """
        self.notes = []
        return self._set(values)

    def check_names(self, values, extra=()) -> None:
        """``TypeError`` if ``values`` has a key that is neither a control nor in ``extra``."""
        valid = set(self.controls) | set(extra)
        unknown = sorted(set(values) - valid)
        if unknown:
            raise TypeError(f"{self.lab_name}: unknown keyword argument{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(map(repr, unknown))}; valid: {', '.join(sorted(valid))}")

    def _set(self, values: dict):
        """``set`` without clearing the notes gathered so far (e.g. from parsing a state line)."""
        self.check_names(values)
        with self.batch():
            for name, value in values.items():
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
            self._release_text()
            return
        if not self._redraw_scheduled:
            self._redraw_scheduled = True
            loop.call_later(self.redraw_delay, self._scheduled_redraw)

    def redraw_now(self) -> None:
        """Redraw at once, also while handling a browser message: for a click, which does not
        come in bursts, the frame then goes out before the kernel reports "idle" (whose
        handling in the page would come before it). Then the work and text held for after
        the frame (``_after_next_frame``, ``_hold_text``); a redraw already scheduled is
        dropped."""
        if self.defer_redraws and _handling_frontend_message():
            self._deferred_redraw()
        else:
            self.redraw()
            self._release_text()

    def _scheduled_redraw(self) -> None:
        if self._redraw_scheduled:  # not done by redraw_now meanwhile
            self._deferred_redraw()

    def _deferred_redraw(self) -> None:
        self._redraw_scheduled = False
        try:
            self.redraw(from_browser=True)
            after, self._after_frame = self._after_frame, []
            for fn in after:
                try:
                    fn()
                except Exception as exc:
                    self._failed("update", exc, from_browser=True)
        finally:
            self._release_text()

    def redraw(self, from_browser: bool = False) -> None:
        """Update the artists from the state and render every figure of the lab."""
        try:
            self._draw()
            for v in self.views:
                v.render()
            self.redraws += 1
        except Exception as exc:
            self._failed("draw", exc, from_browser)

    def _failed(self, what: str, exc: Exception, from_browser: bool = False) -> None:
        """An error in the lab's own code: a visible note, and - unless it happened in a
        callback of the browser, where raising would only reach the kernel log - raised, so
        that a cell, a test or a benchmark that drove the lab fails loudly."""
        self.errors.append(exc)
        self.notes.append(f"could not {what} ({type(exc).__name__}: {exc})")
        self._show_notes()
        if not (from_browser or _handling_frontend_message()):
            raise exc

    # ----- display ------------------------------------------------------------------------
    @property
    def shell(self) -> widgets.Widget:
        """The displayed root: the lab's view and the style sheet it needs (made once)."""
        if self._shell is None:
            _wrap_rows(self.view)
            self._shell = widgets.VBox([widgets.HTML(STYLE), self.view],
                                       layout=widgets.Layout(max_width="100%"))
            self._shell.add_class("nnlib-shell")
        return self._shell

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.summary()}
        if self.view is not None:
            bundle["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.shell.model_id,
            }
        return bundle

    def static_bundle(self) -> dict:
        """A picture of the lab's current figures (PNG, base64): the output that stays readable
        where no kernel runs (a reopened notebook, GitHub, nbviewer). Figures of several views
        are stacked top to bottom. Its text is fixed, not the summary: the picture is refreshed
        by later cells, and nbval compares each cell's text right after that cell ran."""
        label = f"{type(self).__name__}: picture of its last state"
        frames = [v.rgba() for v in self.views if v.renders]
        if not frames:
            return {"text/plain": label}
        width = max(f.shape[1] for f in frames)
        padded = [np.pad(f, ((0, 0), (0, width - f.shape[1]), (0, 0)), constant_values=255) for f in frames]
        png = encode_png(np.concatenate(padded, axis=0), level=6)
        return {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": label}

    def _ipython_display_(self):
        """Show the live widgets, then (hidden by the widgets' style sheet while they are live)
        a static picture of the lab that is refreshed after every cell that changed it."""
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)
        self._static = display(self.static_bundle(), raw=True, display_id=True)
        self._static_redraws = self.redraws
        _LIVE.add(self)
        _register_refresh()

    def refresh_static(self) -> None:
        """Update the static picture to the lab's current state (if it was displayed and changed)."""
        if self._static is not None and self._static_redraws != self.redraws:
            self._static.update(self.static_bundle(), raw=True)
            self._static_redraws = self.redraws

    def __repr__(self) -> str:
        return self.summary()

    # ----- to implement -------------------------------------------------------------------
    def summary(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _recompute(self, changed: set) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ShownSteps:
    """For a lab whose Play widget ``controls["shown"]`` counts the steps drawn of a
    precomputed run (the step-size lab, the optimiser race): step, reset, and the count."""

    def step(self):
        """Show one more step (no-op at the end)."""
        p = self.controls["shown"]
        p.value = min(p.value + 1, p.max)
        return self

    def reset(self):
        """Back to the start: no steps shown (press step or play to walk the run)."""
        self.controls["shown"].playing = False
        self.controls["shown"].value = 0
        return self

    @property
    def shown(self) -> int:
        return int(self.controls["shown"].value)


def button(description: str, key: str, tooltip: str = "") -> widgets.Button:
    """A compact button with the DOM class ``nnlib-btn-<key>`` (the browser test finds it so)."""
    b = widgets.Button(description=description, tooltip=tooltip or description,
                       layout=widgets.Layout(width="auto"))
    b.add_class(f"nnlib-btn-{key}")
    return b


#: CSS for every lab: readout tables aligned, labels never cut, rows that wrap instead of
#: overflowing a 968 px notebook column; and, while the widgets are live, the static picture
#: displayed right after a lab is hidden (it is the fallback for a reopened notebook).
STYLE = """<style>
.nnlib-lab { max-width: 100%; }
.nnlib-lab .widget-label { overflow: visible; white-space: nowrap; }
.nnlib-lab .widget-button { flex: 0 0 auto; overflow: visible; }
.nnlib-lab table.nnlib-tbl { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 2px 0; }
.nnlib-lab table.nnlib-tbl th, .nnlib-lab table.nnlib-tbl td { padding: 1px 8px; text-align: right;
  border-bottom: 1px solid #e0e0e0; white-space: nowrap; }
.jp-OutputArea-child:has(.nnlib-shell) + .jp-OutputArea-child:has(.jp-RenderedImage) { display: none; }
</style>"""


def _wrap_rows(widget) -> None:
    """Let every HBox of a view wrap its children onto the next line instead of overflowing."""
    if isinstance(widget, widgets.HBox) and widget.layout.flex_flow is None:
        widget.layout.flex_flow = "row wrap"
    for child in getattr(widget, "children", ()):
        _wrap_rows(child)


_LIVE: "weakref.WeakSet[Lab]" = weakref.WeakSet()
_refresh_registered = False


def _refresh_all(*_args) -> None:
    for lab in list(_LIVE):
        try:
            lab.refresh_static()
        except Exception as exc:  # noted and kept in lab.errors (tests check it), never raised
            lab._failed("refresh its static picture", exc, from_browser=True)


def _register_refresh() -> None:
    """After each cell, refresh the static pictures of the labs shown (IPython only)."""
    global _refresh_registered
    if _refresh_registered:
        return
    try:
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:
        ip = None
    if ip is not None:
        ip.events.register("post_run_cell", _refresh_all)
        _refresh_registered = True
