"""The bubblewrap sandbox of grading/sandbox.py on its own: what a submission's process can
see, reach and use, and that nothing it starts outlives it. Also: `make grade` refuses to run
without a sandbox unless told to grade unsafely.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from nbgrader_helpers import REPO

sys.path.insert(0, str(REPO))
from grading import sandbox  # noqa: E402

PORT = 8932
MARKER = "8932771"

_WORKS, _WHY = sandbox.sandbox_works()
if not _WORKS and os.environ.get("CI"):  # CI installs bubblewrap (.ci/run): a skip would hide a broken grader
    raise RuntimeError(f"no bubblewrap sandbox in CI: {_WHY}")
pytestmark = pytest.mark.skipif(not _WORKS, reason=f"no bubblewrap sandbox on this machine ({_WHY})")


def run_inside(code: str, timeout=60) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="ffnn-sbx-test-") as tmp:
        os.chmod(tmp, 0o755)
        work, conn = Path(tmp, "work"), Path(tmp, "conn")
        work.mkdir()
        conn.mkdir()
        (work / "released.txt").write_text("released file\n")
        for path in (work, conn, work / "released.txt"):
            os.chown(path, sandbox.sandbox_uid(), sandbox.sandbox_uid())
        argv = sandbox.bwrap_argv(str(work), str(conn)) + [sandbox.python(), "-c", code]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def test_unprivileged_user_and_only_the_released_files():
    proc = run_inside(f"""
import os
print(os.getuid(), os.geteuid(), os.getcwd(), sorted(os.listdir('.')))
print(os.path.exists({str(REPO / 'solutions')!r}), os.path.exists({str(REPO / 'tests')!r}))
print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])
import nnlib, numpy
print('imports ok')
""")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stderr
    uid, euid, cwd, files = lines[0].split(" ", 3)
    assert int(uid) == int(euid) == sandbox.sandbox_uid() != 0
    assert cwd == sandbox.HOME and files == "['released.txt']"
    assert lines[1] == "False False", "the checkout is visible in the sandbox"
    assert int(lines[2], 16) == 0, "the sandboxed process has capabilities"
    assert lines[3] == "imports ok"


def test_python_environment_is_read_only_and_tmp_is_private():
    with open(f"/tmp/{MARKER}-host", "w") as fh:
        fh.write("host /tmp")
    try:
        proc = run_inside(f"""
import os, sys, numpy
for path in (os.path.dirname(numpy.__file__) + '/x', sys.prefix + '/x', '/usr/x', '/etc/x'):
    try:
        open(path, 'w'); print('WROTE', path)
    except OSError:
        pass
print(os.path.exists('/tmp/{MARKER}-host'))
open('/tmp/mine', 'w').write('ok'); print('tmp ok')
""")
    finally:
        os.remove(f"/tmp/{MARKER}-host")
    assert "WROTE" not in proc.stdout, proc.stdout
    assert proc.stdout.splitlines()[-2:] == ["False", "tmp ok"]


def test_no_network_even_to_loopback():
    received = []

    def listen(srv):
        try:
            conn, _ = srv.accept()
            received.append(conn.recv(10))
        except OSError:
            pass

    with socket.socket() as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", PORT))
        srv.listen()
        srv.settimeout(8)
        thread = threading.Thread(target=listen, args=(srv,))
        thread.start()
        proc = run_inside(f"""
import socket
try:
    socket.create_connection(('127.0.0.1', {PORT}), timeout=3).sendall(b'hi'); print('CONNECTED')
except OSError as e:
    print('refused', e)
try:
    socket.create_connection(('pypi.org', 443), timeout=3); print('INTERNET')
except OSError as e:
    print('no internet', e)
""")
        thread.join()
    assert "CONNECTED" not in proc.stdout and "INTERNET" not in proc.stdout, proc.stdout
    assert not received


def test_memory_process_and_file_limits():
    proc = run_inside("""
import os, subprocess
try:
    bytearray(3 * 1024 ** 3); print('ALLOCATED')
except MemoryError:
    print('memory limit')
children = []
try:
    for _ in range(200):
        children.append(subprocess.Popen(['sleep', '30']))
    print('SPAWNED', len(children))
except OSError:
    print('process limit', len(children))
for child in children:
    child.kill()
try:
    open('big', 'wb').write(b'0' * (100 * 1024 ** 2)); print('WROTE BIG')
except OSError:
    print('file limit')
""", timeout=120)
    out = proc.stdout
    assert "memory limit" in out and "file limit" in out, out
    assert "process limit" in out and int(out.split("process limit ")[1].split()[0]) < 64, out


def test_every_process_ends_with_the_sandbox():
    proc = run_inside(f"""
import subprocess
for _ in range(5):
    subprocess.Popen(['sleep', '{MARKER}'], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print('started')
""")
    assert "started" in proc.stdout
    # bwrap returns when the command ends; the kernel kills the rest of the PID namespace a
    # moment later, as its init exits
    deadline = time.monotonic() + 5
    while _sleepers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _sleepers()


def _sleepers():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path("/proc", pid, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", MARKER.encode()]:
            found.append(pid)
    return found


def test_grading_without_a_sandbox_stops_and_names_the_package(tmp_path):
    env = dict(os.environ, PATH=os.path.dirname(sandbox.python()))  # no bwrap, no prlimit on PATH
    proc = subprocess.run([sandbox.python(), str(REPO / "tools" / "course_admin.py"), "grade", "--root", str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "bubblewrap" in proc.stderr and "UNSAFE=1" in proc.stderr and "--unsafe-no-sandbox" in proc.stderr


# ---- the sandboxed Execute step of autograde ---------------------------------------------------
def execute(sources, tmp_path, **options):
    """Run cells through SandboxExecute (no grade cells) and return their outputs."""
    import nbformat
    from grading.execute import SandboxExecute

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    options.setdefault("seed_secret_file", str(tmp_path / "secret"))
    SandboxExecute(**options).preprocess(nb, {"metadata": {"path": str(tmp_path)},
                                              "nbgrader": {"assignment": "none", "student": "s"}})
    return [[(o.output_type, o.get("ename"), o.get("text", "")) for o in c.outputs] for c in nb.cells]


def test_a_kernel_ignoring_sigint_costs_only_its_cell(tmp_path):
    outs = execute(["x = 41", "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)",
                    "print(x + 1)"], tmp_path, timeout=4)
    assert any(o[1] == "CellTimeoutError" for o in outs[1])
    assert any("restarted" in o[2] for o in outs[1])
    assert outs[2] == [("stream", None, "42\n")], "the cells before were not replayed"


def test_an_interruptible_loop_is_not_restarted(tmp_path):
    outs = execute(["x = 41", "while True:\n    pass", "print(x + 1)"], tmp_path, timeout=4)
    assert [o[1] for o in outs[1]][:1] == ["KeyboardInterrupt"] and not any("restarted" in o[2] for o in outs[1])
    assert outs[2] == [("stream", None, "42\n")]


def test_a_dying_kernel_costs_only_its_cell(tmp_path):
    outs = execute(["x = 41", "import os\nos._exit(3)", "print(x + 1)"], tmp_path, timeout=20)
    assert any(o[1] == "DeadKernelError" for o in outs[1])
    assert outs[2] == [("stream", None, "42\n")]


def test_outputs_are_capped_with_a_note(tmp_path):
    outs = execute(["print('x' * 2_000_000)", "for _ in range(8):\n    print('y' * 900_000, flush=True)"],
                   tmp_path, timeout=60, max_output_bytes=1_000_000, max_notebook_output_bytes=5_000_000)
    assert len(outs[0]) == 1 and "removed by the grader" in outs[0][0][2] and "per output" in outs[0][0][2]
    kept = sum(len(o[2]) for o in outs[1] if "removed" not in o[2])
    assert kept <= 5_000_000 and any("per notebook" in o[2] for o in outs[1])


def test_the_notebook_clock_stops_the_remaining_cells(tmp_path):
    outs = execute(["import time\ntime.sleep(2.5)", "time.sleep(2.5)", "print('late')"], tmp_path,
                   timeout=30, notebook_timeout=4)
    assert outs[2] and outs[2][0][1] == "NotebookTimeout"


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(),
                    reason="needs root to run the probe as another user, and a system Python")
def test_unprivileged_grader_gets_the_same_walls(monkeypatch):
    """An instructor's own server on a hub grades as that (non-root) user: bwrap then makes a
    user namespace itself. The kernel still has no capabilities, no network and sees neither
    the checkout nor the host's /tmp. Probed as `nobody` with the system Python (the course's
    venv under /root is not nobody's to run; a hub's /opt/ffnn is)."""
    monkeypatch.setattr(sandbox, "privileged", lambda: False)
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 65534)
    monkeypatch.setattr(sandbox, "python_roots", lambda: [])
    tmp_path = Path(tempfile.mkdtemp(prefix="ffnn-sbx-unpriv-"))  # pytest's tmp_path is root's only
    tmp_path.chmod(0o755)
    work, conn = tmp_path / "work", tmp_path / "conn"
    for d in (work, conn):
        d.mkdir()
        d.chmod(0o777)
    (work / "released.txt").write_text("released\n")
    with open(f"/tmp/{MARKER}-host-unpriv", "w") as fh:
        fh.write("host /tmp")
    code = f"""
import os, socket
print(os.getuid(), os.getcwd(), sorted(os.listdir('.')), os.path.exists({str(REPO / 'solutions')!r}))
print(os.path.exists('/tmp/{MARKER}-host-unpriv'))
print(int(open('/proc/self/status').read().split('CapEff:')[1].split()[0], 16))
s = socket.socket(); s.settimeout(2)
try:
    s.connect(('127.0.0.1', {PORT})); print('CONNECTED')
except OSError:
    print('no network')
"""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", PORT))
    listener.listen()
    try:
        argv = ["runuser", "-u", "nobody", "--"] + sandbox.bwrap_argv(str(work), str(conn))
        proc = subprocess.run(argv + ["/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=60)
    finally:
        listener.close()
        os.unlink(f"/tmp/{MARKER}-host-unpriv")
        shutil.rmtree(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"65534 {sandbox.HOME} ['released.txt'] False", "False", "0", "no network"]
    assert "--unshare-user" in argv and "setpriv" not in argv


def test_grading_without_a_secret_is_refused(tmp_path):
    with pytest.raises(ValueError, match="secret"):
        execute(["x = 1"], tmp_path, seed_secret_file="")


def test_the_secret_file_is_made_once_private_and_reused(tmp_path):
    from grading.verdicts import course_secret
    path = tmp_path / "secret"
    first = course_secret(path)
    assert len(first) == 64 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert course_secret(path) == first
