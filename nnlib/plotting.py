"""The course's four kinds of figure, in matplotlib (used in every notebook and lab).

* :func:`plot_decision_boundary`: a 2D model's output as a heatmap over the plane, the
  class boundary, and the data points coloured by class (notebooks 03, 09);
* :func:`plot_loss_curves`: training (and validation) loss per epoch (notebooks 07, 09);
* :func:`plot_descent_path`: a descent trace on the curve of a 1D function, or on the
  contour plot of a 2D one, with arrows from iterate to iterate (notebook 05);
* :func:`draw_network`: a layered network as circles and edges, with weights and biases
  written next to them like the Rostock deck's figures (notebooks 01, 02, 06);
* :func:`plot_digits` and :func:`plot_confusion_matrix` for the digits of notebook 09 (not
  in docs/design.md's list; added for the misclassified examples and the confusion matrix).

Conventions: every function takes ``ax=None`` (then a new figure is made with pyplot) and
returns a small object holding the artists it made, so that tests can inspect them and the
labs can update them in place instead of redrawing. Axes carry labels. Colours follow the
TensorFlow playground the course uses: class 1 and positive weights blue, class 0 and
negative weights orange-red. This module uses matplotlib only (no ipywidgets), so it works in
scripts, notebooks and headless tests alike.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle
from matplotlib.ticker import MaxNLocator

from ._checks import as_float_array, check_int

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


# ------------------------------------------------------------------------------------------
# decision boundary


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


# ------------------------------------------------------------------------------------------
# loss curves


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


# ------------------------------------------------------------------------------------------
# network diagram


@dataclass
class NetworkArtists:
    """What :func:`draw_network` drew.

    ``units[l][j]`` the Circle of unit j in layer l; ``positions[l]`` their centres (n_l, 2);
    ``edges`` one LineCollection with one segment per weight, in the order layer by layer,
    ``W[l][i, j]`` row-major (so ``len(edges.get_segments())`` is the number of weights);
    ``weight_texts[l]`` an (n_{l-1}, n_l) object array of Text (or None where not labelled);
    ``bias_texts[l]`` a list of Text for the units of layer l + 1; ``unit_texts[l]`` the
    names written inside the circles. :meth:`update` recolours the edges and rewrites the
    numbers for new W and b of the same shapes (used by the labs).
    """

    ax: object
    units: list
    positions: list
    edges: object
    weight_texts: list
    bias_texts: list
    unit_texts: list
    fmt: str = "{:.2f}"
    numeric_weights: bool = True
    numeric_biases: bool = True
    distance_layers: tuple = ()

    def update(self, W, b) -> None:
        """Show new weights and biases of the same shapes (edge colours, widths, numbers)."""
        W, b = _weights_and_biases((W, b))
        old = [t.shape for t in self.weight_texts]
        if [w.shape for w in W] != old:
            raise ValueError(f"update needs weights of shapes {old}; got {[w.shape for w in W]}")
        colours, widths, styles = _edge_style(W, self.distance_layers)
        self.edges.set_color(colours)
        self.edges.set_linewidth(widths)
        self.edges.set_linestyle(styles)
        if self.numeric_weights:
            for texts, w in zip(self.weight_texts, W):
                for (i, j), t in np.ndenumerate(texts):
                    if t is not None:
                        t.set_text(self.fmt.format(w[i, j]))
        if self.numeric_biases:
            for texts, bias in zip(self.bias_texts, b):
                for t, v in zip(texts, bias):
                    t.set_text("b=" + self.fmt.format(v))


def _weights_and_biases(net):
    if hasattr(net, "W") and hasattr(net, "b"):
        W, b = net.W, net.b
    elif isinstance(net, (tuple, list)) and len(net) == 2:
        W, b = net
    else:
        raise TypeError(
            f"net must be a Network (with .W and .b) or a pair (W, b) of lists; "
            f"got {type(net).__name__}"
        )
    if not isinstance(W, (list, tuple)) or not isinstance(b, (list, tuple)):
        raise TypeError(
            f"W and b must be lists of arrays (one per weight layer); got {type(W).__name__} "
            f"and {type(b).__name__}"
        )
    if len(W) == 0 or len(W) != len(b):
        raise ValueError(
            f"W and b must have one entry per weight layer (at least one); "
            f"got {len(W)} and {len(b)}"
        )
    W = [as_float_array(w, f"W[{i}]", ndim=2) for i, w in enumerate(W)]
    b = [
        (
            as_float_array(v, f"b[{i}]").reshape(-1)
            if np.ndim(v) == 0
            else as_float_array(v, f"b[{i}]", ndim=1)
        )
        for i, v in enumerate(b)
    ]
    for i, (w, v) in enumerate(zip(W, b)):
        if v.shape != (w.shape[1],):
            raise ValueError(
                f"b[{i}] must have shape ({w.shape[1]},) to match W[{i}] of shape {w.shape}; "
                f"got {v.shape}"
            )
        if i > 0 and w.shape[0] != W[i - 1].shape[1]:
            raise ValueError(
                f"W[{i}] must have {W[i - 1].shape[1]} rows to follow W[{i - 1}] of shape "
                f"{W[i - 1].shape}; got shape {w.shape}"
            )
    return W, b


def _edge_style(W, distance_layers=()):
    """Per-edge colour, width and line style, in the edge order of :func:`draw_network`.

    Weights of a weighted-sum layer: colour = sign, width = magnitude relative to the largest
    such weight. Layers with the squared-distance input function (RBF units) hold centre
    coordinates, not weights, so their sign means nothing: those edges are grey and dashed.
    """
    ordinary = [w.ravel() for l, w in enumerate(W) if l not in distance_layers]
    flat_ordinary = np.concatenate(ordinary) if ordinary else np.zeros(0)
    biggest = float(np.max(np.abs(flat_ordinary))) if flat_ordinary.size else 0.0
    colours, widths, styles = [], [], []
    for l, w in enumerate(W):
        flat = w.ravel()
        if l in distance_layers:
            colours += ["0.45"] * flat.size
            widths.append(np.full(flat.size, 1.0))
            styles += ["--"] * flat.size
            continue
        colours += list(np.where(flat > 0, POSITIVE, np.where(flat < 0, NEGATIVE, ZERO)))
        widths.append(0.5 + 3.5 * (np.abs(flat) / biggest if biggest > 0 else np.zeros_like(flat)))
        styles += ["-"] * flat.size
    return colours, np.concatenate(widths), styles


def _label_grid(labels, sizes, name):
    """unit_labels as a list of per-layer lists of strings, checked against the sizes."""
    if labels is None:
        return None
    if not isinstance(labels, (list, tuple)) or len(labels) != len(sizes):
        raise ValueError(
            f"{name} must be a list with one list of names per layer ({len(sizes)} layers, "
            f"sizes {sizes}); got {labels!r}"
        )
    out = []
    for l, (names, n) in enumerate(zip(labels, sizes)):
        names = list(names)
        if len(names) != n:
            raise ValueError(
                f"{name}[{l}] must name the {n} units of layer {l}; got {len(names)} names"
            )
        out.append([str(s) for s in names])
    return out


def _math(text):
    return f"${text}$" if text else ""


def _bare(name):
    """A unit name without its own $...$, so it can go inside a subscript."""
    return name.strip().strip("$")


def draw_network(
    net,
    ax=None,
    unit_labels=None,
    show_weights: bool = True,
    *,
    weight_labels=None,
    bias_labels=None,
    show_biases: bool = True,
    fmt: str = "{:.2f}",
    max_labels: int = 16,
    title: str | None = None,
) -> NetworkArtists:
    """Draw a layered network like the lecture figures (notebooks 01, 02, 06).

    ``net`` is a :class:`~nnlib.network.Network` or any object with lists ``.W`` and ``.b``,
    or a pair ``(W, b)`` with ``W[l]`` of shape (n_l, n_{l+1}) and ``b[l]`` of shape
    (n_{l+1},). Units are circles, layer 0 on the left; an edge joins every unit i of layer l
    to every unit j of layer l + 1, coloured by the sign of ``W[l][i, j]`` (blue > 0,
    orange-red < 0, grey = 0) and as wide as its magnitude relative to the largest weight.
    In a layer of RBF units (a Network whose input function there is "squared_distance") the
    numbers on the edges are the centres' coordinates; those edges are grey and dashed.

    * ``unit_labels``: names per layer written in the circles, e.g. ``[["x", "y"], ["1", "2"],
      ["z"]]`` for the deck's 2-2-1 network. Default: x1, x2, ... for the inputs, none elsewhere.
    * ``show_weights``: write the weights next to the edges -- their values (``fmt``), or with
      ``weight_labels="names"`` symbols built from the unit names (w_x1, w_y1, ..., w_1z as in
      the deck), or a list of (n_l, n_{l+1}) arrays of strings of your own. Only networks
      with at most ``max_labels`` weights are labelled; larger ones would be unreadable.
    * ``show_biases`` / ``bias_labels``: the bias next to each non-input unit: "b=<value>", or
      with ``bias_labels="names"`` the deck's threshold symbols t_1, t_2, t_z, or your own
      list of per-layer name lists.

    Returns :class:`NetworkArtists` (``len(artists.edges.get_segments())`` = number of weights).
    """
    W, b = _weights_and_biases(net)
    sizes = [W[0].shape[0]] + [w.shape[1] for w in W]
    names = _label_grid(unit_labels, sizes, "unit_labels")
    for value, what in ((weight_labels, "weight_labels"), (bias_labels, "bias_labels")):
        if isinstance(value, str) and value != "names":
            raise ValueError(f"{what} must be None, 'names' or a list per layer; got {value!r}")
    if (weight_labels == "names" or bias_labels == "names") and names is None:
        raise ValueError(
            "weight_labels='names' and bias_labels='names' need unit_labels to build the names from"
        )
    max_labels = check_int(max_labels, "max_labels", minimum=0)
    ax = _axes(ax, figsize=(1.8 + 1.8 * len(sizes), 1.0 + 0.9 * max(sizes)))

    gap = 1.0  # vertical distance between units; layers are 2 apart so labels have room
    radius = 0.22
    positions = []
    for l, n in enumerate(sizes):
        ys = (np.arange(n)[::-1] - (n - 1) / 2) * gap  # first unit on top, as in the figures
        positions.append(np.column_stack([np.full(n, 2.0 * l), ys]))

    inputs = getattr(net, "inputs", None) or []
    distance_layers = tuple(
        l for l, inp in enumerate(inputs) if getattr(inp, "name", inp) == "squared_distance"
    )
    colours, widths, styles = _edge_style(W, distance_layers)
    segments = [(positions[l][i], positions[l + 1][j])
                for l, w in enumerate(W) for i in range(w.shape[0]) for j in range(w.shape[1])]
    edges = LineCollection(segments, colors=colours, linewidths=widths, linestyles=styles, zorder=1)
    ax.add_collection(edges)

    units, unit_texts = [], []
    for l, pos in enumerate(positions):
        layer_units, layer_texts = [], []
        for j, (x, y) in enumerate(pos):
            circle = Circle(
                (x, y), radius, facecolor="white", edgecolor="k", linewidth=1.3, zorder=3
            )
            ax.add_patch(circle)
            layer_units.append(circle)
            text = names[l][j] if names is not None else (f"x{j + 1}" if l == 0 else "")
            layer_texts.append(ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4))
        units.append(layer_units)
        unit_texts.append(layer_texts)

    n_weights = sum(w.size for w in W)
    numeric_w = not (weight_labels == "names" or isinstance(weight_labels, (list, tuple)))
    weight_texts = []
    for l, w in enumerate(W):
        texts = np.full(w.shape, None, dtype=object)
        if show_weights and n_weights <= max_labels:
            if isinstance(weight_labels, (list, tuple)):
                custom = (
                    np.asarray(weight_labels[l], dtype=object) if l < len(weight_labels) else None
                )
                if len(weight_labels) != len(W) or custom.shape != w.shape:
                    raise ValueError(
                        f"weight_labels[{l}] must be an array of strings of shape {w.shape} "
                        f"like W[{l}]"
                    )
            for i in range(w.shape[0]):
                for j in range(w.shape[1]):
                    if weight_labels == "names":
                        label = _math(f"w_{{{_bare(names[l][i])}{_bare(names[l + 1][j])}}}")
                    elif isinstance(weight_labels, (list, tuple)):
                        label = str(custom[i, j])
                    else:
                        label = fmt.format(w[i, j])
                    (xa, ya), (xb, yb) = positions[l][i], positions[l + 1][j]
                    # a third of the way from the source: edges leaving one unit fan out there,
                    # so their labels do not sit on the crossing point in the middle
                    t = 0.3
                    angle = np.degrees(np.arctan2(yb - ya, xb - xa))
                    texts[i, j] = ax.text(
                        xa + t * (xb - xa),
                        ya + t * (yb - ya),
                        label,
                        fontsize=9,
                        ha="center",
                        va="center",
                        rotation=angle,
                        rotation_mode="anchor",
                        zorder=2,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                    )
        weight_texts.append(texts)

    bias_custom = None
    if isinstance(bias_labels, (list, tuple)):
        bias_custom = _label_grid(
            [[""] * sizes[0]] + list(bias_labels), sizes, "bias_labels (with the input layer)"
        )
    numeric_b = bias_labels is None
    bias_texts = []
    for l, v in enumerate(b):
        texts = []
        if show_biases:
            for j, (x, y) in enumerate(positions[l + 1]):
                if bias_labels == "names":
                    label = _math(f"t_{{{_bare(names[l + 1][j])}}}")
                elif bias_custom is not None:
                    label = bias_custom[l + 1][j]
                else:
                    label = "b=" + fmt.format(v[j])
                texts.append(
                    ax.text(
                        x,
                        y + radius + 0.08,
                        label,
                        ha="center",
                        va="bottom",
                        fontsize=9,
                        color="0.15",
                        zorder=4,
                    )
                )
        bias_texts.append(texts)

    captions = ["input"] + [f"hidden {l}" for l in range(1, len(W))] + ["output"]
    activations = getattr(net, "activations", None)
    bottom = -((max(sizes) - 1) / 2) * gap - radius - 0.35
    for l, caption in enumerate(captions):
        if l > 0 and activations is not None and len(activations) == len(W):
            act = activations[l - 1]
            act_name = getattr(act, "name", act)
            caption += (
                f"\n(distance, {act_name})" if l - 1 in distance_layers else f"\n({act_name})"
            )
        ax.text(2.0 * l, bottom, caption, ha="center", va="top", fontsize=9, color="0.3")

    half = (max(sizes) - 1) / 2 * gap
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(bottom - 0.7, half + radius + 0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("layers, input on the left")
    ax.set_title("-".join(str(s) for s in sizes) + " network" if title is None else title)
    return NetworkArtists(
        ax,
        units,
        positions,
        edges,
        weight_texts,
        bias_texts,
        unit_texts,
        fmt,
        numeric_weights=numeric_w,
        numeric_biases=numeric_b,
        distance_layers=distance_layers,
    )


# ------------------------------------------------------------------------------------------
# digits (notebook 09): images and a confusion matrix


def plot_digits(
    X, labels=None, predicted=None, ax=None, *, n_cols: int = 10, image_shape=None
) -> dict:
    """Show images (one per row of ``X``) in a grid, captioned with their labels.

    ``X`` (N, h*w) such as :func:`nnlib.datasets.load_digits`'s (8x8) or MNIST's (28x28);
    ``image_shape`` (h, w) defaults to the square root of the row length. ``labels`` (N,) and
    ``predicted`` (N,) are optional; with both, each caption reads "label→predicted" and wrong
    predictions are red, which is how notebook 09 shows the misclassified digits. The
    images are tiled into one picture on ``ax``. Returns ``{"image": AxesImage, "texts":
    [Text, ...]}``.
    """
    X = as_float_array(X, "X")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (N, h*w) with one image per row; got {X.shape}")
    N, D = X.shape
    if image_shape is None:
        side = int(round(np.sqrt(D)))
        if side * side != D:
            raise ValueError(
                f"rows of X have {D} pixels, not a square image; pass image_shape=(h, w)"
            )
        image_shape = (side, side)
    h, w = (check_int(v, "image_shape entries", minimum=1) for v in image_shape)
    if h * w != D:
        raise ValueError(
            f"image_shape {(h, w)} must have h*w = {D} pixels like the rows of X; got {h * w}"
        )
    for name, arr in (("labels", labels), ("predicted", predicted)):
        if arr is not None and np.asarray(arr).shape != (N,):
            raise ValueError(
                f"{name} must have shape ({N},) like the rows of X; got {np.asarray(arr).shape}"
            )
    n_cols = check_int(n_cols, "n_cols", minimum=1)
    n_cols = min(n_cols, N)
    n_rows = -(-N // n_cols)
    pad = 1  # blank pixels between images; more above each image when it gets a caption
    vpad = pad if labels is None else max(3, h // 3)
    canvas = np.full((n_rows * (h + vpad) + pad, n_cols * (w + pad) + pad), np.nan)
    for k in range(N):
        r, c = divmod(k, n_cols)
        top, left = vpad + r * (h + vpad), pad + c * (w + pad)
        canvas[top:top + h, left:left + w] = X[k].reshape(h, w)
    ax = _axes(ax, figsize=(1.0 * n_cols, 1.2 * n_rows))
    image = ax.imshow(canvas, cmap="gray_r", interpolation="nearest")
    texts = []
    if labels is not None:
        for k in range(N):
            r, c = divmod(k, n_cols)
            caption, colour = f"{labels[k]}", "k"
            if predicted is not None:
                caption = f"{labels[k]}→{predicted[k]}"
                colour = "k" if labels[k] == predicted[k] else "#c62828"
            texts.append(
                ax.text(
                    pad + c * (w + pad) + w / 2 - 0.5,
                    vpad + r * (h + vpad) - 0.7,
                    caption,
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=colour,
                )
            )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("label→prediction" if predicted is not None else "images")
    return {"image": image, "texts": texts}


def plot_confusion_matrix(labels, predicted, ax=None, *, n_classes: int | None = None,
                          class_names=None) -> dict:
    """Confusion matrix: entry (i, j) counts the samples of true class i predicted as j.

    ``labels`` and ``predicted`` are (N,) class numbers 0 .. n_classes-1. The counts are
    written in the cells; the diagonal holds the correct predictions. Returns
    ``{"image": AxesImage, "counts": (n_classes, n_classes) int array, "texts": [...]}``.
    """
    if np.ndim(labels) != 1 or len(labels) == 0:
        raise ValueError(
            f"labels must have shape (N,) with N >= 1 class numbers; got shape {np.shape(labels)}"
        )
    labels = _class_labels(labels, len(labels), "labels")
    predicted = _class_labels(predicted, len(labels), "predicted")
    k = int(max(labels.max(), predicted.max())) + 1
    if n_classes is not None:
        n_classes = check_int(n_classes, "n_classes", minimum=1)
        if n_classes < k:
            raise ValueError(f"n_classes = {n_classes} but the data contain class {k - 1}")
        k = n_classes
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    names = [str(i) for i in range(k)] if class_names is None else [str(s) for s in class_names]
    if len(names) != k:
        raise ValueError(f"class_names must name the {k} classes; got {len(names)} names")
    ax = _axes(ax, figsize=(0.5 * k + 2, 0.5 * k + 1.5))
    image = ax.imshow(counts, cmap="Blues")
    texts = []
    threshold = counts.max() / 2
    for (i, j), c in np.ndenumerate(counts):
        texts.append(ax.text(j, i, str(c), ha="center", va="center", fontsize=8,
                             color="white" if c > threshold else "k"))
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return {"image": image, "counts": counts, "texts": texts}
