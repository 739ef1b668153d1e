"""What grading costs: the sandbox's overhead per notebook, and a class at JOBS=1 and JOBS=2.

    .venv/bin/python bench/bench_grading.py [--students 100] [--repeats 5] [--assignment neurons]
    .venv/bin/python bench/bench_grading.py --quick        # 10 students, 3 repeats

Both parts grade in a scratch copy of the course (nbgrader_config.py, grading/, tools/,
solutions/<assignment>) through tools/course_admin.py, i.e. what `make grade` runs.
Part 1 grades one solved submission `--repeats` times in the bubblewrap sandbox and as many
times with `--unsafe-no-sandbox` (same kernel, same trusted checks) and prints the median
seconds of each and the difference: the sandbox's overhead per notebook (goal <= 0.5 s).
Part 2 grades a class of `--students` solved submissions with --jobs 1 and with --jobs 2 and
prints the wall-clock seconds and the speed-up (goal on 2 cores: >= 1.7x).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def scratch_course(base: Path, assignment: str, students: int) -> Path:
    root = base / "course"
    root.mkdir()
    for name in ("grading", "tools"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for k in range(students):
        folder = root / "submitted" / f"student{k:03d}" / assignment
        folder.mkdir(parents=True)
        shutil.copy(REPO / "solutions" / assignment / f"{assignment}.ipynb", folder)
    return root


def grade(root: Path, *args) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(root / "tools" / "course_admin.py"), "grade",
                           "--root", str(root), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"grading failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def per_notebook(root: Path, unsafe: bool) -> float:
    """Seconds the report gives for the one student (the notebook, not the process start)."""
    grade(root, "--jobs", "1", *(["--unsafe-no-sandbox"] if unsafe else []))
    rows = (root / "autograded" / "grading-report.csv").read_text().splitlines()[1:]
    return float(rows[0].rsplit(",", 1)[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--assignment", default="neurons")
    parser.add_argument("--quick", action="store_true", help="10 students, 3 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.students, args.repeats = 10, 3
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        (Path(tmp) / "one").mkdir()
        one = scratch_course(Path(tmp) / "one", args.assignment, 1)
        sandboxed, unsafe = [], []
        for _ in range(args.repeats):  # interleaved, so load changes hit both alike
            sandboxed.append(per_notebook(one, unsafe=False))
            unsafe.append(per_notebook(one, unsafe=True))
        s, u = statistics.median(sandboxed), statistics.median(unsafe)
        print(f"grading one solved {args.assignment} notebook (median of {args.repeats}, seconds)")
        print(f"{'sandboxed':<28}{s:>8.2f}\n{'unsandboxed':<28}{u:>8.2f}")
        print(f"{'sandbox overhead':<28}{s - u:>8.2f}   (goal <= 0.5)")

        (Path(tmp) / "class").mkdir()
        cls = scratch_course(Path(tmp) / "class", args.assignment, args.students)
        t1 = grade(cls, "--jobs", "1")
        t2 = grade(cls, "--jobs", "2")
        print(f"\na class of {args.students} x {args.assignment}, end to end (seconds)")
        print(f"{'JOBS=1':<28}{t1:>8.1f}\n{'JOBS=2':<28}{t2:>8.1f}")
        print(f"{'speed-up':<28}{t1 / t2:>8.2f}x  (goal >= 1.7 on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
