"""Error (loss) functions with their gradients (taught in notebook 08; E_k in 06-07).

Every loss is given per sample: for network outputs ``y`` and targets ``d`` of shape
(N, m), ``value(y, d)`` returns the N errors E_k, and ``grad(y, d)`` the (N, m) array
∂E_k/∂y. The error of a batch is E = Σ_k E_k (the lectures' convention; ``reduction=
"mean"`` divides by N).

=================  ====================================  =================================
name               E_k                                    used in
=================  ====================================  =================================
``half_sse``       ½ Σ_j (y_j - d_j)²                     PV021, KTH  (∂E_k/∂y_j = y_j - d_j)
``sse``            Σ_j (y_j - d_j)²                       Rostock's E = (N(x) - z)²
``mse``            (1/m) Σ_j (y_j - d_j)²                 I2DL
``l1``             Σ_j |y_j - d_j|                        (derivative sign(y - d), 0 at 0)
``bce``            -Σ_j [d_j ln y_j + (1-d_j) ln(1-y_j)]  sigmoid outputs, d in [0, 1]
``cross_entropy``  -Σ_j d_j ln y_j                        softmax outputs, one-hot d
=================  ====================================  =================================

Fused deltas: with a sigmoid (λ = 1) output and ``bce``, or a softmax output and
``cross_entropy``, the chain rule collapses to ∂E_k/∂ξ = y - d. ``Loss.fused`` maps the
activation name to that shortcut; backprop uses it, which is both faster and exact even
when y has rounded to 0 or 1.

Logarithms are taken of y clipped to [EPS, 1 - EPS] with EPS = 1e-15, so a saturated
output gives a large but finite error (-ln 1e-15 ≈ 34.5) rather than inf.

>>> import numpy as np
>>> round(loss_value("half_sse", np.array([[0.75136507, 0.77292847]]), np.array([[0.01, 0.99]])), 5)
0.29837
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import as_batch, as_float_array, check_choice, check_int, lookup

__all__ = ["Loss", "LOSSES", "get_loss", "loss_value", "to_one_hot", "EPS",
           "half_sse", "sse", "mse", "l1", "bce", "cross_entropy"]

EPS = 1e-15


class Loss:
    """A per-sample error function with its gradient.

    ``value(y, d) -> (N,)``, ``grad(y, d) -> (N, m)`` and the ``fused`` deltas
    ``{activation name: delta(y, d) -> dE_k/dxi (N, m)}`` are unchecked kernels;
    ``check_targets(d)`` validates the encoding of ``d`` (e.g. one-hot rows).
    ``loss(y, d)`` is the checked batch error E = Σ_k E_k.
    """

    def __init__(self, name: str, value: Callable, grad: Callable, fused: dict | None = None,
                 check_targets: Callable | None = None):
        if not isinstance(name, str):
            raise TypeError(f"name must be a string; got {type(name).__name__}")
        if not callable(value) or not callable(grad):
            raise TypeError("value and grad must be callables of (y, d)")
        self.name = name
        self.value = value
        self.grad = grad
        self.fused = dict(fused or {})
        self._check_targets = check_targets

    def __repr__(self):
        return f"Loss({self.name!r})"

    def __call__(self, y, d, reduction="sum"):
        return loss_value(self, y, d, reduction)

    def check_targets(self, d):
        """Raise ValueError if ``d`` (float array) is not encoded as this loss needs."""
        if self._check_targets is not None:
            self._check_targets(d)


# --------------------------------------------------------------------------- kernels

def _half_sse(y, d):
    r = y - d
    return 0.5 * (r * r).sum(axis=1)


def _half_sse_grad(y, d):
    return y - d


def _sse(y, d):
    r = y - d
    return (r * r).sum(axis=1)


def _sse_grad(y, d):
    return 2.0 * (y - d)


def _mse(y, d):
    r = y - d
    return (r * r).mean(axis=1)


def _mse_grad(y, d):
    return (2.0 / y.shape[1]) * (y - d)


def _l1(y, d):
    return np.abs(y - d).sum(axis=1)


def _l1_grad(y, d):
    return np.sign(y - d)


def _bce(y, d):
    p = np.clip(y, EPS, 1.0 - EPS)
    return -(d * np.log(p) + (1.0 - d) * np.log1p(-p)).sum(axis=1)


def _bce_grad(y, d):
    p = np.clip(y, EPS, 1.0 - EPS)
    return (p - d) / (p * (1.0 - p))


def _cross_entropy(y, d):
    return -(d * np.log(np.clip(y, EPS, 1.0))).sum(axis=1)


def _cross_entropy_grad(y, d):
    return -d / np.clip(y, EPS, 1.0)


def _y_minus_d(y, d):
    return y - d


def _check_unit_interval(d):
    if d.size and (d.min() < 0.0 or d.max() > 1.0):
        raise ValueError(f"bce needs targets d in [0, 1] (0/1 labels or probabilities); got "
                         f"values from {d.min():g} to {d.max():g}")


def _check_one_hot(d):
    if d.ndim != 2:
        raise ValueError(f"cross_entropy needs one-hot targets d of shape (N, m); got shape "
                         f"{d.shape}; use to_one_hot(labels, m)")
    if d.size and (d.min() < 0.0 or d.max() > 1.0
                   or not np.allclose(d.sum(axis=1), 1.0, rtol=0, atol=1e-9)):
        raise ValueError("cross_entropy needs one-hot targets d (entries in [0, 1], every row "
                         "summing to 1); got rows that are not -- integer labels must be "
                         "converted with to_one_hot(labels, m)")


half_sse = Loss("half_sse", _half_sse, _half_sse_grad)
sse = Loss("sse", _sse, _sse_grad)
mse = Loss("mse", _mse, _mse_grad)
l1 = Loss("l1", _l1, _l1_grad)
bce = Loss("bce", _bce, _bce_grad, fused={"sigmoid": _y_minus_d},
           check_targets=_check_unit_interval)
cross_entropy = Loss("cross_entropy", _cross_entropy, _cross_entropy_grad,
                     fused={"softmax": _y_minus_d}, check_targets=_check_one_hot)

#: name -> Loss
LOSSES: dict[str, Loss] = {loss.name: loss for loss in
                           (half_sse, sse, mse, l1, bce, cross_entropy)}


def get_loss(spec) -> Loss:
    """The :class:`Loss` for a name in :data:`LOSSES` or a ``Loss`` object.

    >>> get_loss("cross_entropy")
    Loss('cross_entropy')
    """
    return lookup(LOSSES, spec, "loss", Loss)


def check_pair(loss: Loss, y, d, y_name="y", d_name="d"):
    """Validate outputs ``y`` and targets ``d`` for ``loss``: same 2D shape, finite, encoded.

    A 1D ``y`` and ``d`` are one sample. Returns both as float64 (N, m) arrays.
    """
    y = as_batch(y, y_name)
    d_arr = as_float_array(d, d_name)
    if d_arr.ndim == 1 and y.shape[0] > 1 and d_arr.shape[0] == y.shape[0]:
        if loss.name == "cross_entropy":
            raise ValueError(f"cross_entropy needs one-hot targets {d_name} of shape "
                             f"{y.shape}; got labels of shape {d_arr.shape}; use "
                             f"to_one_hot(labels, {y.shape[1]})")
        raise ValueError(f"{d_name} must have shape {y.shape} like the outputs {y_name}; "
                         f"got {d_arr.shape} (use d.reshape(-1, 1) for one output unit)")
    d_arr = as_batch(d_arr, d_name)
    if d_arr.shape != y.shape:
        raise ValueError(f"{y_name} and {d_name} must have the same shape (N, m); got "
                         f"{y.shape} and {d_arr.shape}")
    loss.check_targets(d_arr)
    return y, d_arr


def loss_value(loss, y, d, reduction="sum") -> float:
    """The error of a batch: E = Σ_k E_k (``reduction="sum"``) or its mean over samples.

    ``y`` and ``d`` of shape (N, m), or (m,) for one sample.
    """
    loss = get_loss(loss)
    reduction = check_choice(reduction, "reduction", ("sum", "mean"))
    y, d = check_pair(loss, y, d)
    E = loss.value(y, d)
    return float(E.sum() if reduction == "sum" else E.mean())


def to_one_hot(labels, n_classes) -> np.ndarray:
    """Integer labels (N,) -> one-hot float array (N, n_classes).

    >>> to_one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be a 1D array of class indices; got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        as_float = as_float_array(arr, "labels")
        if not np.all(as_float == np.round(as_float)):
            raise ValueError("labels must be integer class indices 0..n_classes-1; got "
                             "non-integer values")
        arr = as_float.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1} for n_classes={n_classes}; "
                         f"got values from {arr.min()} to {arr.max()}")
    out = np.zeros((arr.shape[0], n_classes))
    out[np.arange(arr.shape[0]), arr] = 1.0
    return out
