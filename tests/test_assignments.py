"""The assignment notebooks as files: solutions run, validate, and exercises/ is nbgrader's output.

Also the derivative checks of backprop-by-hand on their own: a correct closed form passes, each
usual mistake is diagnosed by name, and library gradients are refused.
"""
from __future__ import annotations

import importlib.util

import nbformat
import pytest
from nbclient import NotebookClient

from nbgrader_helpers import ASSIGNMENTS, REPO, ENV, make_course, normalised  # noqa: F401  (ENV sets PATH)

import sys
sys.path.insert(0, str(REPO))
from grading.verdicts import load_checks  # noqa: E402


COURSE_NOTEBOOKS = {"neurons": {"01", "02"}, "expressive-power": {"03"}, "gradient-descent": {"05"},
                    "backprop-by-hand": {"06"}, "backprop-algorithm": {"07"}, "losses-and-classification": {"08", "09"},
                    "perceptron": {"04"}, "training-in-practice": {"10"}}


def _notebook(kind, name):
    return REPO / kind / name / f"{name}.ipynb"


def _load_tools_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- the files ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_executes_without_errors(name):
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(_notebook("solutions", name).parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_has_intro_link_points_and_hidden_tests(name):
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    assert "../../course/" in nb.cells[0].source, "the first cell links the course notebook it practises"
    metas = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    graded = [m for m in metas if m["grade"]]
    assert graded and all(m["points"] > 0 and m["schema_version"] == 3 for m in graded)
    assert len({m["grade_id"] for m in metas}) == len(metas), "grade ids must be unique"
    code_tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    checks = load_checks(name)
    # the assignment tests more than it shows: hidden tests in a cell, or trusted checks
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in code_tests) or checks
    for c in code_tests:
        gid = c.metadata["nbgrader"]["grade_id"]
        assert not (gid in checks and "### BEGIN HIDDEN TESTS" in c.source), f"{name}: {gid} is checked twice"
    for link in [part.split(")")[0] for part in nb.cells[0].source.split("](")[1:]]:
        target = (_notebook("solutions", name).parent / link).resolve()
        assert target.parent == REPO / "course" and target.is_file(), f"{name}: broken link {link}"
        # the links follow the notebook <-> assignment table of docs/design.md
        assert COURSE_NOTEBOOKS[name] & {target.name[:2]}, f"{name} links {target.name}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_metadata_is_consistent(name):
    """What the Create Assignment toolbar should leave behind; catches hand edits that break it."""
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    ids = [c.get("id") for c in nb.cells]
    assert len(set(ids)) == len(ids), "cell ids must be unique"
    for c in nb.cells:
        meta = c.metadata.get("nbgrader")
        if meta is None:
            assert "### BEGIN SOLUTION" not in c.source and "### BEGIN HIDDEN TESTS" not in c.source, (
                f"{name}: a cell with solution or test markers has no nbgrader metadata")
            continue
        gid = meta.get("grade_id", "")
        assert gid and gid.replace("_", "").replace("-", "").isalnum(), f"{name}: bad grade id {gid!r}"
        assert meta.get("schema_version") == 3
        assert isinstance(meta.get("grade"), bool) and isinstance(meta.get("solution"), bool)
        if meta["grade"]:
            assert isinstance(meta.get("points"), (int, float)) and meta["points"] > 0, f"{name}/{gid}: points"
        else:
            assert "points" not in meta or not meta["points"], f"{name}/{gid}: points on an ungraded cell"
        if meta["grade"] and not meta["solution"]:
            assert meta.get("locked") and c.cell_type == "code", f"{name}/{gid}: a test cell must be locked code"
        if meta["solution"]:
            assert not meta.get("locked"), f"{name}/{gid}: an answer cell cannot be locked"
            if c.cell_type == "code":
                assert "### BEGIN SOLUTION" in c.source, f"{name}/{gid}: answer cell without a solution region"
    # the checks of grading/<assignment>.py grade cells that exist
    graded = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert set(load_checks(name)) <= graded, f"grading/{name}.py checks cells the notebook lacks"


@pytest.mark.parametrize("name", ["expressive-power", "gradient-descent"])
def test_manually_graded_written_answer(name):
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    written = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert written and all(c.metadata["nbgrader"]["solution"] for c in written)


def test_validate_passes_on_solutions_and_fails_on_unanswered_exercises():
    from nbgrader.validator import Validator

    validator = Validator()
    for name in ASSIGNMENTS:
        result = validator.validate(str(_notebook("solutions", name)))
        assert result == {}, f"solutions/{name}: {result}"
        result = validator.validate(str(_notebook("exercises", name)))
        assert result.get("failed"), f"exercises/{name} passed validation without answers"
        unanswered = ("NotImplementedError", "NameError", "You did not provide a response")
        assert all(any(u in f["raw_error"] for u in unanswered) for f in result["failed"]), \
            f"exercises/{name}: an unanswered notebook must fail only for missing answers"


def test_exercises_equal_fresh_generate_assignment(tmp_path):
    course_admin = _load_tools_module("course_admin", REPO / "tools" / "course_admin.py")
    course = make_course(tmp_path, ASSIGNMENTS)
    assert course_admin.release(course.root, list(ASSIGNMENTS)) == 0
    for name in ASSIGNMENTS:
        fresh = course.root / "exercises" / name / f"{name}.ipynb"
        assert normalised(fresh) == normalised(_notebook("exercises", name)), (
            f"exercises/{name} differs from `nbgrader generate_assignment`: run `make release`")
    assert sorted(p.name for p in (REPO / "exercises").iterdir()) == sorted(ASSIGNMENTS)


def test_exercises_hide_solutions_and_hidden_tests():
    for name in ASSIGNMENTS:
        text = _notebook("exercises", name).read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"exercises/{name} contains {marker}"
        assert "raise NotImplementedError()" in text


def test_the_shared_check_cell_is_the_graders_module():
    """backprop-by-hand's read-only helper cell (the student's visible checks) and the grader's
    trusted side share grading/cells/backprop_by_hand.py: the cell must be that file, verbatim."""
    nb = nbformat.read(_notebook("solutions", "backprop-by-hand"), as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "network_and_checks"]
    shared = (REPO / "grading" / "cells" / "backprop_by_hand.py").read_text()
    assert len(cells) == 1 and cells[0].source.strip() == shared.strip(), (
        "solutions/backprop-by-hand's cell network_and_checks differs from grading/cells/backprop_by_hand.py: "
        "paste the file into the cell (or the cell into the file), then `make solutions` and `make release`")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_are_committed_with_outputs(name):
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), (
        f"solutions/{name} is stored unexecuted: run `make solutions`")
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


# ---- the derivative checks of backprop-by-hand -----------------------------------------------
@pytest.fixture(scope="module")
def bbh():
    """The read-only helper cell of backprop-by-hand, run as a notebook would run it."""
    ns = {"__name__": "__main__"}
    exec(compile((REPO / "grading" / "cells" / "backprop_by_hand.py").read_text(), "<helper cell>", "exec"), ns)
    return ns


def _define(ns, src):
    exec(compile(src, "<student cell>", "exec"), ns)


CORRECT = {
    "t_z": "2 * (N - z) * N * (1 - N)",
    "w_1z": "2 * (N - z) * N * (1 - N) * o_1",
    "t_1": "2 * (N - z) * N * (1 - N) * p['w_1z'] * o_1 * (1 - o_1)",
    "w_x1": "2 * (N - z) * N * (1 - N) * p['w_1z'] * o_1 * (1 - o_1) * x",
    "w_y1": "2 * (N - z) * N * (1 - N) * p['w_1z'] * o_1 * (1 - o_1) * y",
    "w_x2": "2 * (N - z) * N * (1 - N) * p['w_2z'] * o_2 * (1 - o_2) * x",
}


def _student(ns, name, expr):
    _define(ns, f"def student(p, x, y, z):\n    o_1, o_2, N = forward(p, x, y)\n    return {expr}\n")
    return ns["student"]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_closed_forms_pass_at_random_points(bbh, name):
    for _ in range(5):
        bbh["check_derivative"](_student(bbh, name, CORRECT[name]), name, n_points=5, seed=None)


@pytest.mark.parametrize("name, expr, diagnosis", [
    ("t_z", "(N - z) * N * (1 - N)", "factor 2 from the square is missing"),
    ("w_1z", "2 * (z - N) * N * (1 - N) * o_1", "sign is flipped"),
    ("t_1", "2 * (N - z) * N * (1 - N) * p['w_1z']", "sigmoid derivative of hidden unit 1"),
    ("t_z", "2 * (N - z)", "sigmoid derivative of the output unit"),
    ("w_x1", "2 * (N - z) * N * (1 - N) * o_1 * o_1 * (1 - o_1) * x", "o_1 is used where the weight w_1z belongs"),
    ("w_y1", "2 * (N - z) * N * (1 - N) * p['w_2z'] * o_2 * (1 - o_2) * x", "indices are transposed"),
    ("w_1z", "2 * (N - z) * N * (1 - N) * o_2", "derivative with respect to w_2z"),
    ("w_x1", "2 * (N - z) * N * (1 - N) * p['w_1z'] * o_1 * (1 - o_1) * x * 1.001", "no usual mistake matches"),
])
def test_wrong_closed_forms_fail_with_a_diagnosis(bbh, name, expr, diagnosis):
    with pytest.raises(AssertionError, match=diagnosis):
        bbh["check_derivative"](_student(bbh, name, expr), name, n_points=5, seed=None)


def test_library_gradients_are_refused(bbh):
    import nnlib
    from nnlib.backprop import gradients

    net_src = (
        "def _net(p):\n"
        "    W = [np.array([[p['w_x1'], p['w_x2']], [p['w_y1'], p['w_y2']]]), np.array([[p['w_1z']], [p['w_2z']]])]\n"
        "    b = [np.array([p['t_1'], p['t_2']]), np.array([p['t_z']])]\n"
        "    return nnlib.Network(W, b, 'sigmoid')\n")
    ns = dict(bbh, nnlib=nnlib, gradients=gradients)
    _define(ns, net_src + (
        "def helper(p, x, y, z):\n"
        "    E, g = gradients(_net(p), np.array([[x, y]]), np.array([[z]]), loss='sse')\n"
        "    return g.db[1][0]\n"
        "def student(p, x, y, z):\n"
        "    return helper(p, x, y, z)\n"))
    # the library's value is right: only the rule against library gradients can fail it
    p, x, y, z, g = bbh["draw_points"](1, seed=3)[0]
    assert abs(ns["student"](p, x, y, z) - g["t_z"]) < 1e-7
    with pytest.raises(AssertionError, match="refers to nnlib.backprop.gradients"):
        bbh["check_derivative"](ns["student"], "t_z", seed=None)

    # through the module attribute, resolved only at call time
    _define(ns, "def student(p, x, y, z):\n"
                "    mod = __import__('nnlib.gradcheck', fromlist=['x'])\n"
                "    f = lambda v: error(dict(p, t_z=float(v[0])), x, y, z)\n"
                "    return float(getattr(mod, 'numerical_gradient')(f, np.array([p['t_z']]))[0])\n")
    with pytest.raises(AssertionError, match="calls (nnlib.gradcheck.numerical_gradient|error)"):
        bbh["check_derivative"](ns["student"], "t_z", seed=None)
    assert nnlib.gradcheck.numerical_gradient.__module__ == "nnlib.gradcheck", "the guard must restore nnlib"

    # differentiating the notebook's error function by hand
    _define(ns, "def student(p, x, y, z):\n"
                "    h = 1e-6\n"
                "    return (error(dict(p, t_z=p['t_z'] + h), x, y, z) - error(dict(p, t_z=p['t_z'] - h), x, y, z)) / (2 * h)\n")
    with pytest.raises(AssertionError, match="calls error"):
        bbh["check_derivative"](ns["student"], "t_z", seed=None)
    assert ns["error"] is bbh["error"]


def test_points_are_drawn_fresh_and_keep_derivatives_away_from_zero(bbh):
    first, second = bbh["draw_points"](3, seed=None), bbh["draw_points"](3, seed=None)
    assert [pt[0] for pt in first] != [pt[0] for pt in second]
    for p, x, y, z, g in first + second:
        assert min(abs(v) for v in g.values()) > 1e-3


def test_sig_prime_check_diagnoses(bbh):
    bbh["check_sig_prime"](lambda s: bbh["sig"](s) * (1 - bbh["sig"](s)), seed=None)
    with pytest.raises(AssertionError, match="you wrote s"):
        bbh["check_sig_prime"](lambda s: s * (1 - s), seed=None)
    with pytest.raises(AssertionError, match="sig\\(s\\) itself"):
        bbh["check_sig_prime"](bbh["sig"], seed=None)


def test_heavy_cells_shrink_while_grading(monkeypatch):
    """The explore cells do less work when nbgrader sets NBGRADER_EXECUTION."""
    def explore_output(env_value):
        if env_value is None:
            monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
        else:
            monkeypatch.setenv("NBGRADER_EXECUTION", env_value)
        nb = nbformat.read(_notebook("solutions", "backprop-algorithm"), as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3").execute()
        cell = nb.cells[-1]
        assert "NBGRADER_EXECUTION" in cell.source
        return "".join(o.get("text", "") for o in cell.outputs)

    # backprop-algorithm's comparison of online and batch learning: 3 starts while grading, else 20
    assert explore_output("autograde").count("seed") == 3
    assert explore_output(None).count("seed") == 20
    for name in ASSIGNMENTS:
        nb = nbformat.read(_notebook("solutions", name), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "nbgrader" not in cell.metadata and ("epochs" in cell.source or "n_steps" in cell.source):
                assert "NBGRADER_EXECUTION" in cell.source, f"{name}: an explore cell ignores NBGRADER_EXECUTION"
