"""The labs' picture in the browser (nnlib.labs._canvas.FrameCanvas) and pasted text
(nnlib.labs._sprites.TextSprites), tested without a browser: what the kernel sends, how
acknowledgements bound the frames in flight, and that pasted text equals drawn text."""
from __future__ import annotations

import asyncio
import zlib

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnlib import labs
from nnlib.labs._canvas import FrameCanvas, changed_boxes
from nnlib.labs._sprites import TextSprites


def frame(h=30, w=40, value=255):
    f = np.full((h, w, 4), value, dtype=np.uint8)
    f[..., 3] = 255
    return f


@pytest.fixture
def canvas(monkeypatch):
    """A 40 x 30 canvas whose messages to the browser are recorded, not sent."""
    c = FrameCanvas(40, 30)
    c.sent = []
    monkeypatch.setattr(c, "send", lambda content, buffers=None: c.sent.append((content, buffers)))
    return c


def decoded(content: dict, data: bytes, i: int = 0) -> np.ndarray:
    """The (h, w, 4) pixels of rectangle ``i`` of a frame message, as the browser inflates them."""
    _, _, w, h = content["rects"][i]
    return np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(h, w, 4)


def test_changed_boxes_are_the_smallest_rectangles_around_the_changes_per_panel():
    old = frame(30, 80)
    new = old.copy()
    assert changed_boxes(old, new) == []
    new[5, 7, 0] = 0
    new[12, 3, 2] = 0
    assert changed_boxes(old, new) == [(5, 13, 3, 8)]
    new[20:22, 60:70, 1] = 0  # another panel, more than 16 columns to the right
    assert changed_boxes(old, new) == [(5, 13, 3, 8), (20, 22, 60, 70)]
    assert changed_boxes(old, new, gap=60) == [(5, 22, 3, 70)]
    assert changed_boxes(None, new) == [(0, 30, 0, 80)]
    assert changed_boxes(frame(10, 10), new) == [(0, 30, 0, 80)]  # another size: everything


def test_first_frame_is_sent_whole_then_only_the_changed_rectangle(canvas):
    first = frame()
    assert canvas.show(first)
    content, (png,) = canvas.sent[-1]
    assert content == {"type": "frame", "frame": 1, "rects": [[0, 0, 40, 30]]}
    np.testing.assert_array_equal(decoded(content, png), first)
    second = first.copy()
    second[10:14, 20:25, :3] = (10, 20, 30)
    assert canvas.show(second)
    content, (png,) = canvas.sent[-1]
    assert content == {"type": "frame", "frame": 2, "rects": [[20, 10, 5, 4]]}
    np.testing.assert_array_equal(decoded(content, png), second[10:14, 20:25])
    assert not canvas.show(second.copy())  # nothing changed: nothing sent
    assert len(canvas.sent) == 2


def test_only_frames_sent_with_ack_are_waited_for(canvas):
    canvas.show(frame(value=0))
    canvas.holding = True
    canvas.show(frame(value=1))
    canvas.flush(ack=True, play=True)
    whole = {"type": "frame", "rects": [[0, 0, 40, 30]]}
    assert [c for c, _ in canvas.sent] == [{**whole, "frame": 1}, {**whole, "frame": 2, "ack": True, "play": True}]
    assert canvas.unacknowledged == 2
    assert asyncio.run(canvas.drawn(2, timeout=0.02)) is False  # nobody draws it: time out
    canvas._on_msg(canvas, {"type": "drawn", "frame": 2}, [])
    assert canvas.unacknowledged == 0
    assert asyncio.run(canvas.drawn(2, timeout=0.01)) is True


def test_an_acknowledgement_wakes_the_waiting_play_at_once(canvas):
    async def scenario():
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, canvas._on_msg, canvas, {"type": "drawn", "frame": 1}, [])
        start = loop.time()
        ok = await canvas.drawn(1, timeout=5.0)
        return ok, loop.time() - start
    canvas.show(frame())
    ok, waited = asyncio.run(scenario())
    assert ok and 0.04 <= waited < 1.0


def test_resync_after_pause_sends_the_whole_picture_once_play_has_stopped(canvas):
    f = frame(value=3)
    canvas.show(f)
    canvas.holding = True  # Play is drawing a frame
    g = f.copy()
    g[4, 5, 0] = 0
    canvas.show(g)
    canvas._on_msg(canvas, {"type": "resync"}, [])
    assert len(canvas.sent) == 1  # not while the frame is drawn ...
    canvas.holding = False
    canvas.flush(ack=True, play=True)  # ... but instead of its rectangle, not as a Play frame
    content, (png,) = canvas.sent[-1]
    assert content == {"type": "frame", "frame": 2, "rects": [[0, 0, 40, 30]], "ack": True}
    np.testing.assert_array_equal(decoded(content, png), g)
    # a frame prepared but not sent (Play waiting for an acknowledgement) is covered as well
    canvas.holding = True
    h = g.copy()
    h[20, 30, 1] = 0
    canvas.show(h)
    canvas.holding = False
    canvas._on_msg(canvas, {"type": "resync"}, [])
    content, (png,) = canvas.sent[-1]
    assert (content["rects"], content.get("play")) == ([[0, 0, 40, 30]], None)
    np.testing.assert_array_equal(decoded(content, png), h)
    canvas.flush(play=True)
    assert len(canvas.sent) == 3  # nothing left to send


class _FakeLab:
    """What FrameLoop needs of a lab: a canvas to show frames on, and a redraw."""

    def __init__(self, canvas):
        self.fig_view = type("View", (), {"widget": canvas})()
        self.value = 0

    def redraw(self, from_browser=False):
        self.fig_view.widget.show(frame(value=self.value % 256))

    def _show_notes(self):
        pass

    def _failed(self, what, exc, from_browser=False):
        raise exc


def test_play_asks_for_some_acknowledgements_and_bounds_the_frames_in_flight(canvas):
    import ipywidgets as widgets
    from nnlib.labs._play import FrameLoop

    lab = _FakeLab(canvas)
    play = widgets.Play()
    acked = []  # what a view that acknowledges after 3 frames' time would see

    def advance():
        lab.value += 1
        assert canvas.unacknowledged <= FrameLoop.window
        if lab.value >= 12:
            return False

    loop_ = FrameLoop(lab, play, advance, fps=1000)
    assert canvas.play is play

    async def scenario():
        loop = asyncio.get_running_loop()

        def ack_later(content):
            if content.get("ack"):
                acked.append(content["frame"])
                loop.call_later(0.03, canvas._on_msg, canvas, {"type": "drawn", "frame": content["frame"]}, [])
        sent = canvas.send
        canvas.send = lambda content, buffers=None: (sent(content, buffers), ack_later(content))
        play.playing = True  # FrameLoop starts its task on this loop
        while play.playing:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
    asyncio.run(scenario())
    frames = [c for c, _ in canvas.sent]
    assert len(frames) == 12 and all(c.get("play") for c in frames)
    assert acked == list(range(FrameLoop.ack_every, 13, FrameLoop.ack_every))
    assert loop_.frames == 12


def test_a_new_view_gets_the_whole_picture(canvas):
    canvas._on_msg(canvas, {"type": "ready"}, [])
    assert canvas.sent == []  # nothing drawn yet: nothing to send
    f = frame(value=7)
    canvas.show(f)
    f2 = f.copy()
    f2[0, 0, 0] = 0
    canvas.show(f2)
    canvas._on_msg(canvas, {"type": "ready"}, [])
    content, (png,) = canvas.sent[-1]
    assert content["rects"] == [[0, 0, 40, 30]]
    np.testing.assert_array_equal(decoded(content, png), f2)


def test_while_holding_frames_are_merged_and_sent_on_flush(canvas):
    canvas.show(frame())
    canvas.holding = True
    a = frame()
    a[2, 3, 0] = 0
    canvas.show(a)
    b = a.copy()
    b[20, 30, 1] = 0
    canvas.show(b)
    assert len(canvas.sent) == 1
    canvas.holding = False
    canvas.flush()
    content, buffers = canvas.sent[-1]
    assert content["rects"] == [[3, 2, 1, 1], [30, 20, 1, 1]]  # what changed in either frame
    np.testing.assert_array_equal(decoded(content, buffers[0], 0), b[2:3, 3:4])
    np.testing.assert_array_equal(decoded(content, buffers[1], 1), b[20:21, 30:31])
    canvas.flush()  # nothing pending
    assert len(canvas.sent) == 2
    canvas.holding = True
    canvas.show(frame())  # changed, then changed back before it was sent: nothing to send
    assert not canvas.show(b.copy())
    canvas.flush()
    assert len(canvas.sent) == 2


def test_wrong_frame_shape_is_a_clear_error(canvas):
    with pytest.raises(ValueError, match=r"shape \(30, 40, 4\)"):
        canvas.show(frame(40, 30))


def test_pointer_events_reach_the_callbacks_and_browser_errors_are_kept(canvas):
    seen = []
    canvas.on_pointer(lambda kind, x, y: seen.append((kind, x, y)))
    canvas._on_msg(canvas, {"type": "click", "x": 3, "y": 4}, [])
    canvas._on_msg(canvas, {"type": "move", "x": 5, "y": 6}, [])
    canvas._on_msg(canvas, {"type": "leave"}, [])
    assert seen == [("click", 3, 4), ("move", 5, 6), ("leave", None, None)]
    canvas._on_msg(canvas, {"type": "error", "message": "InvalidStateError"}, [])
    assert canvas.errors == ["InvalidStateError"]


def test_the_canvas_module_ships_with_the_package():
    esm = FrameCanvas._esm
    text = esm.read_text() if hasattr(esm, "read_text") else str(esm)
    assert "as default" in text and "nnlib-frame" in text and "unzlibSync" in text  # the built bundle


def _draw_texts(paste: bool):
    fig = Figure(figsize=(3, 2), dpi=80)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.plot([0, 1], [0, 1])
    texts = [ax.text(0.2, 0.5, "w = -0.75", fontsize=10, color="C3"),
             ax.set_title("title ✓", fontsize=11),
             ax.text(0.6, 0.2, "boxed", bbox={"facecolor": "yellow", "edgecolor": "k"}, rotation=20)]
    for t in texts:
        t.set_visible(False)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    renderer = canvas.get_renderer()
    sprites = TextSprites((240, 160), 80)
    for t in texts:
        t.set_visible(True)
        if paste:
            sprites.paste(t, pixels)
        else:
            t.draw(renderer)
    return np.array(pixels), sprites, texts, canvas


def test_pasted_text_looks_as_drawn_text():
    drawn, _, _, _ = _draw_texts(paste=False)
    pasted, sprites, _, _ = _draw_texts(paste=True)
    assert sprites.drawn == 3
    assert np.abs(drawn.astype(int) - pasted.astype(int)).max() <= 2  # rounding of the blend


def test_a_text_is_rendered_again_only_when_its_look_changes():
    _, sprites, texts, canvas = _draw_texts(paste=True)
    pixels = np.asarray(canvas.buffer_rgba())
    sprites.paste(texts[0], pixels)
    assert sprites.drawn == 3  # the same look: pasted from the cache
    texts[0].set_text("w = 0.25")
    sprites.paste(texts[0], pixels)
    texts[0].set_color("k")
    sprites.paste(texts[0], pixels)
    texts[0].set_position((0.3, 0.5))
    sprites.paste(texts[0], pixels)
    assert sprites.drawn == 6


@pytest.mark.parametrize("make", [labs.xor_builder, labs.neuron, labs.step_size, labs.decision_boundary])
def test_a_lab_frame_with_pasted_text_equals_the_frame_drawn_directly(make):
    lab = make()
    name = next(iter(lab.controls))
    pasted = lab.fig_view.rgba()
    lab.fig_view.sprites = None
    lab.fig_view.invalidate()
    lab.redraw()
    drawn = lab.fig_view.rgba()
    # rounding of the blend (of overlapping points, twice)
    assert np.abs(drawn.astype(int) - pasted.astype(int)).max() <= 3, name
