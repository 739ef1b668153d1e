"""nbgrader configuration of the course (nbgrader 0.9).

The repository itself is the nbgrader course directory:

    solutions/<assignment>/<assignment>.ipynb   instructor version (source, with solutions and hidden tests)
    exercises/<assignment>/<assignment>.ipynb   student version, made only by `make release`
    submitted/<student>/<assignment>/...        collected submissions (git-ignored)
    autograded/, feedback/, gradebook.db        grading state (git-ignored)
    .intake/, .grading-secret                   repaired copies of submissions, seed of the points (git-ignored)

Instructors run `make release` and `make grade` (tools/course_admin.py); the plain nbgrader
commands work as well from the repository root. docs/instructors.md has the whole workflow.
"""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "ffnn"
c.CourseDirectory.root = _ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# The gradebook holds the hidden tests once `generate_assignment` has run; it lives beside the
# sources and is listed in .gitignore, so it never reaches the public repository.
# `timeout`: a grading worker waits for another's write instead of failing (make grade JOBS=N).
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_ROOT, "gradebook.db") + "?timeout=60"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every cell of the solutions runs in under 0.5 s on 2 cores (the heaviest are the set-up imports,
# the XOR training and the digits classifier). A student's slower but honest code and a loaded
# machine fit easily in 120 s; an endless loop is interrupted there and costs only its cell.
c.Execute.timeout = 120
# Autograde restores the source notebooks' kernelspec (python3); naming it here as well means
# a student's copy with a foreign kernelspec still runs on the course's kernel.
c.Execute.kernel_name = "python3"
# A student who deletes a test cell does not escape it: autograde puts it back from the gradebook.
c.OverwriteCells.add_missing_cells = True
# Keep a runaway print loop from producing a feedback page of megabytes.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Autograde runs each notebook in a bubblewrap sandbox (grading/sandbox.py) and decides the
# marks of graded test cells outside the student's kernel (grading/verdicts.py and the checks
# in grading/<assignment>.py). tools/course_admin.py checks first that a sandbox can be made.
import sys  # noqa: E402

if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
from grading.execute import SandboxExecute  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,  # noqa: E402
                                    LimitOutput, SaveAutoGrades)

c.Autograde.autograde_preprocessors = [SandboxExecute, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# The per-cell limit is Execute.timeout above (SandboxExecute inherits it); the whole notebook
# has a wall clock too, in seconds. Outputs are capped in bytes, with a note where cut.
c.SandboxExecute.notebook_timeout = 600
# Each student's grading-time points derive from this secret (made on first use, git-ignored);
# `make grade` and the formgrader both read it, so a regrade reproduces the marks.
c.SandboxExecute.seed_secret_file = os.path.join(_ROOT, ".grading-secret")
c.SandboxExecute.max_output_bytes = 1_000_000
c.SandboxExecute.max_notebook_output_bytes = 5_000_000
