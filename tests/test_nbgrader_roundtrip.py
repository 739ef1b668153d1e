"""The real nbgrader round trip in a temporary course and exchange, for all the assignments:

generate -> release -> fetch (as students) -> fill in -> submit -> collect -> autograde ->
generate feedback -> manual grades for written answers -> export grades.csv.

backprop-by-hand goes through the `nbgrader` command line from start to end (its first student
fetches and submits with the student commands, too); the other assignments go through
nbgrader's Python API (NbGraderAPI), as `make release` / `make grade` do. Every assignment gets
the solution (full marks) and the untouched release (0, without crashing the run);
backprop-by-hand, neurons and backprop-algorithm get plausible wrong submissions whose partial
credit and diagnostic feedback are asserted exactly.
"""
from __future__ import annotations

import html as htmllib
import importlib.util
import re

import pytest

from nbgrader_helpers import (ASSIGNMENTS, REPO, edit_answers, feedback_html, fetch, fill_in,
                              generate_and_release, grade_cell_scores, make_course, nbgrader,
                              read_grades_csv, set_manual_scores, solution_answers, submit)

# nbgrader's in-process API makes SQLAlchemy warn about its lazy relationships; nothing is lost
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Object of type:Warning")]

CLI_ASSIGNMENT = "backprop-by-hand"
WRITTEN = {"expressive-power": {"xor_explanation": 2}, "gradient-descent": {"clipping_explanation": 2}}
TOTAL = {"neurons": 10, "expressive-power": 10, "gradient-descent": 8, "backprop-by-hand": 9,
         "backprop-algorithm": 10, "losses-and-classification": 6,
         "perceptron": 8, "training-in-practice": 9}

NNLIB_CELLS = {
    # a student who lets nnlib do the differentiating: right numbers, wrong exercise
    "dE_dt_z": '''
import nnlib
from nnlib.backprop import gradients


def _library_gradient(p, x, y, z):
    W = [np.array([[p["w_x1"], p["w_x2"]], [p["w_y1"], p["w_y2"]]]), np.array([[p["w_1z"]], [p["w_2z"]]])]
    b = [np.array([p["t_1"], p["t_2"]]), np.array([p["t_z"]])]
    E, g = gradients(nnlib.Network(W, b, "sigmoid"), np.array([[x, y]]), np.array([[z]]), loss="sse")
    return {"w_x1": g.dW[0][0, 0], "w_x2": g.dW[0][0, 1], "w_y1": g.dW[0][1, 0], "w_y2": g.dW[0][1, 1],
            "w_1z": g.dW[1][0, 0], "w_2z": g.dW[1][1, 0], "t_1": g.db[0][0], "t_2": g.db[0][1], "t_z": g.db[1][0]}


def dE_dt_z(p, x, y, z):
    return _library_gradient(p, x, y, z)["t_z"]
''',
    "dE_dw_out": "def dE_dw_1z(p, x, y, z):\n    return _library_gradient(p, x, y, z)['w_1z']\n\n\n"
                 "def dE_dw_2z(p, x, y, z):\n    return _library_gradient(p, x, y, z)['w_2z']\n",
    "dE_dt_hidden": "def dE_dt_1(p, x, y, z):\n    return _library_gradient(p, x, y, z)['t_1']\n\n\n"
                    "def dE_dt_2(p, x, y, z):\n    return _library_gradient(p, x, y, z)['t_2']\n",
    "dE_dw_hidden": "".join(f"def dE_dw_{k}(p, x, y, z):\n    return _library_gradient(p, x, y, z)['w_{k}']\n\n\n"
                            for k in ("x1", "y1", "x2", "y2")),
}

# assignment -> student -> (edits of the solution's answers, or "untouched" / "nnlib"),
# expected score, {test cell: expected points}, texts the feedback page must contain
CASES = {
    "backprop-by-hand": {
        "sol": ({}, 9, {}, []),
        "untouched": ("untouched", 0, {"test_sig_prime": 0, "test_dE_dt_z": 0}, ["NotImplementedError"]),
        "factor2": ({"dE_dt_z": [("return 2 * (N - z) * N * (1 - N)", "return (N - z) * N * (1 - N)")]},
                    7, {"test_dE_dt_z": 0, "test_dE_dw_out": 2}, ["the factor 2 from the square is missing"]),
        "sign": ({"dE_dw_out": [("return 2 * (N - z) * N * (1 - N) * o_1", "return 2 * (z - N) * N * (1 - N) * o_1")]},
                 7, {"test_dE_dw_out": 0, "test_dE_dt_z": 2}, ["the sign is flipped"]),
        "sigma": ({"dE_dt_hidden": [('p["w_1z"] * o_1 * (1 - o_1)', 'p["w_1z"]')]},
                  7, {"test_dE_dt_hidden": 0}, ["the sigmoid derivative of hidden unit 1"]),
        "o1": ({"dE_dw_hidden": [('p["w_1z"] * o_1 * (1 - o_1) * x', 'o_1 * o_1 * (1 - o_1) * x')]},
               7, {"test_dE_dw_hidden": 0}, ["o_1 is used where the weight w_1z belongs"]),
        "transposed": ({"dE_dw_hidden": [('p["w_1z"] * o_1 * (1 - o_1) * y', "@@"),
                                         ('p["w_2z"] * o_2 * (1 - o_2) * x', 'p["w_1z"] * o_1 * (1 - o_1) * y'),
                                         ("@@", 'p["w_2z"] * o_2 * (1 - o_2) * x')]},
                       7, {"test_dE_dw_hidden": 0}, ["the indices are transposed"]),
        "nnlib": ("nnlib", 1, {"test_sig_prime": 1, "test_dE_dt_z": 0, "test_dE_dw_hidden": 0},
                  ["refers to _library_gradient (which leads to gradients)", "closed form you derived by hand"]),
    },
    "neurons": {
        "sol": ({}, 10, {}, []),
        "untouched": ("untouched", 0, {}, []),
        "transposed": ({"network_function": [("@ W1 + b1", "@ W1.T + b1")]}, 8, {"test_network_function": 0},
                       ["network_function uses W1 transposed"]),
        # a sigmoid that overflows in the tails loses only the overflow cell
        "overflow": ({"activations": [("return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))",
                                       "return 1 / (1 + np.exp(-lam * np.asarray(xi, dtype=float)))")]},
                     9, {"test_sigmoid_overflow": 0, "test_activations": 2, "test_derivatives": 2},
                     ["sigmoid overflows"]),
    },
    "backprop-algorithm": {
        "sol": ({}, 10, {}, []),
        # train_epoch updating W and b in place (and train relying on that) scores full marks
        "inplace": ({"train_epoch": [("    W = [w.copy() for w in W]\n    b = [v.copy() for v in b]\n", ""),
                                     ("return W, b", "return None")],
                     "train": [("errors = []", "errors = []\n    W, b = [w.copy() for w in W], [v.copy() for v in b]"),
                               ("W, b = train_epoch(X, d, W, b, gamma, batch_size)", "train_epoch(X, d, W, b, gamma, batch_size)")]},
                    10, {"test_train_epoch": 2, "test_train_xor": 1}, []),
        "untouched": ("untouched", 0, {}, []),
        # a transposed weight gradient breaks backward and everything that trains with it
        "transposed": ({"backward": [("dW[l] = ys[l].T @ dE_dxi", "dW[l] = dE_dxi.T @ ys[l]")]}, 2,
                       {"test_forward": 2, "test_backward": 0, "test_train_epoch": 0, "test_train": 0,
                        "test_train_xor": 0, "test_online_vs_batch": 0},
                       ["the transpose of W[0]"]),
    },
    "expressive-power": {"sol": ({}, 10, {}, []), "untouched": ("untouched", 0, {}, [])},
    "gradient-descent": {"sol": ({}, 8, {}, []), "untouched": ("untouched", 0, {}, [])},
    "losses-and-classification": {"sol": ({}, 6, {}, []), "untouched": ("untouched", 0, {}, [])},
    "perceptron": {
        "sol": ({}, 8, {}, []),
        "untouched": ("untouched", 0, {}, []),
        "sign": ({"logistic_grad": [("delta = y - d", "delta = d - y")]}, 6, {"test_logistic_grad": 0},
                 ["the sign is flipped"]),
    },
    "training-in-practice": {
        "sol": ({}, 9, {}, []),
        "untouched": ("untouched", 0, {}, []),
        "no-correction": ({"adam_step": [("m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)",
                                          "m_hat, s_hat = m, s")]}, 7, {"test_adam_step": 0, "test_momentum_step": 2},
                          ["bias correction"]),
    },
}


def _course_admin():
    spec = importlib.util.spec_from_file_location("course_admin", REPO / "tools" / "course_admin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answers(assignment, how):
    answers = solution_answers(assignment)
    if how == "nnlib":
        answers.update({k: v.strip("\n") for k, v in NNLIB_CELLS.items()})
        return answers
    return edit_answers(answers, how)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("roundtrip"), ASSIGNMENTS)
    api = _course_admin().load_api(course.root)
    for assignment in ASSIGNMENTS:
        if assignment == CLI_ASSIGNMENT:
            generate_and_release(course, assignment)
        else:
            for step in (api.generate_assignment, api.release_assignment):
                result = step(assignment)
                assert result["success"], result.get("log", "") + result.get("error", "")

    for assignment, students in CASES.items():
        for student, (how, *_rest) in students.items():
            cli = assignment == CLI_ASSIGNMENT and student == "sol"
            notebook = fetch(course, assignment, student, cli=cli)
            if how != "untouched":
                fill_in(notebook, _answers(assignment, how))
            submit(course, assignment, student, cli=cli)

    for assignment in ASSIGNMENTS:
        if assignment == CLI_ASSIGNMENT:
            nbgrader(["collect", assignment], cwd=course.root)
            nbgrader(["autograde", assignment], cwd=course.root)
            nbgrader(["generate_feedback", assignment], cwd=course.root)
        else:
            for step in (api.collect, lambda a: api.autograde(a, "*"), api.generate_feedback):
                result = step(assignment)
                assert result["success"], result.get("log", "") + result.get("error", "")

    # the instructor grades the written answers of the solution in formgrader
    for assignment, cells in WRITTEN.items():
        set_manual_scores(course, assignment, "sol", cells)
    nbgrader(["export", "--to", str(course.root / "grades.csv")], cwd=course.root)
    return course


CASE_IDS = [(a, s) for a, students in CASES.items() for s in students]


@pytest.mark.parametrize("assignment, student", CASE_IDS, ids=[f"{a}-{s}" for a, s in CASE_IDS])
def test_gradebook_and_grades_csv(course, assignment, student):
    how, expected, cells, _texts = CASES[assignment][student]
    scores = grade_cell_scores(course, assignment, student)
    for cell, points in cells.items():
        assert scores[cell][0] == points, f"{cell}: {scores[cell]}"
    assert sum(s for s, _ in scores.values()) == expected, scores
    row = read_grades_csv(course.root / "grades.csv")[(assignment, student)]
    assert float(row["score"]) == expected
    assert float(row["max_score"]) == TOTAL[assignment]


@pytest.mark.parametrize("assignment, student", CASE_IDS, ids=[f"{a}-{s}" for a, s in CASE_IDS])
def test_feedback_page(course, assignment, student):
    how, expected, _cells, texts = CASES[assignment][student]
    html = feedback_html(course, assignment, student)
    # feedback is generated before the instructor grades the written answers by hand
    shown = expected - sum(WRITTEN.get(assignment, {}).values()) if student == "sol" else expected
    assert f"Score: {shown:.1f} / {TOTAL[assignment]:.1f}" in html
    for text in texts:
        assert text in html, f"{text!r} missing from the feedback of {student}"


def test_checks_ran_outside_and_nothing_hidden_was_released_or_kept(course):
    released = (course.root / "exercises" / CLI_ASSIGNMENT / f"{CLI_ASSIGNMENT}.ipynb").read_text()
    graded = (course.root / "autograded" / "sol" / CLI_ASSIGNMENT / f"{CLI_ASSIGNMENT}.ipynb").read_text()
    html = htmllib.unescape(re.sub(r"<[^>]+>", "", feedback_html(course, CLI_ASSIGNMENT, "sol")))
    for text in (released, graded.replace('\\"', '"'), html):
        # the hidden call of the old in-kernel tests, and the grader's probe
        assert "HIDDEN TESTS" not in text and "__ffnn_probe" not in text
        assert not re.search(r'check_derivative\(dE_dt_z, "t_z", n_points=5', text)
    # every graded cell of the solution got the trusted verdict, none its own outputs
    assert graded.count("All checks of this part passed") == 5


def test_every_submission_was_collected_and_graded(course):
    rows = read_grades_csv(course.root / "grades.csv")
    assert set(CASE_IDS) <= set(rows)
    # nbgrader lists every student under every assignment; those who did not hand it in get 0
    for key, row in rows.items():
        if key not in CASE_IDS:
            assert row["timestamp"] in ("", "None") and float(row["score"]) == 0, row
