"""Reference and checks of the assignment `gradient-descent` (run by the grader, outside the kernel).

The behaviour categories are those of notebook 05's table for f(x) = x², q = 1 - 2γ.
"""
from __future__ import annotations

import numpy as np

from .verdicts import Check, Failed, Probe, ProbeError, array_of, value_of


def descent_step(x, g, gamma, clip=None):
    g = np.asarray(g, dtype=float)
    norm = np.linalg.norm(g)
    if clip is not None and norm > clip:
        g = g * (clip / norm)
    return np.asarray(x, dtype=float) - gamma * g


def behaviour(gamma):
    q = 1.0 - 2.0 * gamma
    if q > 0:
        return "monotone"
    if q == 0:
        return "one step"
    if q > -1:
        return "overshooting"
    if q == -1:
        return "ping-pong"
    return "diverges"


def steps_needed(gamma, x0, tol, max_steps=10_000):
    x = float(x0)
    for k in range(max_steps + 1):
        if abs(x) <= tol:
            return k
        x = x - gamma * 2.0 * x
    return None


def _step_probes(rng):
    x, g = rng.normal(size=4), rng.normal(size=4) * 10
    clip = float(rng.uniform(0.1, 1.0))
    cases = [(-4.0, -8.0, 0.2, None), (-4.0, -8.0, 0.7, None), (-4.0, -8.0, 0.2, 0.3),
             (np.zeros(2), np.array([3.0, 4.0]), 1.0, 1.0), (x, g, 0.3, clip), (x, g * 1e-3, 0.3, 1.0)]
    probes = [Probe("descent_step(x, g, gamma, clip=clip)", {"x": a, "g": b, "gamma": c, "clip": d})
              for a, b, c, d in cases]
    # the inputs must come back unchanged
    probes.append(Probe("(lambda x0, g0: (descent_step(x0, g0, 0.3, clip=clip), x0, g0)[1:])(x.copy(), g.copy())",
                        {"x": x, "g": g, "clip": clip}))
    return probes


def _step_judge(probes, values, answers):
    for probe, value in zip(probes[:-1], values[:-1]):
        e = probe.env
        want = descent_step(e["x"], e["g"], e["gamma"], e["clip"])
        got = array_of(value, "descent_step", np.shape(want))
        if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
            if e["clip"] is not None and np.allclose(got, np.asarray(e["x"]) - e["gamma"] * np.clip(e["g"], -e["clip"], e["clip"])):
                raise Failed("clipping must rescale the whole gradient to norm `clip`, not clip each component")
            raise Failed(f"descent_step(x, g, gamma={e['gamma']}, clip={e['clip']}) is wrong: "
                         f"x - gamma * g with g rescaled to norm clip when it is longer")
    x_back, g_back = value_of(values[-1], "descent_step")
    if not (np.array_equal(x_back, probes[-1].env["x"]) and np.array_equal(g_back, probes[-1].env["g"])):
        raise Failed("descent_step must not modify its inputs x and g")


def _behaviour_probes(rng):
    gammas = [0.2, 0.5, 0.7, 0.8, 1.0, 1.3] + [float(v) for v in rng.uniform(0.01, 2.0, size=20)]
    return [Probe("behaviour(gamma)", {"gamma": gamma}) for gamma in gammas]


def _behaviour_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        gamma = probe.env["gamma"]
        got = value_of(value, f"behaviour({gamma:.4g})")
        if got != behaviour(gamma):
            raise Failed(f"behaviour({gamma:.4g}) = {got!r}; with q = 1 - 2*gamma = {1 - 2 * gamma:.3g} "
                         f"notebook 05's table says {behaviour(gamma)!r}")


def _steps_probes(rng):
    cases = [(0.2, -4.0, 1e-3), (0.2, 1e-4, 1e-3), (1.2, -4.0, 1e-3), (1.0, -4.0, 1e-3)]
    cases += [(float(rng.uniform(0.05, 0.95)), float(rng.uniform(-10, 10)), float(10 ** rng.uniform(-8, -1)))
              for _ in range(5)]
    # None is not a number: the probe reports it as the string "None"
    return [Probe("str(steps_needed(gamma, x0, tol))", {"gamma": g, "x0": x, "tol": t}) for g, x, t in cases]


def _steps_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        if isinstance(value, ProbeError):
            raise Failed(f"steps_needed raised {value.message}")
        want = str(steps_needed(e["gamma"], e["x0"], e["tol"]))
        if value != want:
            raise Failed(f"steps_needed(gamma={e['gamma']:.4g}, x0={e['x0']:.4g}, tol={e['tol']:.3g}) = {value}; "
                         f"expected {want}" + (" (the run never gets there: return None)" if want == "None" else ""))


CHECKS = {
    "test_descent_step": Check(_step_probes, _step_judge),
    "test_behaviour": Check(_behaviour_probes, _behaviour_judge),
    "test_steps_needed": Check(_steps_probes, _steps_judge),
}
