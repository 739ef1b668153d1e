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

.PHONY: help venv js lab lab-instructor hub test test-lib test-notebooks test-min notebooks solutions binder-freeze release grade bench clean

help:
	@echo "make lab      set up .venv and open the course in JupyterLab"
	@echo "make test     set up .venv with the test tools and run every test"
	@echo "make lab-instructor  the course in JupyterLab with nbgrader's instructor tools (formgrader)"
	@echo "make hub      (root) install and start the class JupyterHub of deploy/ (docs/deploy.md)"
	@echo "make release  regenerate exercises/ from solutions/ (nbgrader generate_assignment)"
	@echo "make grade    autograde everything under submitted/ and export grades.csv"
	@echo "make bench    run the benchmarks in bench/ and print their tables"
	@echo "make notebooks  re-execute course/*.ipynb in place (commit them with their outputs)"
	@echo "make js       rebuild nnlib/labs/frame_canvas.js from js/src (npm; commit the result)"

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

# The lab canvas's browser code is shipped built (nnlib/labs/frame_canvas.js), so students need
# no Node.js. Maintainers: `make js` after editing js/src; `make test` installs the pinned build
# tools when npm is there, and tests/test_labs_js.py checks the shipped bundle is current.
STAMP_JS := js/node_modules/.stamp
$(STAMP_JS): js/package.json js/package-lock.json
	cd js && npm ci --no-fund --no-audit --loglevel=error
	touch $@

js: $(STAMP_JS)
	cd js && npm run -s build

# Jupyter refuses to run as root unless told; containers often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

# The repository is the server's root (so exercises/ and the notebooks' relative links work);
# the browser opens on the start page. `lab` is the student view (deploy/jupyter/student: no
# formgrader or Create Assignment, a private nbgrader exchange under the Jupyter data dir);
# `lab-instructor` adds nbgrader's instructor tools on top of it. LAB_ARGS: extra options.
VIEWS := $(CURDIR)/deploy/jupyter
lab: $(STAMP_COURSE)
	JUPYTER_CONFIG_PATH=$(VIEWS)/student $(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=. \
	    --LabApp.default_url=/lab/tree/course/00-start-here.ipynb $(LAB_ARGS)

lab-instructor: $(STAMP_COURSE)
	JUPYTER_CONFIG_PATH=$(VIEWS)/instructor:$(VIEWS)/student $(BIN)/jupyter lab $(ALLOW_ROOT) \
	    --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/course/00-start-here.ipynb $(LAB_ARGS)

JS_TOOLS := $(if $(shell command -v npm 2>/dev/null),$(STAMP_JS),)
test: $(STAMP_TEST) $(JS_TOOLS)
	$(PY) -m pytest tests course solutions --nbval --nbval-sanitize-with course/sanitize.cfg $(PYTEST_ARGS)

test-lib: $(STAMP_TEST) $(JS_TOOLS)
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-notebooks: $(STAMP_TEST)
	$(PY) -m pytest course solutions --nbval --nbval-sanitize-with course/sanitize.cfg $(PYTEST_ARGS)

# Maintainers: the library and lab tests against the LOWEST versions pyproject.toml allows,
# in a separate venv, on the oldest Python we support when it is there (PYTHON_MIN).
PYTHON_MIN ?= $(PYTHON)
MIN_PINS := "numpy==1.26.4" "matplotlib==3.8.4" "ipywidgets==8.1.0" "anywidget==0.9.13" "pytest==8.0.0" "hypothesis==6.100.0" "nbformat==5.10.4"
test-min:
	rm -rf .venv-min
	$(PYTHON_MIN) -m venv .venv-min
	.venv-min/bin/python -m pip install -q -e . $(MIN_PINS)
	.venv-min/bin/python -m pytest tests -p no:cacheprovider -o addopts="" -W "ignore::DeprecationWarning" \
	    --ignore=tests/test_binder.py --ignore=tests/test_browser.py --ignore=tests/test_course.py \
	    --ignore=tests/test_assignments.py --ignore=tests/test_nbgrader_roundtrip.py \
	    --ignore=tests/test_bad_submissions.py --ignore=tests/test_sandbox.py --ignore=tests/test_grading_checks.py \
	    --ignore=tests/test_student_view.py --ignore=tests/test_hub.py --ignore=tests/test_deploy_config.py

# Maintainers: after editing a course notebook, store its fresh outputs for nbval.
notebooks: $(STAMP_TEST)
	$(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.record_timing=False --inplace course/*.ipynb

# Maintainers: re-pin binder/requirements.txt from a clean environment of the course extras.
binder-freeze:
	rm -rf /tmp/nnlib-binder-freeze && $(PYTHON) -m venv /tmp/nnlib-binder-freeze
	/tmp/nnlib-binder-freeze/bin/pip install -q -e ".[course]"
	{ echo "# Pinned environment for Binder (repo2docker). Regenerate with: make binder-freeze"; \
	  echo "# nnlib itself is installed by binder/postBuild from this repository."; \
	  /tmp/nnlib-binder-freeze/bin/pip freeze --exclude-editable; } > binder/requirements.txt

# Instructors, as root on the class's machine: install and start the class hub of deploy/
# (docs/deploy.md). ROSTER: a file with one student login per line; run again after editing it.
HUB_IP     ?= 127.0.0.1
HUB_PORT   ?= 8000
INSTRUCTOR ?= instructor
ROSTER     ?=
hub:
	FFNN_HUB_IP=$(HUB_IP) FFNN_HUB_PORT=$(HUB_PORT) FFNN_INSTRUCTOR=$(INSTRUCTOR) \
	    FFNN_ROSTER=$(if $(ROSTER),$(abspath $(ROSTER)),) $(PYTHON) deploy/hubctl.py up

# Instructors and maintainers: after editing a notebook in solutions/ (JupyterLab's Create
# Assignment toolbar, `make lab-instructor`), store its fresh outputs for nbval.
solutions: $(STAMP_TEST)
	$(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.record_timing=False --inplace solutions/*/*.ipynb

release: $(STAMP_COURSE)
	$(PY) tools/course_admin.py release $(ASSIGNMENTS)

# JOBS: submissions graded at once (default: every core). UNSAFE=1 grades without the
# bubblewrap sandbox (student code then runs with your rights; docs/instructors.md).
JOBS ?=
UNSAFE ?=
grade: $(STAMP_COURSE)
	$(PY) tools/course_admin.py grade $(if $(JOBS),--jobs $(JOBS),) $(if $(filter 1 yes true,$(UNSAFE)),--unsafe-no-sandbox,) $(ASSIGNMENTS)

bench: $(STAMP_TEST)
	@$(PY) -c "import torch" 2>/dev/null || echo "PyTorch is not installed: bench_sgd prints only nnlib's column (install a CPU build of torch, e.g. pip install -e '.[bench]', for the comparison)"
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts
