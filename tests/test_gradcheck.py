"""Gradient checking: central differences, relative error, network checks."""
import itertools
import zlib

import numpy as np
import pytest

from nnlib.activations import ACTIVATIONS
from nnlib.backprop import gradients
from nnlib.gradcheck import check_gradients, numerical_gradient, relative_error
from nnlib.losses import LOSSES, to_one_hot
from nnlib.network import Network


def test_numerical_gradient_of_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x)
    np.testing.assert_allclose(g, np.cos(before) * before + np.sin(before), rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_central_differences_beat_one_sided():
    # The error of central differences shrinks like h², so at h = 1e-3 it is ~1e-7 here.
    g = numerical_gradient(lambda v: float(np.exp(v[0])), np.array([1.0]), h=1e-3)
    assert abs(g[0] - np.e) < 1e-6
    assert abs((np.exp(1.001) - np.e) / 1e-3 - np.e) > 1e-3


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert np.isclose(relative_error([1.0], [3.0]), 0.5)
    assert relative_error([0.0], [0.0]) == 0.0
    with pytest.raises(ValueError, match=(
            r"a and b must have the same shape; got \(2,\) and \(3,\)")):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


SMOOTH = sorted(set(ACTIVATIONS) - {"step", "softmax"})


def _targets(loss, rng, n, m):
    if loss == "cross_entropy":
        return to_one_hot(rng.integers(0, m, size=n), m)
    if loss == "bce":
        return rng.uniform(size=(n, m))
    return rng.normal(size=(n, m))


def _output_activation(hidden, loss):
    # Losses on probabilities need outputs in (0, 1): sigmoid for bce, softmax for CE.
    return {"bce": "sigmoid", "cross_entropy": "softmax"}.get(loss, hidden)


def _well_conditioned_case(hidden, loss, depth):
    """A random net and batch where a relative-error test is meaningful.

    Central differences in float64 carry an absolute error of about 1e-10 here, so the
    relative error only means something where the gradient's entries are not tiny. Draw
    until (a) no potential is within 1e-3 of a kink (relu, leaky_relu, elu at 0; l1 at
    y = d), (b) outputs of bce/cross_entropy are not nearly saturated, and (c) every gradient entry
    is exactly 0 (a dead unit) or larger than 1e-4 in magnitude. None of this looks at the
    numerical gradient, so a wrong backprop still fails the check.
    """
    base = zlib.crc32(f"{hidden}-{loss}-{depth}".encode())
    for attempt in range(200):
        rng = np.random.default_rng(base + attempt)
        sizes = [3] + [4] * (depth - 1) + [3]
        out = _output_activation(hidden, loss)
        acts = [hidden] * (depth - 1) + [out]
        if depth == 1 and loss not in ("bce", "cross_entropy"):
            acts = [hidden]
        net = Network.from_sizes(sizes, acts, seed=rng, init=0.8)
        for b in net.b:
            b[:] = rng.normal(scale=0.3, size=b.shape)
        X = rng.normal(size=(5, 3))
        d = _targets(loss, rng, 5, 3)
        fp = net.forward(X)
        if any(a in ("relu", "leaky_relu", "elu") for a in acts) and \
                min(np.abs(xi).min() for xi in fp.xi[1:]) < 1e-3:
            continue
        if loss == "l1" and np.abs(fp.y[-1] - d).min() < 1e-3:
            continue
        # bce and cross_entropy are evaluated from y; once y is within ~1e-4 of 0 or 1, ln(1 - y)
        # keeps too few digits for a difference quotient (the fused backprop is still exact).
        if loss in ("bce", "cross_entropy") and np.abs(fp.xi[-1]).max() > 8:
            continue
        g = np.abs(gradients(net, X, d, loss=loss)[1].flat())
        if np.all((g == 0) | (g > 1e-4)):
            return net, X, d
    raise AssertionError(f"no well-conditioned case found for {hidden}, {loss}, {depth}")


@pytest.mark.parametrize("hidden, loss, depth",
                         list(itertools.product(SMOOTH + ["softmax"], sorted(LOSSES), [1, 2, 3])))
def test_every_activation_loss_depth(hidden, loss, depth):
    """Backprop agrees with central differences to < 1e-6 (relative error)."""
    net, X, d = _well_conditioned_case(hidden, loss, depth)
    assert check_gradients(net, X, d, loss=loss) < 1e-6


@pytest.mark.parametrize("loss", ["half_sse", "bce", "cross_entropy"])
def test_squared_distance_layers(loss):
    rng = np.random.default_rng(11)
    out = _output_activation("identity", loss)
    net = Network.from_sizes("2-4-3", ["gaussian", out], seed=rng, init=0.5,
                             inputs=["squared_distance", "weighted_sum"])
    X = rng.normal(scale=0.5, size=(6, 2))
    assert check_gradients(net, X, _targets(loss, rng, 6, 3), loss=loss) < 1e-6


def test_check_gradients_detects_a_wrong_gradient():
    """A deliberately wrong derivative (σ' off by a factor 2) is caught."""
    from nnlib.activations import Activation, _sigmoid
    wrong = Activation("wrong", _sigmoid, lambda xi, y: 2 * y * (1 - y))
    net = Network.from_sizes("2-3-1", [wrong, "identity"], seed=0)
    X, d = np.random.default_rng(0).normal(size=(4, 2)), np.zeros((4, 1))
    assert check_gradients(net, X, d) > 0.1


def test_check_gradients_leaves_parameters_unchanged():
    net = Network.from_sizes("2-3-1", seed=0)
    theta = net.get_flat()
    check_gradients(net, np.ones((2, 2)), np.zeros((2, 1)))
    np.testing.assert_array_equal(net.get_flat(), theta)


def test_errors():
    with pytest.raises(TypeError, match="f must be a callable"):
        numerical_gradient(3.0, np.zeros(2))
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        numerical_gradient(np.sum, np.zeros(2), h=0.0)
    with pytest.raises(ValueError, match="f must return a scalar"):
        numerical_gradient(lambda v: v, np.zeros(2))
