"""Reference and checks of the assignment `neurons` (run by the grader, never in the kernel).

Each check draws its inputs from the grading seed, has the student's functions evaluated at
them in the sandbox, and compares the values with the reference below.
"""
from __future__ import annotations

import numpy as np

from .verdicts import Check, Failed, Probe, ProbeError, array_of, value_of

ACTIVATIONS = ("step", "sigmoid", "tanh", "relu")


# -- reference -------------------------------------------------------------------------------
def step(xi):
    return np.where(np.asarray(xi, dtype=float) >= 0, 1.0, 0.0)


def sigmoid(xi, lam=1.0):
    return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))


def sigmoid_prime(xi, lam=1.0):
    s = sigmoid(xi, lam)
    return lam * s * (1.0 - s)


def tanh_prime(xi):
    return 1.0 - np.tanh(np.asarray(xi, dtype=float)) ** 2


def network_function(X, W1, b1, W2, b2):
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)


def count_params(sizes):
    return sum(a * c + c for a, c in zip(sizes[:-1], sizes[1:]))


# -- checks ----------------------------------------------------------------------------------
def _close(got, want, what, rtol=1e-9, atol=1e-12):
    got = array_of(got, what, np.shape(want))
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        i = int(np.argmax(np.abs(got - want).ravel()))
        raise Failed(f"{what} is wrong: at one input it gives {got.ravel()[i]:.6g}, expected {np.ravel(want)[i]:.6g}")


def _activation_probes(rng):
    xi = rng.normal(0, 3, size=(7, 3))
    lam = float(rng.uniform(0.3, 4))
    return [Probe("step(xi)", {"xi": xi}), Probe("sigmoid(xi, lam=lam)", {"xi": xi, "lam": lam}),
            Probe("sigmoid(xi)", {"xi": xi}), Probe("tanh(xi)", {"xi": xi}), Probe("relu(xi)", {"xi": xi}),
            Probe("step(_np.array([-2.0, 0.0, 3.0]))")]


def _activation_judge(probes, values, answers):
    xi, lam = probes[1].env["xi"], probes[1].env["lam"]
    _close(values[0], step(xi), "step(xi)", 0, 0)
    _close(values[1], sigmoid(xi, lam), f"sigmoid(xi, lam={lam:.3g}) (lam multiplies xi)")
    _close(values[2], sigmoid(xi), "sigmoid(xi)")
    _close(values[3], np.tanh(xi), "tanh(xi)")
    _close(values[4], np.maximum(xi, 0), "relu(xi)", 0, 0)
    _close(values[5], [0.0, 1.0, 1.0], "step at -2, 0, 3 (1 where xi >= 0)", 0, 0)


def _overflow_probes(rng):
    """Far tails, |lam xi| up to 1000, evaluated with floating-point overflow made an error."""
    lam = float(rng.uniform(0.5, 2))
    xi = np.array([-1000.0, 1000.0, *rng.uniform(-1000, 1000, size=4)]) / lam
    return [Probe("_strict(sigmoid, xi)", {"xi": xi * min(lam, 1)}), Probe("_strict(sigmoid, xi, lam)", {"xi": xi, "lam": lam})]


def _overflow_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        if isinstance(value, ProbeError) and "overflow" in value.message.lower():
            raise Failed("sigmoid overflows for |lam xi| near 1000: use the tanh form or split by sign")
    # the values at lam = 1 only: a wrong use of lam costs test_activations, not this cell
    _close(values[0], sigmoid(probes[0].env["xi"]), "sigmoid far in the tails (|xi| up to 1000)", 1e-9, 1e-300)
    tails = array_of(values[1], "sigmoid(xi, lam) far in the tails", probes[1].env["xi"].shape)
    if not np.all((tails >= 0) & (tails <= 1)):
        raise Failed("sigmoid(xi, lam) far in the tails must stay between 0 and 1")


def _derivative_probes(rng):
    xi = rng.uniform(-4, 4, size=25)
    xi = xi[np.abs(xi) > 1e-3]
    lam = float(rng.uniform(0.3, 4))
    return [Probe("sigmoid_prime(xi, lam=lam)", {"xi": xi, "lam": lam}), Probe("sigmoid_prime(xi)", {"xi": xi}),
            Probe("tanh_prime(xi)", {"xi": xi}), Probe("relu_prime(xi)", {"xi": xi}),
            Probe("step_prime(xi)", {"xi": xi})]


def _derivative_judge(probes, values, answers):
    xi, lam = probes[0].env["xi"], probes[0].env["lam"]
    got = array_of(values[0], "sigmoid_prime(xi, lam)", xi.shape)
    if np.allclose(got, sigmoid(xi, lam) * (1 - sigmoid(xi, lam)), rtol=1e-6) and abs(lam - 1) > 0.05:
        raise Failed("sigmoid_prime(xi, lam) must include the inner derivative lam: "
                     "d/dxi sigma(lam xi) = lam sigma (1 - sigma)")
    _close(got, sigmoid_prime(xi, lam), f"sigmoid_prime(xi, lam={lam:.3g})", 1e-6, 1e-10)
    _close(values[1], sigmoid_prime(xi), "sigmoid_prime(xi)", 1e-6, 1e-10)
    _close(values[2], tanh_prime(xi), "tanh_prime(xi)", 1e-6, 1e-10)
    _close(values[3], (xi > 0).astype(float), "relu_prime(xi) (1 for xi > 0, else 0)", 0, 0)
    _close(values[4], np.zeros_like(xi), "step_prime(xi) (0 everywhere)", 0, 0)


_GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0]}


def _gate_probes(rng):
    return [Probe(f"(w_{name}, b_{name})") for name in (*_GATES, "NOT")]


def _gate_judge(probes, values, answers):
    X2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    for (name, want), value in zip([*_GATES.items(), ("NOT", [1, 0])], values):
        w, b = value_of(value, f"w_{name}, b_{name}")
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        n_in = 1 if name == "NOT" else 2
        if w.shape != (n_in,) or b.size != 1:
            raise Failed(f"w_{name} must have shape ({n_in},) and b_{name} be a number; got {w.shape}, {b.shape}")
        X = X2 if n_in == 2 else np.array([[0.0], [1.0]])
        got = [int(v) for v in (X @ w + float(b.ravel()[0]) >= 0)]
        if got != want:
            raise Failed(f"{name}: your neuron gives {got}; expected {want}")


def _network_probes(rng):
    cases = [dict(X=np.array([[1.0, 0.0], [0.3, -0.7]]), W1=np.array([[0.5, -1.0], [2.0, 0.25]]),
                  b1=np.array([0.1, -0.2]), W2=np.array([[1.5], [-0.5]]), b2=np.array([0.3]))]
    for _ in range(3):
        cases.append(dict(X=rng.normal(size=(5, 2)), W1=rng.normal(size=(2, 2)), b1=rng.normal(size=2),
                          W2=rng.normal(size=(2, 1)), b2=rng.normal(size=1)))
    return [Probe("network_function(X, W1, b1, W2, b2)", case) for case in cases]


def _network_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        c = probe.env
        want = network_function(c["X"], c["W1"], c["b1"], c["W2"], c["b2"])
        got = array_of(value, "network_function", want.shape)
        if not np.allclose(got, want, rtol=1e-10):
            if np.allclose(got, network_function(c["X"], c["W1"].T, c["b1"], c["W2"], c["b2"]), rtol=1e-10):
                raise Failed("network_function uses W1 transposed: W1[i, j] is the weight from input i to "
                             "hidden unit j, so the hidden potentials are X @ W1 + b1")
            raise Failed(f"network_function is wrong: for X[0] = {c['X'][0]} you return {got[0]}, expected {want[0]}")


def _count_probes(rng):
    sizes = [int(v) for v in rng.integers(1, 50, size=int(rng.integers(2, 6)))]
    return [Probe("count_params(s)", {"s": [2, 4, 1]}), Probe("count_params(s)", {"s": "2-4-3-2"}),
            Probe("count_params(s)", {"s": sizes}), Probe("count_params(s)", {"s": "-".join(map(str, sizes))})]


def _count_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        sizes = probe.env["s"]
        ints = [int(v) for v in sizes.split("-")] if isinstance(sizes, str) else sizes
        got = array_of(value, f"count_params({sizes!r})", ())
        if float(got) != count_params(ints):
            hint = " (do not forget the biases)" if float(got) == count_params(ints) - sum(ints[1:]) else ""
            raise Failed(f"count_params({sizes!r}) gives {float(got):g}, expected {count_params(ints)}{hint}")


CHECKS = {
    "test_activations": Check(_activation_probes, _activation_judge),
    "test_sigmoid_overflow": Check(_overflow_probes, _overflow_judge),
    "test_derivatives": Check(_derivative_probes, _derivative_judge),
    "test_logic_gates": Check(_gate_probes, _gate_judge),
    "test_network_function": Check(_network_probes, _network_judge),
    "test_count_params": Check(_count_probes, _count_judge),
}
