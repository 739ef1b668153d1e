"""Hostile and broken submissions do not stop a class from being graded.

One class hands in gradient-descent: a good submission and six bad ones (not JSON, an edited
test cell, a deleted test cell, an endless loop, a kernel that kills itself, a flood of
output). The instructor collects and runs `tools/course_admin.py grade` (what `make grade`
runs) with a 10-second cell timeout configured in the temporary course directory. Each bad
submission gets a clear result, everyone else is graded normally, and neither the sources nor
the gradebook's copy of the tests change.
"""
from __future__ import annotations

import csv
import hashlib
import subprocess
import sys

import pytest

from nbgrader_helpers import (COURSE_ID, ENV, REPO, cell_by_id, edit_answers, edit_notebook, fetch,
                              fill_in, make_course, nbgrader, read_grades_csv, solution_answers, submit)

pytestmark = pytest.mark.slow

A = "gradient-descent"
AUTO_POINTS = 6     # the written answer (2 points) waits for the instructor


def _tree_hash(path):
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _gradebook_sources(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, COURSE_ID) as gb:
        nb = gb.find_notebook(A, A)
        return {c.name: (c.source, c.checksum, c.locked) for c in nb.source_cells}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("bad"), [A], timeout=10)
    repo_before = _tree_hash(REPO / "solutions")
    nbgrader(["generate_assignment", A], cwd=course.root)
    nbgrader(["release_assignment", A], cwd=course.root)
    sources_before = _tree_hash(course.root / "solutions")
    gradebook_before = _gradebook_sources(course)
    good = solution_answers(A)

    def hand_in(student, answers=None, change=None, raw=None):
        notebook = fetch(course, A, student)
        if answers is not None:
            fill_in(notebook, answers)
        if change is not None:
            edit_notebook(notebook, change)
        if raw is not None:
            notebook.write_text(raw)
        submit(course, A, student)

    hand_in("good", good)
    hand_in("notjson", raw='{"cells": [ this is not JSON')

    def weaken_test(nb):
        cell_by_id(nb, "test_descent_step").source = "pass  # no tests here"
    no_clip = edit_answers(good, {"descent_step": [("if clip is not None and norm > clip:", "if False:")]})
    hand_in("edited", no_clip, change=weaken_test)

    def delete_test(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_steps_needed"]
    always_zero = edit_answers(good, {"steps_needed": [("x = float(x0)", "return 0")]})
    hand_in("deleted", always_zero, change=delete_test)

    endless = edit_answers(good, {"steps_needed": [("x = float(x0)", "while True:\n        pass")]})
    hand_in("loop", endless)

    dies = dict(good, descent_step="import os\nos._exit(1)")
    hand_in("exit", dies)

    flood = dict(good, descent_step="for i in range(20_000):\n    print('line', i)\n\n" + good["descent_step"])
    hand_in("huge", flood)

    nbgrader(["collect", A], cwd=course.root)
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "course_admin.py"), "grade", "--root", str(course.root)],
                          env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    with open(course.root / "autograded" / "grading-report.csv", newline="") as fh:
        report = {row["student_id"]: row for row in csv.DictReader(fh)}
    return {
        "course": course, "proc": proc, "report": report,
        "grades": read_grades_csv(course.root / "grades.csv"),
        "repo_before": repo_before, "sources_before": sources_before, "gradebook_before": gradebook_before,
    }


def _score(graded, student):
    return float(graded["grades"][(A, student)]["score"])


def test_grading_run_finishes_and_lists_everyone(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stdout[-4000:]
    assert {s for _, s in graded["grades"]} == {"good", "notjson", "edited", "deleted", "loop", "exit", "huge"}
    assert "graded 5 of 7 submissions" in graded["proc"].stdout


def test_good_submission_is_graded_normally(graded):
    assert _score(graded, "good") == AUTO_POINTS
    assert graded["report"]["good"]["status"] == "graded"


def test_invalid_json_scores_zero_with_a_reason(graded):
    assert _score(graded, "notjson") == 0
    row = graded["report"]["notjson"]
    assert row["status"] == "failed" and "not a valid notebook" in row["note"]


def test_edited_test_cell_is_restored_from_the_gradebook(graded):
    from nbgrader_helpers import grade_cell_scores

    scores = grade_cell_scores(graded["course"], A, "edited")
    assert scores["test_descent_step"] == (0.0, 2.0), "the real test must run and fail the unclipped step"
    assert _score(graded, "edited") == AUTO_POINTS - 2
    graded_nb = (graded["course"].root / "autograded" / "edited" / A / f"{A}.ipynb").read_text()
    assert "no tests here" not in graded_nb


def test_deleted_test_cell_is_added_back(graded):
    from nbgrader_helpers import grade_cell_scores

    scores = grade_cell_scores(graded["course"], A, "deleted")
    assert scores["test_steps_needed"] == (0.0, 2.0)
    assert _score(graded, "deleted") == AUTO_POINTS - 2
    graded_nb = (graded["course"].root / "autograded" / "deleted" / A / f"{A}.ipynb").read_text()
    assert "was missing from the submission" in graded_nb


def test_endless_loop_times_out_and_costs_only_its_cell(graded):
    from nbgrader_helpers import grade_cell_scores

    scores = grade_cell_scores(graded["course"], A, "loop")
    assert scores["test_steps_needed"] == (0.0, 2.0)
    assert _score(graded, "loop") == AUTO_POINTS - 2
    feedback = (graded["course"].root / "feedback" / "loop" / A / f"{A}.html").read_text()
    assert "KeyboardInterrupt" in feedback or "CellTimeoutError" in feedback


def test_kernel_death_scores_zero_with_a_reason(graded):
    assert _score(graded, "exit") == 0
    row = graded["report"]["exit"]
    assert row["status"] == "failed" and "killed its Python kernel" in row["note"]
    assert "killed its Python kernel" in graded["proc"].stdout


def test_huge_output_is_truncated_and_graded(graded):
    assert _score(graded, "huge") == AUTO_POINTS
    graded_nb = graded["course"].root / "autograded" / "huge" / A / f"{A}.ipynb"
    assert graded_nb.stat().st_size < 200_000
    assert "Output truncated" in graded_nb.read_text()


def test_sources_and_gradebook_tests_unchanged(graded):
    course = graded["course"]
    assert _tree_hash(REPO / "solutions") == graded["repo_before"]
    assert _tree_hash(course.root / "solutions") == graded["sources_before"]
    assert _gradebook_sources(course) == graded["gradebook_before"]
