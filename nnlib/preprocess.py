"""Input standardisation (notebook 10).

Each input feature i is shifted and scaled to mean 0 and standard deviation 1 *on the
training data*:  x̃_i = (x_i - μ_i) / s_i. The same μ and s are then applied to validation
and test data (computing them there would leak information about held-out data).

Why it matters for the step size: the error surface of a linear unit has curvatures given
by the eigenvalues of E[x xᵀ]; features on very different scales make the bowl of 05 § 8
elongated, and the largest stable γ is set by the steepest direction. Standardised inputs
make the bowl rounder, so one γ suits every direction.

>>> X = np.array([[1.0, 100.0], [3.0, 300.0]])
>>> mu, s = fit_standardizer(X)
>>> standardize(X, mu, s).tolist()
[[-1.0, -1.0], [1.0, 1.0]]
"""
from __future__ import annotations

import numpy as np

from ._checks import as_batch, as_float_array

__all__ = ["fit_standardizer", "standardize"]


def fit_standardizer(X, min_std=1e-8):
    """Per-feature mean μ and standard deviation s of ``X`` (N, n): two arrays (n,).

    A constant feature (s < ``min_std``, e.g. a pixel that is always blank) gets s = 1, so it
    is centred but not blown up.
    """
    X = as_batch(X, "X")
    mu = X.mean(axis=0)
    s = X.std(axis=0)
    return mu, np.where(s < min_std, 1.0, s)


def standardize(X, mu, s):
    """(X - μ) / s with ``X`` (N, n), ``mu`` and ``s`` (n,) from :func:`fit_standardizer`."""
    mu = as_float_array(mu, "mu", ndim=1)
    s = as_float_array(s, "s", ndim=1)
    X = as_batch(X, "X", mu.shape[0], context=f"to match mu of shape {mu.shape}")
    if s.shape != mu.shape:
        raise ValueError(f"mu and s must have the same shape (n,); got {mu.shape} and {s.shape}")
    if np.any(s <= 0):
        raise ValueError("s must be > 0 everywhere (use fit_standardizer)")
    return (X - mu) / s
