"""The two single-user views of the course, started exactly as `make lab`, `make lab-instructor`
and Binder (binder/start) start them (issue 11, point 1).

Student view: JupyterLab without nbgrader's instructor tools (the formgrader, Create Assignment
and the course list are disabled in the page config and their server extensions are not
loaded), and an Assignments tab that answers without an error because its exchange is a private
one under the user's Jupyter data directory. Instructor view: the same plus the formgrader.
Each server runs with a fresh JUPYTER_DATA_DIR, so nothing of the user's own set-up is used.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub_helpers import INSTRUCTOR_PLUGINS, disabled_plugins

REPO = Path(__file__).resolve().parents[1]
TOKEN = "student-view-test"
PORTS = {"lab": 8730, "lab-instructor": 8731, "binder": 8732}
STUDENT_PLUGINS = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"}

pytestmark = pytest.mark.slow


def get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError):   # not listening yet
        return 0, ""


@pytest.fixture(scope="module", params=sorted(PORTS))
def lab(request, tmp_path_factory):
    """(make target, base URL, data dir, server log) of a running server of that target."""
    target, port = request.param, PORTS[request.param]
    data = tmp_path_factory.mktemp(f"{target}-data")
    log_path = data.parent / f"{target}.log"
    env = dict(os.environ, JUPYTER_DATA_DIR=str(data), JUPYTER_RUNTIME_DIR=str(data / "runtime"))
    args = f"--no-browser --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}"
    if target == "binder":   # repo2docker runs the image's command through binder/start
        allow_root = ["--allow-root"] if os.geteuid() == 0 else []
        cmd = ["bash", "binder/start", str(REPO / ".venv" / "bin" / "jupyter"), "lab", *allow_root, *args.split()]
    else:                    # -o: the test venv is the course venv; never reinstall it from a test
        cmd = ["make", "-s", "-o", ".venv/.stamp-course", target, f"LAB_ARGS={args}"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while get(f"{base}/api/status")[0] != 200:
            assert proc.poll() is None, f"{target} exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"{target} did not answer in 120 s"
            time.sleep(0.5)
        yield target, base, data, log_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def lab_page(base: str) -> str:
    status, html = get(f"{base}/lab")
    assert status == 200, html[:500]
    return html


def test_instructor_tools_only_in_the_instructor_view(lab):
    target, base, _data, _log = lab
    disabled = disabled_plugins(lab_page(base))
    assert not disabled & STUDENT_PLUGINS, "the Assignments tab and Validate belong to both views"
    if target != "lab-instructor":
        assert INSTRUCTOR_PLUGINS <= disabled, f"still enabled for students: {INSTRUCTOR_PLUGINS - disabled}"
    else:
        assert not disabled & INSTRUCTOR_PLUGINS, disabled


def test_formgrader_server_extension_only_in_the_instructor_view(lab):
    target, base, _data, _log = lab
    status, body = get(f"{base}/formgrader/api/status")
    if target != "lab-instructor":
        assert status == 404, f"the student's server serves the formgrader API ({status})"
    else:
        assert (status, json.loads(body)) == (200, {"status": True})


def test_assignments_tab_answers_without_error(lab):
    _target, base, data, log_path = lab
    for path in ("/courses", "/assignments?course_id=ffnn"):
        status, body = get(base + path)
        assert status == 200, f"{path}: {status} {body[:300]}"
        answer = json.loads(body)
        assert answer["success"] is True, f"{path}: {answer}"
        assert answer["value"] == [], f"{path}: nothing is released into a fresh private exchange"
    assert (data / "nbgrader_exchange").is_dir(), "the private exchange lives under the Jupyter data dir"
    log = log_path.read_text()
    assert "exchange directory does not exist" not in log.lower()
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.browser
def test_nbgrader_menu_and_assignments_tab_in_the_browser(lab):
    """What the student sees: the Nbgrader menu without instructor entries, and the Assignment
    List with its three sections and no error (the issue's "Error fetching courses!")."""
    from test_browser import _require_browser, harness

    target, base, _data, _log = lab
    _require_browser()

    with harness.chromium_page() as page:
        page.goto(f"{base}/lab?token={TOKEN}")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click(timeout=90_000)
        menu = page.locator("#jp-mainmenu-nbgrader")
        menu.wait_for(timeout=30_000)
        items = set(menu.locator(".lm-Menu-itemLabel").all_inner_texts())
        instructor = {"Formgrader", "Formgrader (local)", "Course List", "Create assignment"}
        assert "Assignment List" in items, items
        if target == "lab-instructor":
            assert instructor & items, items
        else:
            assert not instructor & items, f"instructor entries shown to students: {instructor & items}"
        menu.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        for section in ("Released assignments", "Downloaded assignments", "Submitted assignments"):
            page.get_by_text(section).first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        text = page.locator("body").inner_text()
        assert "Error" not in text and "does not exist" not in text, text[:2000]
