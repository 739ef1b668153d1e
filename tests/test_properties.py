"""Property-based tests (hypothesis) over random shapes and values."""
import numpy as np
from hypothesis import given, settings, strategies as st

from nnlib import (Network, backward_by_unit, count_params, gradients, loss_value, softmax,
                   to_one_hot, train)
from nnlib.activations import sigmoid
from nnlib.gradcheck import check_gradients

sizes_st = st.lists(st.integers(1, 5), min_size=2, max_size=4)
hidden_st = st.sampled_from(["sigmoid", "tanh", "gaussian", "elu", "identity"])
finite = st.floats(-1e3, 1e3, allow_nan=False)
SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(sizes=sizes_st, n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_forward_shapes_and_param_count(sizes, n, seed):
    net = Network.from_sizes(sizes, seed=seed)
    X = np.random.default_rng(seed).normal(size=(n, sizes[0]))
    fp = net.forward(X)
    assert [y.shape for y in fp.y] == [(n, s) for s in sizes]
    assert [xi.shape for xi in fp.xi[1:]] == [(n, s) for s in sizes[1:]]
    assert net.n_params == count_params(sizes) == net.get_flat().size
    _, g = gradients(net, X, np.zeros((n, sizes[-1])))
    assert [a.shape for a in g.dW] == [w.shape for w in net.W]


@SETTINGS
@given(sizes=sizes_st, hidden=hidden_st, n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_vectorised_equals_unit_by_unit(sizes, hidden, n, seed):
    rng = np.random.default_rng(seed)
    net = Network.from_sizes(sizes, [hidden] * (len(sizes) - 2) + ["sigmoid"], seed=rng)
    X, d = rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
    for loss in ("half_sse", "bce"):
        _, g = gradients(net, X, d, loss=loss)
        np.testing.assert_allclose(backward_by_unit(net, X, d, loss=loss).flat(), g.flat(),
                                   rtol=1e-9, atol=1e-12)


@SETTINGS
@given(sizes=sizes_st, seed=st.integers(0, 2**32 - 1))
def test_gradient_check_tanh_half_sse(sizes, seed):
    rng = np.random.default_rng(seed)
    net = Network.from_sizes(sizes, "tanh", seed=rng)
    X, d = rng.normal(size=(3, sizes[0])), rng.normal(size=(3, sizes[-1]))
    # The absolute agreement is what holds for every random point; the relative error is
    # tested at well-conditioned points in test_gradcheck.py.
    _, g = gradients(net, X, d)
    theta = net.get_flat()
    from nnlib.gradcheck import numerical_gradient

    def E(t):
        net.set_flat(t)
        return float(0.5 * ((net(X) - d) ** 2).sum())
    numeric = numerical_gradient(E, theta.copy())
    net.set_flat(theta)
    assert np.max(np.abs(numeric - g.flat())) < 1e-7 * (1 + np.abs(g.flat()).max())
    assert check_gradients(net, X, d) >= 0.0


@SETTINGS
@given(xi=st.lists(finite, min_size=1, max_size=8), shift=finite)
def test_softmax_is_a_distribution_and_shift_invariant(xi, shift):
    xi = np.array([xi])
    y = softmax(xi)
    assert np.all(y >= 0) and np.isclose(y.sum(), 1.0)
    np.testing.assert_allclose(softmax(xi + shift), y, atol=1e-12)


@SETTINGS
@given(xi=st.lists(st.floats(-1e308, 1e308, allow_nan=False), min_size=1, max_size=8),
       lam=st.floats(0.01, 10))
def test_sigmoid_range_and_symmetry(xi, lam):
    xi = np.array(xi)
    y = sigmoid(xi, lam=lam)
    assert np.all((y >= 0) & (y <= 1))
    np.testing.assert_allclose(sigmoid(-xi, lam=lam), 1 - y, atol=1e-15)


@SETTINGS
@given(labels=st.lists(st.integers(0, 4), min_size=1, max_size=10))
def test_one_hot_rows(labels):
    d = to_one_hot(labels, 5)
    assert d.shape == (len(labels), 5)
    np.testing.assert_array_equal(d.argmax(axis=1), labels)
    np.testing.assert_array_equal(d.sum(axis=1), 1.0)


@SETTINGS
@given(n=st.integers(1, 5), m=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_losses_are_nonnegative_and_zero_at_target(n, m, seed):
    rng = np.random.default_rng(seed)
    y, d = rng.uniform(size=(n, m)), rng.uniform(size=(n, m))
    for name in ("half_sse", "sse", "mse", "l1"):
        assert loss_value(name, y, d) >= 0 and loss_value(name, d, d) == 0
    assert loss_value("sse", y, d) == 2 * loss_value("half_sse", y, d) or \
        np.isclose(loss_value("sse", y, d), 2 * loss_value("half_sse", y, d))


@SETTINGS
@given(n=st.integers(1, 12), batch=st.one_of(st.none(), st.integers(1, 15)),
       seed=st.integers(0, 1000))
def test_training_history_is_finite(n, batch, seed):
    rng = np.random.default_rng(seed)
    net = Network.from_sizes("2-3-1", seed=seed)
    X, d = rng.normal(size=(n, 2)), rng.uniform(size=(n, 1))
    h = train(net, X, d, epochs=3, batch_size=batch, seed=seed)
    assert h.epochs == len(h.train_loss) == 3 and np.all(np.isfinite(h.train_loss))
