"""Module layering: no core module reaches sideways into a sibling for a private helper.

Shared helpers live below the modules that share them (``_checks``, ``_backward``); the
perceptron does not import the training module for its warning class.
"""
import ast
from pathlib import Path

import pytest

NNLIB = Path(__file__).resolve().parents[1] / "nnlib"
CORE = sorted(p for p in NNLIB.glob("*.py") if p.name != "__init__.py")


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            yield node.module, [a.name for a in node.names]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_no_private_name_is_imported_from_a_sibling(path):
    for module, names in _imports(path):
        if module.startswith("_"):
            continue                      # the low modules exist to be shared
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{path.name} imports {private} from .{module}"


def test_perceptron_does_not_import_train():
    assert "train" not in {m for m, _ in _imports(NNLIB / "perceptron.py")}


def test_low_modules_import_nothing_above_them():
    allowed = {"_checks": set(), "_backward": {"_checks"}}
    for name, ok in allowed.items():
        used = {m for m, _ in _imports(NNLIB / f"{name}.py")}
        assert used <= ok, f"{name} imports {used - ok}"
