"""The hostile battery: a class of broken and hostile submissions graded as an instructor would.

A scratch copy of the course (nbgrader_config.py, grading/, tools/, solutions/neurons) gets
one student per kind of submission below and is graded by `tools/course_admin.py grade
--jobs 2` (what `make grade JOBS=2` runs) with a 10-second cell timeout. Each kind asserts its
score and the reason shown; the module asserts that no other student's grade or file changed
and that nothing outside the sandbox was read or written (markers that the hostile code would
print or create on success are looked for everywhere afterwards).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
A = "neurons"
FULL = 10.0
POINTS = {"test_activations": 2, "test_sigmoid_overflow": 1, "test_derivatives": 2, "test_logic_gates": 2,
          "test_network_function": 2, "test_count_params": 1}
LEAK = "LEAKED-" + "7f3a"          # printed by hostile code only when it succeeds
SAY_LEAK = "'LEAKED-' + '7f3a'"    # how the hostile code spells it, so its source holds no marker
PORT = 8931                        # a listener of the test (task port range 8900-8999)

pytestmark = pytest.mark.slow


def solution():
    return nbformat.read(str(REPO / "solutions" / A / f"{A}.ipynb"), as_version=4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def with_cell(source, after="setup", nb=None):
    """The solution with an extra ordinary code cell after the cell `after`."""
    nb = nb or solution()
    index = nb.cells.index(cell(nb, after))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def with_answer(grade_id, old, new, nb=None):
    nb = nb or solution()
    c = cell(nb, grade_id)
    assert old in c.source, (grade_id, old)
    c.source = c.source.replace(old, new)
    return nb


WRONG_SIGMOID = ("return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))",
                 "return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(xi, dtype=float)))")


def wrong_and(prelude):
    """A wrong sigmoid (ignores lam) plus a cheat placed before it."""
    return with_cell(prelude, nb=with_answer("activations", *WRONG_SIGMOID))


def kinds(root: Path):
    """student -> (notebook or raw bytes or callable(folder), expected score, reason substring)."""
    secret_paths = [root / "solutions" / A / f"{A}.ipynb", root / "gradebook.db",
                    root / "submitted" / "good" / A / f"{A}.ipynb", root / ".grading-secret"]
    read_all = "\n".join(f"""
try:
    print({SAY_LEAK}, open({str(p)!r}, 'rb').read()[:40])
except Exception as exc:
    print('denied', type(exc).__name__)""" for p in secret_paths)
    # the sigmoid that ignores lam also makes sigmoid_prime(xi, lam) wrong: two parts lost
    lost_activations = FULL - POINTS["test_activations"] - POINTS["test_derivatives"]
    return {
        "good": (solution(), FULL, ""),
        "other_form": (with_answer("activations", "return lam * s * (1.0 - s)",
                                   "return lam * np.exp(-lam * np.asarray(xi, float)) / (1 + np.exp(-lam * np.asarray(xi, float))) ** 2",
                                   nb=with_answer("activations", "return 1.0 - np.tanh(np.asarray(xi, dtype=float)) ** 2",
                                                  "return 1.0 / np.cosh(np.asarray(xi, dtype=float)) ** 2")), FULL, ""),
        "unanswered": (nbformat.read(str(REPO / "exercises" / A / f"{A}.ipynb"), as_version=4), 0.0, ""),
        "wrong_sigmoid": (with_answer("activations", *WRONG_SIGMOID), lost_activations, ""),
        "rebind_testing": (wrong_and("np.testing.assert_allclose = lambda *a, **k: None\n"
                                     "np.testing.assert_array_equal = lambda *a, **k: None\n"
                                     "np.allclose = lambda *a, **k: True"), lost_activations, ""),
        "rebind_builtins": (wrong_and("import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.AssertionError = type('X', (Exception,), {})"),
                            lost_activations, ""),
        "ast_transformer": (wrong_and("import ast\nclass T(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
                                      "        h = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])\n"
                                      "        return ast.fix_missing_locations(ast.Module(body=[ast.Try(body=node.body or [ast.Pass()], handlers=[h], orelse=[], finalbody=[])], type_ignores=[]))\n"
                                      "get_ipython().ast_transformers.append(T())"), lost_activations, ""),
        "fake_json": (wrong_and("from IPython.display import display\n"
                                "display({'application/x.ffnn-probe+json': {'nonce': 'x', 'results': []}}, raw=True)\n"
                                "print('{\"passed\": true, \"score\": 9}')"), lost_activations, ""),
        "hook_fakes_results": (wrong_and(
            "import re\nfrom IPython.display import display\n"
            "def fake(info):\n    m = re.search(r\"__ffnn_probe\\('([0-9a-f]+)'\", info.raw_cell or '')\n"
            "    if m:\n        display({'application/x.ffnn-probe+json': {'nonce': m.group(1), 'results': [{'value': {'shape': [], 'hex': ['0x0.0p+0']}}]}}, raw=True)\n"
            "get_ipython().events.register('pre_run_cell', fake)"), 0.0, ""),
        "silences_display": (with_cell("import IPython.display\nIPython.display.display = lambda *a, **k: None"), 0.0,
                             ""),
        "reads_secrets": (with_cell(read_all), FULL, ""),
        "reads_host_env": (with_cell(f"import os\nfor p in os.listdir('/proc'):\n    try:\n        t = open(f'/proc/{{p}}/environ', 'rb').read()\n"
                                     f"        if b'PATH' in t and b'/root' in t: print({SAY_LEAK}, p)\n    except Exception: pass"), FULL, ""),
        "writes_gradebook": (with_cell(f"import os\nfor p in [{str(root / 'gradebook.db')!r}]:\n    try:\n"
                                       f"        open(p, 'wb').write(b'x'); print({SAY_LEAK})\n    except Exception as e: print('denied', e)"), FULL, ""),
        "overwrites_other": (with_cell(f"try:\n    open({str(root / 'submitted' / 'good' / A / (A + '.ipynb'))!r}, 'w').write('{{}}'); print({SAY_LEAK})\n"
                                       "except Exception as e: print('denied', e)"), FULL, ""),
        "deletes_course": (with_cell(f"import shutil\nshutil.rmtree({str(root)!r}, ignore_errors=True)\n"
                                     f"shutil.rmtree('/work', ignore_errors=True)"), FULL, ""),
        "writes_outside": (with_cell(f"for d in ['/tmp/', {str(root) + '/'!r}, '/root/']:\n    p = d + {SAY_LEAK}\n    try:\n"
                                     f"        open(p, 'w').write('x')\n    except Exception: pass"), FULL, ""),
        "network": (with_cell(f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {PORT}), timeout=3).sendall(({SAY_LEAK}).encode())\n"
                              "except Exception as e: print('no network', e)"), FULL, ""),
        "memory_hog": (with_cell("try:\n    x = bytearray(4 * 1024 ** 3)\nexcept MemoryError:\n    print('memory limit')"), FULL, ""),
        "detached_children": (with_cell(f"import subprocess\nfor _ in range(50):\n"
                                        f"    subprocess.Popen(['sleep', '977{PORT}'], start_new_session=True)"), FULL, ""),
        "fork_bomb": (with_cell("import os\nn = 0\ntry:\n    while n < 5000:\n        if os.fork() == 0:\n            import time; time.sleep(600); os._exit(0)\n        n += 1\n"
                                "except OSError as e:\n    print('process limit after', n)"), FULL, ""),
        "huge_output": (with_cell("print('x' * 60_000_000)"), FULL, "output cut"),
        "huge_image": (with_cell("from IPython.display import display\nimport base64\n"
                                 "display({'image/png': base64.b64encode(b'0' * 40_000_000).decode()}, raw=True)"), FULL, "output cut"),
        "big_file": (with_cell("try:\n    open('big.bin', 'wb').write(b'0' * 200_000_000)\nexcept OSError as e:\n    print('file limit', e)"), FULL, ""),
        "endless_loop_answer": (with_answer("count_params", "def count_params(sizes):", "def count_params(sizes):\n    while True: pass",
                                            nb=with_cell("count_params([2, 3])", after="count_params")),
                                FULL - POINTS["test_count_params"], "ran out of time"),
        "ignores_sigint": (with_cell("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)",
                                     after="logic_gates"), FULL, "restarted"),
        "kernel_suicide": (with_cell("import os\nos._exit(1)", after="count_params"), FULL, "restarted"),
        "not_json": (b"this is not a notebook", 0.0, "not a valid notebook"),
        "renamed": ("neurons (1).ipynb", FULL, "graded as neurons.ipynb"),
        "stripped_metadata": (None, FULL, "metadata restored"),
        "duplicated_cells": (None, FULL, "appeared 2 times"),
        "reordered_cells": (None, FULL, "order"),
        "deleted_test_cell": (None, FULL, ""),
        "edited_test_cell": (None, lost_activations, ""),
        "transposed_weights": (with_answer("network_function", "np.asarray(X, dtype=float) @ W1 + b1", "np.asarray(X, dtype=float) @ W1.T + b1"),
                               FULL - POINTS["test_network_function"], ""),
    }


def _special(student, nb):
    """The kinds that change the notebook's structure rather than its code."""
    if student == "stripped_metadata":
        for c in nb.cells:
            c.metadata.pop("nbgrader", None)
    elif student == "duplicated_cells":
        nb.cells.insert(nb.cells.index(cell(nb, "test_logic_gates")), json.loads(json.dumps(cell(nb, "test_logic_gates")), object_hook=nbformat.NotebookNode))
        nb.cells[nb.cells.index(cell(nb, "test_logic_gates"))]["id"] = "copy-of-test"
    elif student == "reordered_cells":
        moved = cell(nb, "test_count_params")
        nb.cells.remove(moved)
        nb.cells.insert(1, moved)
    elif student == "deleted_test_cell":
        nb.cells.remove(cell(nb, "test_derivatives"))
    elif student == "edited_test_cell":
        with_answer("activations", *WRONG_SIGMOID, nb=nb)
        cell(nb, "test_activations").source = "pass"
    return nb


def _tree_hash(path: Path, skip=()) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not any(s in p.parts for s in skip)):
        digest.update(str(file.relative_to(path)).encode() + file.read_bytes())
    return digest.hexdigest()


def _listener(stop, received):
    with socket.socket() as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", PORT))
        srv.listen()
        srv.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("battery") / "course"
    root.mkdir()
    for name in ("grading", "tools"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions" / A, root / "solutions" / A)
    config = (REPO / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + "\nc.Execute.timeout = 10\n")
    battery = kinds(root)
    for student, (content, _, _) in battery.items():
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        if isinstance(content, bytes):
            (folder / f"{A}.ipynb").write_bytes(content)
        elif isinstance(content, str):
            nbformat.write(solution(), str(folder / content))
        else:
            nbformat.write(_special(student, content or solution()), str(folder / f"{A}.ipynb"))
    before = {s: _tree_hash(root / "submitted" / s) for s in battery}
    solutions_before = _tree_hash(root / "solutions")
    stop, received = threading.Event(), []
    listener = threading.Thread(target=_listener, args=(stop, received), daemon=True)
    listener.start()
    proc = subprocess.run([sys.executable, str(root / "tools" / "course_admin.py"), "grade", "--root", str(root), "--jobs", "2"],
                          capture_output=True, text=True, timeout=1500)
    stop.set()
    listener.join()
    with open(root / "autograded" / "grading-report.csv") as fh:
        report = {row["student_id"]: row for row in csv.DictReader(fh)}
    return dict(root=root, proc=proc, report=report, battery=battery, before=before,
                solutions_before=solutions_before, received=received)


def test_battery_has_at_least_30_kinds(graded):
    assert len(graded["battery"]) >= 30
    assert graded["proc"].returncode == 0, graded["proc"].stderr[-3000:]
    assert set(graded["report"]) == set(graded["battery"])


@pytest.mark.parametrize("student", sorted(kinds(Path("/nonexistent"))))
def test_each_kind_gets_its_score_and_reason(graded, student):
    _, score, reason = graded["battery"][student]
    row = graded["report"][student]
    assert float(row["score"]) == score, (student, row)
    assert reason.lower() in row["reason"].lower(), (student, row)
    assert float(row["seconds"]) < 200


def test_grades_csv_has_everyone(graded):
    with open(graded["root"] / "grades.csv") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(graded["battery"])
    assert float(rows["good"]["score"]) == FULL


def test_no_submission_or_source_changed(graded):
    root = graded["root"]
    for student, digest in graded["before"].items():
        assert _tree_hash(root / "submitted" / student) == digest, student
    assert _tree_hash(root / "solutions") == graded["solutions_before"]
    assert (root / "gradebook.db").stat().st_size > 10_000


def test_nothing_outside_the_sandbox_was_read_or_written(graded):
    root = graded["root"]
    assert not graded["received"], "a submission reached a listener on 127.0.0.1"
    assert not (root / LEAK).exists() and not Path("/tmp", LEAK).exists() and not Path("/root", LEAK).exists()
    for folder in ("autograded", "feedback"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".html"):
                text = path.read_text(errors="replace")
                assert LEAK not in text, path


def test_no_process_outlives_grading(graded):
    marker = f"977{PORT}"
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path("/proc", pid, "cmdline").read_bytes().decode(errors="replace"):
                alive.append(pid)
        except OSError:
            pass
    assert not alive


def test_feedback_has_no_hidden_tests_and_is_small(graded):
    pages = list((graded["root"] / "feedback").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(errors="replace")
        assert "HIDDEN TESTS" not in text and "default_rng" not in text, page
        assert not re.search(r"__ffnn_probe\('[0-9a-f]{32}'", text) and "float.fromhex(" not in text, page
        assert page.stat().st_size < 6_000_000, page


def test_verdict_messages_reach_the_feedback(graded):
    page = next((graded["root"] / "feedback" / "transposed_weights").rglob("*.html")).read_text()
    assert "W1 transposed" in page


@pytest.mark.parametrize("student, said", [
    ("reads_secrets", "denied"), ("writes_gradebook", "denied"), ("overwrites_other", "denied"),
    ("network", "no network"), ("memory_hog", "memory limit"), ("fork_bomb", "process limit after"),
    ("big_file", "file limit")])
def test_hostile_code_ran_and_was_stopped_by_the_sandbox(graded, student, said):
    """The attempts really ran (their outputs are in the autograded notebook) and failed."""
    nb = nbformat.read(str(graded["root"] / "autograded" / student / A / f"{A}.ipynb"), as_version=4)
    texts = [str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", [])]
    assert any(said in t for t in texts), (student, texts)
