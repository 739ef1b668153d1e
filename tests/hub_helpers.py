"""A throwaway class hub on loopback, set up by deploy/hubctl.py exactly as `make hub` does.

Real system users (an instructor and students, created with useradd and removed afterwards),
the course environment installed once in FFNN_PREFIX (default /opt/ffnn, shared with `make
hub`), the exchange, the course directory and the hub's state in one temporary folder outside
/tmp/pytest-of-root (which only root may enter). Everything is driven through the hub's REST
API with an admin service token, and through each user's own API token.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
HUBCTL = [sys.executable, str(REPO / "deploy" / "hubctl.py")]
PORT = 8740   # the hub's public port; its API and the proxy's API take the next two
INSTRUCTOR = "ffnnt-teach"
STUDENTS = ("ffnnt-ada", "ffnnt-bob", "ffnnt-cy")
COURSE_ID = "ffnn"
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list"}


def disabled_plugins(page: str) -> set:
    """The JupyterLab plugins a /lab page disables, from its jupyter-config-data."""
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"not a JupyterLab page: {page[:500]}"
    return set(json.loads(match.group(1))["disabledExtensions"])


def cannot_create_users() -> str:
    """Why this machine cannot run the loopback hub, or '' if it can."""
    if os.name != "posix" or os.geteuid() != 0:
        return "the class hub test creates system users: run it as root (CI does)"
    for tool in ("useradd", "userdel", "runuser", "npm"):
        if not shutil.which(tool):
            return f"the class hub test needs {tool}"
    if not Path("/usr/bin/python3").is_file():
        return "the class hub test needs /usr/bin/python3 (python3-venv) for the shared environment"
    return ""


@dataclass
class Hub:
    base: Path
    env: dict
    token: str
    proc: subprocess.Popen | None = None
    user_tokens: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{PORT}"

    @property
    def exchange(self) -> Path:
        return Path(self.env["FFNN_EXCHANGE"])

    @property
    def course(self) -> Path:
        return Path(self.env["FFNN_COURSE_DIR"])

    @property
    def prefix(self) -> Path:
        return Path(self.env["FFNN_PREFIX"])

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    # ---- the hub's REST API, as the admin service ----------------------------------------------
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def add_user(self, name: str) -> None:
        r = self.api("POST", f"/users/{name}")
        assert r.status_code in (201, 409), r.text   # 409: the instructor exists as admin already
        r = self.api("POST", f"/users/{name}/tokens", json={"note": "loopback test", "expires_in": 3600})
        assert r.status_code == 201, r.text
        self.user_tokens[name] = r.json()["token"]

    def start_server(self, name: str, timeout: float = 180) -> None:
        r = self.api("POST", f"/users/{name}/server")
        assert r.status_code in (201, 202), r.text
        deadline = time.monotonic() + timeout
        while not (self.api("GET", f"/users/{name}").json()["servers"].get("", {}).get("ready")):
            assert time.monotonic() < deadline, f"the server of {name} did not start:\n{self.log()[-4000:]}"
            time.sleep(0.5)

    # ---- a user's own server, through the proxy, with the user's token ----------------------------
    def user(self, name: str, method: str, path: str, **kwargs) -> requests.Response:
        r = requests.request(method, f"{self.url}/user/{name}/{path.lstrip('/')}", timeout=300,
                             headers={"Authorization": f"token {self.user_tokens[name]}"}, **kwargs)
        assert r.status_code < 500, f"{method} {path} as {name}: {r.status_code}\n{r.text[:3000]}"
        return r

    def as_unix_user(self, name: str, *cmd: str) -> subprocess.CompletedProcess:
        """Run a command as that system user, the way a student's terminal would."""
        return subprocess.run(["runuser", "-u", name, "--", *cmd], capture_output=True, text=True,
                              timeout=120, cwd="/")

    def run_in_kernel(self, name: str, code: str, timeout: float = 120) -> str:
        """Start a kernel in the user's server, run code as a notebook cell would, return
        (kernel id, its stdout); the kernel is left running: the caller measures, then deletes it."""
        import uuid

        import websocket

        kernel = self.user(name, "POST", "api/kernels", json={"name": "python3"}).json()
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{PORT}/user/{name}/api/kernels/{kernel['id']}/channels",
            header=[f"Authorization: token {self.user_tokens[name]}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                                       "session": uuid.uuid4().hex, "version": "5.3"},
                            "parent_header": {}, "metadata": {}, "channel": "shell",
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False}}))
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        ws.close()
        return kernel["id"], "".join(out)

    def log(self) -> str:
        path = self.base / "hub.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _remove_users(names) -> None:
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def start_hub() -> Hub:
    """Users, course and a running hub in a fresh folder; stop_hub undoes all of it."""
    base = Path(f"/srv/ffnn-hub-test-{os.getpid()}")
    _remove_users((INSTRUCTOR, *STUDENTS))   # left over by a run that was killed
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    os.chmod(base, 0o755)
    (base / "home").mkdir()
    roster = base / "roster.txt"
    roster.write_text("\n".join(STUDENTS) + "\n")
    env = dict(os.environ, FFNN_PREFIX=os.environ.get("FFNN_PREFIX", "/opt/ffnn"),
               FFNN_STATE_DIR=str(base / "state"), FFNN_EXCHANGE=str(base / "exchange"),
               FFNN_COURSE_DIR=str(base / "home" / INSTRUCTOR / "ffnn"), FFNN_INSTRUCTOR=INSTRUCTOR,
               FFNN_ROSTER=str(roster), FFNN_HUB_PORT=str(PORT), FFNN_AUTH="firstuse",
               FFNN_HUB_API_TOKEN=secrets.token_hex(16))
    hub = Hub(base, env, env["FFNN_HUB_API_TOKEN"])
    for step in (["install"], ["add-users", "--home-base", str(base / "home"), INSTRUCTOR, *STUDENTS],
                 ["course"]):
        proc = subprocess.run([*HUBCTL, *step], env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"hubctl {step[0]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    with open(base / "hub.log", "w") as log:
        hub.proc = subprocess.Popen([*HUBCTL, "start"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if hub.api("GET", "/").status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert hub.proc.poll() is None, f"the hub exited:\n{hub.log()[-4000:]}"
        assert time.monotonic() < deadline, f"the hub did not answer in 60 s:\n{hub.log()[-4000:]}"
        time.sleep(0.3)
    return hub


def user_processes(names) -> dict:
    """user -> its live processes (the single-user server and anything it started)."""
    import psutil

    uids = {pwd.getpwnam(n).pw_uid: n for n in names}
    found = {n: [] for n in names}
    for proc in psutil.process_iter(["uids"]):
        uids_of = proc.info["uids"]
        if uids_of and uids_of.real in uids:
            found[uids[uids_of.real]].append(proc)
    return found


def stop_hub(hub: Hub) -> list:
    """Stop the hub (which stops every server it started), then remove users and files.

    Returns the processes of the test users that outlived the hub (they are then killed)."""
    if hub.proc is not None and hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)   # the hub stops the servers and the proxy itself
        try:
            hub.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait()
    names = (INSTRUCTOR, *STUDENTS)
    leftovers = []
    deadline = time.monotonic() + 15   # servers and kernels exit a moment after the hub says so
    while time.monotonic() < deadline:
        leftovers = [p for procs in user_processes(names).values() for p in procs if p.is_running()]
        if not leftovers:
            break
        time.sleep(0.5)
    for proc in leftovers:
        try:
            proc.kill()
        except Exception:   # already gone
            pass
    _remove_users(names)
    shutil.rmtree(hub.base, ignore_errors=True)
    return leftovers
