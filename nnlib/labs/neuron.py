"""The single-neuron lab and the XOR builder of notebook 03.

Neuron lab: one unit with inputs x1, x2, weights w1, w2 and bias b computes
ξ = w1·x1 + w2·x2 + b and y = σ(ξ). Its separating line is ξ = 0 (the weight vector
(w1, w2) is normal to it and points to the side where ξ > 0). The lab shows the output over
the plane, the line, and the four inputs of a truth table with their targets; a point counts
as classified as 1 when ξ >= 0 (for the step unit that is y = 1, for the sigmoid y >= 0.5).

XOR builder: two hidden units draw two lines (PV021's P1: -1 + 2x1 + 2x2 = 0 and
P2: 3 - 2x1 - 2x2 = 0 by default), an output unit combines the hidden outputs h1, h2. A
second panel shows the four inputs mapped into (h1, h2) space, where XOR has become
linearly separable, and the output unit's line there. The network is an
:class:`nnlib.network.Network` with W[0] = [[w11, w12], [w21, w22]] (from input i to hidden
unit j, the course's n_{l-1} x n_l layout) and the diagram is :func:`nnlib.plotting.draw_network`,
updated in place.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as widgets

from ..datasets import TRUTH_TABLES, truth_table
from ..network import Network
from ..plotting import NEGATIVE, PLAYGROUND_CMAP as CMAP, POSITIVE, draw_network
from ._base import FigureView, FloatSlider, Lab, ScalarImage, button, fmt
from ._geometry import line_points as _line_points, plane_points

__all__ = ["NeuronLab", "XorBuilderLab", "neuron", "xor_builder", "NEURON_PRESETS", "XOR_PRESETS"]

WINDOW = (-0.5, 1.5)
GRID = 80
NEURON_ACTIVATIONS = ["step", "sigmoid", "tanh", "relu", "identity"]
NEURON_PRESETS = {
    "AND": dict(w1=1.0, w2=1.0, b=-1.5, table="and"),
    "OR": dict(w1=1.0, w2=1.0, b=-0.5, table="or"),
    "NAND": dict(w1=-1.0, w2=-1.0, b=1.5, table="nand"),
    "XOR?": dict(w1=1.0, w2=1.0, b=-0.5, table="xor"),
}
XOR_PRESETS = {
    # PV021: P1 is -1 + 2x1 + 2x2 = 0 (an OR), P2 is 3 - 2x1 - 2x2 = 0 (a NAND); output = AND
    "PV021 lines": dict(w11=2.0, w21=2.0, b1=-1.0, w12=-2.0, w22=-2.0, b2=3.0, v1=1.0, v2=1.0, c=-1.5),
    # KTH: W = [[1, 1], [1, 1]], b = [-1.5, -0.5] (AND, OR), w_h = [-1, 1], b_h = -0.5: OR and not AND
    "KTH weights": dict(w11=1.0, w21=1.0, b1=-1.5, w12=1.0, w22=1.0, b2=-0.5, v1=-1.0, v2=1.0, c=-0.5),
    "blank": dict(w11=0.0, w21=0.0, b1=0.0, w12=0.0, w22=0.0, b2=0.0, v1=0.0, v2=0.0, c=0.0),
}


def _clim(name, values):
    """Colour limits that put the unit's "neutral" output at the middle of the colour map."""
    if name in ("step", "sigmoid"):
        return 0.0, 1.0
    if name == "tanh":
        return -1.0, 1.0
    m = float(np.max(np.abs(values))) or 1.0
    return -m, m


def line_points(w1, w2, b, window=WINDOW):
    """Two points of the line w1*x1 + w2*x2 + b = 0 spanning the window, or None if w = 0."""
    return _line_points(w1, w2, b, window)


def _slider(value, description, lo=-5.0, hi=5.0, step=0.1):
    return FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                               style={"description_width": "40px"}, layout=widgets.Layout(width="260px"),
                               readout_format=".2f")


def _dropdown(options, value, description):
    """The σ and target pickers of both labs, laid out like their sliders."""
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "40px"}, layout=widgets.Layout(width="260px"))


def _plane():
    return plane_points(*WINDOW, GRID)


def _point_colours(d):
    return [POSITIVE if v == 1 else NEGATIVE for v in d]


class NeuronLab(Lab):
    """One neuron in 2D: sliders ``w1``, ``w2``, ``b``, ``activation``, target ``table``.

    Buttons: one per preset in ``NEURON_PRESETS``. State: ``xi`` and ``y`` at the four
    inputs, ``predicted`` (1 where ξ >= 0), ``n_correct``. Artists: ``heatmap``, ``line``,
    ``normal`` (the weight vector), ``points``.
    """

    lab_name = "NeuronLab"

    def __init__(self, **initial):
        super().__init__()
        c = self.controls
        c["w1"] = _slider(1.0, "w1")
        c["w2"] = _slider(1.0, "w2")
        c["b"] = _slider(-1.5, "b")
        c["activation"] = _dropdown(NEURON_ACTIVATIONS, "step", "σ")
        c["table"] = _dropdown(list(TRUTH_TABLES), "and", "target")
        for name in c:
            self._watch(name)
        for key, values in NEURON_PRESETS.items():
            b = button(key, key.lower().replace("?", ""), f"preset {values}")
            b.on_click(lambda _b, values=values: self.set(**values))
            self.buttons[key] = b

        self.fig_view = FigureView((4.2, 3.6), dpi=80)
        self.views = [self.fig_view]
        self.P = _plane()
        self._build_figure()
        self.view = widgets.HBox([
            widgets.VBox([c["w1"], c["w2"], c["b"], c["activation"], c["table"],
                          widgets.HBox(list(self.buttons.values())), self.readout, self.note]),
            self.fig_view.widget])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-neuron")
        self._pending = set(c)
        self._set(initial)

    def _build_figure(self):
        ax = self.ax = self.fig_view.fig.add_axes([0.17, 0.13, 0.76, 0.79])
        lo, hi = WINDOW
        self.heatmap = ax.imshow(np.zeros((GRID, GRID)), origin="lower", extent=(lo, hi, lo, hi), cmap=CMAP,
                                 vmin=0, vmax=1, interpolation="nearest", aspect="auto", alpha=0.6)
        ScalarImage(self.fig_view, self.heatmap)  # painted into the frame's pixels, not resampled
        (self.line,) = ax.plot([], [], color="k", lw=2)
        self.normal = ax.quiver([0.5], [0.5], [0.0], [0.0], angles="xy", scale_units="xy", scale=1, color="k",
                                width=0.012)
        X, _ = truth_table("and")
        self.points = ax.scatter(X[:, 0], X[:, 1], s=140, c=["w"] * 4, edgecolors="k", linewidths=1.5, zorder=3)
        self.marks = [ax.text(x, y, "", ha="center", va="center", fontsize=9, fontweight="bold", zorder=4)
                      for x, y in X]
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        self.title = ax.set_title("", fontsize=9)
        # axes, ticks and labels never change: they are the cached background (FigureView)
        self.fig_view.set_animated([self.heatmap, self.line, self.normal, self.points, *self.marks, self.title])

    def _recompute(self, changed):
        c = self.controls
        self.X, d = truth_table(c["table"].value)
        self.d = d[:, 0].astype(int)
        self.net = Network([np.array([[c["w1"].value], [c["w2"].value]])], [np.array([c["b"].value])],
                           c["activation"].value)
        fp = self.net.forward(self.X)
        self.xi = fp.xi[1][:, 0]
        self.y = fp.y[1][:, 0]
        self.predicted = (self.xi >= 0).astype(int)
        self.n_correct = int(np.sum(self.predicted == self.d))
        rows = "".join(
            f"<tr><td>{int(x[0])}</td><td>{int(x[1])}</td><td>{fmt(xi)}</td><td>{fmt(y)}</td><td>{t}</td>"
            f"<td>{'✓' if p == t else '✗'}</td></tr>"
            for x, xi, y, t, p in zip(self.X, self.xi, self.y, self.d, self.predicted))
        verdict = f"<b>{self.n_correct} of 4 correct</b>"
        if c["table"].value == "xor":
            verdict += (" — no single line separates (0,1), (1,0) from (0,0), (1,1): XOR is not linearly "
                        "separable, so one neuron gets at most 3 of 4. Try the XOR builder.")
        if c["w1"].value == 0 and c["w2"].value == 0:
            verdict += " With w = 0 there is no line: ξ = b everywhere."
        self.readout.value = (
            f"ξ = {fmt(c['w1'].value)}·x1 + {fmt(c['w2'].value)}·x2 + {fmt(c['b'].value)}, "
            f"y = {c['activation'].value}(ξ); class 1 where ξ ≥ 0<br>"
            "<table class='nnlib-tbl'><tr><th>x1</th><th>x2</th><th>ξ</th><th>y</th><th>target</th>"
            f"<th></th></tr>{rows}</table>{verdict}")

    def _draw(self):
        c = self.controls
        out = self.net(self.P)[:, 0]
        self.heatmap.set_data(out.reshape(GRID, GRID))
        self.heatmap.set_clim(*_clim(c["activation"].value, out))
        pts = line_points(c["w1"].value, c["w2"].value, c["b"].value)
        self.line.set_data(*(pts if pts is not None else ([], [])))
        # the weight vector, drawn from the point of the line nearest the window's centre
        w = np.array([c["w1"].value, c["w2"].value])
        norm = float(np.hypot(*w))
        if norm > 0:
            centre = np.array([0.5, 0.5])
            foot = centre - (w @ centre + c["b"].value) / norm**2 * w
            self.normal.set_offsets([foot])
            self.normal.set_UVC(0.4 * w[0] / norm, 0.4 * w[1] / norm)
        else:
            self.normal.set_UVC(0.0, 0.0)
        self.points.set_facecolors(_point_colours(self.d))
        for mark, p, t in zip(self.marks, self.predicted, self.d):
            mark.set_text("✓" if p == t else "✗")
            mark.set_color("white")
        self.title.set_text(f"{c['table'].value.upper()} with one {c['activation'].value} neuron: "
                            f"{self.n_correct}/4 correct")

    def summary(self) -> str:
        c = self.controls
        return (f"NeuronLab(w1={fmt(c['w1'].value)}, w2={fmt(c['w2'].value)}, b={fmt(c['b'].value)}, "
                f"{c['activation'].value}, target {c['table'].value}): {self.n_correct}/4 correct")


class XorBuilderLab(Lab):
    """XOR by hand with a 2-2-1 network: hidden units (w1j, w2j, bj), output (v1, v2, c).

    Controls: ``w11, w21, b1`` (hidden unit 1: line P1), ``w12, w22, b2`` (unit 2: P2),
    ``v1, v2, c`` (output), ``activation`` (of all units) and ``table`` (the target,
    XOR by default). Buttons: one per preset in ``XOR_PRESETS``. State: ``net``, ``h``
    (hidden outputs at the four inputs, (4, 2)), ``y``, ``predicted``, ``solved``.
    """

    lab_name = "XorBuilderLab"
    names = ["w11", "w21", "b1", "w12", "w22", "b2", "v1", "v2", "c"]

    def __init__(self, preset: str = "PV021 lines", **initial):
        super().__init__()
        c = self.controls
        start = XOR_PRESETS.get(preset, XOR_PRESETS["PV021 lines"])
        if preset not in XOR_PRESETS:
            self.notes.append(f"unknown preset {preset!r}; used 'PV021 lines'; known: {list(XOR_PRESETS)}")
        for name in self.names:
            c[name] = _slider(start[name], name)
        c["activation"] = _dropdown(["step", "sigmoid"], "step", "σ")
        c["table"] = _dropdown(list(TRUTH_TABLES), "xor", "target")
        for name in c:
            self._watch(name)
        for key, values in XOR_PRESETS.items():
            b = button(key, key.split()[0].lower(), f"preset {values}")
            b.on_click(lambda _b, values=values: self.set(**values))
            self.buttons[key] = b

        self.fig_view = FigureView((10.8, 3.4), dpi=80)
        self.views = [self.fig_view]
        self.P = _plane()
        self._recompute(set(c))
        self._build_figure()
        box = lambda title, names: widgets.VBox([widgets.HTML(f"<b>{title}</b>")] + [c[n] for n in names])
        self.view = widgets.VBox([
            widgets.HBox([box("hidden unit 1 (line P1)", self.names[0:3]), box("hidden unit 2 (line P2)", self.names[3:6]),
                          box("output unit", self.names[6:9])]),
            widgets.HBox([c["activation"], c["table"]] + list(self.buttons.values())),
            self.fig_view.widget, self.readout, self.note])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-xor-builder")
        self._pending = set(c)
        self._set(initial)

    def weights(self):
        """(W, b) of the 2-2-1 network in the course's layout, W[0][i, j] from input i to unit j."""
        v = {n: float(self.controls[n].value) for n in self.names}
        W = [np.array([[v["w11"], v["w12"]], [v["w21"], v["w22"]]]), np.array([[v["v1"]], [v["v2"]]])]
        b = [np.array([v["b1"], v["b2"]]), np.array([v["c"]])]
        return W, b

    def _recompute(self, changed):
        c = self.controls
        W, b = self.weights()
        self.net = Network(W, b, c["activation"].value)
        self.X, d = truth_table(c["table"].value)
        self.d = d[:, 0].astype(int)
        fp = self.net.forward(self.X)
        self.h = fp.y[1]
        self.y = fp.y[2][:, 0]
        self.predicted = (fp.xi[2][:, 0] >= 0).astype(int)
        self.n_correct = int(np.sum(self.predicted == self.d))
        self.solved = self.n_correct == 4
        rows = "".join(
            f"<tr><td>{int(x[0])}</td><td>{int(x[1])}</td><td>{fmt(h[0])}</td><td>{fmt(h[1])}</td><td>{fmt(y)}</td>"
            f"<td>{t}</td><td>{'✓' if p == t else '✗'}</td></tr>"
            for x, h, y, t, p in zip(self.X, self.h, self.y, self.d, self.predicted))
        result = ("<b style='color:#1b7f3b'>solved: all 4 correct</b>" if self.solved
                  else f"<b>{self.n_correct} of 4 correct</b>")
        self.readout.value = (
            "<table class='nnlib-tbl'><tr><th>x1</th><th>x2</th><th>h1</th><th>h2</th><th>y</th>"
            f"<th>{c['table'].value}</th><th></th></tr>{rows}</table>{result}")

    def _build_figure(self):
        fig = self.fig_view.fig
        lo, hi = WINDOW
        self.ax_in = ax = fig.add_axes([0.07, 0.14, 0.25, 0.76])
        self.heatmap = ax.imshow(np.zeros((GRID, GRID)), origin="lower", extent=(lo, hi, lo, hi), cmap=CMAP,
                                 vmin=0, vmax=1, interpolation="nearest", aspect="auto", alpha=0.6)
        ScalarImage(self.fig_view, self.heatmap)  # painted into the frame's pixels, not resampled
        (self.line1,) = ax.plot([], [], color="#5b2c83", lw=2, label="P1")
        (self.line2,) = ax.plot([], [], color="#2c7c5b", lw=2, ls="--", label="P2")
        self.points = ax.scatter(self.X[:, 0], self.X[:, 1], s=110, c=["w"] * 4, edgecolors="k", linewidths=1.5,
                                 zorder=3)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.legend(fontsize=7, loc="upper right")
        ax.set_title("input plane: lines and network output", fontsize=9)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")

        self.ax_h = ax = fig.add_axes([0.38, 0.14, 0.25, 0.76])
        self.hidden_points = ax.scatter(self.h[:, 0], self.h[:, 1], s=110, c=["w"] * 4, edgecolors="k",
                                        linewidths=1.5, zorder=3)
        self.hidden_labels = [ax.text(0, 0, f"({int(x[0])},{int(x[1])})", fontsize=8, zorder=4) for x in self.X]
        (self.out_line,) = ax.plot([], [], color="k", lw=2)
        ax.set_xlim(-0.3, 1.3)
        ax.set_ylim(-0.3, 1.3)
        ax.set_xlabel("h1", fontsize=8)
        ax.set_ylabel("h2", fontsize=8)
        ax.set_title("hidden space (h1, h2) and the output line", fontsize=9)
        ax.tick_params(labelsize=7)

        ax = fig.add_axes([0.65, 0.0, 0.35, 0.95])
        self.diagram = draw_network(self.net, ax=ax, unit_labels=[["x1", "x2"], ["h1", "h2"], ["y"]],
                                    show_weights=True, title="the 2-2-1 network")
        ax.set_xlabel("")
        d = self.diagram
        # The edges end at the circles' rims, so they never cross a unit: the circles and their
        # names can stay in the cached background, and only what the sliders move (edges,
        # numbers, points, lines) is redrawn per change.
        radius = d.units[0][0].get_radius()
        rim = []
        for (a, b) in d.edges.get_segments():
            u = (b - a) / np.hypot(*(b - a))
            rim.append([a + radius * u, b - radius * u])
        d.edges.set_segments(rim)
        self.fig_view.set_animated(
            [self.heatmap, self.line1, self.line2, self.points, self.hidden_points, *self.hidden_labels,
             self.out_line, d.edges, *[t for texts in d.weight_texts for t in np.ravel(texts) if t is not None],
             *[t for texts in d.bias_texts for t in texts]])

    def _draw(self):
        W, b = self.weights()
        out = self.net(self.P)[:, 0]
        self.heatmap.set_data(out.reshape(GRID, GRID))
        for line, (w1, w2, bias) in ((self.line1, (W[0][0, 0], W[0][1, 0], b[0][0])),
                                     (self.line2, (W[0][0, 1], W[0][1, 1], b[0][1]))):
            pts = line_points(w1, w2, bias)
            line.set_data(*(pts if pts is not None else ([], [])))
        self.points.set_offsets(self.X)
        self.points.set_facecolors(_point_colours(self.d))
        # jitter-free: coinciding images in hidden space are shown as one point with both labels
        self.hidden_points.set_offsets(self.h)
        self.hidden_points.set_facecolors(_point_colours(self.d))
        seen = {}
        for text, (h1, h2), x in zip(self.hidden_labels, self.h, self.X):
            k = seen.setdefault((round(h1, 3), round(h2, 3)), 0)
            seen[(round(h1, 3), round(h2, 3))] += 1
            text.set_position((h1 + 0.04, h2 + 0.04 + 0.1 * k))
        pts = line_points(W[1][0, 0], W[1][1, 0], b[1][0], window=(-0.3, 1.3))
        self.out_line.set_data(*(pts if pts is not None else ([], [])))
        self.diagram.update(W, b)

    def summary(self) -> str:
        return (f"XorBuilderLab({self.controls['activation'].value}, target {self.controls['table'].value}): "
                f"{self.n_correct}/4 correct")


def neuron(**initial) -> NeuronLab:
    """The single-neuron lab (notebook 03); keyword arguments set controls, e.g. ``w1=2``."""
    return NeuronLab(**initial)


def xor_builder(preset: str = "PV021 lines", **initial) -> XorBuilderLab:
    """The XOR builder (notebook 03): start from a preset in ``XOR_PRESETS`` ("blank" to build
    from scratch) and set the hidden lines and the output unit by hand."""
    return XorBuilderLab(preset=preset, **initial)
