"""Play driven by the kernel (the Play widget's own ticks stop at 10 per second)."""
from __future__ import annotations

import asyncio
import time

import ipywidgets as widgets

__all__ = ["FrameLoop"]


class FrameLoop:
    """Play, driven by the kernel rather than by the Play widget's 100 ms ticks.

    While ``play.playing`` is true, a task on the kernel's asyncio loop calls ``advance()``
    (the lab's work for one frame, e.g. a few epochs) and draws the frame while the browser
    still draws earlier ones; then it yields to the loop until sending the frame keeps at most
    :attr:`window` frames unacknowledged, sends it and waits for the rest of the frame
    interval. The browser acknowledges every :attr:`ack_every`-th frame only (an
    acknowledgement is a message to the kernel, and each one makes JupyterLab handle a
    "busy" and an "idle" status; one per frame halved the frame rate). So a browser that falls
    behind gets fewer frames instead of a growing queue, and messages from the browser (Pause,
    a slider) are handled between two frames. Pause is exact in the page: the canvas does not
    draw Play's frames once the Play button shows paused, and asks for the whole picture,
    which is sent once the loop has stopped (see ``_canvas``). ``advance`` returns False to
    stop (e.g. training diverged). Outside a running event loop (a test, a script) nothing
    runs by itself; call :meth:`frame` instead.
    """

    #: seconds to wait for an acknowledgement (no view open: Play goes on slowly)
    ack_timeout = 0.5
    #: at most this many frames sent and not yet acknowledged
    window = 6
    #: the browser acknowledges every this many frames (< window, so Play does not wait for
    #: the frame it just sent)
    ack_every = 4

    def __init__(self, lab, play: widgets.Play, advance, fps: float = 40.0):
        self.lab, self.play, self.advance, self.fps = lab, play, advance, fps
        self.frames = 0
        self._task = None
        lab.fig_view.widget.play = play
        play.observe(self._playing, names="playing")

    def frame(self, from_browser: bool = False) -> bool:
        """One frame: advance and redraw. Returns whether to go on."""
        go_on = True
        try:
            go_on = self.advance() is not False
        except Exception as exc:
            self.lab._failed("play", exc, from_browser)
            go_on = False
        self.lab._show_notes()
        self.lab.redraw(from_browser=from_browser)
        self.frames += 1
        return go_on

    def _playing(self, change) -> None:
        if not change["new"]:
            return  # the running task sees it before its next frame
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        interval = 1.0 / self.fps
        canvas = self.lab.fig_view.widget
        asked = canvas.frames_drawn  # the last frame sent with a request to acknowledge it
        while self.play.playing:
            start = time.perf_counter()
            canvas.holding = True
            try:
                go_on = self.frame(from_browser=True)
            finally:
                canvas.holding = False
            number = canvas.frames_sent + 1  # if this frame changed anything
            # (a frame sent meanwhile by a slider is not acknowledged: wait for the last asked)
            await canvas.drawn(min(number - self.window, asked), timeout=self.ack_timeout)
            ack = number - asked >= self.ack_every
            canvas.flush(ack=ack, play=True)
            if ack and canvas.frames_sent == number:
                asked = number
            if not go_on:
                self.play.playing = False
                break
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - start)))
