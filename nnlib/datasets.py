"""Offline, seeded datasets of the course (notebooks 03, 04, 07 and 09).

* ``truth_table(name)``: the Boolean functions AND, OR, NAND, NOR, XOR as 4 samples.
* 2D sets for the playground of notebook 09, in the spirit of playground.tensorflow.org
  (which the Rostock deck's hands-on section uses): ``make_circle``, ``make_xor``,
  ``make_gaussians``, ``make_spiral``. Coordinates lie roughly in [-6, 6] like the
  playground's, so that the features ``sin(x1)``, ``x1^2`` ... are not nearly linear.
  Every generator returns ``(X, labels)`` with ``X`` of shape (n, 2) float64 and ``labels`` of
  shape (n,) int64 in {0, 1}; the classes have n // 2 and n - n // 2 samples, in shuffled
  order; ``noise`` is the standard deviation of Gaussian noise added to every coordinate.
  Same ``seed``, same data.
* More than two classes: ``make_gaussians`` and ``make_spiral`` take ``n_classes`` (default 2,
  which gives exactly the two-class data of before): k blobs on a circle, k spiral arms.
  Labels are then 0 .. k-1 and the class sizes differ by at most one (the last ``n % k``
  classes get one sample more). ``make_circle`` and ``make_xor`` are two-class problems by
  nature; they accept ``n_classes=2`` only, so that every entry of ``DATASETS`` and
  ``make_dataset`` take the same arguments. ``MULTICLASS_DATASETS`` names the sets that
  allow more. (Deviation from docs/design.md, whose generator signature has no
  ``n_classes``: an added keyword with a default, so every existing call is unchanged.)
* ``train_test_split``, ``features`` (the playground's input features).
* ``load_digits``: the 8x8 digits shipped in ``nnlib/data/digits.npz`` (see its README).
* ``read_idx`` / ``load_mnist``: MNIST-format IDX files from a local directory. nnlib never
  downloads anything.

>>> X, d = truth_table("xor")
>>> X.shape, d[:, 0].tolist()
((4, 2), [0.0, 1.0, 1.0, 0.0])
>>> X, labels = make_dataset("circle", n=6, noise=0.1, seed=0)
>>> X.shape, sorted(labels.tolist())
((6, 2), [0, 0, 0, 1, 1, 1])
>>> features(X, ["x1^2", "x2^2"]).shape
(6, 2)
"""
from __future__ import annotations

import gzip
import numbers
import os
from pathlib import Path

import numpy as np

from ._checks import as_float_array, as_rng, check_int, check_positive, lookup

DATA_DIR = Path(__file__).resolve().parent / "data"

# ------------------------------------------------------------------------------------------
# Truth tables

_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}
TRUTH_TABLES = tuple(_TABLES)


def truth_table(name: str):
    """The truth table of a two-input Boolean function (notebooks 03, 04, 07).

    ``name`` is one of "and", "or", "nand", "nor", "xor" (any case). Returns ``X`` of shape
    (4, 2) with the rows (0,0), (0,1), (1,0), (1,1) and ``d`` of shape (4, 1), both float64.

    Note on the Rostock deck (000): its training table for OR is printed with an x row
    "0.0 0.1 0.0 1.0"; the "0.1" is a typo for 1.0, as the set D written next to it,
    {((0,0),0), ((0,1),1), ((1,0),1), ((1,1),1)}, shows. ``truth_table("or")`` is that plain
    OR table.
    """
    table = lookup(_TABLES, name, "truth table", sort=False)
    return _INPUTS.copy(), np.array(table, dtype=np.float64).reshape(4, 1)


# ------------------------------------------------------------------------------------------
# 2D datasets


#: the most classes a generator makes: one colour each in nnlib.plotting's CLASS_COLOURS
MAX_CLASSES = 10


def _check_generator_args(n, noise, seed):
    n = check_int(n, "n", minimum=2)
    noise = check_positive(noise, "noise", allow_zero=True)
    return n, noise, as_rng(seed)


def _check_classes(n_classes, n, maximum=MAX_CLASSES, name=None):
    """``n_classes`` as an int in [2, maximum] with at least one sample per class."""
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    if n_classes > maximum:
        if name is not None:
            raise ValueError(
                f"n_classes must be 2 for {name} (a two-class problem); got {n_classes}; "
                f"datasets with more classes: {list(MULTICLASS_DATASETS)}"
            )
        raise ValueError(f"n_classes must be <= {maximum}; got {n_classes}")
    if n < n_classes:
        raise ValueError(
            f"n must be >= n_classes (at least one sample per class); got n={n}, n_classes={n_classes}"
        )
    return n_classes


def _class_sizes(n, n_classes):
    """n // k samples per class, the last n % k classes one more (k = 2: n // 2, n - n // 2)."""
    sizes = [n // n_classes] * n_classes
    for c in range(n_classes - n % n_classes, n_classes):
        sizes[c] += 1
    return sizes


def _finish(parts, noise, rng):
    """Stack (X_class, label) parts, add noise, shuffle the rows."""
    X = np.concatenate([p for p, _ in parts], axis=0)
    labels = np.concatenate([np.full(len(p), lab, dtype=np.int64) for p, lab in parts])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(X))
    return X[order], labels[order]


def _polar(r, t):
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def make_circle(n: int = 200, noise: float = 0.0, seed=None, n_classes: int = 2):
    """A disc of class 1 (radius <= 2) inside a ring of class 0 (radius 3.5 to 5).

    Returns ``X`` (n, 2) float64 and ``labels`` (n,) int64. Not linearly separable in
    (x1, x2), but separable with the feature x1^2 + x2^2 (notebook 09). Two classes only
    (``n_classes`` must be 2).
    """
    n, noise, rng = _check_generator_args(n, noise, seed)
    _check_classes(n_classes, n, maximum=2, name="circle")
    n0, n1 = n // 2, n - n // 2
    # sqrt of a uniform number spreads the points evenly over the area of the disc
    inner = _polar(2.0 * np.sqrt(rng.uniform(0, 1, n1)), rng.uniform(0, 2 * np.pi, n1))
    outer = _polar(rng.uniform(3.5, 5.0, n0), rng.uniform(0, 2 * np.pi, n0))
    return _finish([(outer, 0), (inner, 1)], noise, rng)


def make_xor(n: int = 200, noise: float = 0.0, seed=None, n_classes: int = 2):
    """Points in the four quadrants of [-5, 5]^2; label 1 where exactly one of x1 > 0, x2 > 0.

    That is the XOR of the two signs, as in the truth table (0,1) -> 1. Points keep a gap of
    0.3 from the axes so that the noise-free set has a clear margin. Returns ``X`` (n, 2)
    float64 and ``labels`` (n,) int64. Two classes only (``n_classes`` must be 2).
    """
    n, noise, rng = _check_generator_args(n, noise, seed)
    _check_classes(n_classes, n, maximum=2, name="xor")
    parts = []
    for label, count in ((0, n // 2), (1, n - n // 2)):
        magnitude = rng.uniform(0.3, 5.0, size=(count, 2))
        # class 0: same signs (quadrants I, III); class 1: opposite signs (II, IV)
        s = rng.choice([-1.0, 1.0], size=count)
        signs = np.column_stack([s, s if label == 0 else -s])
        parts.append((magnitude * signs, label))
    return _finish(parts, noise, rng)


def make_gaussians(n: int = 200, noise: float = 0.0, seed=None, n_classes: int = 2):
    """Round Gaussian blobs of standard deviation 1, one per class.

    Two classes (the default): class 0 at (-2, -2), class 1 at (2, 2), linearly separable up
    to a small overlap. ``n_classes`` = k > 2: the centres lie evenly on a circle around the
    origin, class 0 at the angle 225 degrees and the others counter-clockwise, with radius
    ``max(2 sqrt 2, 2.5 / sin(pi / k))`` so that neighbouring centres are at least 5 apart
    (the overlap stays small: each point is about 2.5 standard deviations from the
    half-way line). Returns ``X`` (n, 2) float64 and ``labels`` (n,) int64 in 0 .. k-1.
    """
    n, noise, rng = _check_generator_args(n, noise, seed)
    n_classes = _check_classes(n_classes, n)
    sizes = _class_sizes(n, n_classes)
    if n_classes == 2:
        centres = np.array([[-2.0, -2.0], [2.0, 2.0]])  # exact, as before n_classes existed
    else:
        radius = max(2.0 * np.sqrt(2.0), 2.5 / np.sin(np.pi / n_classes))
        angles = 1.25 * np.pi + 2 * np.pi * np.arange(n_classes) / n_classes
        centres = _polar(np.full(n_classes, radius), angles)
    parts = [(rng.normal(centres[c], 1.0, size=(sizes[c], 2)), c) for c in range(n_classes)]
    return _finish(parts, noise, rng)


def make_spiral(n: int = 200, noise: float = 0.0, seed=None, n_classes: int = 2):
    """Interleaved spiral arms, each winding 1.75 turns out to radius 5; arm k has label k.

    The hardest of the playground sets: a net needs several hidden layers or the sin
    features. With ``n_classes`` = k arms, arm c is arm 0 turned by 2 pi c / k (for two arms
    by 180 degrees). Returns ``X`` (n, 2) float64 and ``labels`` (n,) int64 in 0 .. k-1.
    """
    n, noise, rng = _check_generator_args(n, noise, seed)
    n_classes = _check_classes(n_classes, n)
    parts = []
    for label, count in enumerate(_class_sizes(n, n_classes)):
        s = np.linspace(0.0, 1.0, count, endpoint=False)
        r = 5.0 * s
        t = 1.75 * 2 * np.pi * s + 2 * np.pi * label / n_classes
        parts.append((_polar(r, t), label))
    return _finish(parts, noise, rng)


DATASETS = {
    "circle": make_circle,
    "xor": make_xor,
    "gaussians": make_gaussians,
    "spiral": make_spiral,
}
#: the sets of DATASETS that can have more than two classes (``n_classes`` up to MAX_CLASSES)
MULTICLASS_DATASETS = ("gaussians", "spiral")


def make_dataset(name: str, n: int = 200, noise: float = 0.0, seed=None, n_classes: int = 2):
    """``DATASETS[name](n, noise, seed, n_classes)``; an unknown name raises a ValueError
    listing DATASETS, ``n_classes`` other than 2 for circle or xor a ValueError naming
    ``MULTICLASS_DATASETS``."""
    make = lookup(DATASETS, name, "dataset", sort=False)
    return make(n=n, noise=noise, seed=seed, n_classes=n_classes)


def train_test_split(X, labels, test_ratio: float = 0.5, seed=None):
    """Shuffle the samples and split them into a training and a test part (notebook 09).

    ``X`` has shape (N, n_features); ``labels`` has N rows (shape (N,) labels, or (N, m)
    targets such as one-hot ``d``). The test part gets ``round(test_ratio * N)`` samples;
    both parts must be non-empty. Not stratified. Returns
    ``X_train, X_test, l_train, l_test`` (rows of the inputs, in shuffled order).
    """
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, n_features); got {X.shape}")
    labels = np.asarray(labels)
    if labels.ndim == 0 or len(labels) != len(X):
        raise ValueError(
            f"labels must have one row per sample of X, i.e. {len(X)} rows; "
            f"got shape {labels.shape}"
        )
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real):
        raise TypeError(
            f"test_ratio must be a number strictly between 0 and 1; got {type(test_ratio).__name__}"
        )
    if not 0.0 < float(test_ratio) < 1.0:
        raise ValueError(f"test_ratio must be strictly between 0 and 1; got {test_ratio}")
    N = len(X)
    n_test = int(round(float(test_ratio) * N))
    if not 1 <= n_test <= N - 1:
        raise ValueError(
            f"test_ratio = {test_ratio} of N = {N} samples gives {n_test} test samples; "
            f"both the training and the test part need at least one sample"
        )
    order = as_rng(seed).permutation(N)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], labels[train], labels[test]


def train_val_test_split(X, labels, val_ratio: float = 0.2, test_ratio: float = 0.2, seed=None):
    """Three parts: train on one, choose (epochs, sizes, γ) on the validation part, and
    report once on the test part (notebooks 09 and 10).

    The ratios are shares of all N samples (``round(ratio * N)`` each, both > 0, together < 1).
    Returns ``X_train, X_val, X_test, l_train, l_val, l_test``.

    >>> parts = train_val_test_split(np.zeros((10, 2)), np.arange(10), 0.2, 0.3, seed=0)
    >>> [len(p) for p in parts]
    [5, 2, 3, 5, 2, 3]
    """
    for name, ratio in (("val_ratio", val_ratio), ("test_ratio", test_ratio)):
        if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not 0 < ratio < 1:
            raise ValueError(f"{name} must be a number strictly between 0 and 1; got {ratio!r}")
    if val_ratio + test_ratio >= 1:
        raise ValueError(f"val_ratio + test_ratio must be < 1 to leave training data; got "
                         f"{val_ratio} + {test_ratio}")
    X_rest, X_test, l_rest, l_test = train_test_split(X, labels, test_ratio, seed)
    n_val = int(round(float(val_ratio) * len(X)))
    if not 1 <= n_val < len(X_rest):
        raise ValueError(f"val_ratio = {val_ratio} of N = {len(X)} samples gives {n_val} "
                         f"validation samples; every part needs at least one sample")
    # the rest is already shuffled: its first n_val rows are a random validation part
    return X_rest[n_val:], X_rest[:n_val], X_test, l_rest[n_val:], l_rest[:n_val], l_test


# ------------------------------------------------------------------------------------------
# Input features of the playground

_FEATURE_FUNCS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 ** 2,
    "x2^2": lambda x1, x2: x2 ** 2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
FEATURES = list(_FEATURE_FUNCS)


def features(X, names):
    """The playground's input features of 2D points (notebook 09).

    ``X`` has shape (n, 2); ``names`` is a list of names from ``FEATURES`` (a single name
    is allowed too). Returns an array of shape (n, len(names)) whose column j is the feature
    ``names[j]``, e.g. ``features(X, ["x1^2", "x2^2"])`` turns the circle set into a linearly
    separable one.
    """
    X = as_float_array(X, "X")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (points of the plane); got {X.shape}")
    if isinstance(names, str):
        names = [names]
    names = list(names)
    if not names:
        raise ValueError(
            f"names must list at least one feature out of {FEATURES}; got an empty list"
        )
    unknown = [nm for nm in names if nm not in _FEATURE_FUNCS]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; expected names from FEATURES = {FEATURES}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([_FEATURE_FUNCS[nm](x1, x2) for nm in names]).astype(np.float64)


# ------------------------------------------------------------------------------------------
# Digits and MNIST


def load_digits():
    """The 8x8 handwritten digits (1797 images), loaded from ``nnlib/data/digits.npz``.

    Returns ``X`` of shape (1797, 64) float64 with pixel counts in [0, 16] (row-major 8x8
    images) and ``labels`` of shape (1797,) int64 in 0..9. Source: the UCI "Optical
    Recognition of Handwritten Digits" test set as bundled with scikit-learn, CC BY 4.0; see
    ``nnlib/data/README.md``. Used in notebook 09.
    """
    path = DATA_DIR / "digits.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"the digits file {path} is missing; reinstall nnlib (it ships with the package)"
        )
    with np.load(path) as data:
        X = data["X"].astype(np.float64)
        labels = data["labels"].astype(np.int64)
    return X, labels


# IDX type codes (http://yann.lecun.com/exdb/mnist/): data are big-endian
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path):
    """Read one IDX file (the MNIST format), plain or gzip-compressed.

    Layout: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions, then each dimension as a
    big-endian uint32, then the data, big-endian, row-major. Returns an array of that shape
    in native byte order (MNIST images: (N, 28, 28) uint8; labels: (N,) uint8).
    Truncated files, a bad magic number, an unknown type code or trailing bytes raise
    ValueError naming the file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: broken or truncated gzip data ({exc})") from None
    if len(raw) < 4:
        raise ValueError(
            f"{path}: truncated IDX file: {len(raw)} bytes, the header alone needs at least 4"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path}: bad magic number {raw[:4].hex()}: an IDX file starts with two zero bytes"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}; expected one of {known}")
    if ndim == 0:
        raise ValueError(f"{path}: the IDX header gives 0 dimensions; expected at least 1")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX file: the header announces {ndim} dimensions "
                         f"({header} bytes) but the file has {len(raw)} bytes")
    shape = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    have = len(raw) - header
    if have < expected:
        raise ValueError(
            f"{path}: truncated IDX file: shape {shape} of {dtype.name} needs {expected} "
            f"data bytes, the file has {have}"
        )
    if have > expected:
        raise ValueError(
            f"{path}: {have - expected} unexpected bytes after the data of shape {shape}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=int(np.prod(shape, dtype=np.int64)), offset=header)
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def _find_idx(directory: Path, kind: str, what: str, ndim: int) -> Path:
    # the original names, and the "train-images.idx3-ubyte" spelling found in some copies
    stems = [f"{kind}-{what}-idx{ndim}-ubyte", f"{kind}-{what}.idx{ndim}-ubyte"]
    candidates = [directory / (s + ext) for s in stems for ext in ("", ".gz")]
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(
        f"no MNIST {what} file in {directory}; expected one of "
        f"{[c.name for c in candidates]} (nnlib reads local files and never downloads)"
    )


def load_mnist(directory, kind: str = "train"):
    """Load MNIST (or a file-compatible set such as Fashion-MNIST) from local IDX files.

    ``directory`` holds ``{kind}-images-idx3-ubyte`` and ``{kind}-labels-idx1-ubyte``
    (optionally ``.gz``); ``kind`` is "train" or "t10k". Returns ``X`` of shape
    (N, rows * cols) float64 with the raw pixel values (0..255 for MNIST) and ``labels`` of
    shape (N,) int64.
    """
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or os.PathLike; got {type(directory).__name__}")
    if kind not in ("train", "t10k"):
        raise ValueError(f"kind must be 'train' or 't10k'; got {kind!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"MNIST directory {directory} does not exist")
    images = read_idx(_find_idx(directory, kind, "images", 3))
    labels = read_idx(_find_idx(directory, kind, "labels", 1))
    if images.ndim != 3:
        raise ValueError(
            f"MNIST images must have 3 dimensions (N, rows, cols); got shape {images.shape}"
        )
    if labels.ndim != 1:
        raise ValueError(f"MNIST labels must have 1 dimension (N,); got shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels in {directory} ({kind})")
    return images.reshape(len(images), -1).astype(np.float64), labels.astype(np.int64)
