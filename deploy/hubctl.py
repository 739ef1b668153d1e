#!/usr/bin/env python3
"""Set up and start the class hub of deploy/ on one machine (run as root; docs/deploy.md).

    python3 deploy/hubctl.py install              the course environment for all users, the proxy,
                                                  the student and instructor views, the exchange
    python3 deploy/hubctl.py add-users NAME ...   system users (the first --instructor owns the course)
    python3 deploy/hubctl.py course               the instructor's course directory (a copy of this
                                                  repository, readable by the instructor only)
    python3 deploy/hubctl.py start                JupyterHub with deploy/jupyterhub_config.py
    python3 deploy/hubctl.py up                   all of the above: install, add-users (the
                                                  instructor and the FFNN_ROSTER file), course, start

`make hub` runs `up`. Only the standard library is used here: this script
runs before the hub's environment exists. Paths and names come from the environment (FFNN_*,
defaults below), so that a test can set up a second, throwaway hub the same way.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
# What nbgrader, the hub and useradd all accept: a lowercase Unix login name without dots, so a
# student id is also a safe file name in the exchange (nbgrader splits on '+', globs on '*').
SAFE_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
CHP_VERSION = "5.3.0"       # configurable-http-proxy from npm, the version this set-up is tested with
SYSTEM_PYTHON = "/usr/bin/python3"   # a Python every user can execute (not one under /root)


def settings(env=os.environ) -> dict:
    """The hub's paths and names; jupyterhub_config.py reads the same variables."""
    return {
        "prefix": Path(env.get("FFNN_PREFIX", "/opt/ffnn")),
        "state": Path(env.get("FFNN_STATE_DIR", "/srv/ffnn/hub")),
        "exchange": Path(env.get("FFNN_EXCHANGE", "/srv/nbgrader/exchange")),
        "instructor": env.get("FFNN_INSTRUCTOR", "instructor"),
        "course": env.get("FFNN_COURSE_DIR", ""),
    }


def course_dir(cfg: dict) -> Path:
    if cfg["course"]:
        return Path(cfg["course"])
    return Path(pwd.getpwnam(cfg["instructor"]).pw_dir) / "ffnn"


def check_name(name: str) -> str:
    if not SAFE_NAME.fullmatch(name):
        raise SystemExit(f"{name!r} is not a safe Unix user name: expected 1-32 characters, a lowercase "
                         "letter or '_' first, then lowercase letters, digits, '_' or '-' "
                         f"(pattern {SAFE_NAME.pattern})")
    return name


def _run(cmd, **kwargs):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kwargs)


def _stamp() -> str:
    """Changes when what `install` puts into the prefix changes: the dependency list, the
    library the students import, the proxy's version and the views."""
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes())
    digest.update(CHP_VERSION.encode())
    for folder in (REPO / "nnlib", DEPLOY / "jupyter"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()


def system_packages() -> None:
    """The system Python with venv and npm: installed with apt-get where they are missing."""
    def missing():
        have_venv = Path(SYSTEM_PYTHON).is_file() and subprocess.run(
            [SYSTEM_PYTHON, "-c", "import ensurepip, venv"], capture_output=True).returncode == 0
        return [pkg for pkg, ok in (("python3-venv", have_venv), ("npm", shutil.which("npm"))) if not ok]

    if missing() and shutil.which("apt-get"):
        _run(["apt-get", "update", "-qq"])
        _run(["apt-get", "install", "-y", "-qq", "python3", *missing()],
             env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if missing():
        raise SystemExit(f"missing system packages {' '.join(missing())}: {SYSTEM_PYTHON} with its venv "
                         "module is the Python every account runs, npm installs configurable-http-proxy")


def install(cfg: dict) -> None:
    prefix = cfg["prefix"]
    stamp = prefix / ".stamp"
    if stamp.is_file() and stamp.read_text() == _stamp():
        print(f"{prefix}: up to date")
    else:
        system_packages()
        # umask 022: everything installed is readable and executable by every student
        os.umask(0o022)
        prefix.mkdir(parents=True, exist_ok=True)
        os.chmod(prefix, 0o755)
        if not (prefix / "bin" / "python").exists():
            _run([SYSTEM_PYTHON, "-m", "venv", prefix])
        # not editable: the students' servers must not read this checkout (it may sit under /root)
        _run([prefix / "bin" / "python", "-m", "pip", "install", "-q", "--upgrade", "pip"])
        _run([prefix / "bin" / "python", "-m", "pip", "install", "-q", f"{REPO}[hub]"])
        _run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", prefix / "node",
              f"configurable-http-proxy@{CHP_VERSION}"])
        views = prefix / "etc" / "ffnn"
        shutil.rmtree(views, ignore_errors=True)
        shutil.copytree(DEPLOY / "jupyter", views)
        stamp.write_text(_stamp())
    make_exchange(cfg["exchange"])
    cfg["state"].mkdir(parents=True, exist_ok=True)
    os.chmod(cfg["state"], 0o700)   # the hub's database and cookie secret: root only


def make_exchange(root: Path) -> None:
    """nbgrader's shared exchange: every user may write; the sticky bit keeps a student from
    renaming or deleting the course folder the instructor creates in it."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)
    print(f"exchange: {root} (mode 1777)")


def add_users(names, home_base: str | None = None) -> None:
    for name in map(check_name, names):
        try:
            pwd.getpwnam(name)
            print(f"{name}: exists")
        except KeyError:
            cmd = ["useradd", "--create-home", "--shell", "/bin/bash"]
            if home_base:
                cmd += ["--base-dir", home_base]
            _run(cmd + [name])
        # a home no other student can look into (Debian's default is 0755 on older releases)
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)


def make_course(cfg: dict) -> Path:
    """A copy of this repository as the instructor's course directory, owned by the instructor.

    Its nbgrader_config.py is the course's (grading, sandbox and all); the hub's instructor
    view loads it from there (deploy/jupyter/instructor/nbgrader_config.py)."""
    owner = pwd.getpwnam(check_name(cfg["instructor"]))
    dest = course_dir(cfg)
    if dest.exists():
        print(f"{dest}: exists, left as it is")
        return dest
    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", ".pytest_cache",
                                    ".hypothesis", "node_modules", "gradebook.db", "submitted",
                                    "autograded", "feedback", "artifacts")
    shutil.copytree(REPO, dest, ignore=ignore)
    _run(["chown", "-R", f"{owner.pw_uid}:{owner.pw_gid}", dest])
    os.chmod(dest, 0o700)   # solutions/, hidden tests and the gradebook: the instructor's only
    print(f"course directory: {dest}")
    return dest


def start(cfg: dict) -> None:
    env = dict(os.environ, FFNN_COURSE_DIR=str(course_dir(cfg)),
               PATH=f"{cfg['prefix'] / 'bin'}:{cfg['prefix'] / 'node' / 'node_modules' / '.bin'}:"
                    + os.environ.get("PATH", ""))
    os.chdir(cfg["state"])
    os.execve(str(cfg["prefix"] / "bin" / "jupyterhub"),
              ["jupyterhub", "-f", str(DEPLOY / "jupyterhub_config.py")], env)


def read_roster(path: str) -> list:
    """One student login per line; blank lines and # comments are skipped."""
    if not path:
        return []
    lines = Path(path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install")
    users = sub.add_parser("add-users")
    users.add_argument("names", nargs="+")
    users.add_argument("--home-base", help="parent of the new home directories (default: useradd's)")
    sub.add_parser("course")
    sub.add_parser("start")
    sub.add_parser("up")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run as root: the hub starts every user's server as that user")
    cfg = settings()
    if args.command == "install":
        install(cfg)
    elif args.command == "add-users":
        add_users(args.names, args.home_base)
    elif args.command == "course":
        make_course(cfg)
    elif args.command == "start":
        start(cfg)
    else:
        install(cfg)
        add_users([cfg["instructor"], *read_roster(os.environ.get("FFNN_ROSTER", ""))])
        make_course(cfg)
        start(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
