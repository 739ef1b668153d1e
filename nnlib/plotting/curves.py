"""Loss curves (notebooks 07, 09) and gradient-descent paths (notebook 05)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._checks import as_float_array, check_int
from ._common import NEGATIVE, POSITIVE, _axes


def _series(values, name):
    arr = as_float_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a list of numbers (one per epoch); got shape {arr.shape}")
    return arr


def _loss_lists(history):
    if isinstance(history, dict):
        known = {"train": ("train_loss", "train"), "val": ("val_loss", "val", "validation")}
        unknown = set(history) - {k for ks in known.values() for k in ks}
        if unknown:
            raise ValueError(
                f"history dict has unknown keys {sorted(unknown)}; expected 'train_loss' "
                f"(or 'train') and optionally 'val_loss' (or 'val', 'validation')"
            )
        found = {}
        for role, keys in known.items():
            hits = [k for k in keys if k in history]
            if len(hits) > 1:
                raise ValueError(f"history dict has several keys for the same curve: {hits}")
            found[role] = history[hits[0]] if hits else None
        return found["train"], found["val"]
    if hasattr(history, "train_loss"):
        return history.train_loss, getattr(history, "val_loss", None)
    if isinstance(history, (list, tuple, np.ndarray)):
        return history, None
    raise TypeError(f"history must be a train History, a dict of lists or a list of losses; "
                    f"got {type(history).__name__}")


def plot_loss_curves(history, ax=None, *, log: bool = False, title: str | None = None) -> dict:
    """Loss per epoch: training loss, and validation loss when the history has one.

    ``history`` is a :class:`nnlib.train.History` (``train_loss``, ``val_loss``), a dict
    ``{"train_loss": [...], "val_loss": [...]}`` (or keys "train", "val"), or one list of
    training losses. ``log=True`` uses a logarithmic loss axis (all losses must then be > 0).
    Returns a dict ``{"train": Line2D, "val": Line2D}`` ("val" only when present); epoch
    numbers on the x axis start at 1.
    """
    train, val = _loss_lists(history)
    if train is None:
        raise ValueError("history must contain a training loss ('train_loss' or 'train')")
    train = _series(train, "train_loss")
    if len(train) == 0:
        raise ValueError("train_loss must contain at least one value; got an empty list")
    val = None if val is None or len(val) == 0 else _series(val, "val_loss")
    if log:
        for name, arr in (("train_loss", train), ("val_loss", val)):
            if arr is not None and np.any(arr <= 0):
                raise ValueError(
                    f"log=True needs losses > 0; {name} has the value {arr[arr <= 0][0]}"
                )
    ax = _axes(ax)
    lines = {
        "train": ax.plot(
            np.arange(1, len(train) + 1), train, color=POSITIVE, label="training loss"
        )[0]
    }
    if val is not None:
        lines["val"] = ax.plot(np.arange(1, len(val) + 1), val, color=NEGATIVE, linestyle="--",
                               label="validation loss")[0]
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)" if log else "loss")
    ax.legend(loc="upper right", fontsize="small")
    if title is not None:
        ax.set_title(title)
    return lines


# ------------------------------------------------------------------------------------------
# descent path


@dataclass
class PathArtists:
    """What :func:`plot_descent_path` drew: ``curve`` (Line2D of f, 1D only), ``contour``
    (2D only), ``path`` (Line2D through the iterates: data (xs[:, 0], fs) in 1D,
    (xs[:, 0], xs[:, 1]) in 2D), ``start`` (marker at x0), ``arrows`` (one Annotation per
    step; clipped steps are drawn orange-red)."""

    ax: object
    path: object
    start: object
    arrows: list = field(default_factory=list)
    curve: object = None
    contour: object = None


def _eval_curve(f, xs):
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            ys = np.asarray(f(xs), dtype=np.float64)
        except (TypeError, ValueError):
            ys = None
        if ys is None or ys.shape != xs.shape:
            ys = np.array([float(np.asarray(f(float(v))).reshape(())) for v in xs])
    return ys


def _eval_surface(f, P):
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            Z = np.asarray(f(P), dtype=np.float64)
        except (TypeError, ValueError, IndexError):
            Z = None
        if Z is None or Z.shape != P.shape[:-1]:
            Z = np.array([float(np.asarray(f(p)).reshape(())) for p in P.reshape(-1, 2)]).reshape(
                P.shape[:-1]
            )
    return Z


def plot_descent_path(
    f: Callable | None,
    trace,
    ax=None,
    *,
    xlim=None,
    ylim=None,
    arrows: bool = True,
    n_points: int = 400,
    levels: int = 20,
    title: str | None = None,
) -> PathArtists:
    """A gradient-descent trace drawn on its function (notebook 05).

    ``trace`` is a :class:`nnlib.descent.DescentTrace` (needs ``xs`` (k+1, n), ``fs`` (k+1,),
    and optionally ``clipped`` (k,) and ``status``). For n = 1 the curve of ``f`` (vectorised
    or scalar) is drawn over ``xlim`` (default: the iterates' range plus a margin) with the
    iterates (x_i, f(x_i)) on it; for n = 2 the contour lines of ``f`` (taking points of
    shape (..., 2)) with the path x_0, x_1, ... in the plane. ``f=None`` draws the path only.
    Returns :class:`PathArtists`.
    """
    if f is not None and not callable(f):
        raise TypeError(f"f must be a callable or None; got {type(f).__name__}")
    if not (hasattr(trace, "xs") and hasattr(trace, "fs")):
        raise TypeError(
            f"trace must be a DescentTrace (with xs and fs); got {type(trace).__name__}"
        )
    xs = as_float_array(trace.xs, "trace.xs")
    fs = as_float_array(trace.fs, "trace.fs")
    if xs.ndim != 2 or xs.shape[1] not in (1, 2) or xs.shape[0] == 0:
        raise ValueError(
            f"trace.xs must have shape (k+1, 1) or (k+1, 2) to be drawn; got {xs.shape}"
        )
    if fs.shape != (xs.shape[0],):
        raise ValueError(
            f"trace.fs must have shape ({xs.shape[0]},) to match trace.xs; got {fs.shape}"
        )
    k = xs.shape[0] - 1
    clipped = np.asarray(getattr(trace, "clipped", np.zeros(k, dtype=bool)), dtype=bool)
    if clipped.shape != (k,):
        raise ValueError(
            f"trace.clipped must have shape ({k},) to match trace.xs; got {clipped.shape}"
        )
    n_points = check_int(n_points, "n_points", minimum=2)
    ax = _axes(ax)
    out = PathArtists(ax=ax, path=None, start=None)

    if xs.shape[1] == 1:
        px, py = xs[:, 0], fs
        lo, hi = px.min(), px.max()
        pad = max(0.15 * (hi - lo), 1.0)
        x0, x1 = (lo - pad, hi + pad) if xlim is None else xlim
        if f is not None:
            grid = np.linspace(x0, x1, n_points)
            out.curve = ax.plot(
                grid, _eval_curve(f, grid), color="0.3", linewidth=1.5, label="f(x)"
            )[0]
        ax.set_xlim(x0, x1)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    else:
        px, py = xs[:, 0], xs[:, 1]
        if f is not None:
            lo, hi = xs.min(axis=0), xs.max(axis=0)
            pad = np.maximum(0.15 * (hi - lo), 1.0)
            x0, x1 = (lo[0] - pad[0], hi[0] + pad[0]) if xlim is None else xlim
            y0, y1 = (lo[1] - pad[1], hi[1] + pad[1]) if ylim is None else ylim
            m = min(n_points, 200)
            gx, gy = np.meshgrid(np.linspace(x0, x1, m), np.linspace(y0, y1, m))
            Z = _eval_surface(f, np.stack([gx, gy], axis=-1))
            out.contour = ax.contour(gx, gy, Z, levels=levels, cmap="viridis", linewidths=0.8)
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")

    out.path = ax.plot(px, py, "o", color=POSITIVE, markersize=5, label="iterates x_i", zorder=3)[0]
    out.start = ax.plot(px[:1], py[:1], "s", color="k", markersize=7, label="x_0", zorder=4)[0]
    if arrows:
        for i in range(k):
            colour = NEGATIVE if clipped[i] else POSITIVE
            out.arrows.append(ax.annotate("", xy=(px[i + 1], py[i + 1]), xytext=(px[i], py[i]),
                                          arrowprops=dict(arrowstyle="->", color=colour, lw=1.2,
                                                          shrinkA=3, shrinkB=3)))
    if title is None:
        status = getattr(trace, "status", None)
        title = f"{k} steps" + (f", {status}" if status else "")
    ax.set_title(title)
    return out
