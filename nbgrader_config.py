"""nbgrader configuration of the course (nbgrader 0.9).

The repository itself is the nbgrader course directory:

    solutions/<assignment>/<assignment>.ipynb   instructor version (source, with solutions and hidden tests)
    exercises/<assignment>/<assignment>.ipynb   student version, made only by `make release`
    submitted/<student>/<assignment>/...        collected submissions (git-ignored)
    autograded/, feedback/, gradebook.db        grading state (git-ignored)

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
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_ROOT, "gradebook.db")

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The heaviest graded cell is the digits classifier of losses-and-classification: about
# 5 s on 2 cores when NBGRADER_EXECUTION is set. The margin covers slow CI machines.
c.Execute.timeout = 120
# Autograde restores the source notebooks' kernelspec (python3); naming it here as well means
# a student's copy with a foreign kernelspec still runs on the course's kernel.
c.Execute.kernel_name = "python3"
# A student who deletes a test cell does not escape it: autograde puts it back from the gradebook.
c.OverwriteCells.add_missing_cells = True
# Keep a runaway print loop from producing a feedback page of megabytes.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60
