"""Datasets (nnlib.datasets): truth tables, 2D sets, split, features, digits, IDX files."""
import doctest
import gzip
import struct

import numpy as np
import pytest

import nnlib.datasets
from nnlib.datasets import (DATASETS, FEATURES, MULTICLASS_DATASETS, features, load_digits, load_mnist,
                            make_dataset, read_idx, train_test_split, truth_table)

# --- truth tables -----------------------------------------------------------------------

GATES = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "nor": lambda a, b: not (a or b),
    "xor": lambda a, b: a != b,
}


@pytest.mark.parametrize("name", sorted(GATES))
def test_truth_tables_follow_boolean_logic(name):
    X, d = truth_table(name)
    assert X.shape == (4, 2) and d.shape == (4, 1)
    assert X.dtype == np.float64 and d.dtype == np.float64
    assert {tuple(r) for r in X} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for (a, b), target in zip(X, d[:, 0]):
        assert target == float(GATES[name](bool(a), bool(b)))


def test_or_table_is_the_decks_set_D():
    # deck 000 writes D = {((0,0),0), ((0,1),1), ((1,0),1), ((1,1),1)}
    X, d = truth_table("OR")
    table = {tuple(r): t for r, t in zip(X, d[:, 0])}
    assert table == {(0.0, 0.0): 0.0, (0.0, 1.0): 1.0, (1.0, 0.0): 1.0, (1.0, 1.0): 1.0}
    assert 0.1 not in X  # the deck's "0.1" is a typo for 1.0


def test_truth_table_returns_fresh_arrays():
    X, d = truth_table("and")
    X[0, 0] = 5
    assert truth_table("and")[0][0, 0] == 0


def test_truth_table_unknown_name():
    with pytest.raises(ValueError, match=r"unknown truth table 'xnor'; expected one of \['and', 'or'"):
        truth_table("xnor")
    with pytest.raises(TypeError, match=r"truth table must be a name \(one of \['and'"):
        truth_table(1)


# --- 2D sets ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("n", [2, 7, 200])
def test_generators_shapes_balance_and_determinism(name, n):
    X, labels = make_dataset(name, n=n, noise=0.2, seed=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert set(np.unique(labels)) <= {0, 1}
    assert np.sum(labels == 0) == n // 2 and np.sum(labels == 1) == n - n // 2
    assert np.all(np.isfinite(X))
    X2, labels2 = DATASETS[name](n, 0.2, 3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(labels, labels2)
    X3, _ = make_dataset(name, n=n, noise=0.2, seed=4)
    assert not np.array_equal(X, X3)


def test_generators_accept_a_generator_as_seed():
    a = make_dataset("circle", 50, 0.1, seed=np.random.default_rng(5))
    b = make_dataset("circle", 50, 0.1, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])


def test_circle_geometry():
    X, labels = make_dataset("circle", 400, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[labels == 1] <= 2.0) and np.all((r[labels == 0] >= 3.5) & (r[labels == 0] <= 5.0))


def test_xor_labels_are_the_xor_of_the_signs():
    X, labels = make_dataset("xor", 400, seed=0)
    np.testing.assert_array_equal(labels, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.0)


def test_gaussians_are_centred_on_the_diagonal():
    X, labels = make_dataset("gaussians", 2000, seed=0)
    np.testing.assert_allclose(X[labels == 0].mean(axis=0), [-2, -2], atol=0.15)
    np.testing.assert_allclose(X[labels == 1].mean(axis=0), [2, 2], atol=0.15)


def test_spiral_arms_are_point_reflections_of_each_other():
    X, labels = make_dataset("spiral", 100, seed=0)
    arm0 = X[labels == 0]
    arm1 = X[labels == 1]
    key = lambda P: P[np.lexsort((P[:, 1], P[:, 0]))]  # noqa: E731
    np.testing.assert_allclose(key(arm0), key(-arm1), atol=1e-12)
    assert np.max(np.hypot(*X.T)) < 5.0


@pytest.mark.parametrize("noise", [0.0, 0.5, 1.5])
def test_noise_has_the_requested_spread(noise):
    # blobs of standard deviation 1 plus independent noise of standard deviation `noise`
    X, labels = make_dataset("gaussians", 20000, noise=noise, seed=1)
    for k in (0, 1):
        np.testing.assert_allclose(X[labels == k].std(axis=0), np.sqrt(1 + noise ** 2), rtol=0.03)


def test_noise_moves_every_point_of_the_spiral():
    clean = make_dataset("spiral", 300, noise=0.0, seed=1)
    noisy = make_dataset("spiral", 300, noise=0.2, seed=1)
    # clean points lie exactly on the arms r = 5 s, angle = 3.5 pi s + pi * label (mod 2 pi)
    for (P, labels), on_arm in ((clean, True), (noisy, False)):
        r = np.hypot(P[:, 0], P[:, 1])
        angle = np.arctan2(P[:, 1], P[:, 0])
        expected = 3.5 * np.pi * (r / 5.0) + np.pi * labels
        gap = np.abs(np.angle(np.exp(1j * (angle - expected))))
        gap = np.where(r < 1e-12, 0.0, gap)
        assert np.all(gap < 1e-9) == on_arm


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n=1), ValueError, "n must be >= 2; got 1"),
    (dict(n=10.0), TypeError, "n must be an integer"),
    (dict(noise=-0.1), ValueError, "noise must be a finite number >= 0"),
    (dict(seed="x"), TypeError, "seed must be an int"),
])
def test_generator_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_dataset("xor", **kwargs)


def test_make_dataset_unknown_name():
    with pytest.raises(ValueError, match=r"unknown dataset 'moons'; expected one of \['circle'"):
        make_dataset("moons")


# --- split ------------------------------------------------------------------------------

def test_split_partitions_the_samples():
    X = np.arange(20.0).reshape(10, 2)
    labels = np.arange(10)
    X_tr, X_te, l_tr, l_te = train_test_split(X, labels, test_ratio=0.3, seed=0)
    assert X_te.shape == (3, 2) and X_tr.shape == (7, 2)
    assert sorted(np.concatenate([l_tr, l_te])) == list(range(10))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * l_tr)  # rows stay paired with their labels
    np.testing.assert_array_equal(X_te[:, 0], 2 * l_te)
    again = train_test_split(X, labels, test_ratio=0.3, seed=0)
    np.testing.assert_array_equal(again[3], l_te)


def test_split_accepts_one_hot_targets():
    X = np.zeros((6, 2))
    d = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    _, _, d_tr, d_te = train_test_split(X, d, test_ratio=0.5, seed=1)
    assert d_tr.shape == (3, 3) and d_te.shape == (3, 3)


@pytest.mark.parametrize("ratio, exc, match", [
    (0.0, ValueError, "strictly between 0 and 1; got 0.0"),
    (1.0, ValueError, "strictly between 0 and 1"),
    (-0.5, ValueError, "strictly between 0 and 1"),
    ("0.5", TypeError, "test_ratio must be a number"),
    (0.01, ValueError, "gives 0 test samples"),
    (0.99, ValueError, "gives 10 test samples"),
])
def test_split_bad_ratios(ratio, exc, match):
    with pytest.raises(exc, match=match):
        train_test_split(np.zeros((10, 2)), np.zeros(10), test_ratio=ratio)


def test_split_length_mismatch():
    with pytest.raises(ValueError, match=r"labels must have one row per sample of X, i.e. 10 rows; got shape \(9,\)"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))


# --- features ---------------------------------------------------------------------------

def test_features_values():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = features(X, FEATURES)
    x1, x2 = X.T
    expected = np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(F, expected)
    assert features(X, ["x1*x2", "x1"]).shape == (2, 2)
    np.testing.assert_allclose(features(X, "sin(x2)")[:, 0], np.sin(x2))


def test_squared_features_make_the_circle_linearly_separable():
    X, labels = make_dataset("circle", 300, seed=0)
    F = features(X, ["x1^2", "x2^2"])
    s = F.sum(axis=1)  # the line x1^2 + x2^2 = 9 separates the classes
    assert np.all((s < 9) == (labels == 1))


def test_features_errors():
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['x3'\]; expected names from FEATURES = \['x1'"):
        features(np.zeros((3, 2)), ["x1", "x3"])
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        features(np.zeros((3, 3)), ["x1"])
    with pytest.raises(ValueError, match="at least one feature"):
        features(np.zeros((3, 2)), [])


# --- digits -----------------------------------------------------------------------------

def test_load_digits_shape_range_and_classes():
    X, labels = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    assert np.all(X == np.round(X))
    # class counts of scikit-learn's copy, recorded in nnlib/data/README.md
    np.testing.assert_array_equal(np.bincount(labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_digits_images_look_like_their_class_means_differ():
    X, labels = load_digits()
    means = np.array([X[labels == k].mean(axis=0) for k in range(10)])
    # a nearest-class-mean classifier is far better than chance (10%) on real digits
    pred = np.argmin(((X[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert np.mean(pred == labels) > 0.85


# --- IDX / MNIST ------------------------------------------------------------------------

def idx_bytes(array, code):
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    head = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return head + np.asarray(array, dtype=dtype).tobytes()


@pytest.mark.parametrize("code, dtype", [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16),
                                         (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_round_trip_every_type(tmp_path, code, dtype):
    rng = np.random.default_rng(0)
    a = (rng.uniform(0, 100, size=(3, 4, 5))).astype(dtype)
    p = tmp_path / "a.idx"
    p.write_bytes(idx_bytes(a, code))
    b = read_idx(p)
    assert b.shape == (3, 4, 5)
    assert b.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(b, a)


def test_read_idx_gzip(tmp_path):
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    p = tmp_path / "a.idx.gz"
    p.write_bytes(gzip.compress(idx_bytes(a, 0x08)))
    np.testing.assert_array_equal(read_idx(str(p)), a)


def test_read_idx_errors(tmp_path):
    good = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), 0x08)
    cases = {
        "short": (good[:3], "truncated IDX file: 3 bytes"),
        "header": (good[:8], r"truncated IDX file: the header announces 2 dimensions \(12 bytes\)"),
        "data": (good[:-1], r"truncated IDX file: shape \(2, 3\) of uint8 needs 6 data bytes, the file has 5"),
        "magic": (b"\x01" + good[1:], "bad magic number 01000802"),
        "code": (good[:2] + b"\x07" + good[3:], "unknown IDX type code 0x07"),
        "trailing": (good + b"\x00", "1 unexpected bytes after the data"),
        "gzip": (gzip.compress(good)[:-6], "broken or truncated gzip data"),
    }
    for name, (data, match) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(ValueError, match=match):
            read_idx(p)


def write_mnist(directory, kind, n, gz=False):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    ext = ".gz" if gz else ""
    for name, arr in ((f"{kind}-images-idx3-ubyte", images), (f"{kind}-labels-idx1-ubyte", labels)):
        raw = idx_bytes(arr, 0x08)
        (directory / (name + ext)).write_bytes(gzip.compress(raw) if gz else raw)
    return images, labels


@pytest.mark.parametrize("kind, gz", [("train", False), ("t10k", True)])
def test_load_mnist_from_tiny_files(tmp_path, kind, gz):
    images, labels = write_mnist(tmp_path, kind, 5, gz=gz)
    X, lab = load_mnist(tmp_path, kind=kind)
    assert X.shape == (5, 784) and X.dtype == np.float64
    assert lab.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(5, 784))
    np.testing.assert_array_equal(lab, labels)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(ValueError, match="kind must be 'train' or 't10k'; got 'test'"):
        load_mnist(tmp_path, kind="test")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    write_mnist(tmp_path, "train", 4)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(3, dtype=np.uint8), 0x08))
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        load_mnist(tmp_path)


def test_module_doctest():
    result = doctest.testmod(nnlib.datasets)
    assert result.attempted > 0 and result.failed == 0


# --- properties -------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(N=st.integers(2, 60), ratio=st.floats(0.001, 0.999), seed=st.integers(0, 2 ** 32 - 1))
def test_split_is_a_partition_or_a_clear_error(N, ratio, seed):
    X = np.arange(2.0 * N).reshape(N, 2)
    labels = np.arange(N)
    n_test = int(round(ratio * N))
    if not 1 <= n_test <= N - 1:
        with pytest.raises(ValueError, match="both the training and the test part need at least one"):
            train_test_split(X, labels, test_ratio=ratio, seed=seed)
        return
    X_tr, X_te, l_tr, l_te = train_test_split(X, labels, test_ratio=ratio, seed=seed)
    assert len(l_te) == n_test and len(l_tr) == N - n_test
    assert sorted(np.concatenate([l_tr, l_te]).tolist()) == list(range(N))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * l_tr)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(DATASETS)), n=st.integers(2, 300),
       noise=st.floats(0.0, 2.0), seed=st.integers(0, 10 ** 6))
def test_generators_are_balanced_and_finite_for_any_arguments(name, n, noise, seed):
    X, labels = make_dataset(name, n=n, noise=noise, seed=seed)
    assert X.shape == (n, 2) and np.all(np.isfinite(X))
    assert np.bincount(labels, minlength=2).tolist() == [n // 2, n - n // 2]


# --- more than two classes ----------------------------------------------------------------

def _two_class_reference(name, n, noise, seed):
    """The two-class gaussians and spiral written out as they were before ``n_classes``."""
    rng = np.random.default_rng(seed)
    if name == "gaussians":
        parts = [(rng.normal(-2.0, 1.0, size=(n // 2, 2)), 0), (rng.normal(2.0, 1.0, size=(n - n // 2, 2)), 1)]
    else:
        parts = []
        for label, count in ((0, n // 2), (1, n - n // 2)):
            s = np.linspace(0.0, 1.0, count, endpoint=False)
            t = 1.75 * 2 * np.pi * s + np.pi * label
            parts.append((np.column_stack([5.0 * s * np.cos(t), 5.0 * s * np.sin(t)]), label))
    X = np.concatenate([p for p, _ in parts])
    labels = np.concatenate([np.full(len(p), lab, dtype=np.int64) for p, lab in parts])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(X))
    return X[order], labels[order]


@pytest.mark.parametrize("name", ["gaussians", "spiral"])
@pytest.mark.parametrize("n, noise, seed", [(200, 0.0, 0), (201, 0.3, 5), (7, 1.0, 3)])
def test_two_classes_are_bit_for_bit_the_data_of_before(name, n, noise, seed):
    expected = _two_class_reference(name, n, noise, seed)
    for got in (make_dataset(name, n, noise, seed), make_dataset(name, n, noise, seed, n_classes=2),
                DATASETS[name](n, noise, seed, 2)):
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("name", MULTICLASS_DATASETS)
@pytest.mark.parametrize("k", [3, 4, 10])
@pytest.mark.parametrize("n", [10, 203])
def test_k_class_generators_shapes_sizes_and_determinism(name, k, n):
    X, labels = make_dataset(name, n=n, noise=0.1, seed=2, n_classes=k)
    assert X.shape == (n, 2) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert labels.shape == (n,) and labels.dtype == np.int64
    counts = np.bincount(labels, minlength=k)
    assert len(counts) == k and counts.sum() == n
    assert counts.max() - counts.min() <= 1 and counts[0] == n // k  # the last classes get the rest
    X2, labels2 = make_dataset(name, n=n, noise=0.1, seed=2, n_classes=k)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(labels, labels2)


@pytest.mark.parametrize("k", [3, 4, 6])
def test_k_gaussians_sit_evenly_on_a_circle_apart_from_each_other(k):
    X, labels = make_dataset("gaussians", 600 * k, seed=1, n_classes=k)
    means = np.array([X[labels == c].mean(axis=0) for c in range(k)])
    radius = np.hypot(*means.T)
    np.testing.assert_allclose(radius, radius.mean(), atol=0.15)
    # class 0 at 225 degrees, the others counter-clockwise in steps of 360 / k degrees
    angles = np.degrees(np.arctan2(means[:, 1], means[:, 0])) % 360
    expected = (225 + 360 * np.arange(k) / k) % 360
    gap = (angles - expected + 180) % 360 - 180
    np.testing.assert_allclose(gap, 0, atol=3)
    neighbours = np.hypot(*(means - np.roll(means, 1, axis=0)).T)
    assert np.all(neighbours > 4.8)
    for c in range(k):
        np.testing.assert_allclose(X[labels == c].std(axis=0), 1.0, rtol=0.1)


@pytest.mark.parametrize("k", [3, 5])
def test_k_spiral_arms_are_rotations_of_arm_0(k):
    X, labels = make_dataset("spiral", 40 * k, seed=0, n_classes=k)
    arm0 = X[labels == 0]
    key = lambda P: P[np.lexsort((P[:, 1], P[:, 0]))]  # noqa: E731
    for c in range(1, k):
        a = -2 * np.pi * c / k  # turning arm c back by 2 pi c / k gives arm 0
        R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        np.testing.assert_allclose(key(X[labels == c] @ R.T), key(arm0), atol=1e-9)


@pytest.mark.parametrize("name, kwargs, exc, match", [
    ("circle", dict(n_classes=3), ValueError, r"n_classes must be 2 for circle .*\['gaussians', 'spiral'\]"),
    ("xor", dict(n_classes=4), ValueError, "n_classes must be 2 for xor"),
    ("gaussians", dict(n_classes=1), ValueError, "n_classes must be >= 2; got 1"),
    ("spiral", dict(n_classes=11), ValueError, "n_classes must be <= 10; got 11"),
    ("spiral", dict(n_classes=3.0), TypeError, "n_classes must be an integer"),
    ("gaussians", dict(n=3, n_classes=4), ValueError, r"n must be >= n_classes .*got n=3, n_classes=4"),
])
def test_n_classes_bad_arguments(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_dataset(name, **kwargs)
