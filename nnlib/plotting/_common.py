"""Colours and input checks shared by the plotting modules."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from .._checks import as_float_array

POSITIVE = "#1f77b4"   # blue: class 1, positive weights
NEGATIVE = "#d9531e"   # orange-red: class 0, negative weights
ZERO = "#9e9e9e"
CLASS_COLOURS = [NEGATIVE, POSITIVE, "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf", "#ff7f0e"]
#: the pale grey between the two colours of a heatmap (output 0.5, or no confidence)
NEUTRAL = "#e8eaeb"
#: orange (0 or negative) - grey - blue (1 or positive), as in the TensorFlow playground
PLAYGROUND_CMAP = LinearSegmentedColormap.from_list("nnlib_playground", [NEGATIVE, NEUTRAL, POSITIVE])
_NEUTRAL_RGB = np.array(to_rgb(NEUTRAL))
_CLASS_RGB = np.array([to_rgb(c) for c in CLASS_COLOURS])


def _rgba_bytes(rgb) -> np.ndarray:
    out = np.empty(rgb.shape[:-1] + (4,), dtype=np.uint8)
    out[..., :3] = np.round(255 * rgb)
    out[..., 3] = 255
    return out


def class_rgba(P) -> np.ndarray:
    """RGBA bytes (..., 4) for class probabilities ``P`` (..., k): the winning class's colour,
    blended from the neutral grey by the confidence (max P - 1/k) / (1 - 1/k) in [0, 1]."""
    P = np.asarray(P, dtype=np.float64)
    k = P.shape[-1]
    win = np.argmax(P, axis=-1)
    conf = np.clip((np.max(P, axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    return _rgba_bytes(_NEUTRAL_RGB + conf[..., None] * (_CLASS_RGB[win] - _NEUTRAL_RGB))


def shade_rgba(v, colour_index: int) -> np.ndarray:
    """RGBA bytes for values ``v`` in [0, 1]: neutral grey (0) to class colour ``colour_index`` (1)."""
    v = np.clip(np.asarray(v, dtype=np.float64), 0.0, 1.0)
    return _rgba_bytes(_NEUTRAL_RGB + v[..., None] * (_CLASS_RGB[colour_index] - _NEUTRAL_RGB))


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
