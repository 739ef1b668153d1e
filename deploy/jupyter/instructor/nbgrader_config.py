"""nbgrader settings of the instructor view, on top of the student view's (exchange, course id).

On the class hub the instructor's server starts in their home, not in the course directory, so
the course's own nbgrader_config.py (course root, gradebook, grading settings and sandbox) is
loaded from FFNN_COURSE_DIR, set by deploy/jupyterhub_config.py. With `make lab-instructor`
the repository is the working directory and nbgrader finds its nbgrader_config.py there itself.
"""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

_course = os.environ.get("FFNN_COURSE_DIR")
if _course:
    load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # noqa: F821  (traitlets)
