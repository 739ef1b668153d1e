"""train_val_test_split: three disjoint parts that cover the data, seeded, validated."""
import numpy as np
import pytest

from nnlib.datasets import train_val_test_split


def test_three_disjoint_parts_cover_every_sample():
    X = np.arange(40, dtype=float).reshape(20, 2)
    parts = train_val_test_split(X, np.arange(20), val_ratio=0.25, test_ratio=0.25, seed=3)
    X_tr, X_va, X_te, l_tr, l_va, l_te = parts
    assert (len(l_tr), len(l_va), len(l_te)) == (10, 5, 5)
    together = np.concatenate([l_tr, l_va, l_te])
    assert sorted(together.tolist()) == list(range(20))
    for Xp, lp in [(X_tr, l_tr), (X_va, l_va), (X_te, l_te)]:
        np.testing.assert_array_equal(Xp, X[lp])          # rows stay with their labels
    again = train_val_test_split(X, np.arange(20), 0.25, 0.25, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))


def test_bad_ratios_are_named():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="val_ratio must be a number strictly between 0 and 1"):
        train_val_test_split(X, np.arange(10), 0.0, 0.2)
    with pytest.raises(ValueError, match="val_ratio \\+ test_ratio must be < 1"):
        train_val_test_split(X, np.arange(10), 0.5, 0.5)
    with pytest.raises(ValueError, match="gives 0 validation samples"):
        train_val_test_split(X, np.arange(10), 0.01, 0.2)
