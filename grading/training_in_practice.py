"""Reference and checks of the assignment `training-in-practice` (run by the grader, outside the kernel).

The optimiser steps are compared with nnlib.optim, the L2 gradient and dropout's backward pass
with central differences computed here, early stopping with nnlib.train's rule (stop when the
validation error has not improved for `patience` epochs, keep the best epoch).
"""
from __future__ import annotations

import numpy as np

from nnlib.gradcheck import numerical_gradient
from nnlib.optim import adam, momentum

from .verdicts import Check, Failed, Probe, ProbeError, array_of


def momentum_step(w, dw, v, gamma, mu):
    w_new, state = momentum(w, dw, {"v": v}, gamma, mu)
    return w_new, state["v"]


def adam_step(w, dw, m, s, t, gamma, beta1=0.9, beta2=0.999, eps=1e-8):
    """Step t (counted from 1) of Adam, from the moments m, s after step t - 1."""
    w_new, state = adam(w, dw, {"t": t - 1, "m": m, "s": s}, gamma, beta1, beta2, eps)
    return w_new, state["m"], state["s"]


def l2_penalty(W, lam):
    return 0.5 * lam * float(np.sum(W ** 2))


def central(f, W, h=1e-6):
    """Central differences of the scalar function f at every entry of W (W is not changed)."""
    return numerical_gradient(f, np.array(W, dtype=float), h=h)


def early_stopping(val_errors, patience):
    """(best_epoch, stop_epoch), epochs counted from 1, as nnlib.train stops."""
    lowest, best = np.inf, 0
    for epoch, error in enumerate(val_errors, start=1):
        if error < lowest:
            lowest, best = error, epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_errors)


# -- checks ----------------------------------------------------------------------------------
def _arrays(value, what, shapes):
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) != len(shapes):
        raise Failed(f"{what} must return {len(shapes)} arrays")
    return [array_of(v, what, shape) for v, shape in zip(value, shapes)]


def _momentum_probes(rng):
    out = []
    for v_scale in (0.0, 1.0, 1.0):
        w = rng.normal(size=(3, 2))
        out.append(Probe("momentum_step(w, dw, v, gamma, mu)",
                         {"w": w, "dw": rng.normal(size=w.shape), "v": v_scale * rng.normal(size=w.shape),
                          "gamma": float(rng.uniform(0.01, 0.5)), "mu": float(rng.uniform(0.5, 0.99))}))
    return out


def _momentum_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want_w, want_v = momentum_step(e["w"], e["dw"], e["v"], e["gamma"], e["mu"])
        w, v = _arrays(value, "momentum_step", [e["w"].shape] * 2)
        if np.allclose(v, want_v, rtol=1e-10) and np.allclose(w, want_w, rtol=1e-10):
            continue
        if np.allclose(v, -want_v, rtol=1e-10):
            raise Failed("momentum_step: the velocity has the wrong sign; v <- mu v - gamma dw, then w <- w + v")
        if np.allclose(w, e["w"] - e["gamma"] * e["dw"], rtol=1e-10) and np.any(e["v"]):
            raise Failed("momentum_step ignores the velocity it is given: a plain gradient step")
        raise Failed("momentum_step is wrong: v <- mu v - gamma dw, w <- w + v")


def _adam_probes(rng):
    out = []
    for t in (1, 2, int(rng.integers(3, 50))):
        w = rng.normal(size=4)
        m = np.zeros(4) if t == 1 else rng.normal(0, 0.1, size=4)
        s = np.zeros(4) if t == 1 else rng.uniform(0, 0.05, size=4)
        out.append(Probe("adam_step(w, dw, m, s, t, gamma)",
                         {"w": w, "dw": rng.normal(size=4), "m": m, "s": s, "t": t, "gamma": float(rng.uniform(0.001, 0.1))}))
    return out


def _adam_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want_w, want_m, want_s = adam_step(e["w"], e["dw"], e["m"], e["s"], e["t"], e["gamma"])
        w, m, s = _arrays(value, "adam_step", [(4,)] * 3)
        if not (np.allclose(m, want_m, rtol=1e-10) and np.allclose(s, want_s, rtol=1e-10)):
            raise Failed(f"adam_step (t = {e['t']}): the moments are wrong; m <- beta1 m + (1 - beta1) dw, "
                         "s <- beta2 s + (1 - beta2) dw^2")
        if np.allclose(w, want_w, rtol=1e-8):
            continue
        uncorrected = e["w"] - e["gamma"] * want_m / (np.sqrt(want_s) + 1e-8)
        if np.allclose(w, uncorrected, rtol=1e-8):
            raise Failed("adam_step leaves out the bias correction m / (1 - beta1^t), s / (1 - beta2^t)")
        raise Failed(f"adam_step (t = {e['t']}): the new w is wrong")


def _l2_probes(rng):
    return [Probe("l2_grad(dW, W, lam)", {"dW": rng.normal(size=shape), "W": rng.normal(size=shape),
                                          "lam": float(rng.uniform(0.01, 1))}) for shape in ((3, 4), (5,))]


def _l2_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want = e["dW"] + central(lambda W: l2_penalty(W, e["lam"]), e["W"])
        got = array_of(value, "l2_grad", e["W"].shape)
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(got, e["dW"] + 2 * e["lam"] * e["W"], rtol=1e-6):
            raise Failed("l2_grad: the penalty is (lam / 2) ||W||^2, whose gradient is lam W, not 2 lam W")
        if np.allclose(got, e["lam"] * e["W"], rtol=1e-6):
            raise Failed("l2_grad returns only the penalty's gradient; add the error's gradient dW")
        raise Failed("l2_grad disagrees with dW plus central differences of (lam / 2) ||W||^2")


def _dropout_probes(rng):
    y = rng.normal(size=(5, 4))
    p = float(rng.uniform(0.1, 0.7))
    keep = rng.random(y.shape) >= p
    dE = rng.normal(size=y.shape)
    return [Probe("dropout_forward(y, p, keep)", {"y": y, "p": p, "keep": keep.astype(float)}),
            Probe("dropout_forward(y, p, None)", {"y": y, "p": p}),
            Probe("dropout_backward(dE, dropout_forward(y, p, keep)[1])",
                  {"y": y, "p": p, "keep": keep.astype(float), "dE": dE})]


def _dropout_judge(probes, values, answers):
    e = probes[0].env
    y, p, keep = e["y"], e["p"], e["keep"]
    out, mask = _arrays(values[0], "dropout_forward (training)", [y.shape] * 2)
    if np.allclose(out, y * keep, rtol=1e-12) and not np.allclose(out, y * keep / (1 - p)):
        raise Failed("dropout_forward: inverted dropout scales the kept outputs by 1 / (1 - p) in training")
    if not np.allclose(out, y * keep / (1 - p), rtol=1e-12):
        raise Failed("dropout_forward (training) is wrong: out = y * keep / (1 - p)")
    test_out, _ = _arrays(values[1], "dropout_forward (inference, keep=None)", [y.shape] * 2)
    if not np.allclose(test_out, y, rtol=1e-12):
        raise Failed("dropout_forward with keep=None (inference) must return y unchanged: the training-time "
                     "scaling already keeps the expected output equal to y")
    # out is linear in y with the mask as factor: central differences of sum(dE * out) give the backward pass
    want = central(lambda Y: float(np.sum(probes[2].env["dE"] * Y * keep / (1 - p))), y)
    got = array_of(values[2], "dropout_backward", y.shape)
    if not np.allclose(got, want, rtol=1e-6, atol=1e-9):
        raise Failed("dropout_backward disagrees with central differences: dE/dy = dE/dout * mask")


def _stop_curve(rng, n=60):
    t = np.arange(1, n + 1)
    return 1 / (1 + rng.uniform(0.05, 0.3) * t) + rng.uniform(0.001, 0.01) * t + rng.normal(0, 0.01, size=n)


def _stopping_probes(rng):
    """Three curves, one of which has its overall minimum after the point where training stops."""
    out = []
    while len(out) < 3:
        curve, patience = _stop_curve(rng), int(rng.integers(2, 8))
        later_minimum = early_stopping(curve, patience)[0] != int(np.argmin(curve)) + 1
        if later_minimum or len(out) < 2:
            out.append(Probe("early_stopping(val_errors, patience)", {"val_errors": list(curve), "patience": patience}))
    return out


def _stopping_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        best, stop = early_stopping(e["val_errors"], e["patience"])
        got = value if isinstance(value, np.ndarray) and value.shape == (2,) else None
        if isinstance(value, ProbeError):
            raise Failed(f"early_stopping raised {value.message}")
        if got is None:
            raise Failed("early_stopping must return (best_epoch, stop_epoch)")
        got = (float(got[0]), float(got[1]))
        if got == (best, stop):
            continue
        if got == (best - 1, stop - 1):
            raise Failed("early_stopping: count the epochs from 1 (the first validation error is epoch 1)")
        if got[0] == int(np.argmin(e["val_errors"])) + 1 and got[0] != best:
            raise Failed("early_stopping picks the lowest validation error of all epochs, including those after "
                         "training has stopped; only the epochs run count")
        if got[0] == stop:
            raise Failed("early_stopping keeps the weights of the epoch where training stopped, not of the best epoch")
        raise Failed(f"early_stopping with patience {e['patience']}: expected best epoch {best}, stop after epoch "
                     f"{stop}; got {got[0]:g}, {got[1]:g}")


CHECKS = {
    "test_momentum_step": Check(_momentum_probes, _momentum_judge),
    "test_adam_step": Check(_adam_probes, _adam_judge),
    "test_l2_grad": Check(_l2_probes, _l2_judge),
    "test_dropout": Check(_dropout_probes, _dropout_judge),
    "test_early_stopping": Check(_stopping_probes, _stopping_judge),
}
