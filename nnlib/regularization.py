"""Regularisation: penalties on the weights and dropout (notebook 10).

Penalties are added to the data error E; their gradients are added to ∂E/∂W. Only weights
are penalised, never biases (a bias only shifts a boundary; shrinking it buys no
smoothness):

* L2, weight decay: Ω = (λ/2) Σ w²,  ∂Ω/∂w = λ w. A gradient step then reads
  w ← w - γ(∂E/∂w + λ w) = (1 - γλ) w - γ ∂E/∂w: every step first shrinks ("decays") w.
* L1: Ω = λ Σ |w|,  ∂Ω/∂w = λ sign(w) (0 at w = 0). The pull towards zero does not fade
  as w gets small, so many weights end at (or hover around) exactly zero: sparsity.

Dropout (Srivastava et al. 2014) is a layer between a hidden layer's output y and the next
layer. In training each unit is kept with probability 1 - p and zeroed with probability p;
*inverted* dropout divides the kept outputs by 1 - p so that the expected output is y, and
at inference the layer is the identity. (The original paper scales by 1 - p at inference
instead; the expected values are the same.) Forward and backward, CS231n-style:

    out, mask = dropout_forward(y, p, rng)        # mask = keep / (1 - p), shape of y
    dE_dy     = dropout_backward(dE_dout, mask)   # = dE_dout * mask

>>> W = np.array([[1.0, -2.0], [0.0, 3.0]])
>>> round(l2_penalty([W], 0.5), 12), l2_grad(W, 0.5).tolist()      # ½·0.5·(1 + 4 + 9)
(3.5, [[0.5, -1.0], [0.0, 1.5]])
>>> l1_penalty([W], 0.5), l1_grad(W, 0.5).tolist()                  # 0.5·(1 + 2 + 3)
(3.0, [[0.5, -0.5], [0.0, 0.5]])
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_rng, check_positive

__all__ = ["l2_penalty", "l2_grad", "l1_penalty", "l1_grad", "dropout_forward",
           "dropout_backward", "dropout_mask"]


def _weights(W_list):
    if isinstance(W_list, np.ndarray):
        W_list = [W_list]
    return [as_float_array(W, f"W[{i}]") for i, W in enumerate(W_list)]


def l2_penalty(W_list, lam) -> float:
    """Ω = (λ/2) Σ_l ‖W[l]‖² over a list of weight arrays (or one array)."""
    lam = check_positive(lam, "lam", allow_zero=True)
    return 0.5 * lam * float(sum(np.sum(W ** 2) for W in _weights(W_list)))


def l2_grad(W, lam):
    """∂Ω/∂W = λ W, shape of ``W``."""
    return check_positive(lam, "lam", allow_zero=True) * as_float_array(W, "W")


def l1_penalty(W_list, lam) -> float:
    """Ω = λ Σ_l Σ |W[l]| over a list of weight arrays (or one array)."""
    lam = check_positive(lam, "lam", allow_zero=True)
    return lam * float(sum(np.sum(np.abs(W)) for W in _weights(W_list)))


def l1_grad(W, lam):
    """∂Ω/∂W = λ sign(W) (the subgradient 0 where W = 0), shape of ``W``."""
    return check_positive(lam, "lam", allow_zero=True) * np.sign(as_float_array(W, "W"))


def _check_p(p):
    p = check_positive(p, "p", allow_zero=True)
    if p >= 1.0:
        raise ValueError(f"p (the probability of dropping a unit) must lie in [0, 1); got {p}")
    return p


def dropout_mask(shape, p, rng):
    """Inverted-dropout mask of ``shape``: 1/(1-p) with probability 1-p, else 0."""
    p = _check_p(p)
    keep = as_rng(rng).random(shape) >= p
    return keep / (1.0 - p)


def dropout_forward(y, p, rng=None, *, train=True):
    """Inverted dropout on outputs ``y`` (N, n): returns ``(out, mask)``, both (N, n).

    ``train=False`` (inference) returns ``y`` unchanged and a mask of ones: the scaling by
    1/(1-p) in training already makes E[out] = y, so nothing is rescaled at test time.
    """
    y = as_float_array(y, "y")
    p = _check_p(p)
    if not train or p == 0.0:
        return y.copy(), np.ones_like(y)
    mask = dropout_mask(y.shape, p, rng)
    return y * mask, mask


def dropout_backward(dE_dout, mask):
    """∂E/∂y = ∂E/∂out · mask (out = y · mask), shape (N, n) like both arguments."""
    dE_dout = as_float_array(dE_dout, "dE_dout")
    mask = as_float_array(mask, "mask")
    if dE_dout.shape != mask.shape:
        raise ValueError(f"dE_dout and mask must have the same shape; got {dE_dout.shape} "
                         f"and {mask.shape}")
    return dE_dout * mask
