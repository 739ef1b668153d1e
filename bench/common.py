"""Shared helpers for the benchmark scripts: thread set-up, timing, tables.

Import this module *before* numpy in a benchmark script: ``setup_threads`` has to set the
BLAS thread variables before numpy loads its BLAS library.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time


def setup_threads(default: int | None = None) -> int:
    """Pin numpy's BLAS (and torch, if used) to ``--threads N`` (default: all cores).

    Returns the thread count. Must run before numpy is imported.
    """
    n = default or os.cpu_count() or 1
    if "--threads" in sys.argv:
        n = int(sys.argv[sys.argv.index("--threads") + 1])
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    return n


def try_torch(threads: int):
    """The torch module with ``threads`` intra-op threads, or None if it is not installed."""
    try:
        import torch
    except ImportError:
        print("PyTorch not installed: the torch columns are left empty "
              "(pip install torch==2.13.0 to fill them)")
        return None
    torch.set_num_threads(threads)
    return torch


def blas_info() -> str:
    """A short description of numpy's BLAS and its thread setting."""
    import numpy as np

    name = "unknown BLAS"
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        pass
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    return f"numpy {np.__version__} with {name}, OPENBLAS_NUM_THREADS={threads}"


def machine() -> str:
    """CPU, core count, Python, and the load average (other processes skew timings)."""
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    malloc = os.environ.get("MALLOC_MMAP_THRESHOLD_")
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average {load} at start, "
            f"MALLOC_MMAP_THRESHOLD_={malloc or 'default'}")


def median_time(fn, *, number: int, repeat: int, warmup: int = 3, stat=statistics.median) -> float:
    """Median (or ``stat``, e.g. ``min``) over ``repeat`` runs of the mean time of ``number``
    calls of ``fn``, in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return stat(times)


def interleaved_medians(fns: dict, *, number: int, repeat: int, warmup: int = 3) -> dict:
    """Like :func:`median_time` for several functions, alternating them repeat by repeat so
    that a busy machine slows all of them alike (the ratios stay fair)."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(t) for name, t in times.items()}


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def print_table(headers, rows) -> str:
    """Print a Markdown table (so it can be pasted into bench/README.md) and return it."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    text = "\n".join(lines)
    print(text)
    return text
