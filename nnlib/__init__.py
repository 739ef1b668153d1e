"""nnlib: the reference library of the feedforward-neural-networks course.

Small numpy modules, one lecture idea each; the notation is fixed in ``docs/design.md`` and
in notebook 00's concordance. Import the pieces you need::

    from nnlib import Network, train, gradient_descent
    net = Network.from_sizes("2-4-1", activations=["tanh", "sigmoid"], seed=0)

``nnlib.plotting`` and ``nnlib.labs`` are not imported here (they pull in matplotlib and
ipywidgets); import them explicitly.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .activations import (ACTIVATIONS, Activation, elu, elu_prime, gaussian, gaussian_prime,
                          get_activation, identity, identity_prime, leaky_relu,
                          leaky_relu_prime, relu, relu_prime, sigmoid, sigmoid_prime, softmax,
                          softmax_jacobian, step, step_prime, tanh, tanh_prime)
from .backprop import Gradients, backward, backward_by_unit, gradients
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .inputs import (INPUT_FUNCTIONS, InputFunction, get_input_function, squared_distance,
                     weighted_sum)
from .losses import LOSSES, Loss, get_loss, loss_value, to_one_hot
from .network import ForwardPass, Network, count_params, parse_sizes
from .graph import Value
from .perceptron import PerceptronHistory, perceptron_train, step_neuron
from .train import ConvergenceWarning, History, minibatches, sgd_step, train


def _optional(module: str, names: list[str]) -> None:
    # Modules written in parallel by other contributors: re-export them once they exist,
    # but never hide a real error inside them.
    import importlib

    try:
        mod = importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{module}":
            raise
        return
    for name in names:
        if hasattr(mod, name):
            globals()[name] = getattr(mod, name)


_optional("descent", ["gradient_descent", "clip_gradient", "DescentTrace"])
_optional("datasets", ["truth_table", "make_circle", "make_xor", "make_gaussians",
                       "make_spiral", "make_dataset", "train_test_split", "features",
                       "load_digits", "read_idx", "load_mnist", "DATASETS", "FEATURES"])
del _optional
