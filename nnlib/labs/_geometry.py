"""Plane geometry shared by the labs (numpy only): grids over a square window and lines."""
from __future__ import annotations

import numpy as np

__all__ = ["plane_points", "line_points"]


def plane_points(lo: float, hi: float, g: int) -> np.ndarray:
    """The g x g grid over [lo, hi]², row by row from the bottom, as points (g*g, 2); an
    image of values on it is ``values.reshape(g, g)`` with ``origin="lower"``."""
    t = np.linspace(lo, hi, g)
    x1, x2 = np.meshgrid(t, t)
    return np.column_stack([x1.ravel(), x2.ravel()])


def line_points(w1, w2, b, window):
    """Two points of the line w1*x1 + w2*x2 + b = 0 spanning ``window`` (lo, hi), or None if w = 0."""
    lo, hi = window
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        x1 = np.array([lo - 1, hi + 1])
        return x1, -(b + w1 * x1) / w2
    x2 = np.array([lo - 1, hi + 1])
    return -(b + w2 * x2) / w1, x2
