"""Gradient checking by central differences (taught in notebook 06).

A derivative computed by hand or by backpropagation is checked against

    ∂f/∂x_i ≈ (f(x + h·e_i) - f(x - h·e_i)) / (2h)

whose error shrinks like h² (one-sided differences only like h). The agreement is measured
by the relative error max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-12): around 1e-7 or less
means the gradient is right (in float64), 1e-2 or more means a bug.

>>> import numpy as np
>>> g = numerical_gradient(lambda x: float((x ** 2).sum()), np.array([1.0, -2.0]))
>>> np.round(g, 6).tolist()
[2.0, -4.0]
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._backward import check_data, loss_and_grads
from ._checks import as_float_array, check_positive
from .losses import get_loss
from .network import Network

__all__ = ["numerical_gradient", "relative_error", "check_gradients"]


def numerical_gradient(f: Callable, x, h: float = 1e-5):
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape).

    ``x`` is perturbed in place, one entry at a time, and restored afterwards, so ``f`` may
    read ``x`` through a reference (e.g. a network's weight array). Returns an array of the
    shape of ``x``.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable f(x) -> float; got {type(f).__name__}")
    h = check_positive(h, "h")
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        x = as_float_array(x, "x").copy()
    elif not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf; every entry must be a finite number")
    if not x.flags.c_contiguous:
        raise ValueError("x must be a C-contiguous array so it can be perturbed in place; "
                         "pass np.ascontiguousarray(x)")
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        f_plus = _scalar(f(x))
        flat_x[i] = old - h
        f_minus = _scalar(f(x))
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def _scalar(value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"f must return a scalar; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def relative_error(a, b) -> float:
    """max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-12), for arrays of the same shape.

    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def check_gradients(net: Network, X, d, loss="half_sse", h: float = 1e-5) -> float:
    """Max relative error between backprop's gradient of E = Σ_k E_k and central differences
    over every weight and bias of ``net``. ``X`` (N, n_0), ``d`` (N, n_L).

    The network's parameters are unchanged afterwards.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    loss = get_loss(loss)
    h = check_positive(h, "h")
    X, d = check_data(net, X, d, loss)
    _, dW, db = loss_and_grads(net, X, d, loss)
    analytic, numeric = [], []

    def E(_):
        return float(loss.value(net._forward(X)[1][-1], d).sum())

    for p, g in zip(net.params(), [a for pair in zip(dW, db) for a in pair]):
        numeric.append(numerical_gradient(E, p, h).ravel())
        analytic.append(g.ravel())
    return relative_error(np.concatenate(analytic), np.concatenate(numeric))
