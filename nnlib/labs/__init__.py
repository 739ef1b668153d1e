"""The course's interactive labs (ipywidgets 8; rendering strategy in docs/labs.md).

Each call returns a lab object that displays itself in a notebook and can be driven from
code (``lab.set(...)``, ``lab.controls[name].value = ...``, ``lab.buttons[name].click()``):

* :func:`step_size` - 1D gradient descent, step sizes, clipping (notebook 05)
* :func:`decision_boundary` - a playground for 2D classification (notebook 09)
* :func:`neuron` and :func:`xor_builder` - one neuron's line, XOR by hand (notebook 03)
* :func:`activation_explorer` - activation functions, bias and steepness (notebook 01)
* :func:`perceptron` - the perceptron rule step by step, the line turning (notebook 04)
* :func:`optimizer_race` - SGD, momentum, Adam racing on a 2D function (notebook 10)
"""
from __future__ import annotations

from .activation import ActivationLab, activation_explorer
from .boundary import BoundaryLab, decision_boundary
from .optimizer_race import OptimizerRaceLab, optimizer_race
from .neuron import NeuronLab, XorBuilderLab, neuron, xor_builder
from .perceptron import PerceptronLab, perceptron
from .step_size import StepSizeLab, step_size

__all__ = ["step_size", "StepSizeLab", "decision_boundary", "BoundaryLab", "neuron", "NeuronLab",
           "xor_builder", "XorBuilderLab", "activation_explorer", "ActivationLab", "perceptron",
           "PerceptronLab", "optimizer_race", "OptimizerRaceLab"]
