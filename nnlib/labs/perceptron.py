"""The step-through perceptron lab of notebook 04: watch the rule turn the line.

One step unit y = step(ξ), ξ = w1·x1 + w2·x2 + b, learns a two-class set with the perceptron
rule. Samples are presented one at a time; a misclassified sample x with target d moves the
weights by

    Δw = γ·(d - y)·x,     Δb = γ·(d - y)

so w gains x when the point should be on the positive side (d - y = +1) and loses it when it
should not (d - y = -1): the line ξ = 0 turns (and shifts) toward the misclassified point.
On linearly separable data (AND, OR, NAND, the random set) the rule stops making mistakes
after finitely many updates; on XOR no line exists, the weights stay bounded and - with
the samples in a fixed order - return to a state they had before, so the rule cycles forever.

The single update is implemented here, with the unit's output from
:func:`nnlib.perceptron.step_neuron`, because ``nnlib.perceptron`` only offers a whole
training run; its arithmetic is that of :func:`nnlib.perceptron.perceptron_train`, so from
w = 0, b = 0 the lab's updates equal that function's ``history.updates`` bit for bit, in the
given order ("in order") or shuffled ("shuffled": the permutations of
``numpy.random.default_rng(seed)``, one per epoch, exactly as ``perceptron_train(seed=seed)``
draws them). Tested in tests/test_labs_perceptron.py.

Seeds: the samples' order uses ``seed``, the random separable set ``seed + 1`` and the random
initial weights ``seed + 2``.

Two differences from ``perceptron_train`` worth knowing: the lab calls the run converged as
soon as the current weights classify every sample correctly (the rule itself only learns
that after one more pass without a mistake, which changes nothing), and "run" stops there.
"""
from __future__ import annotations

import html

import numpy as np
import ipywidgets as widgets
from matplotlib.colors import ListedColormap

from ..datasets import truth_table
from ..perceptron import step_neuron
from ..plotting import NEGATIVE, POSITIVE
from ._base import BoundedIntText, FigureView, FloatSlider, IntSlider, Lab, ScalarImage, button, fmt
from ._geometry import line_points, plane_points

__all__ = ["PerceptronLab", "perceptron", "separable_points", "DATASETS", "VERDICTS", "MAX_EPOCHS"]

#: dropdown label -> key; "random" is a seeded linearly separable set (separable_points)
DATASETS = {"AND": "and", "OR": "or", "NAND": "nand", "XOR": "xor", "random separable": "random"}
NON_SEPARABLE = {"xor"}
MAX_EPOCHS = 100
WINDOW = (-0.5, 1.5)
GRID = 80
# light versions of the class colours: the positive side (ξ >= 0) bluish, the other side pale orange
SIDES = ListedColormap(["#fbe6dc", "#d9e7f5"])
ARROW_LENGTH = 0.45  # the longest weight arrow, in input-plane units

VERDICTS = {
    "converged": "converged (all correct) after {k} updates",
    "learning": "still learning",
    "cycles": "no line separates these points: the rule cycles forever",
    "limit": "not converged after {e} epochs",
}


def separable_points(n: int = 20, seed: int = 0, margin: float = 0.08):
    """``n`` points in [-0.25, 1.25]² labelled 0/1 by a random line, none closer than ``margin``
    to it, both classes at least twice: ``X`` (n, 2), ``d`` (n,) float 0/1.

    Why not ``make_gaussians``: its two blobs may overlap, and the lab promises convergence.
    """
    rng = np.random.default_rng(seed)
    while True:
        angle = rng.uniform(0, 2 * np.pi)
        u = np.array([np.cos(angle), np.sin(angle)])
        centre = rng.uniform(0.3, 0.7, size=2)
        X = rng.uniform(-0.25, 1.25, size=(4 * n, 2))
        s = (X - centre) @ u
        keep = np.abs(s) >= margin
        X, s = X[keep][:n], s[keep][:n]
        d = (s > 0).astype(np.float64)
        if len(X) == n and 2 <= d.sum() <= n - 2:
            return X, d


def _plane():
    return plane_points(*WINDOW, GRID)


def _signed(v) -> str:
    """``+ 2`` or ``− 2``: a term of a sum, with a real minus sign."""
    return f"− {fmt(-v)}" if v < 0 else f"+ {fmt(v)}"


def _vec(v) -> str:
    return "(" + ", ".join(fmt(a) for a in v) + ")"


class PerceptronLab(Lab):
    """The perceptron rule, one sample at a time, on a truth table or a random separable set.

    Controls (``lab.controls``): ``data`` ("and", "or", "nand", "xor", "random"), ``seed``,
    ``n`` (points of the random set), ``gamma``, ``init`` ("sliders" or "random"), ``w1``,
    ``w2``, ``b`` (the initial weights when ``init`` is "sliders"), ``order`` ("in order" or
    "shuffled"). Changing any control starts the run again from the initial weights.
    Buttons (``lab.buttons``): ``step``, ``epoch``, ``run``, ``reset``; the same as methods
    :meth:`step`, :meth:`epoch`, :meth:`run`, :meth:`reset`.

    State: ``X`` (N, 2), ``d`` (N,), ``w`` (2,), ``b`` (float), ``w_init``, ``b_init``,
    ``epochs`` (passes completed), ``pos`` (samples presented in the current pass),
    ``presentations``, ``updates`` (list of ``(k, w, b)`` after each change, as in
    ``PerceptronHistory``), ``last`` (dict describing the last presentation or None),
    ``epoch_errors`` (mistakes per completed pass), ``n_wrong`` (samples the current
    weights misclassify), ``verdict`` (a key of ``VERDICTS``), ``cycle`` ((first, again)
    epochs with equal weights, or None). Artists: ``sides``, ``line``, ``prev_line``,
    ``arrows``, ``points``, ``wrong``, ``current``, ``title``.
    """

    lab_name = "PerceptronLab"

    def __init__(self, **initial):
        super().__init__()
        c = self.controls
        style = {"description_width": "60px"}
        layout = widgets.Layout(width="280px")
        c["data"] = widgets.Dropdown(options=list(DATASETS.items()), value="and", description="data",
                                     style=style, layout=layout)
        c["seed"] = BoundedIntText(value=0, min=0, max=9999, description="seed", style=style, layout=layout)
        c["n"] = IntSlider(value=20, min=6, max=60, description="points", style=style, layout=layout)
        c["gamma"] = FloatSlider(value=1.0, min=0.05, max=2.0, step=0.05, description="γ", style=style,
                                 layout=layout, readout_format=".2f")
        c["init"] = widgets.ToggleButtons(options=[("sliders", "sliders"), ("random (seed)", "random")],
                                          value="sliders", description="start", style={"description_width": "60px",
                                                                                        "button_width": "115px"})
        for name, value in (("w1", 0.0), ("w2", 0.0), ("b", 0.0)):
            c[name] = FloatSlider(value=value, min=-2.0, max=2.0, step=0.05, description=name, style=style,
                                  layout=layout, readout_format=".2f")
        c["order"] = widgets.Dropdown(options=["in order", "shuffled"], value="in order", description="order",
                                      style=style, layout=layout)
        for name in c:
            self._watch(name)
        tips = {"step": "present the next sample; update the weights if it is misclassified",
                "epoch": "present the rest of this pass over the data",
                "run": f"epochs until all are correct, the rule cycles, or {MAX_EPOCHS} epochs",
                "reset": "back to the initial weights"}
        labels = {"step": "step", "epoch": "epoch", "run": "run to convergence", "reset": "reset"}
        for key, action in (("step", self.step), ("epoch", self.epoch), ("run", self.run), ("reset", self.reset)):
            b = button(labels[key], key, tips[key])
            b.on_click(lambda _b, action=action: action())
            self.buttons[key] = b

        self.fig_view = FigureView((4.4, 4.0), dpi=80)
        self.views = [self.fig_view]
        self.P = _plane()
        self._build_figure()
        self.verdict_box = widgets.HTML()
        self.verdict_box.add_class("nnlib-verdict")
        self.view = widgets.HBox([
            widgets.VBox([c["data"], c["seed"], c["n"], c["gamma"], c["init"], c["w1"], c["w2"], c["b"],
                          c["order"], widgets.HBox(list(self.buttons.values())), self.verdict_box,
                          self.readout, self.note], layout=widgets.Layout(width="440px")),
            self.fig_view.widget])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-perceptron")
        self._pending = set(c)
        self._set(initial)

    # ----- state -----------------------------------------------------------------------------
    def _recompute(self, changed):
        c = self.controls
        key = c["data"].value
        if key == "random":
            self.X, self.d = separable_points(int(c["n"].value), seed=int(c["seed"].value) + 1)
        else:
            X, d = truth_table(key)
            self.X, self.d = X, d[:, 0]
        c["n"].disabled = key != "random"
        random_init = c["init"].value == "random"
        for name in ("w1", "w2", "b"):
            c[name].disabled = random_init
        if random_init:
            start = np.round(np.random.default_rng(int(c["seed"].value) + 2).uniform(-1, 1, size=3), 2)
        else:
            start = np.array([c["w1"].value, c["w2"].value, c["b"].value], dtype=np.float64)
        self.w_init, self.b_init = start[:2].copy(), float(start[2])
        self._restart()

    def _restart(self):
        self.w, self.b = self.w_init.copy(), self.b_init
        self.epochs = 0
        self.pos = 0
        self.presentations = 0
        self.updates = []
        self.last = None
        self.epoch_errors = []
        self._mistakes = 0
        self.cycle = None
        self._order_rng = np.random.default_rng(int(self.controls["seed"].value))
        self._order = self._next_order()
        self._seen = {self._key(): 0}
        self._evaluate()

    def _next_order(self):
        n = len(self.X)
        return np.arange(n) if self.controls["order"].value == "in order" else self._order_rng.permutation(n)

    def _key(self):
        # rounded, so that γ = 0.1 + 0.1 - 0.1 style round-off does not hide a repeat
        return tuple(np.round(np.append(self.w, self.b), 9))

    def _evaluate(self):
        self.y_all = step_neuron(self.X, self.w, self.b)
        self.plane_y = step_neuron(self.P, self.w, self.b)  # the shaded sides, for text and plot
        self.n_wrong = int(np.sum(self.y_all != self.d))
        data = self.controls["data"].value
        if self.n_wrong == 0:
            self.verdict = "converged"
        elif self.cycle is not None:
            self.verdict = "cycles"
        elif self.epochs >= MAX_EPOCHS:
            self.verdict = "cycles" if data in NON_SEPARABLE else "limit"
        else:
            self.verdict = "learning"
        self._update_text()

    def _present(self):
        """One presentation: the rule's next sample, and the update if it is misclassified."""
        k = int(self._order[self.pos])
        x, d = self.X[k], float(self.d[k])
        w_before, b_before = self.w.copy(), self.b
        xi = float(x @ self.w + self.b)
        y = step_neuron(x, self.w, self.b)
        gamma = float(self.controls["gamma"].value)
        updated = y != d
        if updated:
            # the same expressions as nnlib.perceptron.perceptron_train, so results agree bit for bit
            self.w = self.w + gamma * (d - y) * x
            self.b = self.b + gamma * (d - y)
            self.updates.append((k, self.w.copy(), self.b))
            self._mistakes += 1
        self.presentations += 1
        self.pos += 1
        self.last = dict(k=k, x=x.copy(), d=d, xi=xi, y=y, updated=bool(updated), w_before=w_before,
                         b_before=b_before, dw=self.w - w_before, db=self.b - b_before,
                         epoch=self.epochs, pos=self.pos, n_update=len(self.updates))
        if self.pos == len(self.X):  # end of the pass
            self.epoch_errors.append(self._mistakes)
            self._mistakes = 0
            self.epochs += 1
            self.pos = 0
            self._order = self._next_order()
            key = self._key()
            if self.controls["order"].value == "in order":
                # same weights at the start of a pass in the same order: the same pass follows
                if key in self._seen and self.cycle is None and self.epoch_errors[-1] > 0:
                    self.cycle = (self._seen[key], self.epochs)
                self._seen.setdefault(key, self.epochs)

    # ----- actions (buttons) -----------------------------------------------------------------
    def _action(self, work):
        self._hold_text()
        self.notes = []
        try:
            work()
        except Exception as exc:  # nothing may raise into the notebook from a button
            self.notes.append(f"could not update ({type(exc).__name__}: {exc})")
        self._evaluate()
        self._show_notes()
        self.request_redraw()
        return self

    def step(self):
        """Present the next sample (and update the weights if it is misclassified)."""
        return self._action(self._present)

    def epoch(self):
        """Present the rest of the current pass (a whole pass when at its start)."""
        def work():
            self._present()
            while self.pos != 0:
                self._present()
        return self._action(work)

    def run(self, max_epochs: int = MAX_EPOCHS):
        """Present samples until all are correct, a cycle is found, or ``max_epochs`` more passes."""
        def work():
            limit = self.epochs + int(max(1, min(max_epochs, MAX_EPOCHS)))
            if self.n_wrong == 0:
                self.notes.append("already converged: every sample is on its side of the line")
                return
            if self.cycle is not None:
                self.notes.append("the rule already cycles: more epochs repeat the same passes")
                return
            while self.epochs < limit and self.cycle is None:
                self._present()
                if self.last["updated"] and not np.any(step_neuron(self.X, self.w, self.b) != self.d):
                    return
            if self.cycle is not None and self.controls["data"].value not in NON_SEPARABLE:
                self.notes.append("the weights repeat although the data are separable (report this)")
        return self._action(work)

    def reset(self):
        """Back to the initial weights, epoch 0."""
        return self._action(self._restart)

    # ----- text -------------------------------------------------------------------------------
    def verdict_text(self) -> str:
        text = VERDICTS[self.verdict].format(k=len(self.updates), e=self.epochs)
        if self.verdict == "cycles" and self.cycle is not None:
            first, again = self.cycle
            text += (f" (the weights at the start of epoch {again + 1} equal those at the start of epoch "
                     f"{first + 1})")
        elif self.verdict == "cycles":
            text += f" (still wrong after {self.epochs} epochs)"
        return text

    def line_equation(self, w=None, b=None) -> str:
        w = self.w if w is None else w
        b = self.b if b is None else b
        return f"ξ = {fmt(w[0])}·x1 {_signed(w[1])}·x2 {_signed(b)} = 0"

    def _line_remark(self) -> str:
        if not np.any(self.w):
            return "  (w = 0: no line, ξ = b everywhere)"
        if np.all(self.plane_y == self.plane_y[0]):
            return "  (outside the plotted window)"
        return ""

    def _update_text(self):
        n = len(self.X)
        colour = {"converged": "#1b7f3b", "cycles": "#b00020", "limit": "#a04000"}.get(self.verdict, "#333")
        self.verdict_box.value = f"<b style='color:{colour}'>{html.escape(self.verdict_text())}</b>"
        lines = [f"epoch {self.epochs + 1}, {self.pos} of {n} samples presented in it "
                 f"({self.presentations} in all); {len(self.updates)} updates; "
                 f"misclassified now: {self.n_wrong} of {n}",
                 f"line: {self.line_equation()}" + self._line_remark()]
        last = self.last
        if last is None:
            lines.append(f"start: w = {_vec(self.w_init)}, b = {fmt(self.b_init)}; press step")
        else:
            x = last["x"]
            head = (f"sample k = {last['k']}: x = {_vec(x)}, d = {int(last['d'])}, ξ = {fmt(last['xi'])}, "
                    f"y = {int(last['y'])}")
            if last["updated"]:
                lines.append(f"{head} ≠ d: update Δw = γ(d − y)x = {_vec(last['dw'])}, Δb = {fmt(last['db'])}")
            else:
                lines.append(f"{head} = d: correct, no change")
        if self.updates and (last is None or not last["updated"]):
            k, w, b = self.updates[-1]
            lines.append(f"last update (on sample {k}): w = {_vec(w)}, b = {fmt(b)}")
        if self.epoch_errors:
            shown = ", ".join(str(e) for e in self.epoch_errors[-10:])
            lines.append(f"mistakes per epoch: {'…, ' if len(self.epoch_errors) > 10 else ''}{shown}")
        self.readout.value = "<br>".join(html.escape(s) for s in lines)

    # ----- drawing ----------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.fig_view.fig
        ax = self.ax = fig.add_axes([0.17, 0.2, 0.78, 0.72])
        fig.text(0.02, 0.01, "arrows from (0, 0), one common scale:\nw before (grey), Δw (red), w after (black)",
                 fontsize=7.5, color="#555555")
        lo, hi = WINDOW
        self.sides = ax.imshow(np.zeros((GRID, GRID)), origin="lower", extent=(lo, hi, lo, hi), cmap=SIDES,
                               vmin=0, vmax=1, interpolation="nearest", aspect="auto")
        ScalarImage(self.fig_view, self.sides)  # painted into the frame's pixels, not resampled
        (self.prev_line,) = ax.plot([], [], color="#777777", lw=1.5, ls="--", alpha=0.6)
        (self.line,) = ax.plot([], [], color="k", lw=2)
        # three arrows from the origin: old w (faint), Δw (from old w's tip), new w; common scale
        self.arrows = ax.quiver(np.zeros(3), np.zeros(3), np.ma.masked_all(3), np.ma.masked_all(3),
                                angles="xy", scale_units="xy", scale=1, width=0.010,
                                color=["#aaaaaa", "#b00020", "k"], zorder=5)
        self.points = ax.scatter([], [], s=70, edgecolors="k", linewidths=1.0, zorder=3)
        self.wrong = ax.scatter([], [], s=30, marker="x", color="k", linewidths=1.5, zorder=4)
        self.current = ax.scatter([], [], s=330, facecolors="none", edgecolors="#b00020", linewidths=2.2, zorder=4)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        self.title = ax.set_title("", fontsize=9)
        self.fig_view.set_animated([self.sides, self.prev_line, self.line, self.points, self.wrong, self.current,
                                    self.arrows, self.title])

    def _draw(self):
        self.sides.set_data(self.plane_y.reshape(GRID, GRID))
        pts = line_points(self.w[0], self.w[1], self.b, window=WINDOW)
        self.line.set_data(*(pts if pts is not None else ([], [])))
        self.points.set_offsets(self.X)
        self.points.set_facecolors([POSITIVE if v == 1 else NEGATIVE for v in self.d])
        wrong = self.X[self.y_all != self.d]
        self.wrong.set_offsets(wrong if len(wrong) else np.empty((0, 2)))
        last = self.last
        self.current.set_offsets(last["x"][None, :] if last is not None else np.empty((0, 2)))
        if last is not None:
            self.current.set_edgecolors("#b00020" if last["updated"] else "#1b7f3b")
        U, V = np.ma.masked_all(3), np.ma.masked_all(3)
        offsets = np.zeros((3, 2))
        if last is not None and last["updated"]:
            prev = line_points(last["w_before"][0], last["w_before"][1], last["b_before"], window=WINDOW)
            self.prev_line.set_data(*(prev if prev is not None else ([], [])))
            old, dw, new = last["w_before"], last["dw"], self.w
            longest = max(np.hypot(*old), np.hypot(*dw), np.hypot(*new))
            s = ARROW_LENGTH / longest if longest > 0 else 0.0
            offsets[1] = s * old
            for i, v in enumerate((old, dw, new)):
                if np.any(v):
                    U[i], V[i] = s * v[0], s * v[1]
        else:
            self.prev_line.set_data([], [])
            norm = float(np.hypot(*self.w))
            if norm > 0:  # just the weight vector (normal to the line, toward ξ > 0)
                U[2], V[2] = ARROW_LENGTH * self.w / norm
        self.arrows.set_offsets(offsets)
        self.arrows.set_UVC(U, V)
        short = {"converged": "converged", "learning": "learning", "cycles": "cycles forever",
                 "limit": "not converged"}[self.verdict]
        self.title.set_text(f"{self._data_label()}: epoch {self.epochs + 1}, {len(self.updates)} updates, "
                            f"{self.n_wrong} wrong — {short}")

    def _data_label(self) -> str:
        return {v: k for k, v in DATASETS.items()}[self.controls["data"].value]

    def summary(self) -> str:
        c = self.controls
        start = "random " if c["init"].value == "random" else ""
        return (f"PerceptronLab({c['data'].value}, gamma={fmt(c['gamma'].value)}, "
                f"{start}w0={_vec(self.w_init)}, b0={fmt(self.b_init)}, {c['order'].value}): "
                f"{self.presentations} steps, {len(self.updates)} updates, {self.n_wrong}/{len(self.X)} wrong, "
                f"{self.verdict}")


def perceptron(**initial) -> PerceptronLab:
    """The step-through perceptron lab (notebook 04); keyword arguments set controls, e.g.
    ``perceptron(data="xor")`` or ``perceptron(w1=0.5, w2=-1, b=0.25, gamma=0.5)``.

    ``lab.step()``, ``lab.epoch()``, ``lab.run()``, ``lab.reset()`` drive it from code as the
    buttons do.
    """
    return PerceptronLab(**initial)
