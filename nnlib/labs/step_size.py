"""The step-size lab of notebook 05: 1D gradient descent, live.

The state is the descent trace of :func:`nnlib.descent.gradient_descent` for the chosen
function, x0, gamma, number of steps and clipping; the view is the curve with the iterates
and arrows between them, a table of x_i, f(x_i), f'(x_i) and the step taken, and a verdict
in words with the theory beside it. On f(x) = x^2 every step maps x to x - 2*gamma*x, i.e.
multiplies it by r = 1 - 2*gamma, which is the whole story of the deck's presets:

* 0 < gamma < 0.5: 0 < r < 1, converges monotonically (gamma = 0.2: -4, -2.4, -1.44, ...)
* gamma = 0.5: r = 0, the minimum in one step
* 0.5 < gamma < 1: -1 < r < 0, oscillates but converges (gamma = 0.8: -4, 2.4, -1.44, ...)
* gamma = 1: r = -1, ping-pong -4, 4, -4, ... forever
* gamma > 1: |r| > 1, diverges

(The Rostock deck prints the update as "x_{i+1} = x_i gamma f'(x_i)"; the minus sign is
missing there, the update is x_{i+1} = x_i - gamma f'(x_i).)

For the other functions the verdict is read off the trace (how the step lengths and signs
evolve), see :func:`classify`. Divergence never shows inf or NaN: the descent stops before
|x| exceeds ``max_abs`` and the lab says so in words.
"""
from __future__ import annotations

import html

import numpy as np
import ipywidgets as widgets

from ..descent import FUNCTIONS, gradient_descent
from ._base import FigureView, FloatSlider, IntSlider, Lab, ShownSteps, button, fmt

__all__ = ["StepSizeLab", "step_size", "classify", "PRESETS", "VERDICTS"]

#: function key shown in the dropdown -> (label, key in nnlib.descent.FUNCTIONS)
LAB_FUNCTIONS = {
    "x^2": "square",
    "steep x^4": "steep",
    "two minima": "two_minima",
}
FORMULAS = {"x^2": "f(x) = x²", "steep x^4": "f(x) = x⁴", "two minima": "f(x) = x⁴ − 4x² + x"}

PRESETS = {
    "gamma=0.2": dict(function="x^2", x0=-4.0, gamma=0.2, steps=10, clip=False),
    "gamma=0.7": dict(function="x^2", x0=-4.0, gamma=0.7, steps=10, clip=False),
    "gamma=0.8": dict(function="x^2", x0=-4.0, gamma=0.8, steps=10, clip=False),
    "ping-pong": dict(function="x^2", x0=-4.0, gamma=1.0, steps=10, clip=False),
    # gamma = 0.5 keeps the clipped steps (0.3 * 0.5 = 0.15 long) visible as separate arrows
    "clipping": dict(function="steep x^4", x0=-4.0, gamma=0.5, steps=40, clip=True, threshold=0.3),
}

VERDICTS = {
    "monotone": "converges monotonically: every step goes the same way and is shorter than the last",
    "one-step": "reaches the minimum in one step",
    "oscillating": "oscillates but converges: x jumps across the minimum, each jump shorter",
    "ping-pong": "ping-pongs forever: x jumps back and forth between two points and gets no closer",
    "diverges": "diverges: every step is longer than the one before",
    "creeping": "moves at the clipped speed (each step is γ·threshold long); give it more steps",
    "stationary": "starts at a stationary point (f'(x0) = 0), so no step is taken",
    "unsettled": "has not settled yet; give it more steps",
}

#: the verdicts in a few words, for the plot title
SHORT = {"monotone": "converges monotonically", "one-step": "minimum in one step",
         "oscillating": "oscillates, converges", "ping-pong": "ping-pong forever", "diverges": "diverges",
         "creeping": "creeping (clipped)", "stationary": "stationary start", "unsettled": "not settled yet"}

MAX_ABS = 1e6


def classify(trace, tail: int = 6, rel: float = 1e-6) -> str:
    """The verdict key (see ``VERDICTS``) for a 1D descent trace, read off its steps.

    Over the last ``tail`` steps: step lengths shrinking means convergence (monotone when no
    step changes direction anywhere in the run, oscillating otherwise); constant length with
    alternating direction is ping-pong; growing length (or a stop by divergence) diverges.
    """
    if trace.status == "diverged":
        return "diverges"
    s = trace.steps[:, 0]
    if len(s) == 0:
        return "stationary" if trace.converged else "unsettled"
    flips = bool(np.any(np.sign(s[1:]) * np.sign(s[:-1]) < 0))
    if trace.converged:
        if len(s) == 1 and trace.status == "zero_gradient":
            return "one-step"
        return "oscillating" if flips else "monotone"
    if len(s) < 2:
        return "unsettled"
    t = np.abs(s[-tail:])
    ratios = t[1:] / t[:-1]
    growth = float(np.exp(np.mean(np.log(ratios))))
    alternating = bool(np.all(np.sign(s[-tail:][1:]) * np.sign(s[-tail:][:-1]) < 0))
    if abs(growth - 1) <= rel:
        if alternating:
            return "ping-pong"
        return "creeping" if bool(np.all(trace.clipped[-tail:])) else "unsettled"
    if growth > 1:
        return "diverges"
    return "oscillating" if flips else "monotone"


def theory_for_square(gamma: float) -> tuple[str, str]:
    """(verdict key, sentence) for f(x) = x^2 without clipping: x is multiplied by 1 - 2*gamma."""
    r = 1 - 2 * gamma
    if gamma < 0.5:
        key = "monotone"
    elif gamma == 0.5:
        key = "one-step"
    elif gamma < 1:
        key = "oscillating"
    elif gamma == 1:
        key = "ping-pong"
    else:
        key = "diverges"
    return key, (f"Theory on x²: x<sub>i+1</sub> = x<sub>i</sub> − γ·2x<sub>i</sub> = (1 − 2γ)·x<sub>i</sub>; "
                 f"here 1 − 2γ = {fmt(r)}, |1 − 2γ| {'<' if abs(r) < 1 else ('=' if abs(r) == 1 else '>')} 1.")


class StepSizeLab(ShownSteps, Lab):
    """Gradient descent on a 1D function with presets for the deck's step sizes.

    Controls (``lab.controls``): ``function``, ``x0``, ``gamma``, ``steps``, ``clip``,
    ``threshold``, ``shown`` (the Play widget: how many steps are drawn). Buttons
    (``lab.buttons``): one per preset in ``PRESETS``, ``step``, ``reset``. State after each
    change: ``lab.trace`` (a ``DescentTrace``), ``lab.verdict`` (a key of ``VERDICTS``),
    ``lab.message``. Artists: ``lab.curve``, ``lab.points``, ``lab.arrows``.
    """

    lab_name = "StepSizeLab"
    max_steps = 100

    def __init__(self, **initial):
        super().__init__()
        c = self.controls
        style = {"description_width": "70px"}
        c["function"] = widgets.Dropdown(options=list(LAB_FUNCTIONS), value="x^2", description="function", style=style)
        c["x0"] = FloatSlider(value=-4.0, min=-5.0, max=5.0, step=0.1, description="x0", style=style)
        c["gamma"] = FloatSlider(value=0.2, min=0.01, max=1.5, step=0.01, description="γ", style=style,
                                         readout_format=".2f")
        c["steps"] = IntSlider(value=10, min=1, max=self.max_steps, description="steps", style=style)
        c["clip"] = widgets.Checkbox(value=False, description="clip the gradient", indent=False)
        c["threshold"] = FloatSlider(value=0.3, min=0.05, max=5.0, step=0.05, description="threshold",
                                             style=style)
        c["shown"] = widgets.Play(value=10, min=0, max=10, interval=400, description="play")
        for name in c:
            self._watch(name)

        for key in PRESETS:
            label = key.replace("gamma=", "γ = ")
            b = button(label, key.replace("=", "").replace(".", ""), f"preset: {PRESETS[key]}")
            b.on_click(lambda _b, key=key: self.preset(key))
            self.buttons[key] = b
        self.buttons["step"] = button("step", "step", "draw one more step")
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["reset"] = button("reset", "reset", "back to x0")
        self.buttons["reset"].on_click(lambda _b: self.reset())

        self.table = widgets.HTML()
        self.table.add_class("nnlib-table")
        self.fig_view = FigureView((6.0, 3.4), dpi=80)
        self.views = [self.fig_view]
        self._build_figure()

        presets = widgets.HBox([self.buttons[k] for k in PRESETS])
        play_row = widgets.HBox([c["shown"], self.buttons["step"], self.buttons["reset"]])
        left = widgets.VBox([c["function"], c["x0"], c["gamma"], c["steps"],
                             widgets.HBox([c["clip"], c["threshold"]]), presets, play_row])
        self.view = widgets.VBox([
            widgets.HBox([left, self.fig_view.widget]),
            self.readout, self.note,
            widgets.HTML("<b>Iterates</b>"), self.table,
        ])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-step-size")

        self.trace = None
        self.verdict = None
        self.message = ""
        self._pending = set(c)  # compute everything once
        if initial:
            self.set(**initial)
        else:
            self._flush_changes()

    # ----- actions ---------------------------------------------------------------------------
    def preset(self, key: str):
        """Load one of ``PRESETS`` and show all its steps."""
        if key not in PRESETS:
            self.notes = [f"unknown preset {key!r}; known: {list(PRESETS)}"]
            self._show_notes()
            return self
        values = dict(PRESETS[key])
        values.setdefault("threshold", self.controls["threshold"].value)
        self.set(**values)
        return self

    # ----- state -----------------------------------------------------------------------------
    @property
    def objective(self):
        return FUNCTIONS[LAB_FUNCTIONS[self.controls["function"].value]]

    def _recompute(self, changed):
        c = self.controls
        if "function" in changed and len(changed) == 1 and self.trace is not None:
            # a new function brings its suggested start, unless set() chose one explicitly
            obj = self.objective
            c["x0"].value = float(obj.x0)
            c["gamma"].value = float(obj.gamma)
        if changed - {"shown"}:
            obj = self.objective
            clip = c["threshold"].value if c["clip"].value else None
            self.trace = gradient_descent(obj.f, obj.df, float(c["x0"].value), gamma=float(c["gamma"].value),
                                          steps=int(c["steps"].value), clip=clip, tol=1e-12, max_abs=MAX_ABS)
            if c["function"].value == "x^2" and not c["clip"].value:
                self.verdict, self.theory = theory_for_square(float(c["gamma"].value))
            else:
                self.verdict, self.theory = classify(self.trace), ""
            n = self.trace.n_steps
            c["shown"].playing = False
            c["shown"].max = n
            c["shown"].value = n
        self._update_text()

    @property
    def xs(self) -> np.ndarray:
        """The iterates x_0 ... x_k of the whole trace, shape (k+1,)."""
        return self.trace.xs[:, 0]

    def _update_text(self):
        tr, c = self.trace, self.controls
        k = self.shown
        verdict = VERDICTS[self.verdict]
        lines = [f"<b>With γ = {fmt(c['gamma'].value)} from x0 = {fmt(c['x0'].value)}, "
                 f"{FORMULAS[c['function'].value]} {html.escape(verdict)}.</b>"]
        if tr.status == "diverged":
            self.message = (f"Diverged: step {tr.n_steps + 1} would take |x| beyond {MAX_ABS:.0e}, so the run "
                            f"stops after {tr.n_steps} steps. Try a smaller γ or turn on clipping.")
            lines.append(f"<span style='color:#b00020'>{self.message}</span>")
        else:
            self.message = ""
        if self.theory:
            lines.append(self.theory)
        if c["clip"].value:
            n_clipped = int(np.sum(tr.clipped))
            lines.append(f"Clipping: {n_clipped} of {tr.n_steps} gradients were longer than "
                         f"{fmt(c['threshold'].value)} and were shortened, so no step is longer than "
                         f"γ·threshold = {fmt(c['gamma'].value * c['threshold'].value)}.")
        x_k = tr.xs[k, 0]
        lines.append(f"Shown: step {k} of {tr.n_steps}, x<sub>{k}</sub> = {fmt(x_k)}, "
                     f"f(x<sub>{k}</sub>) = {fmt(tr.fs[k])}.")
        self.readout.value = "<br>".join(lines)
        self.table.value = self._table_html(k)

    def rows(self, k: int | None = None) -> list[tuple]:
        """Table rows (i, x_i, f(x_i), f'(x_i), step_i or None, clipped_i) for i <= k."""
        tr = self.trace
        k = tr.n_steps if k is None else k
        out = []
        for i in range(k + 1):
            step = float(tr.steps[i, 0]) if i < tr.n_steps else None
            clipped = bool(tr.clipped[i]) if i < tr.n_steps else False
            out.append((i, float(tr.xs[i, 0]), float(tr.fs[i]), float(tr.grads[i, 0]), step, clipped))
        return out

    def _table_html(self, k: int) -> str:
        head = "<tr><th>i</th><th>x<sub>i</sub></th><th>f(x<sub>i</sub>)</th><th>f′(x<sub>i</sub>)</th><th>step x<sub>i+1</sub> − x<sub>i</sub></th></tr>"
        body = []
        for i, x, f, g, step, clipped in self.rows(k):
            s = "" if step is None else fmt(step) + (" (clipped)" if clipped else "")
            body.append(f"<tr><td>{i}</td><td>{fmt(x)}</td><td>{fmt(f)}</td><td>{fmt(g)}</td><td>{s}</td></tr>")
        return ("<div style='max-height:220px;overflow-y:auto'><table class='nnlib-tbl'>"
                + head + "".join(body) + "</table></div>")

    # ----- drawing -----------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.fig_view.fig
        self.ax = ax = fig.add_axes([0.1, 0.14, 0.86, 0.78])
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        (self.curve,) = ax.plot([], [], color="#1f4e79", lw=1.5)
        (self.points,) = ax.plot([], [], "o", color="#d95f02", ms=5, zorder=3)
        (self.current,) = ax.plot([], [], "o", color="#b00020", ms=8, zorder=4)
        n = self.max_steps
        zero = np.zeros(n)
        self.arrows = ax.quiver(zero, zero, np.ma.masked_all(n), np.ma.masked_all(n), angles="xy",
                                scale_units="xy", scale=1, color="#d95f02", width=0.004, zorder=2)
        self.title = ax.set_title("")
        self._limits = None
        self.fig_view.set_animated([self.curve, self.arrows, self.points, self.current, self.title])

    def _draw(self):
        tr, obj = self.trace, self.objective
        k = self.shown
        xs, fs = tr.xs[: k + 1, 0], tr.fs[: k + 1]
        lo, hi = obj.xlim
        # widen the window to show iterates up to 3x outside it; farther ones are off-plot
        span = hi - lo
        inside = xs[np.abs(xs) <= 3 * max(abs(lo), abs(hi))]
        lo = min(lo, float(inside.min()) - 0.05 * span) if inside.size else lo
        hi = max(hi, float(inside.max()) + 0.05 * span) if inside.size else hi
        grid = np.linspace(lo, hi, 400)
        with np.errstate(over="ignore", invalid="ignore"):
            curve = obj.f(grid)
        self.curve.set_data(grid, curve)
        self.points.set_data(xs, fs)
        self.current.set_data(xs[-1:], fs[-1:])
        n = self.max_steps
        X = np.zeros(n)
        Y = np.zeros(n)
        U = np.ma.masked_all(n)
        V = np.ma.masked_all(n)
        m = min(k, n)
        if m:
            X[:m], Y[:m] = xs[:m], fs[:m]
            U[:m], V[:m] = np.diff(xs)[:m], np.diff(fs)[:m]
        self.arrows.set_offsets(np.column_stack([X, Y]))
        self.arrows.set_UVC(U, V)
        ymin, ymax = float(np.min(curve)), float(np.max(curve))
        pad = 0.06 * (ymax - ymin or 1.0)
        limits = (lo, hi, ymin - pad, ymax + pad)
        if limits != self._limits:  # new ticks: the cached background must be redrawn
            self._limits = limits
            self.ax.set_xlim(lo, hi)
            self.ax.set_ylim(ymin - pad, ymax + pad)
            self.fig_view.invalidate()
        outside = int(np.sum((xs < lo) | (xs > hi)))
        extra = f" ({outside} off the plot)" if outside else ""
        self.title.set_text(f"{FORMULAS[self.controls['function'].value]}, γ = {fmt(self.controls['gamma'].value)}: "
                            f"{SHORT[self.verdict]}{extra}")

    def summary(self) -> str:
        c = self.controls
        clip = f"clip={fmt(c['threshold'].value)}" if c["clip"].value else "no clipping"
        return (f"StepSizeLab({c['function'].value}, x0={fmt(c['x0'].value)}, gamma={fmt(c['gamma'].value)}, "
                f"steps={c['steps'].value}, {clip}): {self.verdict}")


def step_size(**initial) -> StepSizeLab:
    """The step-size lab (notebook 05). Keyword arguments set controls, e.g. ``gamma=0.8``.

    Displaying the returned object in a notebook shows the widgets; ``lab.preset("ping-pong")``,
    ``lab.set(gamma=1.2)``, ``lab.step()`` drive it from code.
    """
    return StepSizeLab(**initial)
