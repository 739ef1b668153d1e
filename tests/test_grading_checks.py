"""The trusted checks of grading/<assignment>.py on their own: the reference passes, each
diagnosed mistake is caught with its message, and the verdict reads only this run's values.

The kernel is simulated in-process: the notebook's code cells run in a namespace, the probe a
check sends is executed there with IPython's display captured, and the captured outputs go
through the same judging as in `make grade`.
"""
from __future__ import annotations

import sys
from unittest import mock

import nbformat
import numpy as np
import pytest
from nbformat import NotebookNode

from nbgrader_helpers import REPO

sys.path.insert(0, str(REPO))
from grading import verdicts  # noqa: E402


def _notebook(assignment, edits=(), extra=""):
    """The solution notebook with (grade_id, old, new) edits and an extra code cell at the end."""
    nb = nbformat.read(str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4)
    for grade_id, old, new in edits:
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        assert old in cell.source, (grade_id, old)
        cell.source = cell.source.replace(old, new)
    if extra:
        nb.cells.insert(2, nbformat.v4.new_code_cell(extra))
    return nb


def verdict(assignment, grade_id, edits=(), extra="", student="s1", tamper=None):
    """The outputs the trusted check writes into the test cell: [error] or [passed note]."""
    nb = _notebook(assignment, edits, extra)
    ns = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade"):
            try:  # as a kernel does: an error costs the cell, the next cells still run
                exec(compile(cell.source, "<cell>", "exec"), ns)
            except Exception:
                pass
    session = verdicts.Session(assignment, student, "course-secret", nb)
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    running = session.probe_for(test_cell)
    captured = []
    with mock.patch("IPython.display.display", lambda obj, raw=False: captured.append(obj)):
        exec(compile(running.source, "<probe>", "exec"), ns)
    test_cell.outputs = [NotebookNode(output_type="display_data", data=d, metadata={}) for d in captured]
    if tamper:
        tamper(test_cell.outputs)
    session.judge(running, test_cell)
    return test_cell


def message(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return errors[0].evalue if errors else None


# ---- neurons --------------------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_activations", "test_sigmoid_overflow", "test_derivatives", "test_logic_gates",
                                      "test_network_function", "test_count_params"])
def test_neurons_reference_passes(grade_id):
    cell = verdict("neurons", grade_id)
    assert message(cell) is None and "passed" in cell.outputs[-1].text
    assert "HIDDEN" not in cell.source and "float.fromhex" not in cell.source


@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_network_function", ("network_function", "@ W1 + b1", "@ W1.T + b1"), "W1 transposed"),
    ("test_derivatives", ("activations", "return lam * s * (1.0 - s)", "return s * (1.0 - s)"), "inner derivative lam"),
    ("test_count_params", ("count_params", "n_in * n_out + n_out", "n_in * n_out"), "do not forget the biases"),
    ("test_sigmoid_overflow", ("activations", "return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))",
                          "return 1 / (1 + np.exp(-lam * np.asarray(xi, dtype=float)))"), "overflows"),
    ("test_logic_gates", ("logic_gates", "b_AND = np.array([1.0, 1.0]), -1.5", "b_AND = np.array([1.0, 1.0]), -0.5"), "AND"),
])
@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_neurons_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("neurons", grade_id, [edit])) or "")


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_neurons_overflow_is_graded_on_its_own():
    exp_form = ("activations", "return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))",
                "return 1 / (1 + np.exp(-lam * np.asarray(xi, dtype=float)))")
    assert message(verdict("neurons", "test_activations", [exp_form])) is None
    assert message(verdict("neurons", "test_derivatives", [exp_form])) is None
    assert "overflows" in message(verdict("neurons", "test_sigmoid_overflow", [exp_form]))


def test_neurons_consistently_wrong_sigmoid_and_derivative_fail():
    """sigma(2 xi) with its own correct derivative: the pair agrees with itself, not with the course's sigmoid."""
    edits = [("activations", "return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))",
              "return 0.5 * (1.0 + np.tanh(lam * np.asarray(xi, dtype=float)))"),
             ("activations", "return lam * s * (1.0 - s)", "return 2 * lam * s * (1.0 - s)")]
    assert "sigmoid_prime" in message(verdict("neurons", "test_derivatives", edits))
    assert "sigmoid" in message(verdict("neurons", "test_activations", edits))


def test_neurons_visible_derivative_test_uses_the_logistic_function_not_the_students():
    nb = _notebook("neurons")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_derivatives")
    assert "_central(sigmoid," not in cell.source and "_central(_logistic, _xi)" in cell.source


def test_neurons_other_algebraic_forms_pass():
    edits = [("activations", "return 1.0 - np.tanh(np.asarray(xi, dtype=float)) ** 2",
              "return 1.0 / np.cosh(np.asarray(xi, dtype=float)) ** 2"),
             ("activations", "return lam * s * (1.0 - s)", "return lam * (s - s * s)")]
    assert message(verdict("neurons", "test_derivatives", edits)) is None


# ---- backprop-by-hand -----------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_sig_prime", "test_dE_dt_z", "test_dE_dw_out",
                                      "test_dE_dt_hidden", "test_dE_dw_hidden"])
def test_backprop_by_hand_reference_passes(grade_id):
    assert message(verdict("backprop-by-hand", grade_id)) is None


@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_dE_dt_z", ("dE_dt_z", "return 2 * (N - z) * N * (1 - N)", "return (N - z) * N * (1 - N)"), "factor 2"),
    ("test_dE_dw_out", ("dE_dw_out", "return 2 * (N - z) * N * (1 - N) * o_1", "return 2 * (z - N) * N * (1 - N) * o_1"),
     "sign is flipped"),
    ("test_dE_dt_hidden", ("dE_dt_hidden", 'p["w_1z"] * o_1 * (1 - o_1)', 'p["w_1z"]'), "sigmoid derivative of hidden unit 1"),
    ("test_dE_dt_z", ("dE_dt_z", "return 2 * (N - z) * N * (1 - N)", "return 2 * (N - z)"), "N (1 - N), is missing"),
    ("test_sig_prime", ("sig_prime", "return sig(s) * (1.0 - sig(s))", "return s * (1 - s)"), "s (1 - s)"),
])
def test_backprop_by_hand_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("backprop-by-hand", grade_id, [edit])) or "")


@pytest.mark.parametrize("extra, body", [
    ("_E = error", "return (_E(dict(p, t_z=p['t_z'] + 1e-6), x, y, z) - _E(dict(p, t_z=p['t_z'] - 1e-6), x, y, z)) / 2e-6"),
    ("from nnlib import backprop as _bp", "return _bp and 2 * (N - z) * N * (1 - N)"),
    ("G = numeric_gradient", "return G(p, x, y, z)['t_z']"),
    ("", "return globals()['err' + 'or'](p, x, y, z) * 0 + 2 * (N - z) * N * (1 - N)"),
    ("", "h = 1e-6\n    a = forward(dict(p, t_z=p['t_z'] + h), x, y)[2]\n    return 2 * (N - z) * (a - N) / h"),
])
def test_backprop_by_hand_library_and_numerical_gradients_are_refused(extra, body):
    edit = ("dE_dt_z", "return 2 * (N - z) * N * (1 - N)", body)
    text = message(verdict("backprop-by-hand", "test_dE_dt_z", [edit], extra=extra)) or ""
    assert "closed form" in text


def test_backprop_by_hand_local_names_do_not_trip_the_rule():
    edit = ("dE_dt_z", "return 2 * (N - z) * N * (1 - N)", "error = 2 * (N - z)\n    return error * N * (1 - N)")
    assert message(verdict("backprop-by-hand", "test_dE_dt_z", [edit])) is None


# ---- gradient-descent -----------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_descent_step", "test_behaviour", "test_steps_needed"])
def test_gradient_descent_reference_passes(grade_id):
    assert message(verdict("gradient-descent", grade_id)) is None


def test_gradient_descent_behaviour_uses_notebook_05s_categories():
    from grading.gradient_descent import behaviour

    assert [behaviour(g) for g in (0.2, 0.5, 0.7, 0.8, 1.0, 1.3)] == [
        "monotone", "one step", "overshooting", "overshooting", "ping-pong", "diverges"]
    old = ("behaviour", 'return "overshooting"', 'return "ping-pong"')
    assert "'overshooting'" in message(verdict("gradient-descent", "test_behaviour", [old]))


def test_gradient_descent_step_mistakes():
    inplace = ("descent_step", "g = np.asarray(g, dtype=float)", "g = np.asarray(g, dtype=float)\n    g *= 1.0")
    assert message(verdict("gradient-descent", "test_descent_step", [inplace])) is None
    componentwise = ("descent_step", "g = g * (clip / norm)", "g = np.clip(g, -clip, clip)")
    assert "whole gradient" in message(verdict("gradient-descent", "test_descent_step", [componentwise]))
    mutates = ("descent_step", "return np.asarray(x, dtype=float) - gamma * g",
               "x = np.asarray(x, dtype=float)\n    x -= gamma * g\n    return x")
    assert "must not modify" in message(verdict("gradient-descent", "test_descent_step", [mutates]))


# ---- the verdict reads only this run's values -----------------------------------------------
def test_results_without_this_runs_nonce_score_zero():
    def forge(outputs):
        for out in outputs:
            out.data[verdicts.MIME]["nonce"] = "0" * 32
    assert "no results" in message(verdict("neurons", "test_count_params", tamper=forge))


def test_a_second_result_with_the_nonce_scores_zero():
    def duplicate(outputs):
        outputs.append(NotebookNode(outputs[0]))
    assert "no results" in message(verdict("neurons", "test_count_params", tamper=duplicate))


def test_malformed_results_score_zero():
    def break_it(outputs):
        outputs[0].data[verdicts.MIME]["results"][0] = {"value": {"shape": [2], "hex": "not a list"}}
    assert "malformed" in message(verdict("neurons", "test_count_params", tamper=break_it))


def test_a_passed_flag_is_not_a_value():
    def flag(outputs):
        outputs[0].data[verdicts.MIME]["results"] = [{"passed": True}] * len(outputs[0].data[verdicts.MIME]["results"])
    assert message(verdict("neurons", "test_count_params", tamper=flag))


def test_points_are_reproducible_per_student_and_differ_between_students():
    nb = _notebook("neurons")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_network_function")

    def points(student):
        running = verdicts.Session("neurons", student, "course-secret", nb).probe_for(cell)
        return [p.source() for p in running.probes]

    assert points("alice") == points("alice")
    assert points("alice") != points("bob")


def test_decode_rejects_oversized_and_odd_values():
    with pytest.raises(ValueError):
        verdicts.decode({"shape": [verdicts.MAX_ITEMS + 1], "hex": ["0x0p+0"] * (verdicts.MAX_ITEMS + 1)})
    with pytest.raises(ValueError):
        verdicts.decode({"passed": True})
    assert np.isnan(verdicts.decode({"shape": [], "hex": ["nan"]}))


# ---- backprop-algorithm ---------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_forward", "test_backward", "test_train_epoch", "test_train",
                                      "test_train_xor", "test_online_vs_batch"])
def test_backprop_algorithm_reference_passes(grade_id):
    assert message(verdict("backprop-algorithm", grade_id)) is None


@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_backward", ("backward", "dW[l] = ys[l].T @ dE_dxi", "dW[l] = dE_dxi.T @ ys[l]"), "transpose"),
    ("test_backward", ("backward", "dE_dy = ys[-1] - d", "dE_dy = d - ys[-1]"), "sign is flipped"),
    ("test_backward", ("backward", "dW[l] = ys[l].T @ dE_dxi", "dW[l] = ys[l].T @ dE_dxi / len(d)"), "averaged"),
    ("test_train_epoch", ("train_epoch", "size = n if batch_size is None else batch_size", "size = n"), "batch_size=1"),
    ("test_forward", ("forward", "ys.append(sigmoid(ys[-1] @ W_l + b_l))", "ys.append(sigmoid(ys[-1] @ W_l))"), "ys[1] is wrong"),
])
def test_backprop_algorithm_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("backprop-algorithm", grade_id, [edit])) or "")


def test_backprop_algorithm_untrained_xor_fails():
    edit = ("train", "W, b = train_epoch(X, d, W, b, gamma, batch_size)", "pass")
    assert "does not train from the start" in message(verdict("backprop-algorithm", "test_train_xor", [edit]))


def test_backprop_algorithm_hand_set_xor_weights_fail():
    """A `train` that ignores its start and returns weights set by hand scores nothing."""
    hand = ("W = [np.array([[6.0, -6.0], [-6.0, 6.0]]), np.array([[9.0], [9.0]])]; "
            "b = [np.array([-3.0, -3.0]), np.array([-4.5])]")
    edit = ("train", "W, b = train_epoch(X, d, W, b, gamma, batch_size)", hand)
    assert "does not train from the start" in message(verdict("backprop-algorithm", "test_train_xor", [edit]))
    assert "differs from the reference" in message(verdict("backprop-algorithm", "test_train", [edit]))


def test_backprop_algorithm_in_place_train_epoch_passes():
    edits = [("train_epoch", "    W = [w.copy() for w in W]\n    b = [v.copy() for v in b]\n", ""),
             ("train_epoch", "return W, b", "return None")]
    assert message(verdict("backprop-algorithm", "test_train_epoch", edits)) is None


def test_backprop_algorithm_online_vs_batch_mistakes():
    swapped = ("online_vs_batch", '(("batch", None), ("online", 1))', '(("batch", 1), ("online", None))')
    assert "reaches E < 0.05 after" in message(verdict("backprop-algorithm", "test_online_vs_batch", [swapped]))
    off_by_one = ("online_vs_batch", "next((k + 1 for", "next((k for")
    assert message(verdict("backprop-algorithm", "test_online_vs_batch", [off_by_one])) is None  # one epoch is allowed
    two_off = ("online_vs_batch", "next((k + 1 for", "next((k + 3 for")
    assert "you report" in message(verdict("backprop-algorithm", "test_online_vs_batch", [two_off]))


# ---- losses-and-classification --------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_softmax", "test_cross_entropy", "test_digits"])
def test_losses_reference_passes(grade_id):
    assert message(verdict("losses-and-classification", grade_id)) is None


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value")
@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_softmax", ("softmax", "np.exp(xi - xi.max(axis=1, keepdims=True))", "np.exp(xi)"), "overflows"),
    ("test_cross_entropy", ("cross_entropy", "return softmax(xi) - d", "return d - softmax(xi)"), "sign is flipped"),
    ("test_cross_entropy", ("cross_entropy", "return float(-np.sum(d * np.log(y)))", "return float(np.sum(d * np.log(y)))"),
     "minus sign"),
    ("test_digits", ("digits", "for epoch in range(300):", "for epoch in range(1):"), "held-out digits"),
])
def test_losses_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("losses-and-classification", grade_id, [edit])) or "")


# ---- expressive-power -----------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_xor_network", "test_truth_table_network", "test_relu_fit"])
def test_expressive_power_reference_passes(grade_id):
    assert message(verdict("expressive-power", grade_id)) is None


@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_xor_network", ("xor_network", "b2 = np.array([-0.5])", "b2 = np.array([0.5])"), "XOR is [0, 1, 1, 0]"),
    ("test_truth_table_network", ("truth_table_network", "b1 = 0.5 - rows.sum(axis=1)", "b1 = 1.5 - rows.sum(axis=1)"),
     "your network is wrong"),
    ("test_relu_fit", ("relu_fit", "b2 = np.array([values[0]])", "b2 = np.array([0.0])"), "must be at most"),
])
def test_expressive_power_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("expressive-power", grade_id, [edit])) or "")


def test_deeply_nested_results_score_zero():
    def nest(outputs):
        value = {"shape": [], "hex": ["0x0p+0"]}
        for _ in range(5000):
            value = {"seq": [value]}
        outputs[0].data[verdicts.MIME]["results"][0] = {"value": value}
    assert "malformed" in message(verdict("neurons", "test_count_params", tamper=nest))


def test_losses_held_out_digits_never_enter_the_notebook():
    """The notebook's kernel gets only the training digits; the held-out labels stay with the grader."""
    from grading.losses_and_classification import held_out

    nb = _notebook("losses-and-classification")
    source = "\n".join(c.source for c in nb.cells)
    assert "X_test" not in source and "labels_test" not in source
    ns = {}
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    exec(compile(setup.source, "<setup>", "exec"), ns)
    arrays = [v for k, v in ns.items() if isinstance(v, np.ndarray) and not k.startswith("__")]
    assert sorted(len(a) for a in arrays) == [1297, 1297]
    assert len(held_out()[0]) == 500


def test_losses_digits_probe_sends_images_only():
    nb = _notebook("losses-and-classification")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_digits")
    running = verdicts.Session("losses-and-classification", "s1", "course-secret", nb).probe_for(cell)
    assert [set(p.env) for p in running.probes] == [{"X"}]


# ---- perceptron -----------------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_perceptron_update", "test_perceptron_train", "test_detect_cycle",
                                      "test_logistic_grad"])
def test_perceptron_reference_passes(grade_id):
    assert message(verdict("perceptron", grade_id)) is None


@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_perceptron_update", ("perceptron_update", "w + gamma * (d - y) * x", "w + gamma * (y - d) * x"), "wrong way"),
    ("test_perceptron_update", ("perceptron_update", "b + gamma * (d - y)", "b + gamma * d"), "w is right, b is not"),
    ("test_perceptron_update", ("perceptron_update", "y = 1.0 if x @ w + b >= 0 else 0.0", "y = 1.0 - d"),
     "correctly classified"),
    ("test_perceptron_train", ("perceptron_train", "if mistakes == 0:\n            break", "if epoch == 1:\n            break"),
     "misclassify"),
    ("test_perceptron_train", ("perceptron_train", "return w, b, epoch", "return w, b, epoch - 1"), "the last one without"),
    ("test_detect_cycle", ("detect_cycle", "if mistakes == 0:\n            return None", ""), "must return None"),
    # comparing each epoch only with the previous one misses cycles longer than one epoch
    ("test_detect_cycle", ("detect_cycle", "if state in seen:", "if seen and state == list(seen)[-1]:"), "first repeat"),
    ("test_logistic_grad", ("logistic_grad", "delta = y - d", "delta = d - y"), "sign is flipped"),
    ("test_logistic_grad", ("logistic_grad", "return X.T @ delta, float(delta.sum())",
                            "return X.T @ delta / len(X), float(delta.sum()) / len(X)"), "averaged"),
    ("test_logistic_grad", ("logistic_grad", "delta = y - d", "delta = (y - d) * y * (1 - y)"), "central differences"),
])
def test_perceptron_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("perceptron", grade_id, [edit])) or "")


def test_perceptron_training_with_another_start_fails():
    edit = ("perceptron_train", "w, b = np.zeros(X.shape[1]), 0.0", "w, b = np.ones(X.shape[1]), 0.0")
    text = message(verdict("perceptron", "test_perceptron_train", [edit])) or ""
    assert "w = 0, b = 0" in text or "misclassify" in text


# ---- training-in-practice -------------------------------------------------------------------
@pytest.mark.parametrize("grade_id", ["test_momentum_step", "test_adam_step", "test_l2_grad", "test_dropout",
                                      "test_early_stopping"])
def test_training_in_practice_reference_passes(grade_id):
    assert message(verdict("training-in-practice", grade_id)) is None


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")
@pytest.mark.parametrize("grade_id, edit, expected", [
    ("test_momentum_step", ("momentum_step", "v = mu * v - gamma * dw", "v = mu * v + gamma * dw"), "wrong sign"),
    ("test_momentum_step", ("momentum_step", "v = mu * v - gamma * dw", "v = -gamma * dw"), "ignores the velocity"),
    ("test_adam_step", ("adam_step", "m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)", "m_hat, s_hat = m, s"),
     "bias correction"),
    ("test_adam_step", ("adam_step", "s = beta2 * s + (1 - beta2) * dw ** 2", "s = beta2 * s + (1 - beta2) * dw"),
     "moments are wrong"),
    ("test_l2_grad", ("l2_grad", "return dW + lam * W", "return dW + 2 * lam * W"), "not 2 lam W"),
    ("test_l2_grad", ("l2_grad", "return dW + lam * W", "return lam * W"), "add the error's gradient"),
    ("test_dropout", ("dropout", "mask = keep / (1.0 - p)", "mask = keep"), "1 / (1 - p)"),
    ("test_dropout", ("dropout", "return y, np.ones_like(y)", "return y * (1.0 - p), np.ones_like(y)"), "unchanged"),
    ("test_dropout", ("dropout", "return dE_dout * mask", "return dE_dout"), "central differences"),
    ("test_early_stopping", ("early_stopping", "return best, epoch", "return epoch, epoch"), "where training stopped"),
    ("test_early_stopping", ("early_stopping", "lowest, best = np.inf, 0",
                             "return int(np.argmin(val_errors)) + 1, len(val_errors)"), "after training has stopped"),
    ("test_early_stopping", ("early_stopping", "return best, epoch", "return best - 1, epoch - 1"), "from 1"),
])
def test_training_in_practice_mistakes_are_diagnosed(grade_id, edit, expected):
    assert expected in (message(verdict("training-in-practice", grade_id, [edit])) or "")


def test_training_in_practice_references_agree_with_nnlib():
    """The trusted references match nnlib's optimisers and early stopping on a small run."""
    from grading import training_in_practice as ref
    from nnlib.regularization import dropout_backward, l2_grad

    rng = np.random.default_rng(3)
    W, dW = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    assert np.allclose(l2_grad(W, 0.2), ref.central(lambda V: ref.l2_penalty(V, 0.2), W), atol=1e-8)
    mask = (rng.random((3, 2)) > 0.5) / 0.5
    assert np.allclose(dropout_backward(dW, mask), dW * mask)
    assert ref.early_stopping([3.0, 2.0, 2.5, 2.6, 1.0], 2) == (2, 4)
