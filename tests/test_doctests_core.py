"""Run the examples in the core modules' docstrings (they are part of the documentation)."""
import doctest
import importlib

import pytest

MODULES = ["activations", "inputs", "network", "losses", "backprop", "gradcheck", "train",
           "optim", "regularization", "preprocess", "diagnostics",
           "graph", "perceptron"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"nnlib.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"nnlib.{name} has no examples"
