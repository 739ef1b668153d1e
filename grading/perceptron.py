"""Reference and checks of the assignment `perceptron` (run by the grader, outside the kernel).

Training is compared with nnlib's perceptron_train (zero start, samples in the given order);
the cycle on XOR with a replay of the rule here; the logistic-regression gradient with central
differences of the binary cross-entropy computed here.
"""
from __future__ import annotations

import warnings

import numpy as np

from nnlib import ConvergenceWarning, perceptron_train

from .verdicts import Check, Failed, Probe, ProbeError, array_of


def perceptron_update(x, d, w, b, gamma):
    """One application of the rule to the sample (x, d): a change only when it is misclassified."""
    y = 1.0 if x @ w + b >= 0 else 0.0
    return w + gamma * (d - y) * x, b + gamma * (d - y)


def train_reference(X, d, gamma, max_epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w, b, history = perceptron_train(X, d, gamma=gamma, epochs=max_epochs)
    return w, b, history.epochs, history.converged


def detect_cycle(X, d, gamma, max_epochs):
    """(j, k): the first epoch k whose end state (w, b) equals that after an earlier epoch j
    (j = 0: the zero start); None once an epoch makes no mistake."""
    w, b = np.zeros(X.shape[1]), 0.0
    seen = {(tuple(w), b): 0}
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x, target in zip(X, d):
            mistakes += (1.0 if x @ w + b >= 0 else 0.0) != target
            w, b = perceptron_update(x, target, w, b, gamma)
        if mistakes == 0:
            return None
        if (tuple(w), b) in seen:
            return seen[(tuple(w), b)], epoch
        seen[(tuple(w), b)] = epoch
    return None


def sigmoid(xi):
    return 0.5 * (1.0 + np.tanh(0.5 * xi))


def bce(X, d, w, b):
    """E = -Σ_k [d_k log y_k + (1 - d_k) log(1 - y_k)], y = σ(X w + b), summed over samples."""
    y = sigmoid(X @ w + b)
    return float(-np.sum(d * np.log(y) + (1 - d) * np.log(1 - y)))


def numeric_logistic_grad(X, d, w, b, h=1e-6):
    dw = np.array([(bce(X, d, w + h * e, b) - bce(X, d, w - h * e, b)) / (2 * h) for e in np.eye(len(w))])
    return dw, (bce(X, d, w, b + h) - bce(X, d, w, b - h)) / (2 * h)


# -- checks ----------------------------------------------------------------------------------
def _update_probes(rng):
    out = []
    for target in (0.0, 1.0, 0.0, 1.0, 0.0, 1.0):
        x, w = rng.normal(size=3), rng.normal(size=3)
        out.append(Probe("perceptron_update(x, d, w, b, gamma)",
                         {"x": x, "d": target, "w": w, "b": float(rng.normal()), "gamma": float(rng.uniform(0.1, 2))}))
    return out


def _pair(value, what, n):
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) < 2:
        raise Failed(f"{what} must return (w, b)")
    return array_of(value[0], f"{what}: w", (n,)), float(array_of(value[1], f"{what}: b", ()))


def _update_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want_w, want_b = perceptron_update(e["x"], e["d"], e["w"], e["b"], e["gamma"])
        w, b = _pair(value, "perceptron_update", 3)
        if np.allclose(w, want_w, rtol=1e-12) and np.isclose(b, want_b, rtol=1e-12):
            continue
        y = 1.0 if e["x"] @ e["w"] + e["b"] >= 0 else 0.0
        if y == e["d"]:
            raise Failed("perceptron_update changes the weights of a correctly classified sample; "
                         "the rule changes w and b only when y != d")
        if np.allclose(w, e["w"] - (want_w - e["w"]), rtol=1e-12):
            raise Failed("perceptron_update moves w the wrong way: w + gamma (d - y) x")
        if np.allclose(w, want_w, rtol=1e-12):
            raise Failed("perceptron_update: w is right, b is not (b + gamma (d - y))")
        raise Failed(f"perceptron_update is wrong for a sample with d = {e['d']:g}, y = {y:g}")


def separable(rng, n=20):
    """n points in [-1, 1]² with labels from a random line, at least 0.1 away from it."""
    normal = rng.normal(size=2)
    normal /= np.linalg.norm(normal)
    offset = float(rng.uniform(-0.3, 0.3))
    X = np.empty((0, 2))
    while len(X) < n:
        x = rng.uniform(-1, 1, size=(n, 2))
        X = np.vstack([X, x[np.abs(x @ normal + offset) > 0.1]])
    X = X[:n]
    return X, (X @ normal + offset > 0).astype(float)


def _train_probes(rng):
    out = []
    for _ in range(3):
        X, d = separable(rng)
        out.append(Probe("perceptron_train(X, d, gamma, 1000)", {"X": X, "d": d, "gamma": float(rng.uniform(0.2, 2))}))
    return out


def _train_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want_w, want_b, want_epochs, _ = train_reference(e["X"], e["d"], e["gamma"], 1000)
        if not isinstance(value, tuple) or len(value) != 3:
            _pair(value, "perceptron_train", 2)
            raise Failed("perceptron_train must return (w, b, epochs)")
        w, b = _pair(value, "perceptron_train", 2)
        y = (e["X"] @ w + b >= 0).astype(float)
        if np.any(y != e["d"]):
            raise Failed(f"perceptron_train returns weights that misclassify {int(np.sum(y != e['d']))} of "
                         f"{len(y)} linearly separable samples: train until an epoch makes no mistake")
        if not (np.allclose(w, want_w, rtol=1e-9) and np.isclose(b, want_b, rtol=1e-9)):
            raise Failed("perceptron_train separates the samples, but not with the weights of the rule started at "
                         "w = 0, b = 0 with the samples in the given order")
        epochs = array_of(value[2], "perceptron_train: epochs", ())
        if float(epochs) != want_epochs:
            raise Failed(f"perceptron_train: the rule needs {want_epochs} epochs here, the last one without a "
                         f"mistake; you report {float(epochs):g}")


_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _cycle_probes(rng):
    """XOR (samples in a drawn order, scaled), a non-separable set whose weights cycle with a
    period of two or more epochs, and AND (separable: no cycle)."""
    scale, gamma = float(rng.choice([1.0, 2.0, 3.0])), float(rng.choice([0.5, 1.0, 2.0]))
    order = rng.permutation(4)
    xor = {"X": scale * _XOR[order], "d": np.array([0.0, 1.0, 1.0, 0.0])[order], "gamma": gamma}
    while True:
        X, d = rng.integers(-2, 3, size=(6, 2)).astype(float), rng.integers(0, 2, 6).astype(float)
        found = detect_cycle(X, d, gamma, 100)
        if found is not None and found[1] - found[0] >= 2:
            break
    and_ = {"X": scale * _XOR[order], "d": np.array([0.0, 0.0, 0.0, 1.0])[order], "gamma": gamma}
    return [Probe("detect_cycle(X, d, gamma, 100)", env) for env in (xor, {"X": X, "d": d, "gamma": gamma}, and_)]


def _cycle_judge(probes, values, answers):
    for probe, value, name in zip(probes, values, ("XOR", "a non-separable set", "AND")):
        e = probe.env
        want = detect_cycle(e["X"], e["d"], e["gamma"], 100)
        if isinstance(value, ProbeError):
            raise Failed(f"detect_cycle on {name} raised {value.message}")
        if want is None:
            if not (isinstance(value, np.ndarray) and value.shape == () and np.isnan(value)):
                raise Failed(f"detect_cycle on {name} (linearly separable) must return None: an epoch makes no mistake")
            continue
        # (j, k) arrives as an array of two numbers
        got = value if isinstance(value, np.ndarray) and value.shape == (2,) else None
        if got is None:
            raise Failed(f"detect_cycle on {name} must return (j, k), two epoch numbers")
        if (float(got[0]), float(got[1])) != want:
            raise Failed(f"detect_cycle on {name} (gamma = {e['gamma']:g}): the weights "
                         f"after epoch {want[1]} first repeat those after epoch {want[0]}; you return "
                         f"({float(got[0]):g}, {float(got[1]):g})")


def _grad_probes(rng):
    out = []
    for n, m in ((5, 2), (8, 3)):
        out.append(Probe("logistic_grad(X, d, w, b)", {"X": rng.normal(size=(n, m)), "d": rng.integers(0, 2, n).astype(float),
                                                       "w": rng.normal(size=m), "b": float(rng.normal())}))
    return out


def _grad_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        num_w, num_b = numeric_logistic_grad(e["X"], e["d"], e["w"], e["b"])
        dw, db = _pair(value, "logistic_grad", len(e["w"]))
        if np.allclose(dw, num_w, rtol=1e-6, atol=1e-8) and np.isclose(db, num_b, rtol=1e-6, atol=1e-8):
            continue
        if np.allclose(dw, -num_w, rtol=1e-6, atol=1e-8):
            raise Failed("logistic_grad: the sign is flipped; dE/dxi = y - d")
        if np.allclose(dw, num_w / len(e["X"]), rtol=1e-6, atol=1e-8):
            raise Failed("logistic_grad: you averaged over samples; E here is the sum over samples")
        part = "dE/dw" if not np.allclose(dw, num_w, rtol=1e-6, atol=1e-8) else "dE/db"
        raise Failed(f"logistic_grad: {part} disagrees with central differences of the cross-entropy")


CHECKS = {
    "test_perceptron_update": Check(_update_probes, _update_judge),
    "test_perceptron_train": Check(_train_probes, _train_judge),
    "test_detect_cycle": Check(_cycle_probes, _cycle_judge),
    "test_logistic_grad": Check(_grad_probes, _grad_judge),
}
