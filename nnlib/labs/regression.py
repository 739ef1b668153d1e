"""Regression datasets of the playground: a target value in [-1, 1] for each point of the plane.

TensorFlow Playground has two: a tilted plane and a sum of Gaussian bumps. They live here,
next to the lab that uses them, until ``nnlib.datasets`` grows a regression section (then
``make_regression`` moves there unchanged).
"""
from __future__ import annotations

import numpy as np

__all__ = ["REGRESSION_DATASETS", "make_regression", "regression_target"]

#: name -> description
REGRESSION_DATASETS = {"reg-plane": "plane: y = (x1 + x2) / 12",
                       "reg-gauss": "six Gaussian bumps of alternating sign"}
#: the bumps of "reg-gauss": centre (x1, x2) and sign
_BUMPS = [(-3.5, 2.5, 1.0), (0.0, 2.5, -1.0), (3.5, 2.5, 1.0),
          (-3.5, -2.5, -1.0), (0.0, -2.5, 1.0), (3.5, -2.5, -1.0)]


def regression_target(name: str, X) -> np.ndarray:
    """The noise-free target of dataset ``name`` at points ``X`` (N, 2): values in [-1, 1]."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (points of the plane); got {X.shape}")
    if name == "reg-plane":
        return np.clip((X[:, 0] + X[:, 1]) / 12.0, -1.0, 1.0)
    if name == "reg-gauss":
        y = np.zeros(len(X))
        for cx, cy, sign in _BUMPS:
            y += sign * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / 2.0)
        return np.clip(y, -1.0, 1.0)
    raise ValueError(f"unknown regression dataset {name!r}; known: {sorted(REGRESSION_DATASETS)}")


def make_regression(name: str, n: int = 200, noise: float = 0.0, seed=None):
    """``n`` points uniform in [-6, 6]² and their targets plus Gaussian noise of standard
    deviation ``noise / 4`` (the classification sets' noise slider goes to 2; a quarter of
    that keeps the targets' range of 2 recognisable). Returns (X (n, 2), y (n,))."""
    if name not in REGRESSION_DATASETS:
        raise ValueError(f"unknown regression dataset {name!r}; known: {sorted(REGRESSION_DATASETS)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2; got {n!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {noise!r}")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6.0, 6.0, size=(int(n), 2))
    y = regression_target(name, X) + rng.normal(0.0, noise / 4.0, size=int(n))
    return X, y
