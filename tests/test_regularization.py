"""L1/L2 penalties, dropout and standardisation: finite differences and hand computations."""
import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.preprocess import fit_standardizer, standardize
from nnlib.regularization import (dropout_backward, dropout_forward, dropout_mask, l1_grad,
                                  l1_penalty, l2_grad, l2_penalty)

RNG = np.random.default_rng(0)


def test_l2_gradient_is_the_derivative_of_the_penalty():
    W = RNG.normal(size=(3, 4))
    num = numerical_gradient(lambda w: l2_penalty([w], 0.3), W.copy())
    assert relative_error(l2_grad(W, 0.3), num) < 1e-8


def test_l1_gradient_is_the_derivative_away_from_zero():
    W = RNG.normal(size=(3, 4))
    W[np.abs(W) < 1e-3] = 0.5                     # keep clear of the kink at 0
    num = numerical_gradient(lambda w: l1_penalty([w], 0.2), W.copy())
    assert relative_error(l1_grad(W, 0.2), num) < 1e-8
    assert l1_grad(np.zeros(2), 1.0).tolist() == [0.0, 0.0]
    assert l1_penalty([np.ones((2, 2)), -np.ones(3)], 0.5) == 3.5


def test_dropout_forward_is_inverted_and_backward_uses_the_mask():
    y = RNG.normal(size=(2000, 50))
    out, mask = dropout_forward(y, 0.25, rng=1)
    kept = mask > 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(mask[kept], 1 / 0.75)
    np.testing.assert_allclose(out, y * mask)
    # E[out] = y: the mean of out / y over many samples is 1
    assert abs((out / y).mean() - 1.0) < 0.01
    # backward: out = y·mask, so ∂(Σ c·out)/∂y = c·mask, checked by finite differences
    c = RNG.normal(size=(3, 4))
    small_mask = dropout_mask((3, 4), 0.5, 2)
    num = numerical_gradient(lambda v: float(np.sum(c * v * small_mask)), RNG.normal(size=(3, 4)))
    assert relative_error(dropout_backward(c, small_mask), num) < 1e-8


def test_dropout_at_inference_is_the_identity():
    y = RNG.normal(size=(4, 3))
    out, mask = dropout_forward(y, 0.5, rng=0, train=False)
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(mask, np.ones_like(y))
    with pytest.raises(ValueError, match=r"p \(the probability of dropping a unit\) must lie in \[0, 1\); got 1.0"):
        dropout_forward(y, 1.0)
    with pytest.raises(ValueError, match="dE_dout and mask must have the same shape"):
        dropout_backward(np.ones((2, 2)), np.ones((2, 3)))


def test_standardize_uses_the_training_statistics():
    X = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]])
    mu, s = fit_standardizer(X)
    np.testing.assert_allclose(mu, [3.0, 20.0, 5.0])
    np.testing.assert_allclose(s, [np.sqrt(8 / 3), np.sqrt(200 / 3), 1.0])   # constant -> 1
    Z = standardize(X, mu, s)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0)
    np.testing.assert_allclose(standardize([[3.0, 20.0, 6.0]], mu, s), [[0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\) to match mu of shape \(3,\)"):
        standardize(np.ones((2, 2)), mu, s)
