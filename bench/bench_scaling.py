"""Backpropagation time against the number of weights.

Run:  .venv/bin/python bench/bench_scaling.py [--threads N] [--quick]
      (one BLAS thread unless --threads is given)

On Linux, glibc hands freed blocks above 128 KB back to the kernel, and every new page of
the next large temporary then costs a page fault; on some virtual machines that dominates
the wide layers. ``MALLOC_MMAP_THRESHOLD_=134217728 MALLOC_TRIM_THRESHOLD_=268435456`` in the
environment keeps such blocks in the process and shows the arithmetic cost alone.

For networks of several widths and depths (sigmoid hidden layers, softmax + cross-entropy,
batch 64) it times one forward + backward pass (``backprop.gradients`` without the update)
and fits time = a + b·n_weights by least squares. Each time is the minimum over repeats
(the machine may be shared; the minimum is the least disturbed measurement).
Backpropagation costs a constant number of multiply-adds per weight and sample, so the fit
should be close to a line (R² near 1);
``a`` is the fixed per-call overhead (Python and numpy call costs per layer).
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (blas_info, fmt_time, machine, median_time, print_table,  # noqa: E402
                    setup_threads)

# One BLAS thread by default: the question is how the *work* grows with the weights, and
# OpenBLAS switching to several threads above a matrix-size threshold would bend the curve.
THREADS = setup_threads(default=1)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nnlib import Network, get_loss, to_one_hot  # noqa: E402
from nnlib._backward import loss_and_grads  # noqa: E402

QUICK = "--quick" in sys.argv
BATCH = 64
N_IN, N_OUT = 64, 10
SHAPES = [  # hidden layer widths
    [16], [32], [64], [128], [256], [512], [1024],
    [64, 64], [128, 128], [256, 256], [512, 512],
    [128, 128, 128], [256, 256, 256], [128, 128, 128, 128], [384, 384, 384],
]


def fit_line(x, y):
    """Least-squares a + b·x and its R²."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    A = np.column_stack([np.ones_like(x), x])
    (a, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = y - (a + b * x)
    r2 = 1.0 - (residual @ residual) / ((y - y.mean()) @ (y - y.mean()))
    return a, b, r2


def main():
    print(f"# Backprop (forward + backward) time vs number of weights, batch {BATCH}, float64, "
          f"{THREADS} thread(s); {machine()}")
    print(f"# {blas_info()}")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(BATCH, N_IN))
    d = to_one_hot(rng.integers(0, N_OUT, size=BATCH), N_OUT)
    loss = get_loss("cross_entropy")
    rows, n_weights, times = [], [], []
    for hidden in SHAPES:
        sizes = [N_IN] + hidden + [N_OUT]
        net = Network.from_sizes(sizes, ["sigmoid"] * len(hidden) + ["softmax"], seed=0)
        n_w = sum(W.size for W in net.W)
        def step():
            loss_and_grads(net, X, d, loss)
        # Short timing blocks (~10 ms) and the minimum over many: on a shared machine the
        # median picks up other processes' time slices, the minimum is the computation.
        once = median_time(step, number=1, repeat=3, warmup=1)
        number = max(1, int(0.01 / once))
        t = median_time(step, number=number, repeat=5 if QUICK else 41, stat=min)
        n_weights.append(n_w)
        times.append(t)
        rows.append(["-".join(map(str, sizes)), len(hidden), n_w, fmt_time(t)])
    a, b, r2 = fit_line(n_weights, times)
    for row, n_w, t in zip(rows, n_weights, times):
        row.append(fmt_time(a + b * n_w))
    print_table(["network", "hidden layers", "weights", "time", "fit a + b·n"], rows)
    print(f"\nfit: time = {fmt_time(a)} + {b * 1e9:.3f} ns x n_weights;  R² = {r2:.4f}")


if __name__ == "__main__":
    main()
