"""A lab's picture in the browser: a canvas that the kernel updates with the part that changed.

Why not ``ipywidgets.Image``: a new ``src`` per frame costs the browser a blob URL, a full PNG
decode on the main thread and an image load (about 18 ms per change above a plain widget
round trip, measured in Chromium by bench/bench_labs_browser.py), and it never tells the
kernel that a frame was shown, so Play cannot know when the browser falls behind.

:class:`FrameCanvas` (an anywidget) sends only the rectangle of pixels that differs from the
last frame (one rectangle per panel that changed), as zlib-compressed RGBA, in a custom
message; the browser inflates it and draws
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


__all__ = ["FrameCanvas", "changed_boxes"]


def changed_boxes(old: np.ndarray | None, new: np.ndarray, gap: int = 16) -> list:
    """``[(y0, y1, x0, x1), ...]``: rectangles outside which ``new`` equals ``old`` (both
    (h, w, 4)), side by side: the changed columns split where more than ``gap`` unchanged
    columns lie between them (a lab's panels), each cut to the rows that changed in it. The
    whole frame when there is no ``old`` of that shape; [] if nothing changed."""
    h, w = new.shape[:2]
    if old is None or old.shape != new.shape:
        return [(0, h, 0, w)]
    # one uint32 per pixel: 4x fewer comparisons than per channel, and no reduction over them
    differs = old.view(np.uint32).reshape(h, w) != new.view(np.uint32).reshape(h, w)
    rows = np.flatnonzero(differs.any(axis=1))
    if rows.size == 0:
        return []
    band = differs[rows[0]:rows[-1] + 1]
    cols = np.flatnonzero(band.any(axis=0))
    split = np.flatnonzero(np.diff(cols) > gap + 1)
    boxes = []
    for x0, x1 in zip(cols[np.r_[0, split + 1]], cols[np.r_[split, cols.size - 1]] + 1):
        r = np.flatnonzero(band[:, x0:x1].any(axis=1))
        boxes.append((int(rows[0] + r[0]), int(rows[0] + r[-1]) + 1, int(x0), int(x1)))
    return boxes


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
        self._shown: np.ndarray | None = None  # the last frame given to show()
        self._sent: np.ndarray | None = None  # the last frame sent: what the browser shows
        self._pending = None  # the boxes of a frame prepared but not sent
        self._resync = False  # a view asked for the whole picture while a frame was held
        self._acked = None  # (event loop, future) that an acknowledgement resolves
        #: True: :meth:`show` prepares frames and :meth:`flush` sends them (Play: the next
        #: frame is drawn while the browser still draws the last one)
        self.holding = False
        self._pointer_callbacks = []
        self.on_msg(self._on_msg)

    def show(self, rgba: np.ndarray) -> bool:
        """Send the parts of ``rgba`` ((h, w, 4) uint8, the widget's size) that differ from the
        picture in the browser; False if none does. While :attr:`holding`, the frame is only
        prepared: :meth:`flush` sends it (what changed since the last frame sent)."""
        rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
        if rgba.shape != (self.height, self.width, 4):
            raise ValueError(f"a frame for this canvas must have shape ({self.height}, {self.width}, 4) "
                             f"(height, width, RGBA), got {rgba.shape}")
        self._shown = rgba.copy()
        self._pending = changed_boxes(self._sent, self._shown) or None
        if self._pending is None:
            return False
        if not self.holding:
            self.flush()
        return True

    def flush(self, ack: bool = False, play: bool = False) -> None:
        """Send the frame prepared while :attr:`holding` (if any); ``ack``: ask the view to
        acknowledge it once drawn; ``play``: a frame of Play (not drawn after Pause)."""
        if self._resync and self._shown is not None:  # a view asked for everything meanwhile
            self._pending, self._resync = self._whole(), False
            play = False
        if self._pending is None:
            return
        boxes, self._pending = self._pending, None
        self._send_boxes(boxes, ack=ack, play=play)

    def _whole(self) -> list:
        h, w = self._shown.shape[:2]
        return [(0, h, 0, w)]

    def _send_boxes(self, boxes, ack=False, play=False) -> None:
        self.frames_sent += 1
        self._sent = self._shown
        # RGBA, zlib level 1: plot pixels compress ~20x, and the browser inflates them in the
        # task that receives them (js/src/frame_canvas.js says why not a PNG)
        pixels = [zlib.compress(np.ascontiguousarray(self._shown[y0:y1, x0:x1]), 1) for y0, y1, x0, x1 in boxes]
        content = {"type": "frame", "frame": self.frames_sent,
                   "rects": [[x0, y0, x1 - x0, y1 - y0] for y0, y1, x0, x1 in boxes]}
        if ack:
            content["ack"] = True
        if play:
            content["play"] = True
        self.send(content, pixels)

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
            self._pending = None  # the whole picture covers a frame prepared but not sent
            self._send_boxes(self._whole())
        elif kind == "resync" and self._shown is not None:
            if self.holding:  # Play is drawing a frame: flush() sends the whole picture
                self._resync = True
            else:
                self._pending = None
                self._send_boxes(self._whole())
        elif kind == "error":
            self.errors.append(str(content.get("message")))
        elif kind in ("click", "move", "leave"):
            x, y = content.get("x"), content.get("y")
            for callback in self._pointer_callbacks:
                callback(kind, x, y)
