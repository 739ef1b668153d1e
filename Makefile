# The course's two commands are `make lab` and `make test`; everything else is for instructors
# and maintainers. Each target creates or updates .venv first, so a fresh clone needs only
# Python 3 (with its venv module) and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Re-install when the dependency list changes, not on every call.
STAMP_COURSE := $(VENV)/.stamp-course
STAMP_TEST   := $(VENV)/.stamp-test

.PHONY: help venv lab test test-lib test-notebooks release grade bench clean

help:
	@echo "make lab      set up .venv and open the course in JupyterLab"
	@echo "make test     set up .venv with the test tools and run every test"
	@echo "make release  regenerate exercises/ from solutions/ (nbgrader generate_assignment)"
	@echo "make grade    autograde everything under submitted/ and export grades.csv"
	@echo "make bench    run the benchmarks in bench/ and print their tables"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

$(STAMP_COURSE): pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[course]"
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[test]"
	touch $@ $(STAMP_COURSE)

venv: $(STAMP_COURSE)

lab: $(STAMP_COURSE)
	$(BIN)/jupyter lab course/00-start-here.ipynb

test: $(STAMP_TEST)
	$(PY) -m pytest tests course --nbval --nbval-sanitize-with course/sanitize.cfg $(PYTEST_ARGS)

test-lib: $(STAMP_TEST)
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-notebooks: $(STAMP_TEST)
	$(PY) -m pytest course --nbval --nbval-sanitize-with course/sanitize.cfg $(PYTEST_ARGS)

release: $(STAMP_COURSE)
	$(PY) -m nnlib.grading release

grade: $(STAMP_COURSE)
	$(PY) -m nnlib.grading grade

bench: $(STAMP_TEST)
	$(PY) -m pip install "torch==2.13.0" || echo "torch not installable here: benchmarks run without the PyTorch column"
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts
