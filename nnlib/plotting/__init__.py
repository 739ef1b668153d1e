"""The course's four kinds of figure, in matplotlib (used in every notebook and lab).

* :func:`plot_decision_boundary`: a 2D model's output as a heatmap over the plane, the
  class boundary, and the data points coloured by class (notebooks 03, 09);
* :func:`plot_loss_curves`: training (and validation) loss per epoch (notebooks 07, 09);
* :func:`plot_descent_path`: a descent trace on the curve of a 1D function, or on the
  contour plot of a 2D one, with arrows from iterate to iterate (notebook 05);
* :func:`draw_network`: a layered network as circles and edges, with weights and biases
  written next to them like the Rostock deck's figures (notebooks 01, 02, 06);
* :func:`plot_digits` and :func:`plot_confusion_matrix` for the digits of notebook 09 (not
  in docs/design.md's list; added for the misclassified examples and the confusion matrix).

Conventions: every function takes ``ax=None`` (then a new figure is made with pyplot) and
returns a small object holding the artists it made, so that tests can inspect them and the
labs can update them in place instead of redrawing. Axes carry labels. Colours follow the
TensorFlow playground the course uses: class 1 and positive weights blue, class 0 and
negative weights orange-red. The package uses matplotlib only (no ipywidgets), so it works in
scripts, notebooks and headless tests alike.

One module per kind of figure: ``boundary``, ``curves`` (loss curves and descent paths),
``diagram`` (networks), ``digits``; ``_common`` holds the colours and input checks. Import
everything from ``nnlib.plotting``.
"""
from __future__ import annotations

from ._common import CLASS_COLOURS, NEGATIVE, NEUTRAL, PLAYGROUND_CMAP, POSITIVE, ZERO, class_rgba, shade_rgba
from .boundary import BoundaryArtists, plot_decision_boundary
from .curves import PathArtists, plot_descent_path, plot_loss_curves
from .diagram import NetworkArtists, draw_network
from .digits import plot_confusion_matrix, plot_digits

__all__ = ["plot_decision_boundary", "plot_loss_curves", "plot_descent_path", "draw_network",
           "plot_digits", "plot_confusion_matrix", "BoundaryArtists", "PathArtists",
           "NetworkArtists", "POSITIVE", "NEGATIVE", "ZERO", "CLASS_COLOURS", "NEUTRAL", "PLAYGROUND_CMAP",
           "class_rgba", "shade_rgba"]
