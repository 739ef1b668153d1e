"""The instructor's two commands: `make release` and `make grade` (docs/instructors.md).

    python tools/course_admin.py release [ASSIGNMENT ...]   regenerate exercises/ from solutions/
    python tools/course_admin.py grade   [ASSIGNMENT ...]   autograde submitted/, feedback, grades.csv
                                       [--force]          ... grading already graded ones again

Both drive nbgrader through its Python API (nbgrader.apps.NbGraderAPI) with the course
configuration in nbgrader_config.py of the course directory (`--root`, default: this
repository). `grade` grades each submission on its own, so one broken notebook (not JSON, a
kernel that dies, a timeout) costs that student the notebook and nothing else: the others
are graded, and the broken ones are listed with the reason on screen and in
autograded/grading-report.csv. The grades of everyone are exported to grades.csv.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("neurons", "expressive-power", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification")

# nbgrader creates its gradebook with the `alembic` command; make the one beside this Python
# findable even when the virtual environment is not activated (make calls .venv/bin/python).
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


def load_api(root: Path):
    """An NbGraderAPI configured by <root>/nbgrader_config.py, with root as course directory."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config_file = root / "nbgrader_config.py"
    if not config_file.is_file():
        raise SystemExit(f"no nbgrader_config.py in the course directory {root}")
    config = PyFileConfigLoader(config_file.name, path=str(root)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(root)
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


def grade(root: Path, names, export_to: str = "grades.csv", force: bool = False) -> int:
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.plugins import CsvExportPlugin

    api = load_api(root)
    pairs = submissions(root, names)
    if not pairs:
        print(f"nothing to grade: no submitted/<student>/<assignment>/ folders under {root}")
    assignments = sorted({a for a, _ in pairs})
    # autograde restores the tests from the gradebook: generate (idempotent) any assignment the
    # gradebook does not know yet, e.g. on a fresh clone.
    with Gradebook(api.coursedir.db_url, api.course_id) as gb:
        known = {a.name for a in gb.assignments}
    for name in assignments:
        if name not in known:
            result = api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                print(result.get("error", ""), file=sys.stderr)
                return 1

    report = []
    for name, student in pairs:
        result = api.autograde(name, student, force=force, create=True)
        if result["success"]:
            report.append((name, student, "graded", ""))
        else:
            text = (result.get("log") or "") + "\n" + (result.get("error") or "")
            report.append((name, student, "failed", _failure_reason(text)))
    for name in assignments:
        result = api.generate_feedback(name, force=True)
        if not result["success"]:
            print(f"feedback for {name}: {result.get('error', '')}", file=sys.stderr)

    with Gradebook(api.coursedir.db_url, api.course_id) as gb:
        scores = {}
        for name, student, status, _ in report:
            try:
                sub = gb.find_submission(name, student)
                scores[(name, student)] = (sub.score, sub.max_score)
            except MissingEntry:
                scores[(name, student)] = (0.0, None)
        out = Path(export_to)
        if not out.is_absolute():
            out = root / out
        CsvExportPlugin(to=str(out)).export(gb)

    (root / "autograded").mkdir(exist_ok=True)
    with open(root / "autograded" / "grading-report.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "student_id", "status", "score", "max_score", "note"])
        for name, student, status, note in report:
            score, max_score = scores[(name, student)]
            writer.writerow([name, student, status, score if status == "graded" else 0.0, max_score, note])

    print(f"{'assignment':<28}{'student':<16}{'score':>8}  note")
    for name, student, status, note in report:
        score, max_score = scores[(name, student)]
        shown = f"{score:g}/{max_score:g}" if status == "graded" and max_score else "0"
        print(f"{name:<28}{student:<16}{shown:>8}  {note}")
    failed = sum(1 for r in report if r[2] == "failed")
    print(f"graded {len(report) - failed} of {len(report)} submissions; grades in {out}; "
          f"report in {root / 'autograded' / 'grading-report.csv'}")
    if failed:
        print(f"{failed} submission(s) could not be graded and count as 0 (reasons above)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("release", "grade"))
    parser.add_argument("assignments", nargs="*", help="default: all (release) / all submitted (grade)")
    parser.add_argument("--root", type=Path, default=REPO, help="course directory (default: the repository)")
    parser.add_argument("--to", default="grades.csv", help="grade export file (grade only)")
    parser.add_argument("--force", action="store_true",
                        help="grade again submissions that were already autograded (grade only)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    unknown = [a for a in args.assignments if args.command == "release" and not (root / "solutions" / a).is_dir()]
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}; solutions/ has {sorted(p.name for p in (root / 'solutions').iterdir())}")
    if args.command == "release":
        names = args.assignments or [a for a in ASSIGNMENTS if (root / "solutions" / a).is_dir()]
        return release(root, names)
    return grade(root, args.assignments, args.to, args.force)


if __name__ == "__main__":
    sys.exit(main())
