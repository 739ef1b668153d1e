"""nbgrader settings of the student view (loaded from JUPYTER_CONFIG_PATH by the Assignments tab).

On a class hub the exchange is the instructor's (FFNN_EXCHANGE, set by deploy/jupyterhub_config.py).
On a student's own machine (`make lab`, Binder) there is no instructor: the exchange is a
private one under the user's Jupyter data directory, created here so that the Assignments tab
lists what is released there (nothing, until you release into it) instead of failing with
"The exchange directory does not exist and could not be created".
"""
import os

from jupyter_core.paths import jupyter_data_dir

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "ffnn"
_exchange = os.environ.get("FFNN_EXCHANGE")
if _exchange is None:
    _exchange = os.path.join(jupyter_data_dir(), "nbgrader_exchange")
    # 0o700: on one's own machine nobody else submits; nbgrader needs it writable by the user
    os.makedirs(_exchange, mode=0o700, exist_ok=True)
c.Exchange.root = _exchange
