"""Digit images and a confusion matrix (notebook 09)."""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_int
from ._common import _axes, _class_labels


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
