"""Per-layer statistics of a network on a batch: are signals and gradients healthy? (notebook 10)

For every weight layer l = 1..L, computed on one batch ``X`` (N, n_0), ``d`` (N, n_L):

* ``act_mean[l-1]``, ``act_std[l-1]``: mean and standard deviation of the outputs y[l] over
  all samples and units (saturated sigmoids show as std near 0 or outputs piled at 0 and 1);
* ``xi_std[l-1]``: standard deviation of the potentials ξ[l] (the variance argument of
  Xavier and He initialisation keeps it near 1 from layer to layer);
* ``grad_norm[l-1]``: ‖∂E/∂W[l-1]‖ (Frobenius), with E the *mean* error over the batch, so
  batches of different sizes compare (vanishing gradients: it shrinks towards the input).

>>> from nnlib.network import Network
>>> net = Network.from_sizes("2-3-1", "tanh", seed=0)
>>> s = layer_stats(net, np.ones((4, 2)), np.zeros((4, 1)))
>>> s.grad_norm.shape
(2,)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._backward import check_data, loss_and_grads
from .losses import get_loss
from .network import Network

__all__ = ["LayerStats", "layer_stats"]


@dataclass
class LayerStats:
    """Arrays of shape (L,), one entry per weight layer (index l-1 for layer l)."""

    act_mean: np.ndarray
    act_std: np.ndarray
    xi_std: np.ndarray
    grad_norm: np.ndarray


def layer_stats(net: Network, X, d, loss="half_sse") -> LayerStats:
    """Statistics of y[l], ξ[l] and ∂E/∂W[l-1] for every layer (module docstring)."""
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    loss = get_loss(loss)
    X, d = check_data(net, X, d, loss)
    xi, y = net._forward(X)
    _, dW, _ = loss_and_grads(net, X, d, loss, 1.0 / X.shape[0])
    return LayerStats(
        act_mean=np.array([y[l].mean() for l in range(1, net.L + 1)]),
        act_std=np.array([y[l].std() for l in range(1, net.L + 1)]),
        xi_std=np.array([xi[l].std() for l in range(1, net.L + 1)]),
        grad_norm=np.array([np.linalg.norm(g) for g in dW]),
    )
