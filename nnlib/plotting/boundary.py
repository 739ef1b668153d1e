"""Decision boundary of a 2D model: heatmap, boundary line, data points (notebooks 03, 09)."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from matplotlib.colors import ListedColormap

from .._checks import check_int
from ._common import CLASS_COLOURS, _axes, _class_labels, _points


@dataclass
class BoundaryArtists:
    """What :func:`plot_decision_boundary` drew.

    ``image`` the heatmap (AxesImage, array of shape (grid, grid)); ``contour`` the boundary
    line(s) (or None when the output does not cross the level); ``points`` / ``test_points``
    the scatter plots (PathCollection, ``test_points`` None without test data); ``grid_X`` the
    (grid*grid, 2) points the model was evaluated on; ``Z`` the (grid, grid) values shown;
    ``levels`` the output values the boundary was drawn at. Call :meth:`update` with a new
    model to refresh the heatmap and the boundary in place (the labs do).
    """

    ax: object
    image: object
    contour: object
    points: object
    test_points: object
    grid_X: np.ndarray
    Z: np.ndarray
    level: object
    extent: tuple
    levels: list = field(default_factory=list)

    def update(self, predict: Callable) -> None:
        """Re-evaluate ``predict`` on the same grid and refresh heatmap and boundary."""
        grid = self.Z.shape[0]
        self.Z, n_out = _model_surface(predict, self.grid_X, grid)
        self.image.set_data(self.Z)
        if self.contour is not None:
            self.contour.remove()
        self.levels = _levels(self.level, self.Z, n_out)
        self.contour = _boundary(self.ax, self.grid_X, self.Z, self.levels)


def _model_surface(predict, grid_X, grid):
    """The model's output on the grid as a (grid, grid) array, and its number of outputs."""
    out = predict(grid_X)
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"predict must return numbers; got {type(out).__name__}") from None
    M = len(grid_X)
    n_out = 1
    if out.ndim == 2 and out.shape[0] == M:
        n_out = out.shape[1]
        if n_out == 1:
            out = out[:, 0]
        elif n_out == 2:
            out = out[:, 1]  # two outputs (e.g. softmax): show the probability of class 1
        else:
            out = np.argmax(out, axis=1).astype(np.float64)  # more classes: show the winning class
    if out.shape != (M,):
        raise ValueError(
            f"predict must map points of shape ({M}, 2) to outputs of shape ({M},) or ({M}, k); "
            f"got {out.shape}"
        )
    if not np.all(np.isfinite(out)):
        raise ValueError("predict returned NaN or inf on the plotting grid")
    return out.reshape(grid, grid), n_out


def _levels(level, Z, n_out):
    """The output values to draw the boundary at, for ``level`` = "auto", None or a number."""
    if level is None:
        return []
    if isinstance(level, str):
        if n_out > 2:
            return [k + 0.5 for k in range(n_out - 1)]  # between neighbouring class numbers
        return [0.5] if Z.min() >= 0.0 else [0.0]
    return [float(level)]


def _boundary(ax, grid_X, Z, levels):
    inside = [v for v in levels if Z.min() < v < Z.max()]
    if not inside:
        return None
    grid = Z.shape[0]
    xx = grid_X[:, 0].reshape(grid, grid)
    yy = grid_X[:, 1].reshape(grid, grid)
    return ax.contour(xx, yy, Z, levels=inside, colors="k", linewidths=1.5)


def plot_decision_boundary(predict: Callable, X, labels, ax=None, grid: int = 100, *,
                           X_test=None, labels_test=None, level="auto",
                           margin: float = 0.5, xlim=None, ylim=None, cmap=None,
                           vmin: float | None = None, vmax: float | None = None,
                           xlabel: str = "x1", ylabel: str = "x2", title: str | None = None,
                           colorbar: bool = False) -> BoundaryArtists:
    """Heatmap of a 2D model's output over the plane, its boundary, and the labelled points.

    Parameters
    ----------
    predict : callable mapping points of shape (M, 2) to outputs (M,), (M, 1) or (M, k) --
        a :class:`~nnlib.network.Network` works as is. With k = 2 outputs the heatmap shows
        column 1 (the probability of class 1), with k > 2 the winning class.
    X : (N, 2) training points; labels : (N,) class numbers 0, 1, ...
    grid : points per axis; the model is evaluated on grid * grid points.
    X_test, labels_test : optional test points, drawn with a triangle marker.
    level : output value where the boundary line is drawn, or None for no line. "auto"
        (default): 0.5 when the output is never negative (sigmoid, step, probabilities), 0
        otherwise (tanh, identity), and the lines between the classes for k > 2 outputs.
        A line is drawn only where the output crosses the level.
    cmap : heatmap colours; default "RdBu" (orange-red low, blue high), class colours for k > 2.
    vmin, vmax : colour range of the heatmap. Default: 0 to 1 when the output lies in
        [0, 1] (sigmoid, probabilities), else the output's range (e.g. tanh, identity).

    Returns :class:`BoundaryArtists`; ``image.get_array()`` has shape (grid, grid).
    """
    if not callable(predict):
        raise TypeError(
            f"predict must be a callable mapping (M, 2) points to outputs; "
            f"got {type(predict).__name__}"
        )
    if level is not None and not (level == "auto" if isinstance(level, str) else
                                  isinstance(level, numbers.Real) and np.isfinite(level)):
        raise ValueError(f"level must be 'auto', None or a finite number; got {level!r}")
    X = _points(X, "X")
    labels = _class_labels(labels, len(X), "labels")
    grid = check_int(grid, "grid", minimum=2)
    if (X_test is None) != (labels_test is None):
        raise ValueError("X_test and labels_test must be given together")
    if X_test is not None:
        X_test = _points(X_test, "X_test")
        labels_test = _class_labels(labels_test, len(X_test), "labels_test")
    n_classes = int(max(labels.max(), -1 if labels_test is None else labels_test.max())) + 1
    if n_classes > len(CLASS_COLOURS):
        raise ValueError(
            f"labels must have at most {len(CLASS_COLOURS)} classes to colour; got {n_classes}"
        )
    ax = _axes(ax)

    every = X if X_test is None else np.vstack([X, X_test])
    lo, hi = every.min(axis=0) - margin, every.max(axis=0) + margin
    x0, x1 = (lo[0], hi[0]) if xlim is None else xlim
    y0, y1 = (lo[1], hi[1]) if ylim is None else ylim
    # grid_X runs over x1 fastest, so reshaping gives rows of constant x2 as imshow expects
    xx, yy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    grid_X = np.column_stack([xx.ravel(), yy.ravel()])
    Z, n_out = _model_surface(predict, grid_X, grid)
    extent = (x0, x1, y0, y1)
    if cmap is None and n_out > 2:
        cmap = ListedColormap(CLASS_COLOURS[:n_out]) if n_out <= len(CLASS_COLOURS) else "tab20"
        vmin, vmax = -0.5, n_out - 0.5
    elif cmap is None:
        cmap = "RdBu"
    if vmin is None and vmax is None and Z.min() >= 0.0 and Z.max() <= 1.0:
        vmin, vmax = 0.0, 1.0  # fixed, so that a lab's later updates keep their colours
    image = ax.imshow(
        Z,
        origin="lower",
        extent=extent,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        alpha=0.6,
        aspect="auto",
        interpolation="nearest" if n_out > 2 else "bilinear",
    )
    levels = _levels(level, Z, n_out)
    contour = _boundary(ax, grid_X, Z, levels)

    colours = ListedColormap(CLASS_COLOURS[:max(n_classes, 2)])
    scatter_args = dict(cmap=colours, vmin=-0.5, vmax=colours.N - 0.5, s=25)
    points = ax.scatter(X[:, 0], X[:, 1], c=labels, edgecolors="k", linewidths=0.6,
                        label="training data", **scatter_args)
    test_points = None
    if X_test is not None:
        test_points = ax.scatter(X_test[:, 0], X_test[:, 1], c=labels_test, marker="^",
                                 edgecolors="k", linewidths=1.0, label="test data", **scatter_args)
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="model output")
    return BoundaryArtists(
        ax, image, contour, points, test_points, grid_X, Z, level, extent, levels
    )
