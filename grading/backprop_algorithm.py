"""Reference and checks of the assignment `backprop-algorithm` (run by the grader, outside the kernel).

Gradients are compared with central differences computed here; an epoch and a training run
with the reference; XOR by calling the student's `train` from starts drawn here and evaluating
the parameters it returns here (so hand-set weights cannot pass).
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


def train(X, d, W, b, gamma, epochs, batch_size=None):
    errors = []
    for _ in range(epochs):
        W, b = train_epoch(X, d, W, b, gamma, batch_size)
        errors.append(half_sse(forward(X, W, b)[-1], d))
    return W, b, errors


def epochs_to_reach(errors, target):
    """The number of epochs after which E first drops below `target`, or None."""
    return next((k + 1 for k, e in enumerate(errors) if e < target), None)


def compare_online_batch(X, d, W, b, gamma, target, max_epochs):
    return {name: epochs_to_reach(train(X, d, W, b, gamma, max_epochs, size)[2], target)
            for name, size in (("batch", None), ("online", 1))}


def xor_start(rng):
    """A 2-3-1 start drawn like the notebook's init_params."""
    W = [rng.normal(0, 1 / np.sqrt(2), size=(2, 3)), rng.normal(0, 1 / np.sqrt(3), size=(3, 1))]
    return W, [np.zeros(3), np.zeros(1)]


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


# train_epoch may return the new (W, b) or update the lists W and b in place and return None.
IN_PLACE_OR_RETURNED = "(lambda result: (W, b) if result is None else result)(%s)"


def _epoch_probes(rng):
    out = []
    for batch_size in (None, 1, 2, 3):
        W, b = xor_start(rng)
        out.append(Probe(IN_PLACE_OR_RETURNED % "train_epoch(X, d, W, b, 0.5, batch_size=batch_size)",
                         {"X": X_XOR, "d": D_XOR, "W": W, "b": b, "batch_size": batch_size}))
    return out


def _epoch_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        what = "batch" if e["batch_size"] is None else f"batch_size={e['batch_size']}"
        if isinstance(value, ProbeError):
            raise Failed(f"train_epoch ({what}) raised {value.message}")
        if not isinstance(value, tuple) or len(value) != 2:
            raise Failed("train_epoch must return (W, b), or update the lists W and b in place and return None")
        want_W, want_b = train_epoch(e["X"], e["d"], e["W"], e["b"], 0.5, e["batch_size"])
        got_W, got_b = _arrays(value[0], "W", 2), _arrays(value[1], "b", 2)
        for l in range(2):
            if got_W[l].shape != want_W[l].shape or not np.allclose(got_W[l], want_W[l], rtol=1e-9, atol=1e-12):
                raise Failed(f"{what}: W[{l}] after one epoch is wrong")
            if got_b[l].shape != want_b[l].shape or not np.allclose(got_b[l], want_b[l], rtol=1e-9, atol=1e-12):
                raise Failed(f"{what}: b[{l}] after one epoch is wrong")


def _params(value, what):
    """(W, b) of a 2-h-1 network from a returned value."""
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) != 2 or not all(isinstance(v, tuple) for v in value):
        raise Failed(f"{what} must give W and b as lists of arrays")
    W, b = [np.asarray(v, float) for v in value[0]], [np.asarray(v, float) for v in value[1]]
    if len(W) != 2 or len(b) != 2:
        raise Failed(f"{what}: one hidden layer (two weight matrices) expected; got {len(W)}")
    return W, b


def _train_probes(rng):
    out = []
    for batch_size in (None, 1):
        W, b = xor_start(rng)
        gamma = float(rng.uniform(0.5, 2.5))
        out.append(Probe("train(X, d, W, b, gamma, 30, batch_size=batch_size)",
                         {"X": X_XOR, "d": D_XOR, "W": W, "b": b, "gamma": gamma, "batch_size": batch_size}))
    return out


def _result(value, what):
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    if not isinstance(value, tuple) or len(value) != 3:
        raise Failed(f"{what} must return (W, b, errors)")
    W, b = _params(value[:2], what)
    return W, b, np.asarray(value[2], dtype=float)


def _train_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        e = probe.env
        what = "train (batch)" if e["batch_size"] is None else "train (online)"
        want_W, _, want_errors = train(e["X"], e["d"], e["W"], e["b"], e["gamma"], 30, e["batch_size"])
        W, b, errors = _result(value, what)
        if errors.shape != (30,):
            raise Failed(f"{what}: errors must hold E after each of the 30 epochs; got shape {errors.shape}")
        if not np.allclose(errors, want_errors, rtol=1e-8):
            raise Failed(f"{what}: the error after each epoch differs from the reference training from the same "
                         f"start (epoch 1: {errors[0]:.6g}, expected {want_errors[0]:.6g})")
        if not all(np.allclose(g, w, rtol=1e-8, atol=1e-12) for g, w in zip(W, want_W)):
            raise Failed(f"{what}: the returned weights are not the weights after the last epoch")


XOR_GAMMA, XOR_EPOCHS = 2.0, 1000


def _xor_probes(rng):
    """Three starts from which the reference reaches E < 0.05 on XOR (most starts do)."""
    out = []
    while len(out) < 3:
        W, b = xor_start(rng)
        if train(X_XOR, D_XOR, W, b, XOR_GAMMA, XOR_EPOCHS)[2][-1] < 0.05:
            out.append(Probe(f"train(X, d, W, b, {XOR_GAMMA}, {XOR_EPOCHS})", {"X": X_XOR, "d": D_XOR, "W": W, "b": b}))
    return out


def _xor_judge(probes, values, answers):
    for probe, value in zip(probes, values):
        W, b, errors = _result(value, "train")
        e = probe.env
        first = train(e["X"], e["d"], e["W"], e["b"], XOR_GAMMA, 10)[2]
        if errors.shape != (XOR_EPOCHS,) or not np.allclose(errors[:10], first, rtol=1e-6):
            raise Failed(f"train on XOR does not train from the start it is given (E after the first epochs "
                         f"should be {first[0]:.4g}, {first[1]:.4g}, ...)")
        try:
            E = half_sse(forward(X_XOR, W, b)[-1], D_XOR)
        except ValueError:
            raise Failed("train returns W, b that do not fit together as a 2-h-1 network") from None
        if not E < 0.05:
            raise Failed(f"train on XOR from a start drawn like init_params([2, 3, 1], seed) with gamma = {XOR_GAMMA} "
                         f"and {XOR_EPOCHS} epochs ends at E = {E:.4f}; it must get below 0.05")


def _compare_probes(rng):
    W, b = xor_start(rng)
    return [Probe("compare_online_batch(X, d, W, b, 2.0, 0.05, 1500)", {"X": X_XOR, "d": D_XOR, "W": W, "b": b})]


def _compare_judge(probes, values, answers):
    e = probes[0].env
    want = compare_online_batch(e["X"], e["d"], e["W"], e["b"], 2.0, 0.05, 1500)
    got = values[0]
    if isinstance(got, ProbeError):
        raise Failed(f"compare_online_batch raised {got.message}")
    if not isinstance(got, dict) or set(got) != {"batch", "online"}:
        raise Failed("compare_online_batch must return a dict with the keys 'batch' and 'online'")
    for name, epochs in want.items():
        value = got[name]
        # None arrives as NaN; one epoch either way is rounding at the threshold
        ok = isinstance(value, np.ndarray) and value.shape == () and (
            np.isnan(value) if epochs is None else abs(float(value) - epochs) <= 1)
        if not ok:
            raise Failed(f"compare_online_batch: {name} learning reaches E < 0.05 after {epochs} epochs from this start; "
                         f"you report {value}")


CHECKS = {
    "test_forward": Check(_forward_probes, _forward_judge),
    "test_backward": Check(_backward_probes, _backward_judge),
    "test_train_epoch": Check(_epoch_probes, _epoch_judge),
    "test_train": Check(_train_probes, _train_judge),
    "test_train_xor": Check(_xor_probes, _xor_judge),
    "test_online_vs_batch": Check(_compare_probes, _compare_judge),
}
