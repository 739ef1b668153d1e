"""Reference and checks of the assignment `expressive-power` (run by the grader, outside the kernel).

The student's functions return weights; the networks they describe are evaluated here.
"""
from __future__ import annotations

import numpy as np

from .verdicts import Check, Code, Failed, Probe, ProbeError


def step(xi):
    return np.where(xi >= 0, 1.0, 0.0)


def step_network(X, W1, b1, W2, b2):
    return step(step(X @ W1 + b1) @ W2 + b2)


def relu_network(x, W1, b1, W2, b2):
    hidden = np.maximum(0.0, x[:, None] @ W1 + b1)
    return (hidden @ W2 + b2)[:, 0]


def all_inputs(n):
    return np.array([[(k >> (n - 1 - i)) & 1 for i in range(n)] for k in range(2 ** n)], dtype=float)


def _weights(value, what, shapes):
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) != 4:
        raise Failed(f"{what} must give four arrays (W1, b1, W2, b2)")
    arrays = [np.asarray(v, dtype=float) for v in value]
    if shapes is not None and [a.shape for a in arrays] != list(shapes):
        raise Failed(f"{what}: shapes must be {', '.join(map(str, shapes))}; got {', '.join(str(a.shape) for a in arrays)}")
    return arrays


def _xor_judge(probes, values, answers):
    W1, b1, W2, b2 = _weights(values[0], "W1, b1, W2, b2", [(2, 2), (2,), (2, 1), (1,)])
    got = [int(v) for v in step_network(all_inputs(2), W1, b1, W2, b2)[:, 0]]
    if got != [0, 1, 1, 0]:
        raise Failed(f"your network gives {got} for inputs 00, 01, 10, 11; XOR is [0, 1, 1, 0]")


def _table_probes(rng):
    tables = [[0, 1, 1, 0], [0, 0, 0, 1, 0, 1, 1, 1], [0, 0, 0, 0], [1] * 8]
    tables += [[int(v) for v in rng.integers(0, 2, size=2 ** n)] for n in (1, 3, 4, 5)]
    return [Probe("tuple(truth_table_network(_np.array(t)))", {"t": t}) for t in tables]


def _table_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        outputs = np.array(probe.env["t"])
        n = int(round(np.log2(outputs.size)))
        W1, b1, W2, b2 = _weights(value, f"truth_table_network({list(outputs)})", None)
        try:
            got = step_network(all_inputs(n), W1.reshape(n, -1), b1, W2.reshape(-1, 1), b2)[:, 0]
        except ValueError:
            raise Failed(f"for the table {list(outputs)} the shapes of W1, b1, W2, b2 do not fit together") from None
        wrong = np.flatnonzero(got != outputs)
        if wrong.size:
            raise Failed(f"for the table {list(outputs)} your network is wrong on the input "
                         f"{all_inputs(n)[wrong[0]].astype(int)}: gives {got[wrong[0]]}, expected {outputs[wrong[0]]}")


FITS = [("_np.sin", np.sin, 0.0, np.pi, 20, 0.01), ("lambda x: x ** 2", lambda x: x ** 2, -1.0, 1.0, 30, 0.005),
        ("_np.exp", np.exp, -1.0, 2.0, 60, 0.01), ("_np.abs", np.abs, -1.0, 1.0, 2, 1e-9)]


def _fit_probes(rng):
    return [Probe("tuple(relu_fit(f, a, b, n))", {"f": Code(src), "a": a, "b": b, "n": n})
            for src, _, a, b, n, _ in FITS]


def _fit_judge(probes, values, answers):
    for (src, f, a, b, n, eps), value in zip(FITS, values):
        W1, b1, W2, b2 = _weights(value, f"relu_fit({src}, {a}, {b:.3g}, {n})", [(1, n), (n,), (n, 1), (1,)])
        x = np.linspace(a, b, 2001)
        err = float(np.max(np.abs(relu_network(x, W1, b1, W2, b2) - f(x))))
        if not err <= eps:
            raise Failed(f"max |network - f| on [{a}, {b:.3g}] with n={n} is {err:.3g}; it must be at most {eps}")


CHECKS = {
    "test_xor_network": Check(lambda rng: [Probe("(W1, b1, W2, b2)")], _xor_judge),
    "test_truth_table_network": Check(_table_probes, _table_judge),
    "test_relu_fit": Check(_fit_probes, _fit_judge),
}
