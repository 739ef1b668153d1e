"""Headless tests of the activation explorer (notebook 01)."""
import html

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient
from nnlib.labs import activation_explorer
from nnlib.labs.activation import EXPLORER_ACTIVATIONS, FAMILY_BIASES, curve


def test_sigmoid_with_steepness_and_bias_is_plotted():
    lab = activation_explorer(activation="sigmoid", b=1.0, lam=2.0)
    x, y = (np.asarray(a) for a in lab.line.get_data())
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-2.0 * (x + 1.0))))
    _, dy = (np.asarray(a) for a in lab.dline.get_data())
    np.testing.assert_allclose(dy, 2.0 * y * (1 - y), atol=1e-12)
    # the middle of the curve sits at x = -b
    assert lab.middle.get_xdata()[0] == -1.0
    assert "y = 0.5" in lab.readout.value and "slope 0.5" in lab.readout.value


@pytest.mark.parametrize("name", [n for n in EXPLORER_ACTIVATIONS if n != "step"])
def test_dashed_curve_is_the_derivative(name):
    b, lam = 0.3, 1.7
    x = np.array([-2.1, -0.7, 0.45, 1.3, 2.6])  # away from kinks (relu-like at x = -b)
    _, dy = curve(name, x, b, lam)
    for xk, dk in zip(x, dy):
        num = numerical_gradient(lambda t: float(curve(name, t, b, lam)[0][0]), np.array([xk]))
        assert dk == pytest.approx(num[0], rel=1e-5, abs=1e-8)


def test_family_shows_several_biases_and_can_be_hidden():
    lab = activation_explorer(activation="tanh")
    assert len(lab.family_lines) == len(FAMILY_BIASES)
    for line, fb in zip(lab.family_lines, FAMILY_BIASES):
        x, y = (np.asarray(a) for a in line.get_data())
        np.testing.assert_allclose(y, np.tanh(x + fb))
        assert line.get_visible()
    lab.controls["family"].value = False
    assert not any(line.get_visible() for line in lab.family_lines)
    lab.controls["derivative"].value = False
    assert not lab.dline.get_visible()


def test_step_derivative_is_zero_and_the_note_says_so():
    lab = activation_explorer(activation="step")
    assert np.all(np.asarray(lab.dline.get_ydata()) == 0)
    assert "no gradient" in lab.readout.value


def test_clamping_and_repr():
    lab = activation_explorer()
    lab.set(lam=0.0, b=9)
    assert lab.controls["lam"].value == pytest.approx(0.1) and lab.controls["b"].value == 4.0
    assert "clamped" in html.unescape(lab.note.value)
    assert repr(lab) == "ActivationLab(sigmoid, b=4, lam=0.1)"


def test_changing_the_bias_redraws_only_the_curves():
    lab = activation_explorer()
    full, renders = lab.fig_view.full_renders, lab.fig_view.renders
    png = lab.fig_view.png()
    lab.controls["b"].value = 0.5
    assert lab.fig_view.renders == renders + 1 and lab.fig_view.full_renders == full
    assert lab.fig_view.png() != png
