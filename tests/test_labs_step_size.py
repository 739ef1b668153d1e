"""Headless tests of the step-size lab (notebook 05): presets, verdicts, clipping, clamping.

The lab is driven the way a student drives it, through its widgets (setting control values,
clicking buttons), and the assertions look at the computed trace and at the plotted data.
"""
import html
import warnings

import numpy as np
import pytest

from nnlib.descent import gradient_descent
from nnlib.labs import step_size
from nnlib.labs.step_size import PRESETS, VERDICTS, classify


@pytest.fixture
def lab():
    return step_size()


def test_gamma_08_preset_gives_the_decks_iterates(lab):
    lab.buttons["gamma=0.8"].click()
    # x_{i+1} = x_i - 0.8 * 2 x_i = -0.6 x_i from x0 = -4
    expected = -4.0 * (-0.6) ** np.arange(lab.trace.n_steps + 1)
    np.testing.assert_allclose(lab.xs, expected, rtol=1e-12)
    np.testing.assert_allclose(lab.xs[:3], [-4.0, 2.4, -1.44], rtol=1e-12)
    assert lab.trace.grads[0, 0] == -8.0
    assert lab.verdict == "oscillating"


def test_gamma_02_and_07_presets(lab):
    lab.buttons["gamma=0.2"].click()
    np.testing.assert_allclose(lab.xs[:4], [-4.0, -2.4, -1.44, -0.864], rtol=1e-12)
    assert lab.verdict == "monotone"
    lab.buttons["gamma=0.7"].click()
    np.testing.assert_allclose(lab.xs[:3], [-4.0, 1.6, -0.64], rtol=1e-12)
    assert lab.verdict == "oscillating"


def test_ping_pong_preset_alternates_forever(lab):
    lab.buttons["ping-pong"].click()
    assert lab.controls["gamma"].value == 1.0
    xs = lab.xs
    assert len(xs) == PRESETS["ping-pong"]["steps"] + 1
    np.testing.assert_array_equal(xs, [-4.0 * (-1) ** i for i in range(len(xs))])
    assert lab.verdict == "ping-pong"
    assert "ping-pongs forever" in lab.readout.value


def test_clipping_preset_bounds_every_step_by_threshold_times_gamma(lab):
    lab.buttons["clipping"].click()
    gamma, threshold = lab.controls["gamma"].value, lab.controls["threshold"].value
    assert threshold == 0.3 and lab.controls["clip"].value
    steps = np.abs(np.diff(lab.xs))
    assert np.all(steps <= threshold * gamma + 1e-12)
    # the steep function's first gradients are far above 0.3, so those steps are exactly 0.3*gamma
    assert lab.trace.clipped[0] and steps[0] == pytest.approx(threshold * gamma)
    assert lab.trace.status != "diverged"
    # the same run without clipping explodes: that is what the preset demonstrates
    lab.controls["clip"].value = False
    assert lab.trace.status == "diverged"
    assert lab.verdict == "diverges"


@pytest.mark.parametrize("gamma, verdict", [
    (0.05, "monotone"), (0.3, "monotone"), (0.49, "monotone"),
    (0.5, "one-step"),
    (0.51, "oscillating"), (0.7, "oscillating"), (0.95, "oscillating"),
    (1.0, "ping-pong"),
    (1.01, "diverges"), (1.2, "diverges"), (1.5, "diverges"),
])
def test_verdict_on_x_squared(lab, gamma, verdict):
    lab.set(function="x^2", x0=-4.0, gamma=gamma, steps=30, clip=False)
    assert lab.verdict == verdict
    assert VERDICTS[verdict] in lab.readout.value
    # the verdict read off the trace agrees with the theory (x is multiplied by 1 - 2 gamma)
    assert classify(lab.trace) == verdict


def test_classify_reads_creeping_and_divergence_off_the_trace():
    f, df = (lambda x: x ** 4), (lambda x: 4 * x ** 3)
    creeping = gradient_descent(f, df, -4.0, gamma=0.5, steps=5, clip=0.3, tol=1e-12)
    assert classify(creeping) == "creeping"
    exploding = gradient_descent(f, df, -4.0, gamma=0.2, steps=10, tol=1e-12)
    assert exploding.status == "diverged" and classify(exploding) == "diverges"


def test_divergence_shows_a_message_and_no_inf_or_nan(lab):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        lab.set(function="steep x^4", x0=-4.0, gamma=0.2, steps=50, clip=False)
    assert lab.trace.status == "diverged"
    assert "Diverged" in lab.message and lab.message in lab.readout.value
    text = lab.readout.value + lab.table.value
    for bad in ("inf", "nan", "NaN"):
        assert bad not in text
    assert np.all(np.isfinite(lab.points.get_xdata())) and np.all(np.isfinite(lab.points.get_ydata()))


def test_plot_shows_the_shown_iterates_and_one_arrow_per_step(lab):
    lab.buttons["gamma=0.8"].click()
    lab.buttons["reset"].click()
    assert lab.shown == 0
    np.testing.assert_allclose(lab.points.get_xdata(), [-4.0])
    for _ in range(3):
        lab.buttons["step"].click()
    np.testing.assert_allclose(lab.points.get_xdata(), [-4.0, 2.4, -1.44, 0.864], rtol=1e-12)
    np.testing.assert_allclose(lab.points.get_ydata(), np.array([-4.0, 2.4, -1.44, 0.864]) ** 2, rtol=1e-12)
    visible = ~np.broadcast_to(lab.arrows.Umask, lab.arrows.U.shape)
    assert int(np.sum(visible)) == 3
    np.testing.assert_allclose(lab.arrows.U[visible], [6.4, -3.84, 2.304], rtol=1e-12)
    np.testing.assert_allclose(lab.arrows.V[visible], [2.4**2 - 16, 1.44**2 - 2.4**2, 0.864**2 - 1.44**2],
                               rtol=1e-12)
    # the table lists exactly the shown iterates with f and f'
    rows = lab.rows(lab.shown)
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    assert rows[1][1:4] == pytest.approx((2.4, 5.76, 4.8))


def test_step_stops_at_the_end_and_play_moves_the_counter(lab):
    lab.buttons["ping-pong"].click()
    n = lab.trace.n_steps
    lab.buttons["step"].click()
    assert lab.shown == n
    lab.controls["shown"].value = 2  # what a Play tick does
    assert len(lab.points.get_xdata()) == 3


def test_every_control_change_redraws_the_png(lab):
    before, renders = lab.fig_view.png(), lab.fig_view.renders
    lab.controls["gamma"].value = 0.8
    assert lab.fig_view.renders == renders + 1
    assert lab.fig_view.png() != before and lab.fig_view.png()[:4] == b"\x89PNG"


def test_set_is_one_recompute_and_one_redraw(lab):
    renders = lab.fig_view.renders
    lab.set(gamma=0.3, x0=2.0, steps=5)
    assert lab.fig_view.renders == renders + 1
    assert lab.xs[0] == 2.0 and lab.trace.n_steps == 5


def test_out_of_range_values_are_clamped_with_a_visible_note(lab):
    lab.set(gamma=7.0, x0=-40, steps=1000)
    assert lab.controls["gamma"].value == 1.5
    assert lab.controls["x0"].value == -5.0
    assert lab.controls["steps"].value == lab.max_steps
    assert "clamped to 1.5" in lab.note.value and "clamped to -5" in lab.note.value
    lab.set(gamma=float("nan"), function="sin")
    assert lab.controls["gamma"].value == 1.5 and lab.controls["function"].value == "x^2"
    note = html.unescape(lab.note.value)
    assert "not a finite number" in note
    assert "function='sin' is not one of" in note
    # a later change by hand clears the note
    lab.controls["gamma"].value = 0.2
    assert lab.note.value == ""


def test_new_function_brings_its_suggested_start(lab):
    lab.controls["function"].value = "two minima"
    assert lab.controls["x0"].value == 2.0 and lab.controls["gamma"].value == 0.05
    # from x0 = 2 descent settles in the local minimum near 1.35, not the global one near -1.47
    lab.set(steps=100)
    assert lab.xs[-1] == pytest.approx(1.35, abs=0.01)


def test_text_repr_is_short_and_deterministic(lab):
    lab.preset("ping-pong")
    text = repr(lab)
    assert text == "StepSizeLab(x^2, x0=-4, gamma=1, steps=10, no clipping): ping-pong"
    bundle = lab._repr_mimebundle_()
    assert bundle["text/plain"] == text
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == lab.shell.model_id
    assert lab.view in lab.shell.children  # the view and its style sheet


def test_the_png_in_the_widget_is_exactly_the_drawn_canvas(lab):
    from io import BytesIO

    from PIL import Image

    lab.preset("gamma=0.7")
    image = Image.open(BytesIO(lab.fig_view.png()))
    image.load()
    canvas = np.asarray(lab.fig_view.canvas.buffer_rgba())
    assert image.mode == "RGB" and image.size == (canvas.shape[1], canvas.shape[0])
    np.testing.assert_array_equal(np.asarray(image), canvas[:, :, :3])


def test_a_burst_of_browser_events_is_drawn_once_with_the_newest_state(lab, monkeypatch):
    import asyncio

    from nnlib.labs import _base

    assert not _base._handling_frontend_message()  # no kernel here: code changes draw at once
    monkeypatch.setattr(_base, "_handling_frontend_message", lambda: True)

    async def burst():
        renders = lab.fig_view.renders
        for gamma in (0.3, 0.4, 0.5, 0.6, 0.8):  # a slider drag: five messages in a row
            lab.controls["gamma"].value = gamma
        assert lab.fig_view.renders == renders  # nothing drawn while messages are queued
        assert lab.xs[1] == pytest.approx(2.4)  # but the state is already the newest
        await asyncio.sleep(0.1)
        assert lab.fig_view.renders == renders + 1
        np.testing.assert_allclose(lab.points.get_xdata()[:3], [-4.0, 2.4, -1.44])

    asyncio.run(burst())


def test_values_assigned_to_the_widgets_directly_are_clamped_with_a_note(lab):
    lab.controls["gamma"].value = 9.0
    assert lab.controls["gamma"].value == 1.5 and lab.verdict == "diverges"
    assert "gamma=9.0 is out of range; using 1.5" in lab.notes
    assert "out of range" in lab.note.value
    lab.controls["gamma"].value = 9.0  # clamped to the value it already has: still noted
    assert "gamma=9.0 is out of range; using 1.5" in lab.notes
    lab.controls["x0"].value = float("nan")
    assert lab.controls["x0"].value == -4.0 and "x0=nan is out of range; using -4.0" in lab.notes
    lab.controls["gamma"].value = 0.2
    assert lab.note.value == ""
