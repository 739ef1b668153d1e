"""The unchecked backward-pass kernels shared by backprop, train and gradcheck.

This module sits below those three (it needs only ``network`` and ``losses``), so none of
them imports a private helper of a sibling. Everything here trusts its arguments: the public
functions validate first (``check_data`` is the shared validation of a batch).

Shapes: ``X`` (N, n_0), ``d`` (N, n_L); ``dW[l-1]`` like ``net.W[l-1]`` (n_{l-1}, n_l) and
``db[l-1]`` like ``net.b[l-1]`` (n_l,).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array


def fused_delta(loss, act):
    """The shortcut ∂E_k/∂ξ = y - d when the loss has one for this output activation."""
    delta = loss.fused.get(act.name)
    return delta if delta is not None and act.is_default else None


def output_delta(net, loss, xi_L, y_L, d):
    """∂E_k/∂ξ of the output layer, (N, n_L)."""
    act = net.activations[-1]
    delta = fused_delta(loss, act)
    if delta is not None:
        return delta(y_L, d)
    return act._backward(xi_L, y_L, loss.grad(y_L, d))


def backward_from_delta(net, xi, y, dE_dxi, masks=None):
    """Backward pass from the output layer's ∂E/∂ξ; returns the lists (dW, db).

    ``masks[l]`` (optional, (N, n_l) for hidden layers l = 1..L-1) are the dropout masks the
    forward pass multiplied into y[l]; ``y`` then holds the *masked* outputs, which the next
    layer saw, and the activation's backward step needs the unmasked ones: y[l] / mask is
    not safe (mask entries are 0), so the activation is re-evaluated from ξ instead.
    """
    L = net.L
    dW, db = [None] * L, [None] * L
    for l in range(L, 0, -1):
        dE_dy_prev, dW[l - 1], db[l - 1] = net.inputs[l - 1].backward(
            y[l - 1], net.W[l - 1], net.b[l - 1], dE_dxi, need_dy=l > 1)
        if l > 1:
            act = net.activations[l - 2]
            y_act = y[l - 1]
            if masks is not None and masks[l - 1] is not None:
                dE_dy_prev = dE_dy_prev * masks[l - 1]      # ∂ỹ/∂y = mask
                y_act = act.f(xi[l - 1])
            dE_dxi = act._backward(xi[l - 1], y_act, dE_dy_prev)
    return dW, db


def forward(net, X, masks=None):
    """Forward pass (xi, y lists) with optional dropout masks multiplied into hidden outputs."""
    if masks is None:
        return net._forward(X)
    xi, y = [None], [X]
    for l, (W, b, act, inp) in enumerate(zip(net.W, net.b, net.activations, net.inputs), 1):
        potential = inp.forward(y[-1], W, b)
        xi.append(potential)
        out = act.f(potential)
        if l < net.L and masks[l] is not None:
            out = out * masks[l]
        y.append(out)
    return xi, y


def loss_and_grads(net, X, d, loss, scale=1.0, masks=None):
    """E (sum over the batch, times ``scale``) and the gradient lists (dW, db) of that E."""
    xi, y = forward(net, X, masks)
    E = float(loss.value(y[-1], d).sum()) * scale
    delta = output_delta(net, loss, xi[-1], y[-1], d)
    if scale != 1.0:
        delta = np.multiply(delta, scale, out=delta if delta is not y[-1] else None)
    dW, db = backward_from_delta(net, xi, y, delta, masks)
    return E, dW, db


def check_data(net, X, d, loss):
    """Validate a batch for ``net`` and ``loss``: X (N, n_0), d (N, n_L), matching N."""
    X = net.check_X(X)
    d_arr = as_float_array(d, "d")
    if d_arr.ndim == 1 and net.sizes[-1] == 1 and X.shape[0] > 1 and d_arr.shape[0] == X.shape[0]:
        raise ValueError(f"d must have shape ({X.shape[0]}, 1) for one output unit; got "
                         f"{d_arr.shape} (use d.reshape(-1, 1))")
    if d_arr.ndim == 1 and X.shape[0] == 1:
        d_arr = d_arr[np.newaxis, :]
    n_L = net.sizes[-1]
    if d_arr.ndim == 1 and loss.name == "cross_entropy":
        raise ValueError(f"cross_entropy needs one-hot targets d of shape ({X.shape[0]}, "
                         f"{n_L}); got labels of shape {d_arr.shape}; use "
                         f"to_one_hot(labels, {n_L})")
    if d_arr.shape != (X.shape[0], n_L):
        raise ValueError(f"d must have shape ({X.shape[0]}, {n_L}) (one row per sample of X, "
                         f"one column per output unit); got {d_arr.shape}")
    loss.check_targets(d_arr)
    return X, d_arr
