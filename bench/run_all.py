"""Run every benchmark in bench/ one after another and print their tables (``make bench``).

Each script is a separate process, so one benchmark's threads, caches and memory do not
colour the next one's timings. Extra arguments are passed to every script (e.g. ``--quick``
where a script supports it is best given by running that script directly).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Order: library first (what the labs and graders build on), then labs, then grading.
SCRIPTS = ["bench_sgd.py", "bench_scaling.py", "bench_digits.py", "bench_labs.py", "bench_labs_browser.py",
           "bench_grading.py"]
# bench_scaling's linear fit is only clean when large temporaries are not returned to the OS
# after every call (see bench/README.md).
ENV = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "134217728", "MALLOC_TRIM_THRESHOLD_": "268435456"}


def main() -> int:
    failed = []
    for name in SCRIPTS:
        print(f"\n=== {name} " + "=" * (70 - len(name)), flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / name)], env=ENV, cwd=HERE.parent)
        print(f"--- {name} finished in {time.perf_counter() - start:.1f} s (exit {proc.returncode})", flush=True)
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
        return 1
    print("\nall benchmarks ran; copy their tables into bench/README.md, docs/labs.md and docs/instructors.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
