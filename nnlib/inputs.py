"""Input functions: how a layer turns the previous layer's outputs into potentials ξ.

Taught in notebooks 01 (weighted sum of a neuron) and 02 (RBF units in a network).

Two input functions, each a forward/backward pair in the CS231n style:

* ``weighted_sum``:     ξ = y_prev @ W + b, i.e. ξ_j = Σ_i y_i·W[i, j] + b_j
* ``squared_distance``: ξ_j = Σ_i (y_i - W[i, j])² + b_j, the squared distance of the input
  from the centre ``W[:, j]`` (an RBF unit; see the note below)

Shapes (batch of N samples): ``y_prev`` (N, n_prev), ``W`` (n_prev, n), ``b`` (n,),
``xi`` (N, n). ``backward(y_prev, W, b, dE_dxi)`` returns ``(dE_dy_prev, dE_dW, dE_db)``
with the shapes of ``y_prev``, ``W`` and ``b``; with ``need_dy=False`` it skips
``dE_dy_prev`` (returns None), which the first layer never needs.

Note on RBF units: with ``squared_distance`` and the ``gaussian`` activation exp(-ξ²) the
unit outputs exp(-(‖y - c‖² + b)²); the bias b shifts the squared distance. Use the
``identity`` of a later layer to combine RBF outputs linearly.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import as_float_array, lookup

__all__ = ["InputFunction", "weighted_sum", "squared_distance", "get_input_function",
           "INPUT_FUNCTIONS"]


class InputFunction:
    """A forward/backward pair computing a layer's potentials from the previous outputs.

    ``forward(y_prev, W, b) -> xi`` and ``backward(y_prev, W, b, dE_dxi, need_dy=True) ->
    (dE_dy_prev, dE_dW, dE_db)`` are unchecked kernels (the network validates once);
    ``inp(y_prev, W, b)`` is the checked forward for interactive use.
    """

    def __init__(self, name: str, forward: Callable, backward: Callable):
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__}")
        if not callable(forward) or not callable(backward):
            raise TypeError("forward and backward must be callables")
        self.name = name
        self.forward = forward
        self.backward = backward

    def __repr__(self):
        return f"InputFunction({self.name!r})"

    def __call__(self, y_prev, W, b):
        """Checked forward pass: ``y_prev`` (N, n_prev), ``W`` (n_prev, n), ``b`` (n,) -> (N, n)."""
        y_prev, W, b = check_layer_args(y_prev, W, b)
        return self.forward(y_prev, W, b)


def check_layer_args(y_prev, W, b):
    """Validate and convert the arguments of one layer (no broadcasting)."""
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W of shape {W.shape}; "
                         f"got {b.shape}")
    y_prev = as_float_array(y_prev, "y_prev", ndim=2)
    if y_prev.shape[1] != W.shape[0]:
        raise ValueError(f"y_prev must have shape (N, {W.shape[0]}) to match W of shape "
                         f"{W.shape}; got {y_prev.shape}")
    return y_prev, W, b


# --------------------------------------------------------------------------- weighted sum

def _weighted_sum_forward(y_prev, W, b):
    xi = y_prev @ W
    xi += b
    return xi


def _weighted_sum_backward(y_prev, W, b, dE_dxi, need_dy=True):
    # ξ_kj = Σ_i y_ki W_ij + b_j  =>  ∂ξ_kj/∂W_ij = y_ki, ∂ξ_kj/∂y_ki = W_ij, ∂ξ_kj/∂b_j = 1
    dE_dW = y_prev.T @ dE_dxi
    dE_db = dE_dxi.sum(axis=0)
    dE_dy_prev = dE_dxi @ W.T if need_dy else None
    return dE_dy_prev, dE_dW, dE_db


# --------------------------------------------------------------------------- squared distance

def _squared_distance_forward(y_prev, W, b):
    # ‖y - c‖² = ‖y‖² - 2 y·c + ‖c‖²: one matrix product instead of an (N, n_prev, n) array.
    dist = (y_prev * y_prev).sum(axis=1)[:, None] - 2.0 * (y_prev @ W) + (W * W).sum(axis=0)
    # Rounding can make a true zero distance slightly negative.
    np.maximum(dist, 0.0, out=dist)
    dist += b
    return dist


def _squared_distance_backward(y_prev, W, b, dE_dxi, need_dy=True):
    # ∂ξ_kj/∂y_ki = 2(y_ki - W_ij),  ∂ξ_kj/∂W_ij = -2(y_ki - W_ij),  ∂ξ_kj/∂b_j = 1
    col = dE_dxi.sum(axis=0)                      # Σ_k dE/dξ_kj
    dE_dW = -2.0 * (y_prev.T @ dE_dxi - W * col)
    dE_db = col
    dE_dy_prev = None
    if need_dy:
        dE_dy_prev = 2.0 * (y_prev * dE_dxi.sum(axis=1, keepdims=True) - dE_dxi @ W.T)
    return dE_dy_prev, dE_dW, dE_db


weighted_sum = InputFunction("weighted_sum", _weighted_sum_forward, _weighted_sum_backward)
squared_distance = InputFunction("squared_distance", _squared_distance_forward,
                                 _squared_distance_backward)

#: name -> InputFunction
INPUT_FUNCTIONS: dict[str, InputFunction] = {
    "weighted_sum": weighted_sum,
    "squared_distance": squared_distance,
}


def get_input_function(spec) -> InputFunction:
    """The :class:`InputFunction` for a name (``"weighted_sum"``, ``"squared_distance"``)
    or an ``InputFunction`` object.

    >>> get_input_function("weighted_sum")
    InputFunction('weighted_sum')
    """
    return lookup(INPUT_FUNCTIONS, spec, "input function", InputFunction, "an")
