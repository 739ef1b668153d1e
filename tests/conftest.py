"""Shared pytest set-up: a non-interactive matplotlib backend for this process only.

The backend is chosen with ``matplotlib.use`` and *not* through the ``MPLBACKEND``
environment variable: ``make test`` runs the course notebooks under nbval in the same
session, and their kernels inherit the environment. With MPLBACKEND=Agg they would show no
inline figures and nbval would report missing outputs.
"""
import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# Property tests: no wall-clock deadline (a loaded 2-core CI machine is slow, not wrong), and in
# CI the same examples every run, so a red build is reproducible; locally they vary, to search.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Notebooks under tests/ are fixtures that tests open themselves (e.g. the browser test's demo
# notebook); `make test` passes --nbval, which must not collect them as notebooks to check.
collect_ignore_glob = ["browser/*.ipynb", "data/*.ipynb", "fixtures/*.ipynb"]
