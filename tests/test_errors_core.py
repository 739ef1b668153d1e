"""Bad input to the core modules: a ValueError/TypeError that names what was expected."""
import numpy as np
import pytest

import nnlib
from nnlib import (Network, backward_by_unit, check_gradients, get_activation, get_loss,
                   gradients, loss_value, to_one_hot, train)


@pytest.fixture
def net():
    return Network.from_sizes("2-3-2", ["tanh", "softmax"], seed=0)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match=(
            r"unknown activation 'softplus'; expected one of \[.*'relu'.*\]")):
        get_activation("softplus")
    with pytest.raises(ValueError, match=(
            r"unknown loss 'hinge'; expected one of \[.*'cross_entropy'.*\]")):
        get_loss("hinge")
    with pytest.raises(ValueError, match=r"unknown activation 'Relu6'"):
        Network.from_sizes("2-1", activations="Relu6")
    with pytest.raises(ValueError, match=r"unknown input function 'cosine'"):
        Network.from_sizes("2-1", inputs="cosine")


def test_wrong_types(net):
    with pytest.raises(TypeError, match="W and b must be lists of arrays"):
        Network(np.zeros((2, 2)), [np.zeros(2)])
    with pytest.raises(TypeError, match="X must be an array of numbers; got str"):
        net("1, 2")
    with pytest.raises(TypeError, match="sizes must be a string like '2-4-3-2'"):
        Network.from_sizes(3)
    with pytest.raises(TypeError, match="sizes must contain integers"):
        Network.from_sizes([2, 2.5, 1])
    with pytest.raises(TypeError, match="net must be a Network"):
        check_gradients(object(), np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(TypeError, match="epochs must be an integer; got float"):
        train(net, np.zeros((2, 2)), to_one_hot([0, 1], 2), loss="cross_entropy", epochs=2.0)


def test_no_silent_broadcasting(net):
    X = np.zeros((4, 2))
    # one target row for four samples would broadcast in numpy; nnlib refuses
    with pytest.raises(ValueError, match=(
            r"d must have shape \(4, 2\) \(one row per sample of X, one column per output unit\); "
            r"got \(1, 2\)")):
        gradients(net, X, np.array([[1.0, 0.0]]), loss="cross_entropy")
    with pytest.raises(ValueError, match=(
            r"y and d must have the same shape \(N, m\); got \(4, 1\) and \(1, 1\)")):
        loss_value("half_sse", np.zeros((4, 1)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match=(
            r"b\[0\] must have shape \(3,\) to match W\[0\] of shape \(2, 3\); got \(1,\)")):
        Network([np.zeros((2, 3))], [np.zeros(1)])
    with pytest.raises(ValueError, match=(
            r"X must have shape \(N, 2\) to match W\[0\] of shape \(2, 3\); got \(4, 1\)")):
        net(np.zeros((4, 1)))


def test_nan_and_inf_are_rejected(net):
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        net.forward([[np.inf, 0.0]])
    with pytest.raises(ValueError, match=r"W\[0\] contains NaN or inf"):
        Network([np.array([[np.nan]])], [np.zeros(1)])
    with pytest.raises(ValueError, match="d contains NaN or inf"):
        gradients(net, np.zeros((1, 2)), [[np.nan, 1.0]], loss="half_sse")
    with pytest.raises(ValueError, match="theta contains NaN or inf"):
        net.set_flat(np.full(net.n_params, np.nan))


def test_label_encodings(net):
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=(
            r"cross_entropy needs one-hot targets d of shape \(3, 2\); got labels of shape "
            r"\(3,\); use to_one_hot\(labels, 2\)")):
        train(net, X, np.array([0, 1, 1]), loss="cross_entropy")
    with pytest.raises(ValueError, match="every row summing to 1"):
        gradients(net, X, np.ones((3, 2)), loss="cross_entropy")
    with pytest.raises(ValueError, match=(
            r"bce needs targets d in \[0, 1\] \(0/1 labels or probabilities\); got values from -1 "
            r"to 1")):
        backward_by_unit(Network.from_sizes("2-1", seed=0), X, np.array([[-1.0], [0.0], [1.0]]),
                         loss="bce")
    with pytest.raises(ValueError, match="labels must lie in 0..1 for n_classes=2"):
        to_one_hot([0, 1, 2], 2)


def test_reduction_and_parameters():
    with pytest.raises(ValueError, match=(
            r"unknown reduction 'avg'; expected one of \['mean', 'sum'\]")):
        gradients(Network.from_sizes("1-1", seed=0), [[1.0]], [[1.0]], reduction="avg")
    with pytest.raises(ValueError, match="alpha must be a finite real number"):
        get_activation("elu", alpha=np.inf)
    with pytest.raises(ValueError, match=(
            "init must be 'xavier', 'he', 'normal' or a positive number; got -1")):
        Network.from_sizes("2-1", init=-1)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        train(Network.from_sizes("1-1", seed=0), [[1.0]], [[1.0]], l2=-1.0)
    with pytest.raises(ValueError, match="target_loss must be a finite number >= 0"):
        train(Network.from_sizes("1-1", seed=0), [[1.0]], [[1.0]], target_loss=float("nan"))


def test_public_names_are_exported():
    for name in ["Network", "train", "gradients", "backward", "backward_by_unit",
                 "check_gradients", "numerical_gradient", "relative_error", "Value",
                 "perceptron_train", "step_neuron", "sgd_step", "to_one_hot", "get_loss",
                 "get_activation", "ACTIVATIONS", "LOSSES", "History", "ConvergenceWarning"]:
        assert hasattr(nnlib, name), name
