"""The activation explorer of notebook 01: an output function, its bias and steepness.

The unit's input is one number x with weight 1, so its inner potential is ξ = x + b, and
the plotted output is y(x) = σ(λ·ξ) = σ(λ·(x + b)). For the logistic sigmoid this is the
course's sigmoid with steepness λ, 1/(1 + e^(-λξ)) (``nnlib.activations.sigmoid(xi, lam)``);
for the other functions λ scales the potential the same way. The derivative with respect
to x is λ·σ'(λ·ξ) (chain rule), drawn dashed. A bias b shifts the curve to the left by b
(the curve crosses its "middle" at x = -b, the threshold of the Rostock deck is -b); with
"several biases" the lab draws the family for b = -2 ... 2 at once, as the deck's figure of
shapes for several biases does.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as widgets

from .. import activations as A
from ._base import FigureView, FloatSlider, Lab, fmt

__all__ = ["ActivationLab", "activation_explorer", "EXPLORER_ACTIVATIONS", "FAMILY_BIASES", "curve"]

EXPLORER_ACTIVATIONS = ["sigmoid", "tanh", "step", "relu", "leaky_relu", "elu", "identity", "gaussian"]
FAMILY_BIASES = (-2.0, -1.0, 0.0, 1.0, 2.0)
FORMULAS = {
    "sigmoid": "σ(ξ) = 1 / (1 + e<sup>−λξ</sup>),  σ′ = λ·σ·(1 − σ)",
    "tanh": "σ(ξ) = tanh(λξ),  σ′ = λ·(1 − tanh²(λξ)); PV021's (1 − e<sup>−ξ</sup>)/(1 + e<sup>−ξ</sup>) is tanh(ξ/2)",
    "step": "σ(ξ) = 1 if ξ ≥ 0 else 0,  σ′ = 0 wherever it exists (no gradient to learn from)",
    "relu": "σ(ξ) = max(0, λξ),  σ′ = λ for ξ > 0, else 0",
    "leaky_relu": "σ(ξ) = λξ for ξ > 0, 0.01·λξ otherwise,  σ′ = λ or 0.01·λ",
    "elu": "σ(ξ) = λξ for ξ > 0, e<sup>λξ</sup> − 1 otherwise,  σ′ = λ or λ·e<sup>λξ</sup>",
    "identity": "σ(ξ) = λξ,  σ′ = λ",
    "gaussian": "σ(ξ) = e<sup>−(λξ)²</sup>,  σ′ = −2λ²ξ·e<sup>−(λξ)²</sup>",
}
X_RANGE = (-6.0, 6.0)


def curve(name: str, x, b: float = 0.0, lam: float = 1.0):
    """(y, dy/dx) of the unit y = σ(λ·(x + b)) on the points ``x`` (any shape)."""
    xi = np.asarray(x, dtype=np.float64) + b
    if name == "sigmoid":
        return A.sigmoid(xi, lam=lam), A.sigmoid_prime(xi, lam=lam)
    f = getattr(A, name)
    df = getattr(A, name + "_prime")
    return f(lam * xi), lam * df(lam * xi)


class ActivationLab(Lab):
    """Controls: ``activation``, ``b`` (bias), ``lam`` (steepness λ), ``family`` (draw
    b = -2..2 too), ``derivative`` (draw the dashed derivatives). Artists: ``line``,
    ``dline`` (the chosen b), ``family_lines``, ``family_dlines``."""

    lab_name = "ActivationLab"

    def __init__(self, **initial):
        super().__init__()
        c = self.controls
        st = {"description_width": "90px"}
        c["activation"] = widgets.Dropdown(options=EXPLORER_ACTIVATIONS, value="sigmoid", description="σ", style=st)
        c["b"] = FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.1, description="bias b", style=st)
        c["lam"] = FloatSlider(value=1.0, min=0.1, max=10.0, step=0.1, description="steepness λ", style=st)
        c["family"] = widgets.Checkbox(value=True, description="several biases (b = −2 … 2)", indent=False)
        c["derivative"] = widgets.Checkbox(value=True, description="derivative (dashed)", indent=False)
        for name in c:
            self._watch(name)
        self.fig_view = FigureView((6.0, 3.4), dpi=80)
        self.views = [self.fig_view]
        self.x = np.linspace(*X_RANGE, 601)
        self._build_figure()
        self.view = widgets.HBox([
            widgets.VBox([c["activation"], c["b"], c["lam"], c["family"], c["derivative"], self.readout, self.note],
                         layout=widgets.Layout(width="330px")),
            self.fig_view.widget])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-activation")
        self._pending = set(c)
        self._set(initial)

    def _build_figure(self):
        ax = self.ax = self.fig_view.fig.add_axes([0.1, 0.14, 0.87, 0.78])
        grey = "#9aa5b1"
        self.family_lines = [ax.plot([], [], color=grey, lw=1)[0] for _ in FAMILY_BIASES]
        self.family_dlines = [ax.plot([], [], color=grey, lw=1, ls="--")[0] for _ in FAMILY_BIASES]
        (self.line,) = ax.plot([], [], color="#1f4e79", lw=2.2, label="σ(λ(x + b))")
        (self.dline,) = ax.plot([], [], color="#d95f02", lw=1.8, ls="--", label="derivative")
        (self.middle,) = ax.plot([], [], color="#1f4e79", lw=0.8, ls=":")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlim(*X_RANGE)
        ax.set_xlabel("x  (ξ = x + b)")
        ax.set_ylabel("σ and its derivative")
        ax.legend(fontsize=8, loc="upper left")
        self.title = ax.set_title("", fontsize=9)
        self._ylim = None
        self.fig_view.set_animated([*self.family_lines, *self.family_dlines, self.line, self.dline, self.middle,
                                    self.title])

    def _recompute(self, changed):
        c = self.controls
        name, b, lam = c["activation"].value, float(c["b"].value), float(c["lam"].value)
        self.y, self.dy = curve(name, self.x, b, lam)
        self.family = [curve(name, self.x, fb, lam) for fb in FAMILY_BIASES]
        y0, d0 = curve(name, np.array([-b]), b, lam)
        self.readout.value = (
            f"{FORMULAS[name]}<br>ξ = x + b with b = {fmt(b)}, λ = {fmt(lam)}: the curve's middle "
            f"ξ = 0 sits at x = {fmt(-b)} (the threshold is −b); there y = {fmt(y0[0])}, slope {fmt(d0[0])}.")

    def _draw(self):
        c = self.controls
        self.line.set_data(self.x, self.y)
        show_d = bool(c["derivative"].value)
        self.dline.set_data(self.x, self.dy)
        self.dline.set_visible(show_d)
        for line, dline, (y, dy) in zip(self.family_lines, self.family_dlines, self.family):
            line.set_data(self.x, y)
            dline.set_data(self.x, dy)
            line.set_visible(bool(c["family"].value))
            dline.set_visible(bool(c["family"].value) and show_d)
        b = float(c["b"].value)
        # y range: the chosen curves, cut to [-3, 3] so that ReLU-like lines do not flatten the rest
        shown = [self.y] + ([self.dy] if show_d else [])
        if c["family"].value:
            shown += [y for y, _ in self.family] + ([dy for _, dy in self.family] if show_d else [])
        lo = max(min(float(np.min(s)) for s in shown), -3.0)
        hi = min(max(float(np.max(s)) for s in shown), 3.0)
        pad = 0.08 * (hi - lo or 1.0)
        ylim = (round(lo - pad, 1), round(hi + pad, 1))
        if ylim != self._ylim:
            self._ylim = ylim
            self.ax.set_ylim(*ylim)
            self.fig_view.invalidate()
        self.middle.set_data([-b, -b], list(ylim))
        self.title.set_text(f"{c['activation'].value} with b = {fmt(b)}, λ = {fmt(c['lam'].value)}")

    def summary(self) -> str:
        c = self.controls
        return f"ActivationLab({c['activation'].value}, b={fmt(c['b'].value)}, lam={fmt(c['lam'].value)})"


def activation_explorer(**initial) -> ActivationLab:
    """The activation explorer (notebook 01); keyword arguments set controls, e.g. ``lam=4``."""
    return ActivationLab(**initial)
