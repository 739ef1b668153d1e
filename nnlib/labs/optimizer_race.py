"""The optimiser race of notebook 10: SGD, momentum and Adam (and, if chosen, Nesterov and
RMSProp) side by side on a 2D test function.

The state is one path per optimiser, computed by :func:`nnlib.optim.minimize` with the
settings on the sliders (so the lab shows exactly what the library does); the view is the
paths on a contour plot, f against the step on a log scale, and a table of each
optimiser's current f and distance to the minimum. Play, step and reset walk the paths
step by step; changing a setting recomputes every path and shows all its steps.
"""
from __future__ import annotations

import html

import numpy as np
import ipywidgets as widgets

from ..descent import FUNCTIONS
from ..optim import OPTIMIZERS, Optimizer, minimize
from ._base import FigureView, FloatSlider, IntSlider, Lab, ShownSteps, button, fmt

__all__ = ["OptimizerRaceLab", "optimizer_race", "RACERS", "COURSES"]

#: course shown in the dropdown -> its function (key in nnlib.descent.FUNCTIONS), formula,
#: minimiser, plot window and the racers' suggested settings (the bowl's are those of the
#: race in notebook 10 § 8; Rosenbrock's steep walls need a small γ for SGD and momentum)
COURSES = {
    "bowl": dict(key="bowl2d", formula="f(x) = x1² + 10·x2²", minimum=(0.0, 0.0), window=((-5.0, 5.0), (-2.0, 2.0)),
                 settings=dict(x1=-4.0, x2=1.0, sgd_gamma=0.09, momentum_gamma=0.05, momentum_mu=0.5,
                               nesterov_gamma=0.05, nesterov_mu=0.7, rmsprop_gamma=0.3, adam_gamma=0.3)),
    "Rosenbrock": dict(key="rosenbrock", formula="f(x) = (1 − x1)² + 100·(x2 − x1²)²", minimum=(1.0, 1.0),
                       window=((-2.0, 2.0), (-1.0, 3.0)),
                       settings=dict(x1=-1.5, x2=2.0, sgd_gamma=0.001, momentum_gamma=0.001, momentum_mu=0.9,
                                     nesterov_gamma=0.001, nesterov_mu=0.9, rmsprop_gamma=0.01, adam_gamma=0.1)),
}

#: racer -> (label, colour, its hyper-parameter sliders: name -> (min, max, step))
RACERS = {
    "sgd": ("SGD", "#1b9e77", {}),
    "momentum": ("momentum", "#d95f02", {"mu": (0.0, 0.99, 0.01)}),
    "nesterov": ("Nesterov", "#e7298a", {"mu": (0.0, 0.99, 0.01)}),
    "rmsprop": ("RMSProp", "#66a61e", {"rho": (0.0, 0.99, 0.01)}),
    "adam": ("Adam", "#7570b3", {"beta1": (0.0, 0.99, 0.01), "beta2": (0.5, 0.9999, 0.0001)}),
}
GREEK = {"gamma": "γ", "mu": "μ", "rho": "ρ", "beta1": "β₁", "beta2": "β₂"}
#: shown unless the call says otherwise: the three of the brief
DEFAULT_RACERS = ("sgd", "momentum", "adam")
#: the γ sliders' step (and smallest value)
GAMMA_STEP = 0.0005
#: a path whose f exceeds this is called diverged in the table (it may still be finite)
DIVERGED = 1e6


class OptimizerRaceLab(ShownSteps, Lab):
    """Optimisers racing on a 2D function, step by step.

    Controls (``lab.controls``): ``function``, ``x1``, ``x2`` (the start), ``steps``, one
    checkbox per racer (``sgd``, ``momentum``, ``nesterov``, ``rmsprop``, ``adam``) and its
    settings (``sgd_gamma``, ``momentum_gamma``, ``momentum_mu``, ..., ``adam_beta2``), and
    ``shown`` (the Play widget: how many steps are drawn). Buttons: ``step``, ``reset``.
    State after each change: ``lab.paths`` (racer -> array (k+1, 2), the racers switched on),
    ``lab.optimizers`` (racer -> the ``Optimizer`` used). Artists: ``lab.lines``, ``lab.curves``.
    """

    lab_name = "OptimizerRaceLab"
    max_steps = 300

    def __init__(self, **initial):
        super().__init__()
        c = self.controls
        style = {"description_width": "80px"}
        c["function"] = widgets.Dropdown(options=list(COURSES), value=list(COURSES)[0], description="function",
                                         style=style)
        c["x1"] = FloatSlider(value=-4.0, min=-5.0, max=5.0, step=0.1, description="start x1", style=style)
        c["x2"] = FloatSlider(value=1.0, min=-5.0, max=5.0, step=0.1, description="start x2", style=style)
        c["steps"] = IntSlider(value=60, min=1, max=self.max_steps, description="steps", style=style)
        rows = []
        for key, (label, colour, hyper) in RACERS.items():
            _, defaults = OPTIMIZERS[key]
            c[key] = widgets.Checkbox(value=key in DEFAULT_RACERS, description=label, indent=False,
                                      layout=widgets.Layout(width="100px"))
            row = [c[key]]
            compact = dict(style={"description_width": "20px"}, layout=widgets.Layout(width="230px"))
            # linear, on a grid that holds every suggested γ: a log slider's front end snaps
            # 0.09 to 10^-1.05 = 0.0891 and sends that back, changing the race behind our back
            c[f"{key}_gamma"] = FloatSlider(value=0.1, min=GAMMA_STEP, max=1.0, step=GAMMA_STEP, description="γ",
                                            readout_format=".4g", **compact)
            row.append(c[f"{key}_gamma"])
            for name, (lo, hi, step) in hyper.items():
                c[f"{key}_{name}"] = FloatSlider(value=defaults[name], min=lo, max=hi, step=step,
                                                 description=GREEK[name], readout_format=".4g", **compact)
                row.append(c[f"{key}_{name}"])
            rows.append(widgets.HBox(row))
        c["shown"] = widgets.Play(value=60, min=0, max=60, interval=150, description="run")
        for name in c:
            self._watch(name)

        self.buttons["step"] = button("step", "step", "draw one more step of every path")
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["reset"] = button("reset", "reset", "back to the start")
        self.buttons["reset"].on_click(lambda _b: self.reset())

        self.table = widgets.HTML()
        self.table.add_class("nnlib-table")
        self.fig_view = FigureView((9.6, 3.6), dpi=80)
        self.views = [self.fig_view]
        self._build_figure()

        play_row = widgets.HBox([c["shown"], self.buttons["step"], self.buttons["reset"]])
        left = widgets.VBox([c["function"], c["x1"], c["x2"], c["steps"], play_row])
        self.view = widgets.VBox([widgets.HBox([left, widgets.VBox(rows)]), self.fig_view.widget,
                                  self.readout, self.note, self.table])
        self.view.add_class("nnlib-lab")
        self.view.add_class("nnlib-optimizer-race")

        self.paths: dict[str, np.ndarray] = {}
        self._path_of: dict[str, tuple] = {}  # racer -> (what its path was computed from, path)
        self.optimizers: dict[str, Optimizer] = {}
        self._course = None
        self._pending = set(c)
        with self.batch():
            self._load_course()
        if initial:
            self.set(**initial)

    # ----- actions ---------------------------------------------------------------------------
    def set(self, **values):
        """As :meth:`Lab.set`; a new ``function`` first loads its suggested start and settings,
        which the other keywords of the same call then override."""
        self.notes = []
        self.check_names(values)
        with self.batch():
            if "function" in values:
                self.controls["function"].value = self.clamp("function", values.pop("function"))
                if self._course != self.controls["function"].value:
                    self._load_course()
            self._set(values)
        return self

    def _load_course(self):
        settings = self.course["settings"]
        for name, value in settings.items():
            self.controls[name].value = value
        self._course = self.controls["function"].value

    # ----- state -----------------------------------------------------------------------------
    @property
    def course(self) -> dict:
        return COURSES[self.controls["function"].value]

    @property
    def objective(self):
        return FUNCTIONS[self.course["key"]]

    @property
    def minimum(self) -> np.ndarray:
        return np.array(self.course["minimum"])

    def f(self, x) -> np.ndarray:
        """The course's f at points x (..., 2); a diverged path overflows to inf quietly."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.objective.f(x)

    @property
    def racers(self) -> list[str]:
        """The racers switched on, in the order of ``RACERS``."""
        return [k for k in RACERS if self.controls[k].value]

    def optimizer(self, key: str) -> Optimizer:
        """The ``Optimizer`` that racer ``key`` uses with the current settings."""
        c = self.controls
        hyper = {name: float(c[f"{key}_{name}"].value) for name in RACERS[key][2]}
        return Optimizer(key, gamma=float(c[f"{key}_gamma"].value), **hyper)

    def _recompute(self, changed):
        c = self.controls
        if "function" in changed and self._course != c["function"].value:  # by hand in the dropdown
            self._load_course()
        if changed - {"shown"}:
            obj = self.objective
            start = np.array([c["x1"].value, c["x2"].value], dtype=float)
            self.optimizers = {k: self.optimizer(k) for k in self.racers}
            self.paths = {k: self._path(k, obj, start, opt, int(c["steps"].value)) for k, opt in self.optimizers.items()}
            c["shown"].playing = False
            c["shown"].max = int(c["steps"].value)
            c["shown"].value = int(c["steps"].value)
        self._update_text()

    def _path(self, key, obj, start, opt, steps) -> np.ndarray:
        """Racer ``key``'s path, computed again only if what it depends on changed (a slider
        of one racer leaves the others' paths as they are)."""
        made_from = (obj.name, tuple(start), steps, repr(opt))
        cached = self._path_of.get(key)
        if cached is None or cached[0] != made_from:
            cached = self._path_of[key] = (made_from, minimize(obj.df, start, opt, steps=steps))
        return cached[1]

    def rows(self, k: int | None = None) -> list[tuple]:
        """Table rows (racer, settings, step reached, f there, distance to the minimum) at step k."""
        k = self.shown if k is None else k
        out = []
        for key, path in self.paths.items():
            i = min(k, len(path) - 1)  # a path that left the finite numbers ends early
            x = path[i]
            opt = self.optimizers[key]
            settings = ", ".join([f"γ={fmt(opt.gamma)}"] + [f"{GREEK[n]}={fmt(opt.hyper[n])}" for n in RACERS[key][2]])
            with np.errstate(over="ignore"):
                dist = float(np.hypot(*(x - self.minimum)))
            out.append((key, settings, i, float(self.f(x)), dist))
        return out

    def _update_text(self):
        c, k = self.controls, self.shown
        head = ("<tr><th>optimiser</th><th>settings</th><th>step</th><th>f(x)</th>"
                "<th>distance to the minimum</th></tr>")
        body, leader = [], None
        for key, settings, i, f, dist in self.rows(k):
            status = " (diverged)" if not f < DIVERGED else ""
            body.append(f"<tr><td style='color:{RACERS[key][1]}'>{RACERS[key][0]}</td><td>{html.escape(settings)}</td>"
                        f"<td>{i}</td><td>{fmt(f)}{status}</td><td>{fmt(dist)}</td></tr>")
            if f < DIVERGED and (leader is None or f < leader[1]):
                leader = (key, f)
        self.table.value = "<table class='nnlib-tbl'>" + head + "".join(body) + "</table>"
        start = f"({fmt(c['x1'].value)}, {fmt(c['x2'].value)})"
        lines = [f"<b>{self.course['formula']}</b>, from {start}, "
                 f"minimum at ({fmt(self.minimum[0])}, {fmt(self.minimum[1])}). Shown: step {k} of {c['steps'].value}."]
        if leader is not None:
            lines.append(f"Lowest f so far: {RACERS[leader[0]][0]} ({fmt(leader[1])}).")
        if not self.paths:
            lines.append("No optimiser is switched on: tick one of the boxes.")
        self.readout.value = "<br>".join(lines)

    # ----- drawing -----------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.fig_view.fig
        self.ax = ax = fig.add_axes([0.065, 0.15, 0.42, 0.75])
        self.ax_f = ax_f = fig.add_axes([0.6, 0.15, 0.38, 0.75])
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax_f.set_xlabel("step")
        ax_f.set_ylabel("f(x)")
        ax_f.set_yscale("log")
        ax_f.set_title("f against the step")
        self.lines, self.curves, self.heads = {}, {}, {}
        for key, (label, colour, _) in RACERS.items():
            (self.lines[key],) = ax.plot([], [], ".-", color=colour, lw=1.2, ms=3, label=label, zorder=3)
            (self.heads[key],) = ax.plot([], [], "o", color=colour, ms=6, zorder=4)
            (self.curves[key],) = ax_f.plot([], [], color=colour, lw=1.4, label=label)
        (self.goal,) = ax.plot([], [], "*", color="black", ms=10, zorder=5)
        self._contours = None
        self._limits = None
        self._legend_keys = None
        animated = [*self.lines.values(), *self.heads.values(), *self.curves.values(), self.goal]
        self.fig_view.set_animated(animated)

    def _draw_static(self):
        """Contours, limits and legends: redrawn only when the course, the steps or the racers change."""
        obj, c = self.objective, self.controls
        (x_lo, x_hi), (y_lo, y_hi) = self.course["window"]
        values = [f for p in self.paths.values() for f in self.f(p) if 0 < f < np.inf]
        f_lo = max(min(values, default=1e-8), 1e-12)
        f_hi = max(max(values, default=1.0), f_lo * 10)
        limits = (c["function"].value, int(c["steps"].value), tuple(self.paths), f_lo, f_hi)
        if limits == self._limits:
            return
        self._limits = limits
        if self._contours is None or self._contours[0] != c["function"].value:
            if self._contours is not None:
                self._contours[1].remove()
            g1, g2 = np.meshgrid(np.linspace(x_lo, x_hi, 200), np.linspace(y_lo, y_hi, 200))
            z = obj.f(np.stack([g1, g2], axis=-1))
            levels = np.geomspace(max(z.min(), 1e-3), z.max(), 14)
            self._contours = (c["function"].value, self.ax.contour(g1, g2, z, levels=levels, colors="#b0b0b0",
                                                                   linewidths=0.7, zorder=1))
        self.goal.set_data([self.minimum[0]], [self.minimum[1]])
        self.ax.set_xlim(x_lo, x_hi)
        self.ax.set_ylim(y_lo, y_hi)
        self.ax.set_title(self.course["formula"])
        self.ax_f.set_xlim(0, max(int(c["steps"].value), 1))
        self.ax_f.set_ylim(f_lo / 2, min(f_hi * 2, 1e30))
        for ax in (self.ax, self.ax_f):
            if ax.get_legend() is not None:
                ax.get_legend().remove()
        keys = list(self.paths)
        if keys:
            # on the f panel: on the contour plot it would hide the start of the paths
            self.ax_f.legend([self.lines[k] for k in keys], [RACERS[k][0] for k in keys], fontsize=8,
                             loc="upper right", framealpha=0.8)
        self.fig_view.invalidate()

    def _draw(self):
        self._draw_static()
        k = self.shown
        for key in RACERS:
            path = self.paths.get(key)
            if path is None:
                for artist in (self.lines[key], self.heads[key], self.curves[key]):
                    artist.set_data([], [])
                continue
            part = path[: k + 1]
            self.lines[key].set_data(part[:, 0], part[:, 1])
            self.heads[key].set_data(part[-1:, 0], part[-1:, 1])
            self.curves[key].set_data(np.arange(len(part)), self.f(part))

    def summary(self) -> str:
        c = self.controls
        racers = "; ".join(f"{RACERS[key][0]}({settings}) f={fmt(f)}" for key, settings, _, f, _ in self.rows())
        return (f"OptimizerRaceLab({c['function'].value}, start=({fmt(c['x1'].value)}, {fmt(c['x2'].value)}), "
                f"step {self.shown} of {c['steps'].value}): {racers or 'no racer'}")


def optimizer_race(**initial) -> OptimizerRaceLab:
    """The optimiser race (notebook 10). Keyword arguments set controls, e.g. ``adam_gamma=0.3``,
    ``nesterov=True`` or ``function="Rosenbrock"`` (which loads its suggested settings first).

    Displaying the returned object in a notebook shows the widgets; ``lab.set(...)``,
    ``lab.step()``, ``lab.reset()`` drive it from code.
    """
    return OptimizerRaceLab(**initial)
