"""Shared pytest set-up: a non-interactive matplotlib backend and float64 everywhere."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

# Notebooks under tests/ are fixtures that tests open themselves (e.g. the browser test's demo
# notebook); `make test` passes --nbval, which must not collect them as notebooks to check.
collect_ignore_glob = ["browser/*.ipynb", "data/*.ipynb", "fixtures/*.ipynb"]
