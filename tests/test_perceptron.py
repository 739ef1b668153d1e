"""Step units: the decks' hand-made XOR networks; the perceptron learning rule."""
import numpy as np
import pytest

from nnlib.network import Network
from nnlib.perceptron import perceptron_train, step_neuron
from nnlib.train import ConvergenceWarning

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0], dtype=float)


def test_xor_with_kth_hand_weights():
    # KTH: out_h = X W_x^T + b_x with W_x = [[1, 1], [1, 1]], b_x = (-1.5, -0.5);
    # out = w_h^T h + b_h with w_h = (-1, 1), b_h = -0.5. Our W[0] is W_x transposed.
    W_x, b_x = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.5, -0.5])
    w_h, b_h = np.array([-1.0, 1.0]), -0.5
    net = Network([W_x.T, w_h.reshape(2, 1)], [b_x, np.array([b_h])], "step")
    fp = net.forward(X4)
    np.testing.assert_array_equal(fp.xi[1], [[-1.5, -0.5], [-0.5, 0.5], [-0.5, 0.5], [0.5, 1.5]])
    np.testing.assert_array_equal(fp.y[1], [[0, 0], [0, 1], [0, 1], [1, 1]])
    np.testing.assert_array_equal(fp.xi[2].ravel(), [-0.5, 0.5, 0.5, -0.5])
    np.testing.assert_array_equal(net(X4).ravel(), XOR)


def test_xor_with_pv021_lines():
    # P1: -1 + 2x1 + 2x2 = 0 (on its positive side unless x = (0, 0): OR);
    # P2:  3 - 2x1 - 2x2 = 0 (on its positive side unless x = (1, 1): NAND).
    # XOR is the region on the positive side of both: an AND unit on top
    # (weights 1, 1 and bias -1.5; the deck leaves the choice of this unit to the reader).
    W0 = np.array([[2.0, -2.0], [2.0, -2.0]])
    b0 = np.array([-1.0, 3.0])
    net = Network([W0, np.array([[1.0], [1.0]])], [b0, np.array([-1.5])], "step")
    fp = net.forward(X4)
    np.testing.assert_array_equal(fp.y[1][:, 0], [0, 1, 1, 1])        # P1
    np.testing.assert_array_equal(fp.y[1][:, 1], [1, 1, 1, 0])        # P2
    np.testing.assert_array_equal(net(X4).ravel(), XOR)
    # and point by point as in the deck's table: (1,1)->0, (1,0)->1, (0,1)->1, (0,0)->0
    for x, want in [((1, 1), 0), ((1, 0), 1), ((0, 1), 1), ((0, 0), 0)]:
        assert net(np.array(x, dtype=float))[0] == want


def test_step_neuron():
    assert step_neuron([1.0, 1.0], [1.0, 1.0], -1.5) == 1.0
    np.testing.assert_array_equal(step_neuron(X4, [1.0, 1.0], -1.5), [0, 0, 0, 1])
    np.testing.assert_array_equal(step_neuron(X4, [1.0, 1.0], -0.5), [0, 1, 1, 1])
    assert step_neuron([0.0, 0.0], [1.0, 1.0], 0.0) == 1.0     # ξ = 0 counts as 1


@pytest.mark.parametrize("d", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], ids=["and", "or", "nand"])
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_perceptron_learns_separable_tables(d, seed):
    w, b, hist = perceptron_train(X4, d, seed=seed)
    assert hist.converged and hist.errors[-1] == 0
    np.testing.assert_array_equal(step_neuron(X4, w, b), d)
    assert len(hist.updates) == sum(hist.errors)


def test_perceptron_fails_on_xor():
    with pytest.warns(ConvergenceWarning, match="did not converge in 50 epochs"):
        w, b, hist = perceptron_train(X4, XOR, epochs=50, seed=0)
    assert not hist.converged and hist.epochs == 50
    assert min(hist.errors) >= 1
    assert np.any(step_neuron(X4, w, b) != XOR)


def test_each_update_turns_the_line_towards_the_point():
    """After an update on a misclassified x, its potential moves by γ(d - y)(‖x‖² + 1)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    d = (X[:, 0] - 0.5 * X[:, 1] > 0.2).astype(float)
    w_prev, b_prev = np.zeros(2), 0.0
    w, b, hist = perceptron_train(X, d, gamma=0.5, epochs=200)
    assert hist.converged
    for k, w_new, b_new in hist.updates:
        y_before = float(X[k] @ w_prev + b_prev >= 0)
        assert y_before != d[k]
        moved = (X[k] @ w_new + b_new) - (X[k] @ w_prev + b_prev)
        assert np.isclose(moved, 0.5 * (d[k] - y_before) * (X[k] @ X[k] + 1))
        w_prev, b_prev = w_new, b_new


def test_errors():
    with pytest.raises(ValueError, match=r"d must have shape \(4,\)"):
        perceptron_train(X4, [0, 1, 1])
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        perceptron_train(X4, [0, 2, 1, 0])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\) to match w of shape \(3,\)"):
        step_neuron(X4, [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="b must be a single number"):
        step_neuron(X4, [1.0, 1.0], [0.0, 1.0])
