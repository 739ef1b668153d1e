"""The instructor's two commands: `make release` and `make grade` (docs/instructors.md).

    python tools/course_admin.py release [ASSIGNMENT ...]   regenerate exercises/ from solutions/
    python tools/course_admin.py grade   [ASSIGNMENT ...]   autograde submitted/, feedback, grades.csv
                                       [--jobs N]         ... N students at once (default: every core)
                                       [--unsafe-no-sandbox] ... without bubblewrap (student code runs as you)

Both drive nbgrader through its Python API (nbgrader.apps.NbGraderAPI) with the course
configuration in nbgrader_config.py of the course directory (`--root`, default: this
repository). `grade` copies each submission to .intake/ and repairs it there (grading/intake.py),
autogrades it in a bubblewrap sandbox with marks decided by grading/<assignment>.py, and
writes its feedback page; one broken notebook costs that student the notebook or the cell
and nothing else. Every submission is listed with score, status, reason and seconds on
screen and in autograded/grading-report.csv; everyone's grades go to grades.csv.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
ASSIGNMENTS = ("neurons", "expressive-power", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification", "perceptron",
               "training-in-practice")

# nbgrader creates its gradebook with the `alembic` command; make the one beside this Python
# findable even when the virtual environment is not activated (make calls .venv/bin/python).
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


def load_api(root: Path, extra=None):
    """An NbGraderAPI configured by <root>/nbgrader_config.py, with root as course directory."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config_file = root / "nbgrader_config.py"
    if not config_file.is_file():
        raise SystemExit(f"no nbgrader_config.py in the course directory {root}")
    config = PyFileConfigLoader(config_file.name, path=str(root)).load_config()
    here = Config()
    here.CourseDirectory.root = str(root)
    config.merge(here)
    if extra is not None:
        config.merge(extra)
    return NbGraderAPI(config=config)


def _failure_reason(log: str) -> str:
    """One line saying why nbgrader could not grade a notebook, from its captured log."""
    checks = [
        (("NotJSONError", "JSONDecodeError", "does not appear to be JSON", "Notebook does not appear"),
         "the submitted file is not a valid notebook (not JSON); graded 0"),
        (("DeadKernelError", "Kernel died", "kernel died"),
         "the notebook killed its Python kernel (e.g. os._exit or a crash); graded 0"),
        (("UnresponsiveKernelError", "could not interrupt"),
         "the kernel stopped responding (a loop that could not be interrupted); graded 0"),
        (("ValidationError", "SchemaTooOld", "SchemaTooNew"),
         "the notebook's structure or nbgrader metadata is broken; graded 0"),
    ]
    for needles, reason in checks:
        if any(needle in log for needle in needles):
            return reason
    last = [line for line in log.strip().splitlines() if line.strip()][-1:] or ["unknown error"]
    return f"nbgrader could not grade the notebook ({last[0].strip()[:200]}); graded 0"


def release(root: Path, names) -> int:
    api = load_api(root)
    for name in names:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            print(result.get("log", ""), result.get("error", ""), sep="\n", file=sys.stderr)
            print(f"release of {name} failed", file=sys.stderr)
            return 1
        print(f"exercises/{name}: generated from solutions/{name}")
    return 0


def submissions(root: Path, names=None):
    """(assignment, student) pairs found under <root>/submitted/<student>/<assignment>/."""
    found = []
    base = root / "submitted"
    if not base.is_dir():
        return found
    for student_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            if names and assignment_dir.name not in names:
                continue
            found.append((assignment_dir.name, student_dir.name))
    return found


def _secret(root: Path) -> str:
    """The course's grading secret (git-ignored): each student's points derive from it."""
    from grading.verdicts import course_secret
    return course_secret(root / ".grading-secret")


def _grade_student(root: Path, student: str, names, secret: str, unsafe: bool):
    """Grade one student's assignments (a worker process); report rows."""
    from grading.intake import take_in
    from traitlets.config import Config

    rows = []
    for name in names:
        start = time.monotonic()
        intake = take_in(root / "submitted" / student / name, root / ".intake" / student / name, name,
                         root / "solutions" / name / f"{name}.ipynb")
        extra = Config()
        extra.CourseDirectory.submitted_directory = ".intake"
        extra.SandboxExecute.seed_secret = secret
        extra.SandboxExecute.unsafe_no_sandbox = unsafe
        api = load_api(root, extra)
        result = api.autograde(name, student, force=True, create=True)
        text = (result.get("log") or "") + "\n" + (result.get("error") or "")
        if result["success"]:
            api.generate_feedback(name, student_id=student, force=True)
        reasons = ([intake.error] if intake.error else []) + intake.notes + _notebook_notes(root, student, name)
        if not result["success"] and not intake.error:
            reasons.append(_failure_reason(text))
        status = "graded" if result["success"] and not intake.error and not intake.notes and not reasons else "needs attention"
        rows.append((name, student, status, "; ".join(reasons), round(time.monotonic() - start, 2)))
    return rows


def _notebook_notes(root: Path, student: str, name: str) -> list:
    """What the autograded notebook says went wrong while it ran (timeouts, restarts, cuts)."""
    import nbformat
    path = root / "autograded" / student / name / f"{name}.ipynb"
    if not path.is_file():
        return []
    notes = []
    for cell in nbformat.read(str(path), as_version=4).cells:
        for out in cell.get("outputs", []):
            if out.get("ename") in ("CellTimeoutError", "NotebookTimeout"):
                notes.append("a cell ran out of time" if out["ename"] == "CellTimeoutError"
                             else "the notebook ran out of time")
            elif out.get("output_type") == "stream" and str(out.get("text", "")).startswith("The kernel ignored"):
                notes.append("the kernel ignored an interrupt and was restarted")
            elif out.get("output_type") == "stream" and str(out.get("text", "")).startswith("The kernel died"):
                notes.append("a cell ended the kernel, which was restarted")
            elif out.get("output_type") == "stream" and str(out.get("text", "")).startswith("[output of"):
                notes.append("output cut to the size limit")
    return sorted(set(notes))


_NO_SANDBOX = ("make grade runs every submission in a bubblewrap sandbox, and none can be made here: {why}.\n"
               "Install it with `apt-get install bubblewrap` (Debian/Ubuntu), or grade WITHOUT a sandbox - "
               "student code then runs with your rights - with `make grade UNSAFE=1` "
               "(tools/course_admin.py grade --unsafe-no-sandbox).")


def _prepare_gradebook(api, pairs) -> bool:
    """Generate (idempotent) the assignments the gradebook lacks - autograde restores the tests
    from it - and create the students, serially, so that the workers only add their own rows."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.course_id) as gb:
        known = {a.name for a in gb.assignments}
    for name in sorted({a for a, _ in pairs} - known):
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            print(result.get("error", ""), file=sys.stderr)
            return False
    with Gradebook(api.coursedir.db_url, api.course_id) as gb:
        for student in sorted({s for _, s in pairs}):
            gb.update_or_create_student(student)
    return True


def _run_workers(root: Path, pairs, jobs: int, unsafe: bool) -> list:
    """Report rows of every submission, each student's graded by one of `jobs` processes."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    by_student: dict = {}
    for name, student in pairs:
        by_student.setdefault(student, []).append(name)
    secret = _secret(root)
    if jobs == 1 or len(by_student) <= 1:
        return sorted(row for student, todo in by_student.items()
                      for row in _grade_student(root, student, todo, secret, unsafe))
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_grade_student, root, student, todo, secret, unsafe)
                   for student, todo in by_student.items()]
        return sorted(row for future in futures for row in future.result())


def _export(api, root: Path, report, export_to: str):
    """grades.csv through nbgrader's exporter; (score, max score) of each reported submission."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.plugins import CsvExportPlugin

    out = Path(export_to) if Path(export_to).is_absolute() else root / export_to
    scores = {}
    with Gradebook(api.coursedir.db_url, api.course_id) as gb:
        for name, student, *_ in report:
            try:
                sub = gb.find_submission(name, student)
                scores[(name, student)] = (sub.score, sub.max_score)
            except MissingEntry:
                scores[(name, student)] = (0.0, gb.find_assignment(name).max_score)
        CsvExportPlugin(to=str(out)).export(gb)
    return scores, out


def _write_report(root: Path, report, scores) -> Path:
    path = root / "autograded" / "grading-report.csv"
    path.parent.mkdir(exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "student_id", "score", "max_score", "status", "reason", "seconds"])
        for name, student, status, reason, seconds in report:
            writer.writerow([name, student, *scores[(name, student)], status, reason, seconds])
    return path


def grade(root: Path, names, export_to: str = "grades.csv", jobs: int | None = None,
          unsafe: bool = False) -> int:
    from grading import sandbox

    if not unsafe:
        ok, why = sandbox.sandbox_works()
        if not ok:
            print(_NO_SANDBOX.format(why=why), file=sys.stderr)
            return 2
    api = load_api(root)
    pairs = submissions(root, names)
    if not pairs:
        print(f"nothing to grade: no submitted/<student>/<assignment>/ folders under {root}")
    if not _prepare_gradebook(api, pairs):
        return 1
    jobs = max(1, jobs or os.cpu_count() or 1)
    report = _run_workers(root, pairs, jobs, unsafe)
    scores, out = _export(api, root, report, export_to)
    report_path = _write_report(root, report, scores)

    print(f"{'assignment':<28}{'student':<16}{'score':>8}  {'status':<16}reason")
    for name, student, status, reason, _ in report:
        score, max_score = scores[(name, student)]
        print(f"{name:<28}{student:<16}{f'{score:g}/{max_score:g}':>8}  {status:<16}{reason}")
    attention = sum(1 for r in report if r[2] != "graded")
    print(f"graded {len(report)} submissions with {jobs} job(s)"
          f"{' WITHOUT a sandbox' if unsafe else ' in sandboxes'}; grades in {out}; report in {report_path}")
    if attention:
        print(f"{attention} submission(s) need attention (reasons above)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("release", "grade"))
    parser.add_argument("assignments", nargs="*", help="default: all (release) / all submitted (grade)")
    parser.add_argument("--root", type=Path, default=REPO, help="course directory (default: the repository)")
    parser.add_argument("--to", default="grades.csv", help="grade export file (grade only)")
    parser.add_argument("--force", action="store_true",
                        help="(accepted for compatibility: every run grades every submission again)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (grade only; default: number of cores)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade WITHOUT the bubblewrap sandbox: student code runs with your rights")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    unknown = [a for a in args.assignments if args.command == "release" and not (root / "solutions" / a).is_dir()]
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}; solutions/ has {sorted(p.name for p in (root / 'solutions').iterdir())}")
    if args.command == "release":
        names = args.assignments or [a for a in ASSIGNMENTS if (root / "solutions" / a).is_dir()]
        return release(root, names)
    return grade(root, args.assignments, args.to, args.jobs, args.unsafe_no_sandbox)


if __name__ == "__main__":
    sys.exit(main())
