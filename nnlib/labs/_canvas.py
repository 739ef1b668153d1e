"""A lab's picture in the browser: a canvas that the kernel updates with the part that changed.

Why not ``ipywidgets.Image``: a new ``src`` per frame costs the browser a blob URL, a full PNG
decode on the main thread and an image load (about 18 ms per change above a plain widget
round trip, measured in Chromium by bench/bench_labs_browser.py), and it never tells the
kernel that a frame was shown, so Play cannot know when the browser falls behind.

:class:`FrameCanvas` (an anywidget) sends only the rectangle of pixels that differs from the
last frame, as zlib-compressed RGBA, in a custom message; the browser inflates it and draws
it into a ``<canvas>`` of the figure's exact size at once (an asynchronous PNG decoder made
the frame wait 10-45 ms behind the page's other work; see js/src/frame_canvas.js). A frame
sent with ``ack=True`` is acknowledged once drawn, which is how Play bounds the frames in flight; other frames are not:
every message from the browser makes the kernel publish "busy" and "idle", and JupyterLab's
handling of those costs the page more than drawing a frame (measured: Play at 17 frames per
second with an acknowledgement per frame, 37 without). A view that appears later (a second
view, a re-rendered cell) asks for the whole picture. Clicks and pointer moves on the canvas
come back as ``(kind, x, y)`` to the callbacks of :meth:`on_pointer`.

Pause in the browser: frames sent with ``play=True`` are not drawn once the :attr:`play`
widget shows paused in the page; the view then asks for the whole picture ("resync"), which
the kernel sends once Play has stopped. So the picture changes once after Pause, to the state
Play stopped at, however many frames were on their way.
"""
from __future__ import annotations

import asyncio
import time
import zlib
from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets


__all__ = ["FrameCanvas", "changed_box"]


def changed_box(old: np.ndarray | None, new: np.ndarray):
    """``(y0, y1, x0, x1)``: the smallest rectangle outside which ``new`` equals ``old``
    (both (h, w, 4)); the whole frame when there is no ``old`` of that shape; None if equal."""
    h, w = new.shape[:2]
    if old is None or old.shape != new.shape:
        return 0, h, 0, w
    # one uint32 per pixel: 4x fewer comparisons than per channel, and no reduction over them
    differs = old.view(np.uint32).reshape(h, w) != new.view(np.uint32).reshape(h, w)
    rows = np.flatnonzero(differs.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(differs[rows[0]:rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


class FrameCanvas(anywidget.AnyWidget):
    """A ``width`` x ``height`` canvas showing the frames given to :meth:`show`."""

    _esm = Path(__file__).with_name("frame_canvas.js")
    width = traitlets.Int(1).tag(sync=True)
    height = traitlets.Int(1).tag(sync=True)
    #: the lab's Play widget, if any: frames sent with ``play=True`` are not drawn once it is
    #: paused in the browser (the view asks for the whole picture instead)
    play = traitlets.Instance(widgets.Play, allow_none=True).tag(sync=True, **widgets.widget_serialization)

    def __init__(self, width: int, height: int, **kwargs):
        super().__init__(width=int(width), height=int(height), **kwargs)
        self.frames_sent = 0
        self.frames_drawn = 0  # the highest frame number a view acknowledged
        self.errors: list[str] = []  # what a view reported it could not draw
        self._shown: np.ndarray | None = None
        self._pending = None  # (y0, y1, x0, x1) of a frame prepared but not sent
        self._resync = False  # a view asked for the whole picture while a frame was held
        self._acked = None  # (event loop, future) that an acknowledgement resolves
        #: True: :meth:`show` prepares frames and :meth:`flush` sends them (Play: the next
        #: frame is drawn while the browser still draws the last one)
        self.holding = False
        self._pointer_callbacks = []
        self.on_msg(self._on_msg)

    def show(self, rgba: np.ndarray) -> bool:
        """Send the part of ``rgba`` ((h, w, 4) uint8, the widget's size) that changed; False
        if nothing did. While :attr:`holding`, the frame is only prepared: :meth:`flush` sends it."""
        rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
        if rgba.shape != (self.height, self.width, 4):
            raise ValueError(f"a frame for this canvas must have shape ({self.height}, {self.width}, 4) "
                             f"(height, width, RGBA), got {rgba.shape}")
        box = changed_box(self._shown, rgba)
        self._shown = rgba.copy()
        if box is None:
            return False
        if self._pending is not None:  # two frames while held: send what changed in either
            (a0, a1, b0, b1), (y0, y1, x0, x1) = self._pending, box
            box = (min(a0, y0), max(a1, y1), min(b0, x0), max(b1, x1))
        self._pending = box
        if not self.holding:
            self.flush()
        return True

    def flush(self, ack: bool = False, play: bool = False) -> None:
        """Send the frame prepared while :attr:`holding` (if any); ``ack``: ask the view to
        acknowledge it once drawn; ``play``: a frame of Play (not drawn after Pause)."""
        if self._resync and self._shown is not None:  # a view asked for everything meanwhile
            h, w = self._shown.shape[:2]
            self._pending, self._resync = (0, h, 0, w), False
            play = False
        if self._pending is None:
            return
        y0, y1, x0, x1 = self._pending
        self._pending = None
        self._send_rect(y0, y1, x0, x1, ack=ack, play=play)

    def _send_rect(self, y0, y1, x0, x1, ack=False, play=False) -> None:
        self.frames_sent += 1
        # RGBA, zlib level 1: plot pixels compress ~20x, and the browser inflates them in the
        # task that receives them (js/src/frame_canvas.js says why not a PNG)
        pixels = zlib.compress(np.ascontiguousarray(self._shown[y0:y1, x0:x1]), 1)
        content = {"type": "frame", "frame": self.frames_sent, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
        if ack:
            content["ack"] = True
        if play:
            content["play"] = True
        self.send(content, [pixels])

    @property
    def unacknowledged(self) -> int:
        """Frames sent since the last one a view acknowledged (drawn or dropped after Pause)."""
        return self.frames_sent - self.frames_drawn

    async def drawn(self, frame: int, timeout: float) -> bool:
        """Wait (yielding to the kernel's event loop, which handles the browser's messages)
        until a view has acknowledged frame number ``frame`` (sent with ``ack=True``) or a
        later one, or ``timeout`` seconds passed (no view open, a closed tab); returns whether
        it was."""
        loop = asyncio.get_running_loop()
        deadline = time.perf_counter() + timeout
        while self.frames_drawn < frame:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return False
            future = loop.create_future()
            self._acked = (loop, future)
            try:
                await asyncio.wait_for(future, remaining)
            except asyncio.TimeoutError:
                pass
            finally:
                self._acked = None
        return True

    def _acknowledged(self, frame: int) -> None:
        self.frames_drawn = max(self.frames_drawn, frame)
        waiting = self._acked
        if waiting is not None:  # wake drawn(); the message may be handled on another thread
            loop, future = waiting
            loop.call_soon_threadsafe(lambda: future.done() or future.set_result(None))

    def on_pointer(self, callback) -> None:
        """Call ``callback(kind, x, y)`` for pointer events on the picture: kind "click",
        "move" (at most every 40 ms) or "leave" (x and y None); x, y in picture pixels."""
        self._pointer_callbacks.append(callback)

    def _on_msg(self, _widget, content, _buffers) -> None:
        kind = content.get("type")
        if kind == "drawn":
            self._acknowledged(int(content.get("frame", 0)))
        elif kind == "ready" and self._shown is not None:
            h, w = self._shown.shape[:2]
            self._send_rect(0, h, 0, w)
        elif kind == "resync" and self._shown is not None:
            if self.holding:  # Play is drawing a frame: flush() sends the whole picture
                self._resync = True
            else:  # the whole picture covers a frame prepared but not sent
                h, w = self._shown.shape[:2]
                self._pending = None
                self._send_rect(0, h, 0, w)
        elif kind == "error":
            self.errors.append(str(content.get("message")))
        elif kind in ("click", "move", "leave"):
            x, y = content.get("x"), content.get("y")
            for callback in self._pointer_callbacks:
                callback(kind, x, y)
