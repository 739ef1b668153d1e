"""The lab canvas's browser code: its Node tests (tests/js/), and that the bundle the package
ships (nnlib/labs/frame_canvas.js) is what js/build.mjs makes of js/src/frame_canvas.js.

Node.js runs the tests; esbuild (js/node_modules, installed by `make js` or `make test` when
npm is there) rebuilds the bundle. Without them the tests are skipped, unless CI is set: then
they fail.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "nnlib" / "labs" / "frame_canvas.js"
ESBUILD = ROOT / "js" / "node_modules" / ".bin" / "esbuild"


def _need(what: str, present: bool) -> None:
    if not present:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing in CI (.ci/run installs it)")
        pytest.skip(f"{what} is missing")


def test_frame_canvas_under_node():
    node = shutil.which("node")
    _need("node", node is not None)
    run = subprocess.run([node, "--test", str(ROOT / "tests" / "js")], capture_output=True, text=True,
                         env={**os.environ, "NNLIB_FRAME_CANVAS": str(BUNDLE)}, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 5" in run.stdout, run.stdout[-2000:]


def test_the_shipped_bundle_is_built_from_the_source(tmp_path):
    _need("esbuild (make js)", ESBUILD.exists() and shutil.which("node") is not None)
    out = tmp_path / "frame_canvas.js"
    subprocess.run([shutil.which("node"), str(ROOT / "js" / "build.mjs"), str(out)], check=True, timeout=120,
                   cwd=ROOT / "js")
    assert out.read_text() == BUNDLE.read_text(), \
        "nnlib/labs/frame_canvas.js is stale: run `make js` and commit it"
