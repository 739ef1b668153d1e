"""nnlib: the reference library of the feedforward-neural-networks course.

Small numpy modules, one lecture idea each; the notation is fixed in ``docs/design.md`` and
in notebook 00's concordance. Import the pieces you need::

    from nnlib import Network, train, gradient_descent
    net = Network.from_sizes("2-4-1", activations=["tanh", "sigmoid"], seed=0)

``nnlib.plotting`` and ``nnlib.labs`` are not imported here (they pull in matplotlib and
ipywidgets); import them explicitly. Note that ``nnlib.train`` is the *function* ``train``;
the module's other names are importable as ``from nnlib.train import History``.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .activations import (ACTIVATIONS, Activation, elu, elu_prime, gaussian, gaussian_prime,
                          get_activation, identity, identity_prime, leaky_relu,
                          leaky_relu_prime, relu, relu_prime, sigmoid, sigmoid_prime, softmax,
                          softmax_jacobian, step, step_prime, tanh, tanh_prime)
from .backprop import Gradients, backward, backward_by_unit, gradients
from .datasets import (DATASETS, FEATURES, features, load_digits, load_mnist, make_circle,
                       make_dataset, make_gaussians, make_spiral, make_xor, read_idx,
                       train_test_split, train_val_test_split, truth_table)
from .descent import DescentTrace, clip_gradient, gradient_descent
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .inputs import (INPUT_FUNCTIONS, InputFunction, get_input_function, squared_distance,
                     weighted_sum)
from .losses import LOSSES, Loss, get_loss, loss_value, to_one_hot
from .network import ForwardPass, Network, count_params, parse_sizes
from .graph import Value
from .perceptron import PerceptronHistory, perceptron_train, step_neuron
from .train import ConvergenceWarning, History, minibatches, sgd_step, train
from .optim import OPTIMIZERS, Optimizer
from .regularization import dropout_backward, dropout_forward, l1_grad, l1_penalty, l2_grad, l2_penalty
from .preprocess import fit_standardizer, standardize
from .diagnostics import LayerStats, layer_stats
