"""Reference and checks of the assignment `backprop-algorithm` (run by the grader, outside the kernel).

Gradients are compared with central differences computed here; an epoch with the reference
epoch; the XOR network by evaluating the returned parameters here.
"""
from __future__ import annotations

import numpy as np

from .verdicts import Check, Failed, Probe, ProbeError

X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
D_XOR = np.array([[0.0], [1.0], [1.0], [0.0]])


def sigmoid(xi):
    return 0.5 * (1.0 + np.tanh(0.5 * xi))


def forward(X, W, b):
    ys = [np.asarray(X, dtype=float)]
    for W_l, b_l in zip(W, b):
        ys.append(sigmoid(ys[-1] @ W_l + b_l))
    return ys


def half_sse(y, d):
    return 0.5 * float(np.sum((y - d) ** 2))


def numeric_gradients(X, d, W, b, h=1e-6):
    """Central differences of E = ½ Σ (y_L - d)² with respect to every weight and bias."""
    W, b = [w.copy() for w in W], [v.copy() for v in b]
    grads = []
    for arr in W + b:
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            up = half_sse(forward(X, W, b)[-1], d)
            arr[idx] = old - h
            down = half_sse(forward(X, W, b)[-1], d)
            arr[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads[:len(W)], grads[len(W):]


def train_epoch(X, d, W, b, gamma, batch_size=None):
    W, b = [w.copy() for w in W], [v.copy() for v in b]
    size = len(X) if batch_size is None else batch_size
    for start in range(0, len(X), size):
        Xb, db_ = X[start:start + size], d[start:start + size]
        ys = forward(Xb, W, b)
        delta = (ys[-1] - db_) * ys[-1] * (1 - ys[-1])
        for l in reversed(range(len(W))):
            gW, gb = ys[l].T @ delta, delta.sum(axis=0)
            delta = (delta @ W[l].T) * ys[l] * (1 - ys[l])
            W[l] -= gamma * gW
            b[l] -= gamma * gb
    return W, b


def _network(rng, sizes, n):
    W = [rng.normal(size=(a, c)) for a, c in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(size=c) for c in sizes[1:]]
    return rng.normal(size=(n, sizes[0])), W, b


def _arrays(value, what, count):
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) != count:
        raise Failed(f"{what} must return {count} arrays")
    return [np.asarray(v, dtype=float) for v in value]


def _forward_probes(rng):
    out = []
    for sizes, n in (([2, 3, 1], 5), ([3, 4, 5, 2], 7)):
        X, W, b = _network(rng, sizes, n)
        out.append(Probe("forward(X, W, b)", {"X": X, "W": W, "b": b}))
    return out


def _forward_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        want = forward(e["X"], e["W"], e["b"])
        got = _arrays(value, "forward", len(want))
        for l, (g, w) in enumerate(zip(got, want)):
            if g.shape != w.shape:
                raise Failed(f"ys[{l}] must have shape {w.shape}; got {g.shape}")
            if not np.allclose(g, w, rtol=1e-10):
                raise Failed(f"ys[{l}] is wrong for layer sizes {[a.shape[0] for a in e['W']] + [e['W'][-1].shape[1]]}")


def _backward_probes(rng):
    out = []
    for sizes in ([2, 3, 1], [3, 3, 3], [2, 4, 3, 2]):
        X, W, b = _network(rng, sizes, 6)
        d = rng.uniform(size=(6, sizes[-1]))
        out.append(Probe("backward(forward(X, W, b), W, d)", {"X": X, "W": W, "b": b, "d": d}))
    return out


def _backward_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        if isinstance(value, ProbeError):
            raise Failed(f"backward raised {value.message}")
        if not isinstance(value, tuple) or len(value) != 2:
            raise Failed("backward must return (dW, db)")
        dW = _arrays(value[0], "dW", len(e["W"]))
        db = _arrays(value[1], "db", len(e["W"]))
        nW, nb = numeric_gradients(e["X"], e["d"], e["W"], e["b"])
        for l in range(len(nW)):
            got = dW[l]
            if got.shape != nW[l].shape:
                if got.shape == nW[l].T.shape:
                    raise Failed(f"dW[{l}] has shape {got.shape}, the transpose of W[{l}] {nW[l].shape}: "
                                 "the weight gradient is ys[l].T @ dE_dxi")
                raise Failed(f"dW[{l}] must have shape {nW[l].shape}; got {got.shape}")
            err = np.max(np.abs(got - nW[l])) / max(np.max(np.abs(got) + np.abs(nW[l])), 1e-12)
            if err > 1e-6:
                hint = ""
                if got.shape == nW[l].T.shape and np.allclose(got, nW[l].T, rtol=1e-5):
                    hint = " It equals the transposed gradient: use ys[l].T @ dE_dxi."
                elif np.allclose(got, -nW[l], rtol=1e-5):
                    hint = " The sign is flipped: dE/dy_L = y_L - d."
                elif np.allclose(got, nW[l] / len(e["X"]), rtol=1e-5):
                    hint = " You averaged over samples; E here is the sum over samples."
                raise Failed(f"dW[{l}] disagrees with central differences (relative error {err:.2g}).{hint}")
            if db[l].shape != nb[l].shape or np.max(np.abs(db[l] - nb[l])) > 1e-6:
                raise Failed(f"db[{l}] disagrees with central differences")


def _epoch_probes(rng):
    out = []
    for batch_size in (None, 1, 2, 3):
        W = [rng.normal(0, 1 / np.sqrt(2), size=(2, 3)), rng.normal(0, 1 / np.sqrt(3), size=(3, 1))]
        b = [np.zeros(3), np.zeros(1)]
        out.append(Probe("train_epoch(X, d, W, b, 0.5, batch_size=batch_size)",
                         {"X": X_XOR, "d": D_XOR, "W": W, "b": b, "batch_size": batch_size}))
    return out


def _epoch_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        what = "batch" if e["batch_size"] is None else f"batch_size={e['batch_size']}"
        if isinstance(value, ProbeError):
            raise Failed(f"train_epoch ({what}) raised {value.message}")
        if not isinstance(value, tuple) or len(value) != 2:
            raise Failed("train_epoch must return (W, b)")
        want_W, want_b = train_epoch(e["X"], e["d"], e["W"], e["b"], 0.5, e["batch_size"])
        got_W, got_b = _arrays(value[0], "W", 2), _arrays(value[1], "b", 2)
        for l in range(2):
            if got_W[l].shape != want_W[l].shape or not np.allclose(got_W[l], want_W[l], rtol=1e-9, atol=1e-12):
                raise Failed(f"{what}: W[{l}] after one epoch is wrong")
            if got_b[l].shape != want_b[l].shape or not np.allclose(got_b[l], want_b[l], rtol=1e-9, atol=1e-12):
                raise Failed(f"{what}: b[{l}] after one epoch is wrong")


def _xor_judge(probes, values, answers):
    value = values[0]
    if isinstance(value, ProbeError):
        raise Failed(f"W_xor, b_xor: {value.message}")
    if not isinstance(value, tuple) or len(value) != 2 or not all(isinstance(v, tuple) for v in value):
        raise Failed("W_xor and b_xor must be lists of arrays")
    W, b = [np.asarray(v, float) for v in value[0]], [np.asarray(v, float) for v in value[1]]
    if len(W) != 2 or len(b) != 2:
        raise Failed("use one hidden layer (two weight matrices)")
    try:
        E = half_sse(forward(X_XOR, W, b)[-1], D_XOR)
    except ValueError:
        raise Failed("W_xor, b_xor do not fit together as a 2-h-1 network") from None
    if not E < 0.05:
        raise Failed(f"E on XOR is {E:.4f}; train until it is below 0.05 (larger gamma or more epochs; try another seed)")


CHECKS = {
    "test_forward": Check(_forward_probes, _forward_judge),
    "test_backward": Check(_backward_probes, _backward_judge),
    "test_train_epoch": Check(_epoch_probes, _epoch_judge),
    "test_train_xor": Check(lambda rng: [Probe("(list(W_xor), list(b_xor))")], _xor_judge),
}
