"""Backpropagation: the gradient of the error with respect to every weight and bias.

Two implementations that the tests hold equal:

* :func:`backward` -- vectorised over the batch, layer by layer (notebook 07). For layer
  l = L..1 it turns ∂E/∂y[l] into ∂E/∂ξ[l] (the activation's backward step, a Jacobian
  product for softmax) and then into ∂E/∂W, ∂E/∂b and ∂E/∂y[l-1] (the input function's
  backward step).
* :func:`backward_by_unit` -- PV021's recursion written literally with loops over samples
  and units (notebook 06), for reading, not for speed:

      ∂E_k/∂y_j  = y_j - d_kj                                 j an output unit (half_sse)
      ∂E_k/∂y_j  = Σ_r ∂E_k/∂y_r · σ'_r(ξ_r) · w_rj           j a hidden unit, r over j's successors
      ∂E_k/∂w_ji = ∂E_k/∂y_j · σ'_j(ξ_j) · y_i                and ∂E/∂w_ji = Σ_k ∂E_k/∂w_ji

PV021 writes w_ji for the weight from i to j; here that weight is ``W[l-1][i, j]``. The
bias b_j is added to ξ_j, so ∂E_k/∂b_j = ∂E_k/∂y_j · σ'_j(ξ_j) (PV021's w_j0 with y_0 = 1).

Shapes: ``Gradients.dW[l-1]`` like ``net.W[l-1]`` (n_{l-1}, n_l), ``Gradients.db[l-1]``
like ``net.b[l-1]`` (n_l,). Gradients are of E = Σ_k E_k unless ``reduction="mean"``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._backward import backward_from_delta, check_data, loss_and_grads, output_delta
from ._checks import as_float_array, check_choice
from .losses import check_pair, get_loss
from .network import ForwardPass, Network

__all__ = ["Gradients", "backward", "gradients", "backward_by_unit"]


@dataclass
class Gradients:
    """∂E/∂W and ∂E/∂b, one array per weight layer, shaped like ``net.W`` and ``net.b``."""

    dW: list
    db: list

    def flat(self):
        """All gradients in one 1D array, in the order of ``Network.get_flat``."""
        parts = []
        for dW, db in zip(self.dW, self.db):
            parts += [dW.ravel(), db.ravel()]
        return np.concatenate(parts)

    def __iter__(self):
        # Allows ``dW, db = grads``.
        return iter((self.dW, self.db))


# --------------------------------------------------------------------------- vectorised

def backward(net: Network, fp: ForwardPass, dE_dy=None, *, loss=None, d=None) -> Gradients:
    """Backward pass through ``net`` after the forward pass ``fp``.

    Give either ``dE_dy`` -- ∂E/∂y of the output layer, shape (N, n_L) -- or ``loss`` and
    the targets ``d`` (N, n_L); with a loss, the fused delta y - d is used when the output
    activation allows it (sigmoid + bce, softmax + cross_entropy).

    >>> import numpy as np
    >>> net = Network([np.array([[2.0]])], [np.array([0.0])], "identity")
    >>> fp = net.forward(np.array([[3.0]]))
    >>> g = backward(net, fp, loss="half_sse", d=np.array([[1.0]]))  # E = ½(2·3 - 1)²
    >>> g.dW[0].tolist(), g.db[0].tolist()
    ([[15.0]], [5.0])
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    if not isinstance(fp, ForwardPass):
        raise TypeError(f"fp must be the ForwardPass returned by net.forward(X); got "
                        f"{type(fp).__name__}")
    if len(fp.y) != net.L + 1:
        raise ValueError(f"fp has {len(fp.y)} layers of outputs but net needs L + 1 = "
                         f"{net.L + 1}; pass the ForwardPass of this network")
    y_L, xi_L = fp.y[-1], fp.xi[-1]
    if (dE_dy is None) == (loss is None):
        raise ValueError("give either dE_dy (the output gradient) or loss and d, not both "
                         "and not neither")
    if dE_dy is not None:
        if d is not None:
            raise ValueError("d is only used together with loss; got dE_dy and d")
        dE_dy = as_float_array(dE_dy, "dE_dy")
        if dE_dy.shape != y_L.shape:
            raise ValueError(f"dE_dy must have the shape of the output y[L] {y_L.shape}; "
                             f"got {dE_dy.shape}")
        delta = net.activations[-1]._backward(xi_L, y_L, dE_dy)
    else:
        if d is None:
            raise ValueError("loss needs the targets d of shape (N, n_L)")
        loss = get_loss(loss)
        _, d = check_pair(loss, y_L, d, "y[L]", "d")
        delta = output_delta(net, loss, xi_L, y_L, d)
    dW, db = backward_from_delta(net, fp.xi, fp.y, delta)
    return Gradients(dW, db)


def gradients(net: Network, X, d, loss="half_sse", reduction="sum"):
    """The error E of the batch and its gradient with respect to all parameters.

    ``X`` (N, n_0), ``d`` (N, n_L). Returns ``(E, Gradients)``; with ``reduction="mean"``
    both are divided by N.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    loss = get_loss(loss)
    reduction = check_choice(reduction, "reduction", ("sum", "mean"))
    X, d = check_data(net, X, d, loss)
    scale = 1.0 if reduction == "sum" else 1.0 / X.shape[0]
    E, dW, db = loss_and_grads(net, X, d, loss, scale)
    return E, Gradients(dW, db)


# --------------------------------------------------------------------------- unit by unit

def backward_by_unit(net: Network, X, d, loss="half_sse") -> Gradients:
    """PV021's backpropagation, one sample k and one unit j at a time (plain Python loops).

    Same result as :func:`gradients` (E = Σ_k E_k); meant to be read next to the lecture
    (notebook 06) and to check the vectorised code, not to be fast.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    loss = get_loss(loss)
    _check_input_names(net)
    X, d = check_data(net, X, d, loss)
    L = net.L
    # ℰ_ji := 0 -- the accumulators for ∂E/∂w_ji, summed over the samples k
    dW = [np.zeros_like(W) for W in net.W]
    db = [np.zeros_like(b) for b in net.b]

    for k in range(X.shape[0]):
        # 1. forward pass for sample k: ξ_j and y_j of every unit
        xi, y = net._forward(X[k:k + 1])
        xi = [None] + [v[0] for v in xi[1:]]
        y = [v[0] for v in y]

        # 2. backward pass: ∂E_k/∂y_j for every unit, from the output layer down
        dE_dy = [np.zeros_like(v) for v in y]
        if loss.name == "half_sse":
            for j in range(net.sizes[L]):
                dE_dy[L][j] = y[L][j] - d[k, j]
        else:
            # other losses: ∂E_k/∂y_j from the loss's own derivative
            dE_dy[L][:] = loss.grad(y[L][None, :], d[k:k + 1])[0]

        for l in range(L, 0, -1):
            # σ'_r(ξ_r) for every unit r of layer l (dy_dxi[r, s] for softmax)
            dy_dxi = _unit_derivatives(net.activations[l - 1], xi[l], y[l])
            # ∂E_k/∂ξ_r = ∂E_k/∂y_r · σ'_r(ξ_r)
            dE_dxi = np.zeros(net.sizes[l])
            for r in range(net.sizes[l]):
                if dy_dxi.ndim == 1:
                    dE_dxi[r] = dE_dy[l][r] * dy_dxi[r]
                else:  # softmax: y_s depends on every ξ_r of its layer
                    dE_dxi[r] = sum(dE_dy[l][s] * dy_dxi[s, r] for s in range(net.sizes[l]))

            # 3. ∂E_k/∂w_ji = ∂E_k/∂y_j · σ'_j(ξ_j) · ∂ξ_j/∂w_ji, added to ℰ_ji
            W, name = net.W[l - 1], net.inputs[l - 1].name
            for j in range(net.sizes[l]):
                for i in range(net.sizes[l - 1]):
                    if name == "weighted_sum":
                        dxi_dw = y[l - 1][i]                          # ξ_j = Σ_i w_ji y_i + b_j
                    else:
                        dxi_dw = -2.0 * (y[l - 1][i] - W[i, j])       # ξ_j = Σ (y_i - w_ji)² + b_j
                    dW[l - 1][i, j] += dE_dxi[j] * dxi_dw
                db[l - 1][j] += dE_dxi[j]

            # hidden units i of layer l-1: ∂E_k/∂y_i = Σ_r ∂E_k/∂y_r · σ'_r(ξ_r) · ∂ξ_r/∂y_i
            if l > 1:
                for i in range(net.sizes[l - 1]):
                    total = 0.0
                    for r in range(net.sizes[l]):
                        if name == "weighted_sum":
                            dxi_dy = W[i, r]                          # the lecture's w_ri
                        else:
                            dxi_dy = 2.0 * (y[l - 1][i] - W[i, r])
                        total += dE_dxi[r] * dxi_dy
                    dE_dy[l - 1][i] = total
    return Gradients(dW, db)


def _unit_derivatives(act, xi, y):
    """σ'(ξ_r) per unit (1D), or the Jacobian ∂y_s/∂ξ_r (2D) for a softmax layer."""
    if act.elementwise:
        return act.df(xi, y)
    return act.df(xi[None, :], y[None, :])[0]


def _check_input_names(net):
    for f in net.inputs:
        if f.name not in ("weighted_sum", "squared_distance"):
            raise ValueError(f"backward_by_unit knows the input functions 'weighted_sum' and "
                             f"'squared_distance'; got {f.name!r}")
