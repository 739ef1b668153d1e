"""Output (activation) functions σ and their derivatives (taught in notebook 01).

A unit computes its output ``y = σ(ξ)`` from its inner potential ``ξ`` (``xi``). This module
has one pair of functions per σ -- the function and its derivative ``dσ/dξ`` -- and an
:class:`Activation` object that bundles a pair for the network code.

Conventions
-----------
* ``xi`` is any float array; elementwise functions keep its shape. ``softmax`` works on the
  last axis (one row per sample).
* ``Activation.df(xi, y)`` receives the potential *and* the output because several
  derivatives are cheapest in terms of the output: σ' = λ·y·(1 - y) for the sigmoid,
  1 - y² for tanh.
* The derivative of the step function is 0 wherever it exists (everywhere except 0), so no
  gradient flows through step units; notebooks 03-04 train them with the perceptron rule.

The public functions (``sigmoid``, ``relu``, ...) check their input; the ``Activation``
objects in :data:`ACTIVATIONS` hold unchecked kernels so that the network's inner loops do
not re-validate arrays that the network has already checked.

>>> float(sigmoid(0.0))
0.5
>>> float(sigmoid(1000.0)), float(sigmoid(-1000.0))    # no overflow warning
(1.0, 0.0)
>>> softmax([[1.0, 1.0]]).tolist()
[[0.5, 0.5]]
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from ._checks import as_float_array, lookup

__all__ = [
    "Activation", "ACTIVATIONS", "get_activation",
    "step", "step_prime", "sigmoid", "sigmoid_prime", "tanh", "tanh_prime",
    "relu", "relu_prime", "leaky_relu", "leaky_relu_prime", "elu", "elu_prime",
    "identity", "identity_prime", "gaussian", "gaussian_prime",
    "softmax", "softmax_jacobian",
]


# --------------------------------------------------------------------------- kernels
# Unchecked: ``xi`` is already a float64 array. Each returns a new array (never a view of
# ``xi`` that a caller could modify by accident), except identity, whose output *is* xi.

def _step(xi):
    return (xi >= 0).astype(np.float64)


def _step_df(xi, y=None):
    return np.zeros_like(xi)


def _sigmoid(xi, lam=1.0):
    if lam == 1.0:
        z = xi
    else:
        with np.errstate(over="ignore"):   # λξ = ±inf is fine: σ is then exactly 0 or 1
            z = lam * xi
    # σ(z) = 1/(1 + e^-z) for z >= 0 and e^z/(1 + e^z) for z < 0: both need only e^-|z|,
    # which never overflows, and both keep full relative precision in the tails.
    # Written with in-place operations because large temporaries are what costs time here.
    e = np.abs(z)
    if not isinstance(e, np.ndarray):   # a 0-d input gives a numpy scalar
        e = np.asarray(e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    denominator = e + 1.0
    np.copyto(e, 1.0, where=z >= 0)
    e /= denominator
    return e


def _sigmoid_df(xi, y, lam=1.0):
    return lam * y * (1.0 - y)


def _tanh(xi):
    return np.tanh(xi)


def _tanh_df(xi, y):
    return 1.0 - y * y


def _relu(xi):
    return np.maximum(xi, 0.0)


def _relu_df(xi, y=None):
    # The derivative at 0 is taken as 0 (any value in [0, 1] is a subgradient).
    return (xi > 0).astype(np.float64)


def _relu_backward(xi, y, dE_dy):
    # dE_dy · σ'(ξ) with the 0/1 derivative used as a mask (no float temporary)
    return np.multiply(dE_dy, xi > 0)


def _leaky_relu(xi, alpha=0.01):
    return np.where(xi > 0, xi, alpha * xi)


def _leaky_relu_df(xi, y=None, alpha=0.01):
    return np.where(xi > 0, 1.0, alpha)


def _elu(xi, alpha=1.0):
    # expm1 only of the non-positive part: exp of a large positive xi would overflow.
    return np.where(xi > 0, xi, alpha * np.expm1(np.minimum(xi, 0.0)))


def _elu_df(xi, y=None, alpha=1.0):
    return np.where(xi > 0, 1.0, alpha * np.exp(np.minimum(xi, 0.0)))


def _identity(xi):
    return xi


def _identity_df(xi, y=None):
    return np.ones_like(xi)


def _gaussian(xi):
    return np.exp(-xi * xi)


def _gaussian_df(xi, y):
    return -2.0 * xi * y


def _softmax(xi):
    # Subtracting the row maximum leaves softmax unchanged and keeps exp() <= 1.
    e = np.exp(xi - xi.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _softmax_jacobian(xi, y):
    # J[..., r, s] = ∂y_r/∂ξ_s = y_r (δ_rs - y_s)
    return y[..., :, None] * (np.eye(y.shape[-1]) - y[..., None, :])


def _softmax_backward(xi, y, dE_dy):
    # Jacobian-vector product without building J: Σ_r dE/dy_r · y_r(δ_rs - y_s)
    return y * (dE_dy - (dE_dy * y).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- Activation

class Activation:
    """An output function σ together with its derivative.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"sigmoid"``.
    f : callable ``f(xi) -> y``
        The function, applied to an array of potentials of shape ``(N, n)`` (or any shape
        for elementwise functions).
    df : callable ``df(xi, y) -> dy_dxi``
        Elementwise functions: the derivative σ'(ξ), same shape as ``xi``. Softmax: the
        Jacobian, shape ``(N, n, n)``.
    elementwise : bool
        False for functions of a whole layer (softmax).
    params : dict, optional
        Parameters bound into ``f`` and ``df`` (``lam``, ``alpha``), shown by ``repr``.
    backward : callable ``backward(xi, y, dE_dy) -> dE_dxi``, optional
        A cheaper product than building ``df`` (softmax uses one).

    ``act(xi)`` checks ``xi`` and returns σ(ξ); ``act.derivative(xi)`` returns σ'(ξ);
    ``act.backward(xi, y, dE_dy)`` returns ``dE_dxi`` (shape ``(N, n)``), the chain rule
    step through σ used by backpropagation (notebook 07).
    """

    def __init__(self, name: str, f: Callable, df: Callable, elementwise: bool = True,
                 *, params: dict | None = None, backward: Callable | None = None):
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__}")
        if not callable(f) or not callable(df):
            raise TypeError("f and df must be callables f(xi) -> y and df(xi, y) -> dy_dxi")
        self.name = name
        self.f = f
        self.df = df
        self.elementwise = bool(elementwise)
        self.params = dict(params or {})
        self._custom_backward = backward

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name!r}{args})"

    def __call__(self, xi):
        return _scalar_if_0d(self.f(_xi(xi)))

    def derivative(self, xi):
        """σ'(ξ) for elementwise σ (same shape as ``xi``); the Jacobian for softmax."""
        xi = _xi(xi)
        return _scalar_if_0d(self.df(xi, self.f(xi)))

    def backward(self, xi, y, dE_dy):
        """``dE_dxi`` from ``dE_dy`` (all three of shape ``(N, n)``): the step through σ."""
        xi = as_float_array(xi, "xi")
        y = as_float_array(y, "y")
        dE_dy = as_float_array(dE_dy, "dE_dy")
        if not (xi.shape == y.shape == dE_dy.shape):
            raise ValueError(f"xi, y and dE_dy must have the same shape; got {xi.shape}, "
                             f"{y.shape} and {dE_dy.shape}")
        return self._backward(xi, y, dE_dy)

    def _backward(self, xi, y, dE_dy):
        # Unchecked version for the network's inner loop.
        if self._custom_backward is not None:
            return self._custom_backward(xi, y, dE_dy)
        if not self.elementwise:
            return np.einsum("...r,...rs->...s", dE_dy, self.df(xi, y))
        return dE_dy * self.df(xi, y)

    @property
    def is_default(self) -> bool:
        """True when the parameters are the registry's defaults (e.g. sigmoid with λ = 1)."""
        ref = ACTIVATIONS.get(self.name)
        return ref is not None and ref.params == self.params and ref.f.__name__ == self.f.__name__


def _xi(xi):
    return as_float_array(xi, "xi")


def _scalar_if_0d(arr):
    return arr[()] if isinstance(arr, np.ndarray) and arr.ndim == 0 else arr


def _check_param(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number; got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- public functions

def step(xi):
    """Unit step: 1 where ξ >= 0, else 0 (PV021's convention at 0). Shape of ``xi``."""
    return _scalar_if_0d(_step(_xi(xi)))


def step_prime(xi):
    """Derivative of the step: 0 everywhere it exists (undefined at 0; we return 0)."""
    return _scalar_if_0d(_step_df(_xi(xi)))


def sigmoid(xi, lam=1.0):
    """Logistic sigmoid 1/(1 + exp(-λξ)) with steepness ``lam`` (PV021's λ).

    Stable for any |ξ|: no overflow warning at ξ = ±1000. Shape of ``xi``.

    >>> round(float(sigmoid(0.3775)), 5)      # KTH deck, out_h1
    0.59327
    """
    lam = _check_param(lam, "lam")
    return _scalar_if_0d(_sigmoid(_xi(xi), lam))


def sigmoid_prime(xi, lam=1.0):
    """dσ/dξ = λ·σ(ξ)·(1 - σ(ξ)). Shape of ``xi``."""
    lam = _check_param(lam, "lam")
    xi = _xi(xi)
    return _scalar_if_0d(_sigmoid_df(xi, _sigmoid(xi, lam), lam))


def tanh(xi):
    """Hyperbolic tangent, range (-1, 1). Shape of ``xi``."""
    return _scalar_if_0d(_tanh(_xi(xi)))


def tanh_prime(xi):
    """1 - tanh(ξ)². Shape of ``xi``."""
    xi = _xi(xi)
    return _scalar_if_0d(_tanh_df(xi, _tanh(xi)))


def relu(xi):
    """Rectified linear unit max(0, ξ). Shape of ``xi``."""
    return _scalar_if_0d(_relu(_xi(xi)))


def relu_prime(xi):
    """1 where ξ > 0, else 0 (0 at ξ = 0 by convention). Shape of ``xi``."""
    return _scalar_if_0d(_relu_df(_xi(xi)))


def leaky_relu(xi, alpha=0.01):
    """ξ for ξ > 0, α·ξ otherwise. Shape of ``xi``."""
    alpha = _check_param(alpha, "alpha")
    return _scalar_if_0d(_leaky_relu(_xi(xi), alpha))


def leaky_relu_prime(xi, alpha=0.01):
    """1 for ξ > 0, α otherwise. Shape of ``xi``."""
    alpha = _check_param(alpha, "alpha")
    return _scalar_if_0d(_leaky_relu_df(_xi(xi), None, alpha))


def elu(xi, alpha=1.0):
    """Exponential linear unit: ξ for ξ > 0, α(e^ξ - 1) otherwise. Shape of ``xi``."""
    alpha = _check_param(alpha, "alpha")
    return _scalar_if_0d(_elu(_xi(xi), alpha))


def elu_prime(xi, alpha=1.0):
    """1 for ξ > 0, α·e^ξ otherwise. Shape of ``xi``."""
    alpha = _check_param(alpha, "alpha")
    return _scalar_if_0d(_elu_df(_xi(xi), None, alpha))


def identity(xi):
    """σ(ξ) = ξ (linear output units). Returns a copy. Shape of ``xi``."""
    return _scalar_if_0d(_xi(xi).copy())


def identity_prime(xi):
    """1 everywhere. Shape of ``xi``."""
    return _scalar_if_0d(_identity_df(_xi(xi)))


def gaussian(xi):
    """Gaussian bump exp(-ξ²), the output function of RBF units. Shape of ``xi``."""
    return _scalar_if_0d(_gaussian(_xi(xi)))


def gaussian_prime(xi):
    """-2ξ·exp(-ξ²). Shape of ``xi``."""
    xi = _xi(xi)
    return _scalar_if_0d(_gaussian_df(xi, _gaussian(xi)))


def softmax(xi):
    """Softmax over the last axis: y_j = exp(ξ_j) / Σ_r exp(ξ_r), each row sums to 1.

    ``xi`` of shape ``(N, n)`` (or ``(n,)`` for one sample); result of the same shape.
    Stable: the row maximum is subtracted first, so ξ = 1000 does not overflow.
    """
    xi = _xi(xi)
    if xi.ndim == 0:
        raise ValueError("xi must have at least one axis for softmax; got a scalar")
    return _softmax(xi)


def softmax_jacobian(xi):
    """The Jacobian ∂y_r/∂ξ_s = y_r(δ_rs - y_s) of softmax; shape ``(N, n, n)`` for ``(N, n)``."""
    xi = _xi(xi)
    if xi.ndim == 0:
        raise ValueError("xi must have at least one axis for softmax; got a scalar")
    return _softmax_jacobian(xi, _softmax(xi))


# --------------------------------------------------------------------------- registry

def _make(name, **params):
    """Build the Activation ``name`` with its parameters bound (validated here, once)."""
    if name == "sigmoid":
        lam = _check_param(params.pop("lam", 1.0), "lam")
        _no_more(name, params)
        if lam == 1.0:
            return Activation("sigmoid", _sigmoid, _sigmoid_df, params={"lam": 1.0})
        return Activation("sigmoid", lambda xi: _sigmoid(xi, lam),
                          lambda xi, y: _sigmoid_df(xi, y, lam), params={"lam": lam})
    if name in ("leaky_relu", "elu"):
        default = 0.01 if name == "leaky_relu" else 1.0
        alpha = _check_param(params.pop("alpha", default), "alpha")
        _no_more(name, params)
        f, df = (_leaky_relu, _leaky_relu_df) if name == "leaky_relu" else (_elu, _elu_df)
        return Activation(name, lambda xi: f(xi, alpha), lambda xi, y: df(xi, y, alpha),
                          params={"alpha": alpha})
    _no_more(name, params)
    simple = {
        "step": (_step, _step_df), "tanh": (_tanh, _tanh_df),
        "identity": (_identity, _identity_df), "gaussian": (_gaussian, _gaussian_df),
    }
    if name in simple:
        return Activation(name, *simple[name])
    if name == "relu":
        return Activation("relu", _relu, _relu_df, backward=_relu_backward)
    if name == "softmax":
        return Activation("softmax", _softmax, _softmax_jacobian, elementwise=False,
                          backward=_softmax_backward)
    raise AssertionError(name)  # pragma: no cover - names come from _NAMES


def _no_more(name, params):
    if params:
        raise ValueError(f"activation {name!r} got unexpected parameter(s) {sorted(params)}")


_NAMES = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "identity", "gaussian",
          "softmax")

#: name -> Activation with default parameters
ACTIVATIONS: dict[str, Activation] = {name: _make(name) for name in _NAMES}


def get_activation(spec, **params) -> Activation:
    """The :class:`Activation` for ``spec``: a registry name or an ``Activation``.

    Keyword parameters (``lam`` for the sigmoid, ``alpha`` for leaky ReLU and ELU) build a
    new Activation with those values.

    >>> get_activation("sigmoid", lam=2.0)
    Activation('sigmoid', lam=2.0)
    >>> get_activation("sigmoind")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'sigmoind'; expected one of ['elu', 'gaussian', ...]
    """
    if isinstance(spec, Activation):
        if params:
            raise ValueError("parameters can only be given together with an activation name; "
                             f"got an Activation object and {sorted(params)}")
        return spec
    act = lookup(ACTIVATIONS, spec, "activation", Activation, "an")
    return _make(act.name, **params) if params else act
