"""A bubblewrap sandbox for one submission's Python kernel (docs/instructors.md, "The sandbox").

The kernel of a graded notebook runs as an unprivileged uid (60000 + grader pid % 5000) in its own user, PID, network,
IPC and UTS namespaces. It sees a read-only copy of the system and of the Python environment
(and nnlib), a private /tmp, and one writable directory holding a copy of the notebook and the
assignment's released files. The checkout, the solutions, the gradebook, other students'
submissions and the network are not there. Resource limits are set with prlimit inside the
sandbox; when the kernel ends, the PID namespace ends and takes every process with it.

The kernel talks to the grader over ZMQ `ipc` sockets in a directory bound into the sandbox
(GRADING-NOTES: no TCP between the namespaces).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nnlib

NOBODY = 65534


def privileged() -> bool:
    """Grading as root (`make grade`): bwrap mounts as root and the kernel drops to its own
    host uid. Otherwise (an instructor's server on a hub) bwrap makes an unprivileged user
    namespace and the kernel runs as the grader's own uid, seen inside as 65534."""
    return os.geteuid() == 0


def sandbox_uid() -> int:
    """The host uid a sandbox runs as: as root, one per grading process, so that the process
    limit of one submission (a fork bomb) is not shared with the one graded beside it;
    unprivileged, the grader's own uid (the only one a user namespace can map)."""
    return 60000 + os.getpid() % 5000 if privileged() else os.geteuid()


def uid_inside() -> int:
    """The uid the kernel sees for itself."""
    return sandbox_uid() if privileged() else NOBODY


def give(path: str) -> None:
    """Hand a file or directory to the sandbox's uid (a no-op when it already is ours)."""
    if privileged():
        os.chown(path, sandbox_uid(), sandbox_uid())


HOME = "/home/student"


@dataclass(frozen=True)
class Limits:
    """Per-kernel resource limits; the defaults are the ones docs/instructors.md promises."""

    memory_bytes: int = 2 * 1024 ** 3   # address space of each process
    processes: int = 64                 # processes and threads of the sandbox's user
    file_bytes: int = 64 * 1024 ** 2    # largest file the kernel may write
    cpu_seconds: int = 900              # CPU time of the kernel (the wall clock is cut at 600 s)
    open_files: int = 256
    tmp_bytes: int = 256 * 1024 ** 2    # size of the private /tmp (a tmpfs, so memory)

    def prlimit_args(self) -> list[str]:
        return ["prlimit", f"--as={self.memory_bytes}", f"--nproc={self.processes}",
                f"--fsize={self.file_bytes}", f"--cpu={self.cpu_seconds}",
                f"--nofile={self.open_files}", "--core=0"]


def python() -> str:
    """This interpreter's path without `..` parts (they may name folders the sandbox lacks)."""
    return os.path.abspath(sys.executable)


def missing_tools() -> list[str]:
    """Names of the Debian packages the sandbox needs but this machine lacks."""
    missing = []
    if shutil.which("bwrap") is None:
        missing.append("bubblewrap")
    if shutil.which("prlimit") is None:
        missing.append("util-linux (prlimit)")
    return missing


def python_roots() -> list[str]:
    """Directories the kernel's Python needs, read-only: the venv, its base interpreter, nnlib."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.realpath(os.path.dirname(python())),
             os.path.dirname(os.path.realpath(nnlib.__file__))}
    # /usr is bound whole anyway; a venv made from /usr/bin/python3 needs nothing more.
    return sorted(r for r in roots if not r.startswith("/usr/"))


def bwrap_argv(workdir: str, conndir: str, limits: Limits = Limits()) -> list[str]:
    """The bwrap command line up to (not including) the program to run inside.

    `workdir` becomes the kernel's home and working directory; `conndir` (the connection
    file and ipc sockets) is bound at the same path, so it must not be under the workdir.
    """
    # As root, no user namespace: bwrap mounts as root and setpriv then drops to a host uid of
    # its own with no capabilities. (Inside a user namespace of root's, uid 65534 would map back
    # to root, which the kernel exempts from the process limit.) Unprivileged, bwrap needs a user
    # namespace; it maps the grader's uid, drops every capability and sets no_new_privs itself.
    userns = [] if privileged() else ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    argv = ["bwrap", *userns, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
             "--tmpfs", "/run",
             "--dir", "/var/tmp"]
    roots = python_roots()
    for parent in _parents(roots + [conndir, HOME]):
        argv += ["--perms", "0755", "--dir", parent]  # bwrap would make them 0700: unusable for nobody
    for root in roots:
        argv += ["--ro-bind", root, root]
    # The connection directory may live under the host's /tmp: bind it after --tmpfs /tmp.
    argv += ["--bind", conndir, conndir, "--bind", workdir, HOME, "--chdir", HOME,
             "--clearenv",
             "--setenv", "HOME", HOME,
             "--setenv", "PATH", os.path.dirname(python()) + ":/usr/bin:/bin",
             "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
             "--setenv", "MPLBACKEND", "agg",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
             # one BLAS thread per kernel: grading runs several kernels at once
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "MKL_NUM_THREADS", "1"]
    uid = sandbox_uid()
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"] if privileged() else []
    return argv + ["--"] + drop + limits.prlimit_args()


def _parents(paths) -> list[str]:
    """Every ancestor directory of the paths, outermost first, without / and /tmp."""
    out = []
    for path in paths:
        parts = Path(path).parts
        for i in range(2, len(parts)):
            parent = str(Path(*parts[:i]))
            if parent not in out and parent not in ("/tmp", "/usr") and not parent.startswith("/usr/"):
                out.append(parent)
    return sorted(out, key=lambda p: p.count("/"))


def sandbox_works() -> tuple[bool, str]:
    """Start a trivial sandbox once; (False, why) if this machine cannot make one."""
    missing = missing_tools()
    if missing:
        return False, "missing package(s): " + ", ".join(missing)
    import tempfile
    with tempfile.TemporaryDirectory(prefix="ffnn-probe-") as tmp:
        work, conn = os.path.join(tmp, "work"), os.path.join(tmp, "conn")
        os.mkdir(work)
        os.mkdir(conn)
        os.chmod(tmp, 0o755)
        for d in (work, conn):
            give(d)
        argv = bwrap_argv(work, conn) + [python(), "-c", "import os, nnlib; print(os.getuid())"]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"bwrap could not start: {exc}"
        if proc.returncode != 0 or proc.stdout.strip() != str(uid_inside()):
            return False, f"bwrap failed: {(proc.stderr or proc.stdout).strip()[:300]}"
    return True, ""
