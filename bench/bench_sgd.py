"""One SGD step (forward + backward + update): nnlib against PyTorch on the CPU.

Run:  .venv/bin/python bench/bench_sgd.py [--threads N] [--quick]

Cases: a 784-128-10 MLP (ReLU hidden, softmax + cross-entropy) at batch 64 and 256, and the
course's tiny sigmoid nets 2-2-1 and 2-4-1 (half sum of squares) at batch 4. Both libraries
use float64, the same thread count and plain SGD. Times are medians over many repeats.

Columns:
* ``nnlib step`` -- what ``nnlib.train`` runs per minibatch once the data are validated
  (``train._train_step``: forward, fused output delta, backward, in-place update);
* ``nnlib API`` -- the public ``gradients(...)`` + ``sgd_step(...)``, which validate their
  arguments on every call (the notebooks' way of taking single steps);
* ``torch`` -- ``zero_grad``, forward, loss, ``backward``, ``SGD.step``;
* ``ratio`` -- nnlib step / torch (below 1: nnlib is faster).

Goals (issue 2): ratio <= 1.5 at batch 256; ratio < 1 on the tiny nets.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (blas_info, fmt_time, interleaved_medians, machine,  # noqa: E402
                    print_table, setup_threads, try_torch)

THREADS = setup_threads()

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nnlib import Network, gradients, get_loss, sgd_step, to_one_hot  # noqa: E402
from nnlib.train import _train_step  # noqa: E402

QUICK = "--quick" in sys.argv
CASES = [
    # name, sizes, hidden activation, output activation, loss, batch
    ("784-128-10 softmax/CE", [784, 128, 10], "relu", "softmax", "cross_entropy", 64),
    ("784-128-10 softmax/CE", [784, 128, 10], "relu", "softmax", "cross_entropy", 256),
    ("2-2-1 sigmoid/half_sse", [2, 2, 1], "sigmoid", "sigmoid", "half_sse", 4),
    ("2-4-1 sigmoid/half_sse", [2, 4, 1], "sigmoid", "sigmoid", "half_sse", 4),
]
GAMMA = 0.01


def data(sizes, loss, batch, rng):
    X = rng.normal(size=(batch, sizes[0]))
    if loss == "cross_entropy":
        labels = rng.integers(0, sizes[-1], size=batch)
        return X, to_one_hot(labels, sizes[-1]), labels
    d = rng.uniform(size=(batch, sizes[-1]))
    return X, d, None


def repeats(batch):
    # Enough calls per timing that the clock's resolution does not matter.
    if QUICK:
        return (20, 5) if batch <= 4 else (3, 5)
    return (200, 31) if batch <= 4 else (20, 31)


def nnlib_steps(sizes, hidden, out, loss_name, X, d):
    """The two nnlib variants as zero-argument callables."""
    net = Network.from_sizes(sizes, [hidden] * (len(sizes) - 2) + [out], seed=0,
                             init="he" if hidden == "relu" else "xavier")
    loss = get_loss(loss_name)

    def step():
        _train_step(net, X, d, loss, GAMMA)

    def api():
        _, g = gradients(net, X, d, loss=loss, reduction="mean")
        sgd_step(net, g, GAMMA)
    return step, api


def torch_step(torch, sizes, hidden, out, loss_name, X, d, labels):
    nn = torch.nn
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, dtype=torch.float64))
        act = out if i == len(sizes) - 2 else hidden
        if act == "relu":
            layers.append(nn.ReLU())
        elif act == "sigmoid":
            layers.append(nn.Sigmoid())
        # softmax is folded into F.cross_entropy, which takes the potentials (logits)
    model = nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=GAMMA)
    Xt = torch.from_numpy(X)
    if loss_name == "cross_entropy":
        target = torch.from_numpy(labels)

        def loss_fn(y):
            return torch.nn.functional.cross_entropy(y, target)
    else:
        target = torch.from_numpy(d)

        def loss_fn(y):
            return 0.5 * ((y - target) ** 2).sum(dim=1).mean()

    def step():
        opt.zero_grad()
        loss_fn(model(Xt)).backward()
        opt.step()
    return step


def main():
    torch = try_torch(THREADS)
    print(f"# One SGD step, float64, {THREADS} thread(s); {machine()}")
    print(f"# {blas_info()}" + (f"; torch {torch.__version__}, "
                                f"torch.get_num_threads()={torch.get_num_threads()}"
                                if torch else ""))
    rng = np.random.default_rng(0)
    rows = []
    for name, sizes, hidden, out, loss_name, batch in CASES:
        X, d, labels = data(sizes, loss_name, batch, rng)
        step, api = nnlib_steps(sizes, hidden, out, loss_name, X, d)
        fns = {"step": step, "api": api}
        if torch:
            fns["torch"] = torch_step(torch, sizes, hidden, out, loss_name, X, d, labels)
        number, repeat = repeats(batch)
        times = interleaved_medians(fns, number=number, repeat=repeat)
        step, public, t = times["step"], times["api"], times.get("torch")
        ratio = f"{step / t:.2f}" if t else "-"
        rows.append([name, batch, fmt_time(step), fmt_time(public), fmt_time(t), ratio])
    print_table(["network", "batch", "nnlib step", "nnlib API", "torch", "ratio nnlib/torch"],
                rows)


if __name__ == "__main__":
    main()
