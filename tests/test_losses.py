"""Losses: values, gradients against central differences, fused deltas, encodings."""
import warnings

import numpy as np
import pytest

from nnlib.activations import sigmoid, softmax
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import LOSSES, get_loss, loss_value, to_one_hot


def _targets(name, rng, shape):
    if name == "cross_entropy":
        return to_one_hot(rng.integers(0, shape[1], size=shape[0]), shape[1])
    if name == "bce":
        return rng.integers(0, 2, size=shape).astype(float)
    return rng.normal(size=shape)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_central_differences(name):
    loss = get_loss(name)
    rng = np.random.default_rng(0)
    y = rng.uniform(0.1, 0.9, size=(5, 3))
    if name == "cross_entropy":
        y /= y.sum(axis=1, keepdims=True)
    d = _targets(name, rng, y.shape)
    numeric = numerical_gradient(lambda v: float(loss.value(v, d).sum()), y.copy())
    assert relative_error(loss.grad(y, d), numeric) < 1e-7


def test_values_by_hand():
    y, d = np.array([[0.75136507, 0.77292847]]), np.array([[0.01, 0.99]])
    assert round(loss_value("half_sse", y, d), 5) == 0.29837          # KTH E_total
    r = y - d
    assert np.isclose(loss_value("sse", y, d), (r ** 2).sum())
    assert np.isclose(loss_value("mse", y, d), (r ** 2).mean())
    assert np.isclose(loss_value("l1", y, d), np.abs(r).sum())
    assert np.isclose(loss_value("bce", [[0.8]], [[1.0]]), -np.log(0.8))
    assert np.isclose(loss_value("cross_entropy", [[0.2, 0.7, 0.1]], [[0, 1, 0]]), -np.log(0.7))
    batch = np.array([[1.0], [3.0]])
    assert loss_value("sse", batch, np.zeros((2, 1))) == 10.0
    assert loss_value("sse", batch, np.zeros((2, 1)), reduction="mean") == 5.0


def test_fused_deltas_equal_chain_rule():
    rng = np.random.default_rng(1)
    xi = rng.normal(size=(4, 3))
    d = to_one_hot([0, 2, 1, 2], 3)
    y = softmax(xi)
    ce, b = LOSSES["cross_entropy"], LOSSES["bce"]
    numeric = numerical_gradient(lambda v: float(ce.value(softmax(v), d).sum()), xi.copy())
    assert relative_error(LOSSES["cross_entropy"].fused["softmax"](y, d), numeric) < 1e-7
    d01 = rng.integers(0, 2, size=(4, 3)).astype(float)
    numeric = numerical_gradient(lambda v: float(b.value(sigmoid(v), d01).sum()), xi.copy())
    assert relative_error(LOSSES["bce"].fused["sigmoid"](sigmoid(xi), d01), numeric) < 1e-7


def test_saturated_outputs_stay_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e1 = loss_value("bce", [[0.0, 1.0]], [[1.0, 0.0]])
        e2 = loss_value("cross_entropy", [[0.0, 1.0]], [[1.0, 0.0]])
        g = get_loss("bce").grad(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert np.isfinite(e1) and e1 > 60 and np.isfinite(e2) and e2 > 30 and np.all(np.isfinite(g))


def test_one_hot():
    np.testing.assert_array_equal(to_one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(to_one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"labels must lie in 0..2 for n_classes=3"):
        to_one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="integer class indices"):
        to_one_hot([0.5], 3)


def test_encoding_and_shape_errors():
    with pytest.raises(ValueError, match=(
            r"cross_entropy needs one-hot targets d of shape \(3, 2\); got labels of shape "
            r"\(3,\); use to_one_hot\(labels, 2\)")):
        loss_value("cross_entropy", np.full((3, 2), 0.5), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="every row summing to 1"):
        loss_value("cross_entropy", [[0.5, 0.5]], [[1.0, 1.0]])
    with pytest.raises(ValueError, match=r"bce needs targets d in \[0, 1\]"):
        loss_value("bce", [[0.5], [0.5]], [[-1.0], [1.0]])
    with pytest.raises(ValueError, match=(
            r"y and d must have the same shape \(N, m\); got \(2, 2\) and \(2, 3\)")):
        loss_value("mse", np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="use d.reshape"):
        loss_value("mse", np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=r"unknown loss 'mae'; expected one of \['bce'"):
        get_loss("mae")
    with pytest.raises(ValueError, match="unknown reduction 'max'"):
        loss_value("mse", [[1.0]], [[1.0]], reduction="max")
    with pytest.raises(ValueError, match="d contains NaN"):
        loss_value("mse", [[1.0]], [[np.nan]])
