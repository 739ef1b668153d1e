"""Headless tests of the optimiser race (notebook 10): the paths are the library's, the
settings are strict and clamped, step / run / reset walk the paths, the plot shows them."""
import numpy as np
import pytest

from nnlib.descent import FUNCTIONS
from nnlib.labs import optimizer_race
from nnlib.labs.optimizer_race import COURSES, RACERS
from nnlib.optim import Optimizer, minimize


@pytest.fixture
def lab():
    return optimizer_race()


def test_default_race_is_sgd_momentum_and_adam_on_the_bowl(lab):
    assert lab.racers == ["sgd", "momentum", "adam"]
    assert lab.controls["function"].value == "bowl"
    assert (lab.controls["x1"].value, lab.controls["x2"].value) == (-4.0, 1.0)
    assert set(lab.paths) == {"sgd", "momentum", "adam"}


@pytest.mark.parametrize("course", sorted(COURSES))
def test_paths_equal_minimize_with_the_same_settings(lab, course):
    lab.set(function=course, nesterov=True, rmsprop=True, steps=80, momentum_mu=0.8, adam_beta1=0.8,
            adam_beta2=0.99, rmsprop_rho=0.95, nesterov_gamma=0.0005 if course == "Rosenbrock" else 0.03)
    obj = FUNCTIONS[COURSES[course]["key"]]
    start = np.array([lab.controls["x1"].value, lab.controls["x2"].value])
    c = lab.controls
    expected = {
        "sgd": Optimizer("sgd", gamma=c["sgd_gamma"].value),
        "momentum": Optimizer("momentum", gamma=c["momentum_gamma"].value, mu=0.8),
        "nesterov": Optimizer("nesterov", gamma=c["nesterov_gamma"].value, mu=c["nesterov_mu"].value),
        "rmsprop": Optimizer("rmsprop", gamma=c["rmsprop_gamma"].value, rho=0.95),
        "adam": Optimizer("adam", gamma=c["adam_gamma"].value, beta1=0.8, beta2=0.99),
    }
    assert list(lab.paths) == list(RACERS)
    for key, opt in expected.items():
        np.testing.assert_array_equal(lab.paths[key], minimize(obj.df, start, opt, steps=80))
    # the table reads the same numbers: f and the distance to the minimum at the last step
    for key, settings, i, f, dist in lab.rows():
        x = lab.paths[key][i]
        assert f == pytest.approx(float(obj.f(x)))
        assert dist == pytest.approx(float(np.linalg.norm(x - np.array(COURSES[course]["minimum"]))))


def test_bowl_settings_are_those_of_notebook_10s_race(lab):
    # notebook 10 § 8: SGD 0.09, momentum 0.05/0.5, Adam 0.3 from (-4, 1), 60 steps
    bowl, bowl_grad = FUNCTIONS["bowl2d"]
    path = minimize(bowl_grad, [-4.0, 1.0], Optimizer("momentum", gamma=0.05, mu=0.5), steps=60)
    np.testing.assert_array_equal(lab.paths["momentum"], path)
    assert lab.rows()[1][3] == pytest.approx(float(bowl(path[-1])))


@pytest.mark.parametrize("course", sorted(COURSES))
def test_suggested_settings_lie_on_the_sliders_grid(course):
    """The browser snaps a slider's value to its grid and sends it back: a suggested value off
    the grid would silently become another race once the widgets are shown."""
    lab = optimizer_race(function=course)
    for name, w in lab.controls.items():
        if hasattr(w, "step") and isinstance(w.value, float):
            k = (w.value - w.min) / w.step
            assert abs(k - round(k)) < 1e-6, f"{course}: {name}={w.value} is off the grid {w.min} + k*{w.step}"


def test_choosing_a_function_loads_its_suggested_settings_unless_given(lab):
    lab.controls["function"].value = "Rosenbrock"  # as the dropdown does
    assert (lab.controls["x1"].value, lab.controls["x2"].value) == (-1.5, 2.0)
    assert lab.controls["sgd_gamma"].value == pytest.approx(0.001)
    lab.set(function="bowl", adam_gamma=0.05)
    assert lab.controls["x1"].value == -4.0 and lab.controls["adam_gamma"].value == pytest.approx(0.05)
    assert lab.controls["sgd_gamma"].value == pytest.approx(0.09)


def test_step_run_and_reset_walk_the_paths(lab):
    lab.reset()
    assert lab.shown == 0
    for key in lab.racers:
        np.testing.assert_array_equal(lab.lines[key].get_xydata(), [[-4.0, 1.0]])  # only the start
    assert not len(lab.lines["nesterov"].get_xdata())  # switched off: nothing drawn
    lab.buttons["step"].click()
    lab.buttons["step"].click()
    assert lab.shown == 2
    np.testing.assert_array_equal(lab.lines["adam"].get_xydata(), lab.paths["adam"][:3])
    assert [r[2] for r in lab.rows()] == [2, 2, 2]
    assert "step 2 of 60" in lab.summary()
    np.testing.assert_allclose(lab.curves["sgd"].get_ydata(), FUNCTIONS["bowl2d"].f(lab.paths["sgd"][:3]))
    lab.controls["shown"].value = 60  # what Play does, tick by tick
    for _ in range(3):
        lab.step()  # no-op at the end
    assert lab.shown == 60
    np.testing.assert_array_equal(lab.lines["sgd"].get_xydata(), lab.paths["sgd"])


def test_changing_a_setting_recomputes_and_shows_every_step(lab):
    lab.reset()
    lab.controls["sgd_gamma"].value = 0.05
    assert lab.shown == 60
    np.testing.assert_array_equal(lab.paths["sgd"],
                                  minimize(FUNCTIONS["bowl2d"].df, [-4.0, 1.0], Optimizer("sgd", gamma=0.05), 60))


def test_out_of_range_values_are_clamped_with_a_note(lab):
    lab.set(sgd_gamma=5.0, adam_beta2=1.0, momentum_mu=-0.3, steps=10_000)
    c = lab.controls
    assert c["sgd_gamma"].value == 1.0 and c["adam_beta2"].value == 0.9999
    assert c["momentum_mu"].value == 0.0 and c["steps"].value == lab.max_steps
    for name in ("sgd_gamma=5.0", "adam_beta2=1.0", "momentum_mu=-0.3", "steps=10000"):
        assert name in lab.note.value
    # assigned directly to the widget, as a browser might: clamped and noted too
    c["adam_beta1"].value = 1.5
    assert c["adam_beta1"].value == 0.99 and "adam_beta1=1.5" in lab.note.value
    lab.set(function="Rosenbrok")
    assert c["function"].value == "bowl" and "Rosenbrok" in lab.note.value


def test_bad_keyword_is_a_type_error_naming_the_valid_ones():
    with pytest.raises(TypeError) as err:
        optimizer_race(adam_beta=0.9)
    message = str(err.value)
    assert "'adam_beta'" in message and "adam_beta1" in message and "momentum_mu" in message


def test_a_diverging_racer_is_reported_without_warnings(lab, recwarn):
    lab.set(sgd_gamma=0.2, steps=300)  # above the bowl's limit 0.1: |1 - 20 γ| = 3
    key, _, _, f, dist = lab.rows()[0]
    assert key == "sgd" and f > 1e6 and dist > 1e6
    assert "diverged" in lab.table.value
    assert "Lowest f so far: momentum" in lab.readout.value or "Lowest f so far: Adam" in lab.readout.value
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    lab.set(function="Rosenbrock", sgd_gamma=1.0)  # overflows to inf: still a clean table
    assert "overflow (diverged)" in lab.table.value
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_no_racer_switched_on_is_said_in_words(lab):
    lab.set(sgd=False, momentum=False, adam=False)
    assert lab.paths == {} and "No optimiser is switched on" in lab.readout.value
    assert lab.summary().endswith("no racer")


def test_plot_has_a_legend_of_the_racers_and_the_minimum(lab):
    lab.set(nesterov=True)
    legend = lab.ax_f.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["SGD", "momentum", "Nesterov", "Adam"]
    assert lab.ax_f.get_yscale() == "log"
    assert list(lab.goal.get_xydata()[0]) == [0.0, 0.0]
    lab.set(function="Rosenbrock")
    assert list(lab.goal.get_xydata()[0]) == [1.0, 1.0]
    assert "100·(x2 − x1²)²" in lab.ax.get_title()


def test_a_racers_slider_computes_only_that_racers_path_again():
    lab = optimizer_race()
    before = dict(lab.paths)
    assert len(before) >= 2 and "adam" in before
    lab.controls["adam_gamma"].value = lab.controls["adam_gamma"].value * 0.5
    assert lab.paths["adam"] is not before["adam"]
    for key in set(before) - {"adam"}:
        assert lab.paths[key] is before[key]  # unchanged settings: the same path
    np.testing.assert_array_equal(lab.paths["adam"], minimize(lab.objective.df, lab.paths["adam"][0],
                                                              lab.optimizer("adam"), steps=lab.controls["steps"].value))
    lab.controls["x1"].value = lab.controls["x1"].value + 0.5  # a new start: every path again
    assert all(lab.paths[k] is not before[k] for k in before)
