"""A private JupyterLab and Debian's Chromium, for tests/test_browser.py and
bench/bench_labs_browser.py.

The server gets a port from PORTS, a random token and temporary root, runtime, config, data,
settings and workspace directories, so nothing of the user's setup leaks in and nothing calls
home. Chromium is /usr/bin/chromium driven by Playwright; nothing downloads a browser.

In the page, :data:`INSTRUMENT_JS` records the time (``performance.now()``) of every user
input (pointer down, key down) and of every new frame of a lab's picture: the lab's canvas
(js/src/frame_canvas.js) fires a bubbling ``nnlib-frame`` event in the animation frame
that paints a new frame, carrying the time the frame was drawn into the canvas. Latency =
first painted frame after an input - that input (and, for comparison with the ``load`` of an
``<img>``, the time it was drawn).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions"]
#: the ports this project's browser runs may use (the first free one is taken)
PORTS = range(8800, 8900)
SERVER_START_TIMEOUT = 90  # seconds
#: the server configuration `make lab` gives a student (the labs are measured where students use them)
STUDENT_VIEW = Path(__file__).resolve().parents[2] / "deploy" / "jupyter" / "student"
#: the size the issue's measurements were made at: JupyterLab then gives notebooks a 968 px column
VIEWPORT = {"width": 1400, "height": 900}
LAB_CLASSES = {"step_size": "nnlib-step-size", "decision_boundary": "nnlib-boundary", "neuron": "nnlib-neuron",
               "xor_builder": "nnlib-xor-builder", "activation_explorer": "nnlib-activation",
               "perceptron": "nnlib-perceptron", "optimizer_race": "nnlib-optimizer-race"}

INSTRUMENT_JS = """() => {
  if (window.__nnlib) return;
  const rec = window.__nnlib = {inputs: [], loads: []};
  const labOf = el => {
    const lab = el.closest('.nnlib-lab');
    return lab ? [...lab.classList].find(c => c.startsWith('nnlib-') && c !== 'nnlib-lab') : null;
  };
  for (const type of ['pointerdown', 'keydown'])
    document.addEventListener(type, () => rec.inputs.push(performance.now()), true);
  document.addEventListener('nnlib-frame', e =>
    rec.loads.push({t: performance.now(), drawn: e.detail.drawn, lab: labOf(e.target)}), true);
}"""


def free_port(ports=PORTS) -> int:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (server and kernels), then SIGKILL if needed."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@contextmanager
def jupyter_lab(base: Path, notebooks):
    """A private JupyterLab, configured as `make lab` (the student view), serving copies of
    ``notebooks`` (paths) from ``base / "root"``; yields ``{"url", "token", "log", "root"}`` and stops server and kernels afterwards."""
    root, config = base / "root", base / "config"
    for d in (root, config, base / "runtime", base / "data", base / "ipython", base / "settings",
              base / "workspaces"):
        d.mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        shutil.copy(nb, root / Path(nb).name)
    (config / "jupyter_server_config.py").write_text(
        "c.LabApp.news_url = None\n"
        "c.LabApp.check_for_updates_class = 'jupyterlab.handlers.announcements.NeverCheckForUpdate'\n"
        "c.LabApp.extension_manager = 'readonly'\n")
    (config / "labconfig").mkdir(exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}')
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_CONFIG_PATH=str(STUDENT_VIEW),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTER_DATA_DIR=str(base / "data"), IPYTHONDIR=str(base / "ipython"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1",
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    proc = None
    try:
        for _attempt in range(3):  # a free port may be taken before the server binds it
            proc, url = _start_server(base, root, env, free_port(), token)
            if url:
                break
            _stop(proc)
        else:
            raise RuntimeError("jupyter lab could not bind a port in 3 attempts:\n"
                               + (base / "server.log").read_text()[-3000:])
        yield {"url": url, "token": token, "log": base / "server.log", "root": root, "runtime": base / "runtime"}
    finally:
        if proc is not None:
            _stop(proc)


def _start_server(base, root, env, port, token):
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={base / 'settings'}", f"--LabApp.workspaces_dir={base / 'workspaces'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    log_path = base / "server.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            text = log_path.read_bytes()[offset:].decode(errors="replace")
            if "already in use" in text:
                return proc, None
            raise RuntimeError("jupyter lab exited early:\n" + text[-3000:])
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n"
                               + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.5)


def launch(pw, headed: bool | None = None):
    """Chromium (Debian's) through Playwright: headless, or ``headed`` (default: the environment
    variable NNLIB_HEADED=1) in a real window on the display in $DISPLAY (a desktop, or Xvfb:
    ``xvfb-run``), drawing as a student's browser does."""
    if headed is None:
        headed = os.environ.get("NNLIB_HEADED") == "1"
    if headed and not os.environ.get("DISPLAY"):
        raise RuntimeError("headed Chromium needs a display: run under xvfb-run (apt-get install xvfb)")
    args = CHROMIUM_ARGS if headed else ["--headless"] + CHROMIUM_ARGS
    return pw.chromium.launch(executable_path=CHROMIUM, headless=not headed, args=args, timeout=60_000)


@contextmanager
def chromium_page(viewport=None):
    """A page of Chromium as :func:`launch` starts it (default 1280 x 800); closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
        finally:
            browser.close()


def open_notebook(browser, server, name: str, run_all: bool = True, wait_for=(), timeout_ms: int = 120_000):
    """A page at VIEWPORT with notebook ``name`` open (and all cells run); instrumented."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{server['url']}/lab/tree/{name}?token={server['token']}", wait_until="domcontentloaded")
    page.evaluate(INSTRUMENT_JS)
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(state="visible")
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(state="visible")
    if run_all:
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    for cls in wait_for:
        page.locator(f".{cls} .nnlib-figure canvas").first.wait_for(state="visible")
    return page


def loads_after(page, t: float, lab: str | None = None) -> list[float]:
    """Times of painted frames after ``t`` (of lab class ``lab``, or any)."""
    return page.evaluate("([t, lab]) => window.__nnlib.loads.filter(l => l.t > t && (!lab || l.lab === lab))"
                         ".map(l => l.t)", [t, lab])


def latency(page, lab: str, act, timeout_s: float = 10.0, drawn: bool = False, settle_s: float = 0.25):
    """Milliseconds from the input made by ``act()`` to the animation frame that paints the
    next frame of ``lab``'s picture; with ``drawn``, the pair (to drawn in canvas, to painted).

    The page records the times itself; this function does not poll while the frame is on its
    way (it sleeps ``settle_s``, then reads them, then looks again every 50 ms): on a 2-core
    machine, frequent calls into the page (Playwright's driver, the browser's DevTools
    protocol, this process) take CPU from what is being measured."""
    n_inputs = page.evaluate("() => window.__nnlib.inputs.length")
    act()
    time.sleep(settle_s)
    deadline = time.monotonic() + timeout_s
    while True:
        inputs = page.evaluate("() => window.__nnlib.inputs")
        if len(inputs) > n_inputs:
            t_in = inputs[n_inputs]
            frames = page.evaluate("([t, lab]) => window.__nnlib.loads.filter(l => l.t > t && l.lab === lab)",
                                   [t_in, lab])
            if frames:
                painted = frames[0]["t"] - t_in
                return (frames[0]["drawn"] - t_in, painted) if drawn else painted
        if time.monotonic() > deadline:
            raise AssertionError(f"{lab}: no new frame within {timeout_s} s of the input")
        time.sleep(0.05)


def run_in_kernel(server, notebook: str, code: str, timeout_s: float = 60.0) -> str:
    """Run ``code`` in the kernel of open notebook ``notebook`` (a second client on its
    connection file, as the server's sessions API names it) and return what it printed:
    lets a test compare the page with the kernel's own state."""
    import json
    from jupyter_client import BlockingKernelClient

    with urllib.request.urlopen(f"{server['url']}/api/sessions?token={server['token']}", timeout=10) as r:
        sessions = json.load(r)
    kernel_id = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(notebook))
    client = BlockingKernelClient(connection_file=str(server["runtime"] / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        out = []
        reply = client.execute_interactive(code, timeout=timeout_s, output_hook=lambda m: (
            m["msg_type"] == "stream" and out.append(m["content"]["text"])))
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"code failed in the kernel: {reply['content']}")
        return "".join(out)
    finally:
        client.stop_channels()


#: per row of a lab's canvas in the page: the sum of its RGBA bytes (compared with the kernel's)
CANVAS_ROWS_JS = """(cls) => {
  const c = document.querySelector('.' + cls + ' .nnlib-figure canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const rows = [];
  for (let y = 0; y < c.height; y++) {
    let s = 0;
    for (let i = y * c.width * 4; i < (y + 1) * c.width * 4; i++) s += d[i];
    rows.push(s);
  }
  return rows;
}"""


def slider_handle(page, lab: str, control: str):
    """The handle of slider ``control`` of lab class ``lab`` (keyboard arrows move it one step)."""
    return page.locator(f".{lab} .nnlib-ctl-{control} .noUi-handle").first


def play_rate(page, lab: str = "nnlib-boundary", seconds: float = 3.0, warmup: float = 1.0) -> dict:
    """Press Play, count frames over ``seconds`` after ``warmup``, press Pause; returns
    frames per second and how many frames still arrived more than one frame after Pause."""
    button = page.locator(f".{lab} .widget-play button").first
    button.click()
    time.sleep(warmup)
    t0 = page.evaluate("() => performance.now()")
    time.sleep(seconds)
    t1 = page.evaluate("() => performance.now()")
    n_inputs = page.evaluate("() => window.__nnlib.inputs.length")
    button.click()  # pause
    time.sleep(1.5)
    t_pause = page.evaluate("([n]) => window.__nnlib.inputs[n]", [n_inputs])
    frames = [t for t in loads_after(page, t0, lab) if t <= t1]
    after = loads_after(page, t_pause, lab)
    return {"fps": len(frames) / ((t1 - t0) / 1000.0), "frames": len(frames),
            "frames_after_pause": len(after), "pause_to_last_ms": max(after, default=t_pause) - t_pause}
