"""What every lab promises, tested on all of them: strict keywords, errors that fail loudly,
figures drawn at the size they are shown with text >= 10 px and labelled axes, a static
picture for a notebook reopened without a kernel."""
from __future__ import annotations

import base64
import io

import matplotlib.image as mpimg
import numpy as np
import pytest

from nnlib import labs

ENTRY_POINTS = {
    "step_size": (labs.step_size, {"gamma": 0.3}),
    "decision_boundary": (lambda **kw: labs.decision_boundary(grid=20, **kw), {"gamma": 0.3}),
    "neuron": (labs.neuron, {"w1": 0.5}),
    "xor_builder": (labs.xor_builder, {"v1": 0.5}),
    "activation_explorer": (labs.activation_explorer, {"lam": 2.0}),
    "perceptron": (labs.perceptron, {"gamma": 0.5}),
    "optimizer_race": (labs.optimizer_race, {"adam_gamma": 0.1}),
}


@pytest.fixture(params=sorted(ENTRY_POINTS))
def lab(request):
    make, _ = ENTRY_POINTS[request.param]
    return make()


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_unknown_keyword_is_a_type_error_naming_the_valid_ones(name):
    make, good = ENTRY_POINTS[name]
    with pytest.raises(TypeError) as err:
        make(gama=0.1)
    message = str(err.value)
    assert "'gama'" in message and "valid:" in message
    lab = make(**good)  # the same call with a known keyword works
    assert all(k in message for k in lab.controls)
    with pytest.raises(TypeError, match="'colour'"):
        lab.set(colour="red")


def test_an_exception_while_drawing_raises_from_code_and_is_noted(lab):
    def broken():
        raise RuntimeError("injected")

    lab._draw = broken
    name, value = next((n, w.value) for n, w in lab.controls.items() if n not in ("play", "shown"))
    with pytest.raises(RuntimeError, match="injected"):
        lab.redraw()
    assert "could not draw (RuntimeError: injected)" in lab.note.value
    # from a browser callback it may only be noted (raising would reach the kernel log only)
    before = len(lab.errors)
    lab.redraw(from_browser=True)
    assert len(lab.errors) == before + 1


def test_an_exception_while_updating_raises_from_code(lab):
    def broken(changed):
        raise ValueError("bad state")

    lab._recompute = broken
    name = next(n for n in lab.controls if n not in ("play", "shown"))
    with pytest.raises(ValueError, match="bad state"):
        lab._pending.add(name)
        lab._flush_changes()
    assert lab.errors and isinstance(lab.errors[-1], ValueError)


def test_figures_are_shown_at_their_drawn_size_with_text_of_ten_pixels(lab):
    for view in lab.views:
        w, h = view.size_px
        assert view.widget.layout.width == f"{w}px" and view.widget.layout.height == f"{h}px"
        assert view.widget.layout.align_self == "flex-start"  # never stretched by its row
        png = mpimg.imread(io.BytesIO(view.png()), format="png")
        assert png.shape[:2] == (h, w)
        assert w <= 900  # fits a 968 px notebook column with the lab's margins
        small = [(t.get_text(), t.get_fontsize() * view.dpi / 72) for t in view.texts()
                 if t.get_fontsize() * view.dpi / 72 < 10 - 1e-6]
        assert not small, f"text smaller than 10 px: {small}"


def test_no_text_is_cut_by_the_figure_edge(lab):
    for view in lab.views:
        renderer = view.canvas.get_renderer()
        w, h = view.size_px
        cut = []
        for t in view.texts():
            box = t.get_window_extent(renderer)
            if box.x0 < -1 or box.y0 < -1 or box.x1 > w + 1 or box.y1 > h + 1:
                cut.append((t.get_text(), [round(v) for v in box.extents]))
        assert not cut, f"{type(lab).__name__}: text cut by the edge of the {w}x{h} figure: {cut}"


def test_every_axes_with_ticks_is_labelled(lab):
    for view in lab.views:
        for ax in view.fig.axes:
            if not ax.axison or (len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0):
                continue  # a diagram, not a plot
            assert ax.get_xlabel().strip(), f"{type(lab).__name__}: axes '{ax.get_title()}' has no x label"
            assert ax.get_ylabel().strip(), f"{type(lab).__name__}: axes '{ax.get_title()}' has no y label"


def test_static_bundle_is_the_last_frame(lab):
    bundle = lab.static_bundle()
    # fixed text: later cells refresh the picture, and nbval compares a cell's text when it ran
    assert bundle["text/plain"] == f"{type(lab).__name__}: picture of its last state"
    png = mpimg.imread(io.BytesIO(base64.b64decode(bundle["image/png"])), format="png")
    frames = [v.rgba() for v in lab.views]
    assert png.shape[0] == sum(f.shape[0] for f in frames)
    np.testing.assert_array_equal(np.round(png[: frames[0].shape[0], : frames[0].shape[1], :3] * 255),
                                  frames[0][:, :, :3])


@pytest.mark.slow
def test_an_executed_notebook_stores_a_static_picture_of_the_last_state(tmp_path):
    """Run a notebook as nbval/nbconvert do: after the lab is shown and then changed by a later
    cell, the stored outputs hold the widget view and a PNG of the changed lab."""
    nbformat = pytest.importorskip("nbformat")
    NotebookClient = pytest.importorskip("nbclient").NotebookClient  # not in `make test-min`
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from nnlib import labs\nlab = labs.step_size()\n"
                                          "first = lab.static_bundle()['image/png']\nlab"),
                nbformat.v4.new_code_cell("lab.preset('ping-pong')\nlab.summary()"),
                nbformat.v4.new_code_cell("now = lab.static_bundle()['image/png']\nprint(now != first)\nprint(now)")]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]
    static = outputs[1]["data"]
    assert "ping-pong" in nb.cells[1].outputs[0]["data"]["text/plain"]
    changed, now = nb.cells[2].outputs[0]["text"].split()
    assert changed == "True" and static["image/png"] == now  # the stored picture is the changed lab
    png = mpimg.imread(io.BytesIO(base64.b64decode(static["image/png"])), format="png")
    assert png.shape[:2] == (272, 480)  # the step-size figure, 6 x 3.4 in at 80 dpi


def test_a_failing_static_refresh_is_kept_as_an_error_not_swallowed(monkeypatch):
    from nnlib.labs import _base

    lab = labs.step_size()

    class Handle:
        def update(self, *args, **kwargs):
            raise RuntimeError("display gone")

    lab._static, lab._static_redraws = Handle(), -1
    monkeypatch.setattr(_base, "_LIVE", {lab})
    _base._refresh_all()  # runs after a cell: must not raise into the user's next cell
    assert [type(e) for e in lab.errors] == [RuntimeError]
    assert any("static picture" in n for n in lab.notes)
