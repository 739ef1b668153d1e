"""nnlib: the reference library of the feedforward-neural-networks course.

Small numpy modules, one lecture idea each; the notation is fixed in ``docs/design.md`` and
in notebook 00's concordance. Import the pieces you need::

    from nnlib import Network, train, gradient_descent
    net = Network.from_sizes("2-4-1", activations=["tanh", "sigmoid"], seed=0)
"""
from __future__ import annotations

__version__ = "0.1.0"
