"""Reference and checks of the assignment `losses-and-classification` (run by the grader).

The digits accuracy is computed here from the labels the student's `predict` returns for the
held-out images of the notebook's split.
"""
from __future__ import annotations

import numpy as np

from nnlib.gradcheck import numerical_gradient

from .verdicts import Check, Failed, Probe, ProbeError, array_of

N_TRAIN = 1297  # the notebook's split: a permutation with seed 0, the first 1297 images train


def softmax(xi):
    xi = np.asarray(xi, dtype=float)
    e = np.exp(xi - xi.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(y, d):
    return float(-np.sum(d * np.log(y)))


def _softmax_probes(rng):
    return [Probe("softmax(xi)", {"xi": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])}),
            Probe("softmax(xi)", {"xi": rng.normal(0, 5, size=(6, 4))}),
            Probe("_strict(softmax, xi)", {"xi": np.array([[1000.0, 0.0, -1000.0]])})]


def _softmax_judge(probes, values, answers):
    big = values[2]
    if isinstance(big, ProbeError) and "overflow" in big.message.lower():
        raise Failed("softmax overflows for xi = 1000: subtract the row maximum first")
    for probe, value in zip(probes, values):
        want = softmax(probe.env["xi"])
        got = array_of(value, "softmax", want.shape)
        if not np.allclose(got, want, atol=1e-12):
            raise Failed("softmax is wrong: each row must become exp(xi) / sum(exp(xi)) of that row")


def _ce_probes(rng):
    out = []
    for n, m in ((4, 3), (7, 5)):
        xi = rng.normal(0, 2, size=(n, m))
        d = np.eye(m)[rng.integers(0, m, size=n)]
        out += [Probe("cross_entropy(y, d)", {"y": softmax(xi), "d": d}), Probe("ce_grad_xi(xi, d)", {"xi": xi, "d": d})]
    return out


def _numeric_ce_grad(xi, d, h=1e-6):
    return numerical_gradient(lambda x: cross_entropy(softmax(x), d), np.array(xi, dtype=float), h=h)


def _ce_judge(probes, values, answers):
    for k in range(0, len(probes), 2):
        e_ce, e_grad = probes[k].env, probes[k + 1].env
        want = cross_entropy(e_ce["y"], e_ce["d"])
        got = float(array_of(values[k], "cross_entropy", ()))
        if abs(got - want) > 1e-9 * max(1, abs(want)):
            raise Failed(f"cross_entropy: expected {want:.6f}, got {got:.6f} (sum over samples, minus sign)")
        num = _numeric_ce_grad(e_grad["xi"], e_grad["d"])
        grad = array_of(values[k + 1], "ce_grad_xi", num.shape)
        if not np.allclose(grad, num, atol=1e-7):
            hint = " (the sign is flipped: it is softmax(xi) - d)" if np.allclose(grad, -num, atol=1e-7) else ""
            raise Failed(f"ce_grad_xi disagrees with central differences{hint}")


def held_out():
    from nnlib.datasets import load_digits

    X, labels = load_digits()
    order = np.random.default_rng(0).permutation(len(X))
    return X[order[N_TRAIN:]] / 16.0, labels[order[N_TRAIN:]]


def _digits_probes(rng):
    X_test, _ = held_out()
    return [Probe("_np.asarray(predict(model, X))", {"X": X_test})]


def _digits_judge(probes, values, answers):
    _, labels = held_out()
    pred = array_of(values[0], "predict(model, X_test)", labels.shape)
    accuracy = float(np.mean(pred == labels))
    if accuracy < 0.90:
        raise Failed(f"accuracy on the held-out digits is {accuracy:.3f}; it must be at least 0.90")


CHECKS = {
    "test_softmax": Check(_softmax_probes, _softmax_judge),
    "test_cross_entropy": Check(_ce_probes, _ce_judge),
    "test_digits": Check(_digits_probes, _digits_judge),
}
