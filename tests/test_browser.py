"""The labs in a real browser: JupyterLab 4 + headless Chromium driven by Playwright.

A private JupyterLab (free loopback port, random token, temporary root, runtime, config,
data, settings and workspace directories, so nothing of the user's setup leaks in) opens a
copy of tests/browser/labs-demo.ipynb; the test runs all cells, clicks the step-size lab's
"ping-pong" preset and checks that the readout text and the plot image changed, then
presses the decision-boundary lab's "step" button and checks that the loss readout changed.
Screenshots go to artifacts/browser/ (git-ignored). Chromium is Debian's /usr/bin/chromium;
nothing downloads a browser. Without it the test is skipped, unless CI is set: then it fails.
The server is shut down by the fixture's finaliser whatever happens; every wait is bounded.
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
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tests" / "browser" / "labs-demo.ipynb"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions"]
SERVER_START_TIMEOUT = 90  # seconds
UI_TIMEOUT_MS = 90_000     # running all cells on a busy 2-core CI machine


def _require_browser():
    problem = None
    if not os.path.exists(CHROMIUM):
        problem = f"{CHROMIUM} is missing (CI installs it with apt-get: .ci/run)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is not installed"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(f"browser test skipped: {problem}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    _require_browser()
    base = tmp_path_factory.mktemp("jupyterlab")
    root, config = base / "root", base / "config"
    for d in (root, config, base / "runtime", base / "data", base / "ipython", base / "settings",
              base / "workspaces"):
        d.mkdir()
    shutil.copy(DEMO, root / DEMO.name)
    # no calls home: no news feed, no update check, no extension manager index
    (config / "jupyter_server_config.py").write_text(
        "c.LabApp.news_url = None\n"
        "c.LabApp.check_for_updates_class = 'jupyterlab.handlers.announcements.NeverCheckForUpdate'\n"
        "c.LabApp.extension_manager = 'readonly'\n"
    )
    (config / "labconfig").mkdir()
    (config / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}')
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTER_DATA_DIR=str(base / "data"), IPYTHONDIR=str(base / "ipython"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1",
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    proc = None
    try:
        # the free port may be taken by someone else before the server binds it: try again
        for attempt in range(3):
            proc, url = _start_server(base, root, env, _free_port(), token)
            if url:
                break
            _stop(proc)
        else:
            raise RuntimeError("jupyter lab could not bind a port in 3 attempts:\n"
                               + (base / "server.log").read_text()[-3000:])
        yield {"url": url, "token": token, "log": base / "server.log"}
    finally:
        if proc is not None:
            _stop(proc)


def _start_server(base, root, env, port, token):
    """Start jupyter lab; return (process, url), or (process, None) if the port was taken."""
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


@pytest.fixture(scope="module")
def page(jupyter_lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                     timeout=60_000)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            pg = context.new_page()
            pg.set_default_timeout(UI_TIMEOUT_MS)
            pg.goto(f"{jupyter_lab['url']}/lab/tree/{DEMO.name}?token={jupyter_lab['token']}",
                    wait_until="domcontentloaded")
            pg.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(state="visible")
            try:
                # the kernel must be idle before "Run All Cells" (the toolbar's execution indicator)
                pg.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(state="visible")
                pg.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                pg.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
                for lab in ("nnlib-step-size", "nnlib-boundary", "nnlib-neuron", "nnlib-xor-builder",
                            "nnlib-activation"):
                    pg.locator(f".{lab} img.nnlib-figure").first.wait_for(state="attached")
            except Exception:
                pg.screenshot(path=str(ARTIFACTS / "00-setup-failed.png"), full_page=True)
                raise
            pg.screenshot(path=str(ARTIFACTS / "01-all-labs.png"), full_page=True)
            yield pg
            pg.screenshot(path=str(ARTIFACTS / "99-final.png"), full_page=True)
        finally:
            browser.close()


def _wait_changed(get, old, timeout_s=60.0, what="value"):
    """Poll ``get()`` until it differs from ``old``; bounded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = get()
        if new != old:
            return new
        time.sleep(0.2)
    raise AssertionError(f"{what} did not change within {timeout_s} s")


def test_ping_pong_preset_updates_readout_and_plot(page):
    lab = page.locator(".nnlib-step-size").first
    readout = lab.locator(".nnlib-readout").first
    image = lab.locator("img.nnlib-figure").first
    lab.scroll_into_view_if_needed()
    before_text = readout.inner_text()
    assert "converges monotonically" in before_text  # the default: gamma = 0.2 on x^2
    before_png = image.screenshot(path=str(ARTIFACTS / "02-step-size-before.png"))
    lab.locator("button.nnlib-btn-ping-pong").first.click()
    page.wait_for_function(
        "el => el.innerText.includes('ping-pongs forever')", arg=readout.element_handle(), timeout=60_000)
    text = readout.inner_text()
    assert "γ = 1 " in text and "1 − 2γ = -1" in text
    after_png = _wait_changed(lambda: image.screenshot(), before_png, what="the step-size plot")
    (ARTIFACTS / "03-step-size-ping-pong.png").write_bytes(after_png)
    assert after_png != before_png
    # the iterates table lists the ping-pong -4, 4, -4, ...
    table = lab.locator(".nnlib-table").first.inner_text()
    assert "\n1\t4\t16\t8\t-8" in table.replace(" ", "")


def test_step_button_trains_one_epoch_and_updates_the_loss(page):
    lab = page.locator(".nnlib-boundary").first
    readout = lab.locator(".nnlib-readout").first
    image = lab.locator("img.nnlib-figure").first
    lab.scroll_into_view_if_needed()
    before = readout.inner_text()
    assert before.startswith("epoch 0")
    before_png = image.screenshot(path=str(ARTIFACTS / "04-boundary-before.png"))
    lab.locator("button.nnlib-btn-step").first.click()
    page.wait_for_function("el => el.innerText.startsWith('epoch 1 ')", arg=readout.element_handle(),
                           timeout=60_000)
    after = readout.inner_text()
    loss = lambda text: text.split("train loss")[1].split("·")[0].strip()
    assert loss(after) != loss(before)
    after_png = _wait_changed(lambda: image.screenshot(), before_png, what="the decision-boundary figure")
    (ARTIFACTS / "05-boundary-after-step.png").write_bytes(after_png)


def test_play_trains_epoch_after_epoch_until_paused(page):
    lab = page.locator(".nnlib-boundary").first
    readout = lab.locator(".nnlib-readout").first
    epoch = lambda: int(readout.inner_text().split()[1])
    start = epoch()
    play_pause = lab.locator(".widget-play button").first  # the Play widget's play/pause toggle
    play_pause.click()
    page.wait_for_function(
        "([el, target]) => parseInt(el.innerText.split(/\\s+/)[1]) >= target",
        arg=[readout.element_handle(), start + 5], timeout=60_000)
    play_pause.click()  # pause
    time.sleep(1.0)  # let a tick that was already on its way arrive
    paused_at = epoch()
    time.sleep(2.0)
    assert epoch() == paused_at  # paused: no more epochs
    assert paused_at >= start + 5
    lab.screenshot(path=str(ARTIFACTS / "06-boundary-after-play.png"))
