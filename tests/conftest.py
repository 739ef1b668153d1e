"""Shared pytest set-up: a non-interactive matplotlib backend and float64 everywhere."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
