"""Latency of the interactive labs, headless: from a control change to the redrawn figure.

Run:  .venv/bin/python bench/bench_labs.py [--quick]

Each case sets a control value the way a slider message from the front end does (outside a
kernel the labs redraw synchronously, see nnlib/labs/_base.py) and times the whole
reaction: recompute the state, update the artists, render the Agg canvas (cached
background, painted heatmaps, pasted text and the changing artists, or a full draw when
axis limits change), find the changed rectangles and compress them (zlib) for the lab's canvas
widget. Not included: sending it over the kernel's socket and the browser decoding it.

Kernel-side only: what the student sees is measured by bench/bench_labs_browser.py.
Goals there (issue 10): every control change <= 50 ms from input to new frame in the
browser, decision-boundary Play >= 30 frames per second; here the kernel's share of that:
a Play frame (one epoch + a redraw, what _base.FrameLoop does per frame) and a change.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, print_table, setup_threads  # noqa: E402

setup_threads(1)  # the labs run in one kernel thread; keep numpy's BLAS to one thread too

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from nnlib import labs  # noqa: E402

QUICK = "--quick" in sys.argv
REPEAT = 10 if QUICK else 40


def timings(action, repeat=REPEAT, warmup=3):
    """Median and 90th percentile of the wall time, and the median CPU time of this process
    (seconds), of ``action(i)`` over ``repeat`` calls. The labs' work is single-threaded (BLAS
    is pinned to one thread above), so on a machine shared with other jobs the CPU time is
    what the same change costs on an idle machine, while the wall time includes waiting."""
    for i in range(warmup):
        action(i)
    wall, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action(warmup + i)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    wall.sort()
    return statistics.median(wall), wall[int(0.9 * (len(wall) - 1))], statistics.median(cpu)


def alternate(lab, name, values):
    control = lab.controls[name]
    return lambda i: setattr(control, "value", values[i % len(values)])


def main():
    rows = []

    def add(case, action, goal="", check=None):
        median, p90, cpu = timings(action)
        ok = "" if check is None else f"{'yes' if check(median) else 'NO'} / {'yes' if check(cpu) else 'NO'}"
        rows.append([case, f"{median * 1e3:.1f} ms", f"{p90 * 1e3:.1f} ms", f"{1 / median:.1f}",
                     f"{cpu * 1e3:.1f} ms", f"{1 / cpu:.1f}", goal, ok])

    step = labs.step_size()
    add("step-size: γ slider (x², 10 steps)", alternate(step, "gamma", [0.2, 0.3, 0.7, 0.8]),
        "<= 50 ms", lambda t: t <= 0.050)
    add("step-size: x0 slider", alternate(step, "x0", [-4.0, -3.0, 4.5, 2.0]),
        "<= 50 ms", lambda t: t <= 0.050)
    presets = ["gamma=0.2", "ping-pong", "clipping", "gamma=0.8"]
    add("step-size: preset buttons (new axis limits)", lambda i: step.preset(presets[i % 4]),
        "<= 50 ms", lambda t: t <= 0.050)
    step.preset("gamma=0.8")
    add("step-size: step button", lambda i: step.reset() if i % 10 == 0 else step.step())

    board = labs.decision_boundary()
    assert board.hidden == [4, 4] and board.controls["grid"].value == 100
    add("boundary: Play frame = 1 epoch + redraw (defaults)", lambda i: board.frames.frame(),
        ">= 30 fps", lambda t: 1 / t >= 30)
    board.buttons["reset"].click()
    add("boundary: step button (defaults)", lambda i: board.buttons["step"].click(),
        "<= 50 ms", lambda t: t <= 0.050)
    add("boundary: γ slider (no epoch, redraw only)",
        alternate(board, "gamma", [0.1, 0.3]))
    add("boundary: new architecture (full rebuild)", alternate(board, "hidden", ["4, 4", "6, 3"]))
    epoch_only = timings(lambda i: board.train_epochs(1, redraw=False))[2]

    neuron = labs.neuron()
    add("neuron: w1 slider", alternate(neuron, "w1", [0.5, 1.0, 1.5, 2.0]))
    xor = labs.xor_builder()
    add("XOR builder: v1 slider", alternate(xor, "v1", [1.0, 0.5, -0.5, 1.5]))
    perc = labs.perceptron(data="xor")  # XOR never converges: every press is a real step
    add("perceptron: step button (XOR)", lambda i: perc.buttons["step"].click())
    race = labs.optimizer_race()  # SGD, momentum, Adam on the bowl, 60 steps
    add("optimiser race: Adam γ slider (Adam's path recomputed)", alternate(race, "adam_gamma", [0.3, 0.1, 0.05, 0.2]),
        "<= 50 ms", lambda t: t <= 0.050)
    add("optimiser race: step button", lambda i: race.reset() if i % 60 == 0 else race.step(),
        "<= 50 ms", lambda t: t <= 0.050)
    act = labs.activation_explorer()
    add("activation explorer: b slider", alternate(act, "b", [0.0, 0.5, 1.0, -1.0]))
    add("activation explorer: λ slider", alternate(act, "lam", [1.0, 2.0, 4.0, 0.5]))

    print(f"Labs: control change -> redrawn frame handed to the canvas widget (kernel only); {machine()}; "
          f"{REPEAT} changes per case")
    print_table(["case", "wall median", "wall p90", "per s (wall)", "CPU median", "per s (CPU)", "goal",
                 "met (wall / CPU)"], rows)
    print(f"\nOf a boundary frame, the epoch alone (200 samples, batch 10, 2-4-4-1) takes "
          f"{epoch_only * 1e3:.1f} ms of CPU; the rest is drawing and compressing the changed rectangles.")


if __name__ == "__main__":
    main()
