"""Activations: values, derivatives against central differences, stability, registry."""
import warnings

import numpy as np
import pytest

from nnlib import activations as A
from nnlib.gradcheck import numerical_gradient, relative_error

# A grid that avoids the kinks of relu/leaky_relu/elu/step at 0.
XI = np.array([[-3.0, -1.2, -0.3, 0.4, 1.1, 2.7]])

ELEMENTWISE = [
    (A.sigmoid, A.sigmoid_prime),
    (lambda x: A.sigmoid(x, lam=2.5), lambda x: A.sigmoid_prime(x, lam=2.5)),
    (A.tanh, A.tanh_prime),
    (A.relu, A.relu_prime),
    (A.leaky_relu, A.leaky_relu_prime),
    (lambda x: A.leaky_relu(x, alpha=0.2), lambda x: A.leaky_relu_prime(x, alpha=0.2)),
    (A.elu, A.elu_prime),
    (lambda x: A.elu(x, alpha=0.5), lambda x: A.elu_prime(x, alpha=0.5)),
    (A.identity, A.identity_prime),
    (A.gaussian, A.gaussian_prime),
]


@pytest.mark.parametrize("f, df", ELEMENTWISE)
def test_derivative_matches_central_differences(f, df):
    numeric = np.array([numerical_gradient(lambda v: f(v), np.array(x)) for x in XI.ravel()])
    assert relative_error(df(XI).ravel(), numeric) < 1e-8


def test_known_values():
    assert A.sigmoid(0.0) == 0.5
    assert A.sigmoid_prime(0.0) == 0.25
    assert A.sigmoid_prime(0.0, lam=4.0) == 1.0          # λ/4 at 0: steeper with λ
    assert A.step(0.0) == 1.0 and A.step(-1e-9) == 0.0     # PV021: 1 for ξ >= 0
    assert A.gaussian(0.0) == 1.0
    np.testing.assert_allclose(A.gaussian(2.0), np.exp(-4.0))
    np.testing.assert_allclose(A.elu(-1.0), np.exp(-1.0) - 1.0)
    assert A.relu(-2.0) == 0.0 and A.relu(2.0) == 2.0
    np.testing.assert_allclose(A.leaky_relu(-2.0), -0.02)
    assert np.all(A.step_prime(XI) == 0.0)


def test_sigmoid_matches_textbook_formula_and_tanh_identity():
    xi = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(A.sigmoid(xi), 1.0 / (1.0 + np.exp(-xi)), rtol=1e-14)
    # σ(ξ) = (1 + tanh(ξ/2)) / 2, and λ rescales ξ
    np.testing.assert_allclose(A.sigmoid(xi, lam=3.0), 0.5 * (1 + np.tanh(1.5 * xi)), atol=1e-15)


def test_extreme_potentials_do_not_warn():
    xi = np.array([-1000.0, -710.0, 0.0, 710.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = A.sigmoid(xi)
        assert y[0] == 0.0 and y[-1] == 1.0 and np.all(np.isfinite(A.sigmoid_prime(xi)))
        assert np.all(np.isfinite(A.elu(xi))) and np.all(np.isfinite(A.elu_prime(xi)))
        assert np.all(np.isfinite(A.gaussian(xi)))
        s = A.softmax(np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]]))
    np.testing.assert_allclose(s, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_softmax_rows_and_jacobian():
    rng = np.random.default_rng(0)
    xi = rng.normal(size=(4, 5))
    y = A.softmax(xi)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(A.softmax(xi + 7.0), y)          # shift invariance
    J = A.softmax_jacobian(xi)
    for k in range(4):
        numeric = np.stack([numerical_gradient(lambda v: A.softmax(v)[r], xi[k].copy())
                            for r in range(5)])
        assert relative_error(J[k], numeric) < 1e-8


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_registry_backward_is_chain_rule(name):
    act = A.get_activation(name)
    rng = np.random.default_rng(1)
    # |ξ| in [0.1, 2]: away from the kinks at 0 and from gaussian's vanishing tails, where
    # tiny derivatives would make the *relative* error meaningless.
    xi = rng.uniform(0.1, 2.0, size=(2, 6)) * rng.choice([-1.0, 1.0], size=(2, 6))
    dE_dy = rng.normal(size=xi.shape)
    y = act(xi)
    dE_dxi = act.backward(xi, y, dE_dy)
    # Numerically: ∂/∂ξ of Σ dE_dy · σ(ξ)
    numeric = numerical_gradient(lambda v: float((dE_dy * act(v)).sum()), xi.copy())
    if name == "step":
        assert np.all(dE_dxi == 0) and np.all(numeric == 0)
    else:
        assert relative_error(dE_dxi, numeric) < 1e-7


def test_get_activation_params_and_errors():
    act = A.get_activation("Sigmoid", lam=2.0)
    assert act.params == {"lam": 2.0} and not act.is_default
    np.testing.assert_allclose(act(1.0), A.sigmoid(1.0, lam=2.0))
    assert A.get_activation("sigmoid").is_default
    assert A.get_activation(act) is act
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; expected one of \['elu'"):
        A.get_activation("sigmod")
    with pytest.raises(ValueError, match="unexpected parameter"):
        A.get_activation("relu", lam=2.0)
    with pytest.raises(TypeError, match="activation must be a name"):
        A.get_activation(3)
    with pytest.raises(ValueError, match="lam must be a finite real number"):
        A.sigmoid(1.0, lam=float("nan"))
    with pytest.raises(ValueError, match="xi contains NaN"):
        A.relu([1.0, np.nan])
    with pytest.raises(TypeError, match="xi must be an array of numbers"):
        A.tanh("0.5")
