"""Step neurons and the perceptron learning rule (notebooks 03 and 04).

A step neuron outputs y = 1 if ξ = w·x + b >= 0, else 0: it splits the plane by the line
w·x + b = 0. The perceptron rule visits the samples one after another; whenever a sample is
misclassified it moves the weights by

    w := w + γ·(d - y)·x,     b := b + γ·(d - y)

which turns (and shifts) the line towards the misclassified point. If the two classes can
be separated by a line, the rule stops making mistakes after finitely many updates; XOR
cannot be separated, so on XOR it never settles.

Weights start at 0. With ``seed=None`` the samples are visited in the given order every
epoch; with a seed they are shuffled each epoch.

>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> w, b, hist = perceptron_train(X, [0, 0, 0, 1])          # AND
>>> hist.converged, step_neuron(X, w, b).tolist()
(True, [0.0, 0.0, 0.0, 1.0])
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._checks import (ConvergenceWarning, as_batch, as_float_array, as_rng, check_int,
                      check_positive)

__all__ = ["step_neuron", "perceptron_train", "PerceptronHistory"]


def _check_w_b(w, b, n_features=None):
    w = as_float_array(w, "w", ndim=1)
    if n_features is not None and w.shape[0] != n_features:
        raise ValueError(f"w must have shape ({n_features},) to match X; got {w.shape}")
    b = as_float_array(b, "b")
    if b.size != 1:
        raise ValueError(f"b must be a single number (the bias); got shape {b.shape}")
    return w, float(b.reshape(()))


def step_neuron(X, w, b):
    """Outputs of a step neuron: 1.0 where X @ w + b >= 0, else 0.0.

    ``X`` (N, n) -> (N,); one sample ``x`` (n,) -> a float.
    """
    X_arr = as_float_array(X, "X")
    w, b = _check_w_b(w, b)
    Xb = as_batch(X_arr, "X", w.shape[0], context=f"to match w of shape {w.shape}")
    y = (Xb @ w + b >= 0).astype(np.float64)
    return float(y[0]) if X_arr.ndim == 1 else y


@dataclass
class PerceptronHistory:
    """What :func:`perceptron_train` did.

    ``errors[e]``: misclassified samples in epoch e; ``updates``: one ``(k, w, b)`` per
    weight change (sample index and the weights *after* the change), for replaying the
    line's movement; ``converged``: an epoch without mistakes happened; ``epochs``: epochs run.
    """

    errors: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    converged: bool = False
    epochs: int = 0


def perceptron_train(X, d, *, gamma=1.0, epochs=100, seed=None):
    """Train one step neuron with the perceptron rule; returns ``(w, b, history)``.

    ``X`` (N, n) inputs, ``d`` (N,) or (N, 1) desired outputs 0/1. Stops after the first
    epoch without a mistake; otherwise warns with :class:`ConvergenceWarning` after
    ``epochs`` epochs (expected for XOR).
    """
    X = as_batch(X, "X")
    d = as_float_array(d, "d")
    if d.ndim == 2 and d.shape[1] == 1:
        d = d[:, 0]
    if d.shape != (X.shape[0],):
        raise ValueError(f"d must have shape ({X.shape[0]},) (one 0/1 label per row of X); "
                         f"got {d.shape}")
    if not np.all((d == 0) | (d == 1)):
        raise ValueError("d must contain only the labels 0 and 1")
    gamma = check_positive(gamma, "gamma")
    epochs = check_int(epochs, "epochs", minimum=1)
    rng = None if seed is None else as_rng(seed)

    w, b = np.zeros(X.shape[1]), 0.0
    history = PerceptronHistory()
    for _ in range(epochs):
        order = range(X.shape[0]) if rng is None else rng.permutation(X.shape[0])
        mistakes = 0
        for k in order:
            y = 1.0 if X[k] @ w + b >= 0 else 0.0
            if y != d[k]:
                # d - y = +1: the point should be on the positive side, move w towards x;
                # d - y = -1: move w away from x.
                w = w + gamma * (d[k] - y) * X[k]
                b = b + gamma * (d[k] - y)
                mistakes += 1
                history.updates.append((int(k), w.copy(), b))
        history.errors.append(mistakes)
        history.epochs += 1
        if mistakes == 0:
            history.converged = True
            break
    if not history.converged:
        warnings.warn(f"the perceptron rule did not converge in {epochs} epochs "
                      f"({history.errors[-1]} mistakes in the last); the classes may not be "
                      f"linearly separable", ConvergenceWarning, stacklevel=2)
    return w, b, history
