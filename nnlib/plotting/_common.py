"""Colours and input checks shared by the plotting modules."""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array

POSITIVE = "#1f77b4"   # blue: class 1, positive weights
NEGATIVE = "#d9531e"   # orange-red: class 0, negative weights
ZERO = "#9e9e9e"
CLASS_COLOURS = [NEGATIVE, POSITIVE, "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf", "#ff7f0e"]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        import matplotlib.pyplot as plt  # only when we must create a figure ourselves

        _, ax = plt.subplots(figsize=figsize)
    elif not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _points(X, name):
    X = as_float_array(X, name)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) (points of the plane); got {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one point; got shape {X.shape}")
    return X


def _class_labels(labels, n, name):
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[0] == n:
        hint = (
            "pass d[:, 0]" if arr.shape[1] == 1 else "pass labels = d.argmax(axis=1) for one-hot d"
        )
        raise ValueError(
            f"{name} must have shape ({n},) with one class number per point; "
            f"got {arr.shape}; {hint}"
        )
    if arr.shape != (n,):
        raise ValueError(
            f"{name} must have shape ({n},) with one class number per point; got {arr.shape}"
        )
    if arr.dtype.kind not in "iub":
        if (
            arr.dtype.kind != "f"
            or not np.all(np.isfinite(arr))
            or not np.all(arr == np.round(arr))
        ):
            raise ValueError(
                f"{name} must hold class numbers 0, 1, ... (integers); "
                f"got values such as {arr.ravel()[:3]}"
            )
    arr = arr.astype(np.int64)
    if arr.min() < 0:
        raise ValueError(f"{name} must hold class numbers 0, 1, ...; got {arr.min()}")
    return arr
