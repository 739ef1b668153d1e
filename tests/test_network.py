"""Network construction, forward pass, parameters, network function."""
import numpy as np
import pytest

from nnlib.activations import sigmoid
from nnlib.network import ForwardPass, Network, count_params, parse_sizes


def test_sizes_and_param_count():
    assert parse_sizes("2-4-3-2") == [2, 4, 3, 2]
    assert parse_sizes([2, 4, 3, 2]) == [2, 4, 3, 2]
    assert count_params("2-4-3-2") == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    net = Network.from_sizes("2-4-3-2", activations=["relu", "tanh", "sigmoid"], seed=0)
    assert net.sizes == [2, 4, 3, 2] and net.L == 3
    assert [w.shape for w in net.W] == [(2, 4), (4, 3), (3, 2)]
    assert [b.shape for b in net.b] == [(4,), (3,), (2,)]
    assert net.n_params == 35 == net.get_flat().size
    assert [a.name for a in net.activations] == ["relu", "tanh", "sigmoid"]


def test_forward_returns_every_layer():
    rng = np.random.default_rng(0)
    net = Network.from_sizes("3-5-2", activations=["tanh", "sigmoid"], seed=1)
    X = rng.normal(size=(7, 3))
    fp = net.forward(X)
    assert isinstance(fp, ForwardPass)
    assert len(fp.y) == len(fp.xi) == net.L + 1 and fp.xi[0] is None
    np.testing.assert_array_equal(fp.y[0], X)
    xi1 = X @ net.W[0] + net.b[0]
    np.testing.assert_allclose(fp.xi[1], xi1)
    np.testing.assert_allclose(fp.y[1], np.tanh(xi1))
    xi2 = np.tanh(xi1) @ net.W[1] + net.b[1]
    np.testing.assert_allclose(fp.xi[2], xi2)
    np.testing.assert_allclose(fp.y[2], 1 / (1 + np.exp(-xi2)))
    np.testing.assert_allclose(net(X), fp.y[2])
    np.testing.assert_allclose(net.predict(X), fp.y[2])
    one = net(X[0])
    assert one.shape == (2,)
    np.testing.assert_allclose(one, fp.y[2][0])


def test_kth_forward_pass():
    # KTH deck: x = (0.05, 0.10), w1..w8, one shared bias per layer.
    net = Network([[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid")
    fp = net.forward([0.05, 0.10])
    np.testing.assert_allclose(fp.xi[1], [[0.3775, 0.3925]])
    np.testing.assert_allclose(fp.y[1], [[0.59327, 0.59688]], atol=1e-5, rtol=0)
    np.testing.assert_allclose(fp.xi[2][0, 0], 1.1059, atol=5e-5)
    # the deck cuts digits off (0.772928 is printed 0.77292): agree to 1e-5
    np.testing.assert_allclose(fp.y[2], [[0.75136, 0.77292]], atol=1e-5, rtol=0)


def test_explicit_weights_are_copied_and_float64():
    W = [np.array([[1, 2]]), np.array([[3], [4]])]
    net = Network(W, [np.zeros(2), np.zeros(1)], ["identity", "identity"])
    net.W[0][0, 0] = 100.0
    assert W[0][0, 0] == 1 and net.W[0].dtype == np.float64
    assert float(net([2.0])[0]) == 2.0 * 100 * 3 + 2.0 * 2 * 4


def test_params_flat_roundtrip_and_copy():
    net = Network.from_sizes([2, 3, 1], seed=0)
    theta = net.get_flat()
    twin = net.copy()
    net.set_flat(np.arange(net.n_params, dtype=float))
    assert net.W[0][0, 0] == 0.0 and net.b[-1][0] == net.n_params - 1
    np.testing.assert_array_equal(twin.get_flat(), theta)     # the copy is independent
    live = net.params()
    assert live[0] is net.W[0] and live[1] is net.b[0] and len(live) == 2 * net.L
    net.set_flat(theta)
    np.testing.assert_array_equal(net.get_flat(), theta)


def test_from_sizes_is_seeded_and_init_scales():
    a = Network.from_sizes("4-8-2", seed=5)
    b = Network.from_sizes("4-8-2", seed=5)
    np.testing.assert_array_equal(a.get_flat(), b.get_flat())
    big = Network.from_sizes("100-100", init="normal", seed=0)
    assert 0.9 < big.W[0].std() < 1.1
    he = Network.from_sizes("100-100", init="he", seed=0)
    assert 0.9 * np.sqrt(0.02) < he.W[0].std() < 1.1 * np.sqrt(0.02)
    tiny = Network.from_sizes("100-100", init=0.01, seed=0)
    assert tiny.W[0].std() < 0.011
    assert np.all(tiny.b[0] == 0.0)


def test_steepness_parameter_through_activation_object():
    from nnlib.activations import get_activation
    net = Network([np.eye(2)], [np.zeros(2)], get_activation("sigmoid", lam=3.0))
    np.testing.assert_allclose(net([[1.0, -1.0]]), sigmoid(np.array([[1.0, -1.0]]), lam=3.0))
    assert "lam=3.0" in repr(net)


def test_validation_messages():
    with pytest.raises(ValueError, match=(
            r"W\[1\] must have 4 rows to follow W\[0\] of shape \(2, 4\); got shape \(3, 2\)")):
        Network([np.zeros((2, 4)), np.zeros((3, 2))], [np.zeros(4), np.zeros(2)])
    with pytest.raises(ValueError, match=(
            r"b\[0\] must have shape \(4,\) to match W\[0\] of shape \(2, 4\); got \(3,\)")):
        Network([np.zeros((2, 4))], [np.zeros(3)])
    with pytest.raises(ValueError, match="one entry per weight layer"):
        Network([np.zeros((2, 4))], [])
    net = Network.from_sizes("2-4", seed=0)
    with pytest.raises(ValueError, match=(
            r"X must have shape \(N, 2\) to match W\[0\] of shape \(2, 4\); got \(5, 3\)")):
        net.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        net([np.nan, 1.0])
    with pytest.raises(ValueError, match=(
            "activations must be one name for all layers or a list of 2")):
        Network.from_sizes("2-3-1", activations=["relu"])
    with pytest.raises(ValueError, match="sizes must look like '2-4-3-2'"):
        parse_sizes("2-x-1")
    with pytest.raises(ValueError, match="at least one unit"):
        parse_sizes([2, 0, 1])
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        Network.from_sizes("2-1", init="glorot")
    with pytest.raises(ValueError, match=r"theta must have shape \(3,\)"):
        Network.from_sizes("2-1", seed=0).set_flat(np.zeros(4))
