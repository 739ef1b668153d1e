"""Binder proxy test: no Docker engine here, so build what repo2docker would build.

repo2docker installs ``binder/requirements.txt`` into a fresh environment and then runs
``binder/postBuild`` from the repository root. We do the same in a throwaway venv and check
that the course opens: nnlib imports, JupyterLab and nbgrader are there, the pins agree with
the ranges declared in pyproject.toml.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the pins are still checked by the fresh-env test
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"binder/requirements.txt must pin every line exactly (name==version); got {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_binder_pins_satisfy_pyproject_ranges():
    if tomllib is None:
        pytest.skip("reading pyproject.toml needs tomllib (Python >= 3.11)")
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"]) + [
        r for r in project["optional-dependencies"]["course"] if not r.startswith("nnlib")
    ]
    pins = _pins()
    for spec in declared:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is a course dependency but binder/requirements.txt does not pin it"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"binder pins {name}=={pins[name]}, outside the tested range {req.specifier} in pyproject.toml"
        )


def test_binder_files_are_what_repo2docker_reads():
    assert (BINDER / "runtime.txt").read_text().strip().startswith("python-3.")
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post.read_text()


@pytest.mark.slow
def test_fresh_env_from_binder_requirements_imports_nnlib(tmp_path):
    venv = tmp_path / "binder-env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / "bin"
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)

    def run(*cmd, cwd=ROOT):
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc.stdout

    run(str(bindir / "python"), "-m", "pip", "install", "-q", "-r", str(BINDER / "requirements.txt"))
    run("bash", str(BINDER / "postBuild"))
    out = run(
        str(bindir / "python"),
        "-c",
        "import nnlib, numpy, matplotlib, ipywidgets; print(nnlib.__file__); print(numpy.__version__)",
        cwd=tmp_path,
    )
    assert str(ROOT / "nnlib") in out, f"nnlib was not imported from this checkout: {out}"
    assert _pins()["numpy"] in out
    run(str(bindir / "python"), "-m", "pip", "check")
    assert "4." in run(str(bindir / "jupyter"), "lab", "--version")
    run(str(bindir / "nbgrader"), "--version")
