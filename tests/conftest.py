"""Shared pytest set-up: a non-interactive matplotlib backend for this process only.

The backend is chosen with ``matplotlib.use`` and *not* through the ``MPLBACKEND``
environment variable: ``make test`` runs the course notebooks under nbval in the same
session, and their kernels inherit the environment. With MPLBACKEND=Agg they would show no
inline figures and nbval would report missing outputs.
"""
import matplotlib

matplotlib.use("Agg")

# Notebooks under tests/ are fixtures that tests open themselves (e.g. the browser test's demo
# notebook); `make test` passes --nbval, which must not collect them as notebooks to check.
collect_ignore_glob = ["browser/*.ipynb", "data/*.ipynb", "fixtures/*.ipynb"]
