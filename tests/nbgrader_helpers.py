"""Shared machinery of the nbgrader tests: a temporary course and exchange, students who fetch,
fill in and submit, and readers for the gradebook, grades.csv and the feedback pages.

The instructor side runs the real `nbgrader` command line in the temporary course directory,
whose nbgrader_config.py executes the repository's configuration and then points the exchange
and the student cache into the temporary directory. Students fetch and submit through
nbgrader's exchange classes, the way the assignment-list extension of JupyterLab calls them
(one student per test also goes through the `nbgrader fetch_assignment` / `submit` commands).
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
COURSE_ID = "ffnn"
ASSIGNMENTS = ("neurons", "expressive-power", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification", "perceptron",
               "training-in-practice")
# nbgrader creates gradebooks with the `alembic` command that sits beside this Python
ENV = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
ENV.pop("NBGRADER_EXECUTION", None)
os.environ["PATH"] = ENV["PATH"]


def nbgrader(args, cwd, *, check=True, timeout=900):
    """Run `python -m nbgrader ARGS` in cwd; returns the CompletedProcess (output in .stdout)."""
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *map(str, args)], cwd=cwd, env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout[-6000:]}")
    return proc


@dataclass
class Course:
    root: Path
    exchange: Path
    cache: Path
    students: Path

    @property
    def db_url(self):
        return "sqlite:///" + str(self.root / "gradebook.db")

    def home(self, student):
        path = self.students / student
        path.mkdir(parents=True, exist_ok=True)
        return path


def make_course(tmp_path: Path, assignments, *, timeout=None, extra_config: str = "") -> Course:
    """A course directory with copies of solutions/<a> and a config that reuses the repository's."""
    root, exchange, cache, students = (tmp_path / n for n in ("course", "exchange", "cache", "students"))
    for path in (root, exchange, cache, students):
        path.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o777)
    for name in assignments:
        shutil.copytree(REPO / "solutions" / name, root / "solutions" / name)
    # the sandboxed execution and the trusted checks the configuration names
    shutil.copytree(REPO / "grading", root / "grading", ignore=shutil.ignore_patterns("__pycache__"))
    lines = [
        "# the repository's course settings, with this directory as the course root",
        f"exec(compile(open({str(REPO / 'nbgrader_config.py')!r}).read(), 'nbgrader_config.py', 'exec'))",
        f"c.Exchange.root = {str(exchange)!r}",
        f"c.Exchange.cache = {str(cache)!r}",
        "c.CollectApp.check_owner = False   # every test student is the same OS user",
    ]
    if timeout is not None:
        lines.append(f"c.Execute.timeout = {timeout}")
    lines.append(extra_config)
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    return Course(root, exchange, cache, students)


def _exchange_config(course: Course, assignment: str, student: str):
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.course_id = COURSE_ID
    cfg.CourseDirectory.assignment_id = assignment
    cfg.CourseDirectory.student_id = student
    cfg.Exchange.root = str(course.exchange)
    cfg.Exchange.cache = str(course.cache / student)
    cfg.Exchange.assignment_dir = str(course.home(student))
    return cfg


def _exchange_call(kind: str, course: Course, assignment: str, student: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    cfg = _exchange_config(course, assignment, student)
    coursedir = CourseDirectory(config=cfg)
    action = getattr(ExchangeFactory(config=cfg), kind)(
        coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg)
    action.start()


def fetch(course: Course, assignment: str, student: str, *, cli=False) -> Path:
    """The student fetches the released assignment; returns the path of their notebook copy."""
    if cli:
        nbgrader(["fetch_assignment", assignment, f"--course={COURSE_ID}",
                  f"--Exchange.root={course.exchange}", f"--Exchange.cache={course.cache / student}"],
                 cwd=course.home(student))
    else:
        _exchange_call("FetchAssignment", course, assignment, student)
    return course.home(student) / assignment / f"{assignment}.ipynb"


def submit(course: Course, assignment: str, student: str, *, cli=False):
    if cli:
        nbgrader(["submit", assignment, f"--course={COURSE_ID}", f"--student={student}",
                  f"--Exchange.root={course.exchange}", f"--Exchange.cache={course.cache / student}"],
                 cwd=course.home(student))
    else:
        _exchange_call("Submit", course, assignment, student)


# ---- answers --------------------------------------------------------------------------------
def strip_solution_markers(source: str) -> str:
    keep = [line for line in source.split("\n")
            if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line]
    return "\n".join(keep)


def solution_answers(assignment: str) -> dict:
    """grade_id -> what a student who solved the cell would have typed (solutions/ without markers)."""
    nb = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = strip_solution_markers(cell.source)
    return answers


def edit_answers(answers: dict, edits: dict) -> dict:
    """Apply {grade_id: [(old, new), ...]} to a copy of answers; every `old` must occur."""
    out = dict(answers)
    for grade_id, pairs in edits.items():
        for old, new in pairs:
            assert old in out[grade_id], f"{old!r} not in the answer of {grade_id}: the solution changed"
            out[grade_id] = out[grade_id].replace(old, new)
    return out


def fill_in(notebook: Path, answers: dict):
    """Write answers into the solution cells of a student's notebook, as a student would."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, notebook)


def edit_notebook(notebook: Path, change):
    """Apply change(nb) to a student's notebook and save it."""
    nb = nbformat.read(notebook, as_version=4)
    change(nb)
    nbformat.write(nb, notebook)


def cell_by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


# ---- instructor side ------------------------------------------------------------------------
def generate_and_release(course: Course, assignment: str):
    nbgrader(["generate_assignment", assignment, "--force"], cwd=course.root)
    nbgrader(["release_assignment", assignment, "--force"], cwd=course.root)


def grade_cell_scores(course: Course, assignment: str, student: str) -> dict:
    """grade_id -> (score, max_score) of every graded cell of the student's submission."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's lazy relationships make SQLAlchemy warn on read-only access; harmless here
        warnings.simplefilter("ignore")
        sub = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score) for g in sub.grades}


def submission_score(course: Course, assignment: str, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, COURSE_ID) as gb:
        sub = gb.find_submission(assignment, student)
        return sub.score, sub.max_score


def set_manual_scores(course: Course, assignment: str, student: str, scores: dict):
    """What an instructor does in formgrader: give points to manually graded answers."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, COURSE_ID) as gb:
        for grade_id, points in scores.items():
            grade = gb.find_grade(grade_id, assignment, assignment, student)
            grade.manual_score = points
        gb.db.commit()


def read_grades_csv(path: Path) -> dict:
    """(assignment, student_id) -> row of an `nbgrader export` CSV."""
    with open(path, newline="") as fh:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(fh)}


def feedback_html(course: Course, assignment: str, student: str) -> str:
    return (course.root / "feedback" / student / assignment / f"{assignment}.html").read_text()


def normalised(nb_path: Path) -> str:
    """Notebook JSON with volatile parts removed, for comparing two generated releases."""
    nb = json.loads(Path(nb_path).read_text())
    # Written by the kernel that last executed the notebook (its Python version), not by us.
    nb.get("metadata", {}).pop("language_info", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return json.dumps(nb, sort_keys=True, indent=1)
