"""Lab speed where the student is: Chromium driving a private JupyterLab (Playwright).

Run:  .venv/bin/python bench/bench_labs_browser.py [--quick] [--headed]

``--headed`` draws in a real Chromium window (needs a display: ``xvfb-run -a -s "-screen 0
1400x900x24" .venv/bin/python bench/bench_labs_browser.py --headed`` on a server).

A notebook with all seven labs at their defaults is run in JupyterLab 4 (Debian Chromium,
viewport 1400 x 900, the issue's setting), served as `make lab` serves it (the student view).
For each lab, one control is changed the way a student does it (a key press on a slider
handle, a click on a button) N times; two latencies are taken from the browser receiving
that input, with ``performance.now()`` in the page (tests/browser/harness.py): to the new
frame drawn into the lab's canvas (inflated and drawn, ready to paint: what an ``<img>``'s ``load``
event measured before the labs drew into a canvas), and to the animation frame that paints
it (what reaches the screen; the goal is judged on this one). Then the decision-boundary
lab's Play runs for a few seconds: frames per second = painted frames per second; and after
Pause, how many frames still arrived. Kernel-side figures: bench/bench_labs.py.

Goals (issue 10): every control change <= 50 ms median; Play >= 30 frames per second. The
first row is a reference measured in the same run: the labs' canvas receiving a new frame
of the step-size figure's size (every pixel changed) on a button click, nothing drawn. It is
the floor the machine allows at that moment (kernel round trip, compressed pixels, inflating them, the next
display frame); on a loaded machine compare each lab with it.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from common import machine, print_table  # noqa: E402
import harness  # noqa: E402

QUICK = "--quick" in sys.argv
HEADED = "--headed" in sys.argv
N = 8 if QUICK else 30

#: the reference: the labs' canvas (FrameCanvas) that a Button fills with a new frame of the
#: step-size figure's size (480 x 272, every pixel changed), no drawing - the floor of kernel
#: round trip + compressed pixels + browser
REFERENCE_CELL = """\
import ipywidgets as widgets
import numpy as np
from nnlib.labs._canvas import FrameCanvas
ref_pixels = np.full((272, 480, 4), 255, dtype=np.uint8)
ref_canvas = FrameCanvas(480, 272)
ref_canvas.add_class("nnlib-figure")
ref_canvas.show(ref_pixels)
ref_button = widgets.Button(description="new frame")
ref_button.add_class("nnlib-btn-frame")
def _new_frame(_):
    ref_pixels[:, :, 0] = (int(ref_pixels[0, 0, 0]) + 1) % 256
    ref_canvas.show(ref_pixels)
ref_button.on_click(_new_frame)
ref_box = widgets.VBox([ref_button, ref_canvas])
ref_box.add_class("nnlib-lab")
ref_box.add_class("nnlib-reference")
ref_box"""

NOTEBOOK_CELLS = [
    REFERENCE_CELL,
    "import nnlib.labs as labs",
    "labs.step_size()",
    "labs.decision_boundary()",
    "labs.neuron()",
    "labs.xor_builder()",
    "labs.activation_explorer()",
    "labs.perceptron()",
    "labs.optimizer_race()",
]


def slider(page, lab, control):
    """Alternate ArrowRight / ArrowLeft on a slider handle: one step each, within range."""
    handle = harness.slider_handle(page, lab, control)
    state = {"i": 0}

    def act():
        handle.press("ArrowRight" if state["i"] % 2 == 0 else "ArrowLeft")
        state["i"] += 1
    return act


def click(page, lab, key):
    b = page.locator(f".{lab} button.nnlib-btn-{key}").first
    return lambda: b.click()


#: (lab class, what is changed, how to make the action)
CASES = [
    ("nnlib-reference", "reference: lab canvas, new 480x272 frame, no drawing",
     lambda p: click(p, "nnlib-reference", "frame")),
    ("nnlib-step-size", "γ slider", lambda p: slider(p, "nnlib-step-size", "gamma")),
    ("nnlib-boundary", "step button (1 epoch)", lambda p: click(p, "nnlib-boundary", "step")),
    ("nnlib-boundary", "γ slider", lambda p: slider(p, "nnlib-boundary", "gamma")),
    ("nnlib-neuron", "w1 slider", lambda p: slider(p, "nnlib-neuron", "w1")),
    ("nnlib-xor-builder", "v1 slider", lambda p: slider(p, "nnlib-xor-builder", "v1")),
    ("nnlib-activation", "λ slider", lambda p: slider(p, "nnlib-activation", "lam")),
    ("nnlib-perceptron", "step button", lambda p: click(p, "nnlib-perceptron", "step")),
    ("nnlib-optimizer-race", "Adam γ slider", lambda p: slider(p, "nnlib-optimizer-race", "adam_gamma")),
]


def write_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def measure(page) -> tuple[list, dict]:
    rows = []
    for lab, what, make in CASES:
        page.locator(f".{lab}").first.scroll_into_view_if_needed()
        act = make(page)
        for _ in range(2):  # warm-up
            harness.latency(page, lab, act)
            time.sleep(0.1)
        drawn, painted = [], []
        for _ in range(N):
            d, p = harness.latency(page, lab, act, drawn=True)
            drawn.append(d)
            painted.append(p)
            # one change at a time, as a student makes them (latency() waits for it)
        painted.sort()
        median, p90 = statistics.median(painted), painted[int(0.9 * (len(painted) - 1))]
        reference = lab == "nnlib-reference"
        rows.append([lab.removeprefix("nnlib-"), what, f"{statistics.median(drawn):.0f} ms", f"{median:.0f} ms",
                     f"{p90:.0f} ms", "" if reference else "<= 50 ms",
                     "" if reference else ("yes" if median <= 50 else "NO")])
    page.locator(".nnlib-boundary").first.scroll_into_view_if_needed()
    play = harness.play_rate(page, "nnlib-boundary", seconds=2.0 if QUICK else 5.0)
    return rows, play


def main():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(harness.CHROMIUM):
        sys.exit(f"{harness.CHROMIUM} is missing (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="nnlib-bench-browser-") as tmp:
        base = Path(tmp)
        nb = base / "bench-labs.ipynb"
        write_notebook(nb)
        with harness.jupyter_lab(base / "lab", [nb]) as server, sync_playwright() as pw:
            browser = harness.launch(pw, headed=HEADED)
            try:
                page = harness.open_notebook(browser, server, nb.name, wait_for=harness.LAB_CLASSES.values())
                time.sleep(2.0)  # let the first frames settle
                rows, play = measure(page)
            finally:
                browser.close()
    mode = "headed, in a window on " + os.environ.get("DISPLAY", "?") if HEADED else "headless"
    print(f"Labs in Chromium (JupyterLab 4, {mode}, 1400 x 900): input -> new frame drawn in the canvas, "
          f"and painted (the animation frame that shows it); "
          f"{machine()}; {N} changes per case")
    print_table(["lab", "control", "drawn, median", "painted, median", "painted, p90", "goal", "met"], rows)
    ok = play["fps"] >= 30
    print(f"\nDecision-boundary Play (defaults, 1 epoch per frame): {play['fps']:.1f} frames/s "
          f"({play['frames']} frames counted; goal >= 30: {'yes' if ok else 'NO'}); after Pause "
          f"{play['frames_after_pause']} frame(s) still arrived, the last "
          f"{play['pause_to_last_ms']:.0f} ms after the click.")


if __name__ == "__main__":
    main()
