"""Write the nbgrader source notebooks solutions/<name>/<name>.ipynb of the assignments.

The notebooks are generated so that their nbgrader metadata (grade ids, points, locked and
solution flags, schema version 3) is written in one place and stays consistent. Edit the
assignment text here, then run

    .venv/bin/python tools/build_solutions.py      # rewrite solutions/
    make release                                   # regenerate exercises/ with nbgrader

The checking helpers that several cells share live in grading/cells/*.py and are copied into a
read-only cell of the notebook (autograde restores that cell from the gradebook, so a student
cannot weaken it). Assignment names and course-notebook links follow docs/design.md.
"""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grading.verdicts import load_checks  # noqa: E402
CHECKS = Path(__file__).resolve().parents[1] / "grading" / "cells"
ASSIGNMENTS = ("neurons", "expressive-power", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification", "perceptron",
               "training-in-practice")


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _without_hidden(src: str) -> str:
    start, end = src.find("### BEGIN HIDDEN TESTS"), src.find("### END HIDDEN TESTS")
    if start < 0:
        return src
    return (src[:start] + src[end + len("### END HIDDEN TESTS"):]).rstrip()


class Builder:
    """Collects the cells of one assignment notebook."""

    def __init__(self, name: str):
        self.name = name
        self.cells = []
        self.points = 0.0

    def _add(self, cell, cell_id):
        cell["id"] = cell_id
        self.cells.append(cell)

    def md(self, text):
        self._add(nbformat.v4.new_markdown_cell(_src(text)), f"{self.name}-md-{len(self.cells)}")

    def code(self, src):
        """An ordinary cell students may edit freely (experiments, plots)."""
        self._add(nbformat.v4.new_code_cell(_src(src)), f"{self.name}-code-{len(self.cells)}")

    def _meta(self, grade_id, *, grade, solution, locked, points=None):
        meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
        if points is not None:
            meta["points"] = points
            self.points += points
        return {"nbgrader": meta}

    def locked(self, grade_id, src):
        """Read-only set-up code; nbgrader restores it at autograde time."""
        cell = nbformat.v4.new_code_cell(_src(src))
        cell.metadata.update(self._meta(grade_id, grade=False, solution=False, locked=True))
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
        self._add(cell, grade_id)

    def answer(self, grade_id, src):
        """An autograded answer cell: the ### BEGIN/END SOLUTION regions become stubs."""
        cell = nbformat.v4.new_code_cell(_src(src))
        cell.metadata.update(self._meta(grade_id, grade=False, solution=True, locked=False))
        self._add(cell, grade_id)

    def tests(self, grade_id, points, src):
        """A locked test cell worth `points`; ### BEGIN/END HIDDEN TESTS are removed on release.

        When grading/<assignment>.py has a check for the cell, that check grades it outside
        the student's kernel and the cell keeps only its visible tests.
        """
        src = _src(src)
        if grade_id in load_checks(self.name):
            src = _without_hidden(src) + (
                f"\n# Graded by the checks in grading/{self.name.replace('-', '_')}.py, outside your notebook,"
                "\n# at inputs drawn when your notebook is graded.")
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata.update(self._meta(grade_id, grade=True, solution=False, locked=True, points=points))
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
        self._add(cell, grade_id)

    def written(self, grade_id, points, text):
        """A manually graded written answer (markdown, graded in formgrader)."""
        cell = nbformat.v4.new_markdown_cell(_src(text))
        cell.metadata.update(self._meta(grade_id, grade=True, solution=True, locked=False, points=points))
        self._add(cell, grade_id)

    def notebook(self):
        nb = nbformat.v4.new_notebook()
        nb.nbformat_minor = 5
        nb.metadata = {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
        nb.cells = self.cells
        nbformat.validate(nb)
        return nb


def intro(b: Builder, title: str, links: list[tuple[str, str]], body: str):
    link_text = " and ".join(f"[{label}](../../course/{target})" for label, target in links)
    how = _src("""
    **How to work.** Write your code where it says `YOUR CODE HERE` (delete the
    `raise NotImplementedError()` line) and your text where it says "YOUR ANSWER HERE". Run each
    test cell after your answer: a failing test tells you what is wrong. The graders run more
    tests than you see here (at other inputs, drawn when your notebook is graded), so make your
    code correct in general rather than for the visible examples. Do not edit or delete the
    read-only cells. Before you submit, run *Kernel → Restart & Run All* (or the *Validate*
    button) and check that no cell fails.
    """)
    b.md("\n\n".join([f"# Assignment: {title}", f"This assignment practises {link_text}.", _src(body), how]))


# ------------------------------------------------------------------------------------------------
def build_neurons() -> Builder:
    b = Builder("neurons")
    intro(b, "Neurons and the network function",
          [("notebook 01, the artificial neuron", "01-artificial-neuron.ipynb"),
           ("notebook 02, networks and the network function", "02-networks.ipynb")],
          """
          You implement the output functions of a neuron and their derivatives, choose weights
          for logic gates, evaluate a 2-2-1 network in matrix form and count parameters.
          Conventions of the course (docs/design.md): one sample per row, `xi = y @ W + b`,
          `W[i, j]` is the weight *from* unit i *to* unit j.
          """)
    b.locked("setup", """
    import numpy as np
    """)
    b.md("""
    ## 1. Output functions and their derivatives

    Implement, elementwise on numpy arrays (and on plain numbers):

    * `step(xi)`: 1 where ξ ≥ 0, else 0; `step_prime(xi)`: 0 everywhere (we take 0 at ξ = 0, too);
    * `sigmoid(xi, lam=1.0)` = 1 / (1 + e^(-λξ)) and `sigmoid_prime(xi, lam=1.0)`; the sigmoid
      must not overflow for |λξ| up to 1000 (hint: σ(s) = (1 + tanh(s/2)) / 2);
    * `tanh(xi)`, `tanh_prime(xi)`;
    * `relu(xi)` = max(0, ξ) and `relu_prime(xi)` (1 for ξ > 0, else 0).

    Every function returns a float64 array of the same shape as its input.
    """)
    b.answer("activations", """
    def step(xi):
        ### BEGIN SOLUTION
        return np.where(np.asarray(xi, dtype=float) >= 0, 1.0, 0.0)
        ### END SOLUTION


    def step_prime(xi):
        ### BEGIN SOLUTION
        return np.zeros_like(np.asarray(xi, dtype=float))
        ### END SOLUTION


    def sigmoid(xi, lam=1.0):
        ### BEGIN SOLUTION
        return 0.5 * (1.0 + np.tanh(0.5 * lam * np.asarray(xi, dtype=float)))
        ### END SOLUTION


    def sigmoid_prime(xi, lam=1.0):
        ### BEGIN SOLUTION
        s = sigmoid(xi, lam)
        return lam * s * (1.0 - s)
        ### END SOLUTION


    def tanh(xi):
        ### BEGIN SOLUTION
        return np.tanh(np.asarray(xi, dtype=float))
        ### END SOLUTION


    def tanh_prime(xi):
        ### BEGIN SOLUTION
        return 1.0 - np.tanh(np.asarray(xi, dtype=float)) ** 2
        ### END SOLUTION


    def relu(xi):
        ### BEGIN SOLUTION
        return np.maximum(0.0, np.asarray(xi, dtype=float))
        ### END SOLUTION


    def relu_prime(xi):
        ### BEGIN SOLUTION
        return np.where(np.asarray(xi, dtype=float) > 0, 1.0, 0.0)
        ### END SOLUTION
    """)
    b.tests("test_activations", 2, """
    # values of the output functions
    np.testing.assert_array_equal(step(np.array([-2.0, 0.0, 3.0])), [0.0, 1.0, 1.0], err_msg="step: 1 where xi >= 0, else 0")
    assert abs(float(sigmoid(0.0)) - 0.5) < 1e-12, "sigmoid(0) must be 0.5"
    assert abs(float(sigmoid(1.0, lam=2.0)) - 1 / (1 + np.exp(-2.0))) < 1e-12, "sigmoid(1, lam=2) must be 1/(1+e^-2): lam multiplies xi"
    assert abs(float(tanh(0.5)) - np.tanh(0.5)) < 1e-12, "tanh(0.5) is wrong"
    np.testing.assert_array_equal(relu(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5], err_msg="relu: max(0, xi)")
    assert np.shape(sigmoid(np.zeros((3, 2)))) == (3, 2), "sigmoid must keep the shape of its input"
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    _xi = _rng.normal(0, 3, size=(7, 3))
    _lam = float(_rng.uniform(0.3, 4))
    np.testing.assert_allclose(sigmoid(_xi, lam=_lam), 1 / (1 + np.exp(-_lam * _xi)), rtol=1e-9, atol=1e-14, err_msg=f"sigmoid with lam={_lam}")
    np.testing.assert_allclose(tanh(_xi), np.tanh(_xi), rtol=1e-12)
    np.testing.assert_array_equal(step(_xi), (_xi >= 0).astype(float))
    np.testing.assert_array_equal(relu(_xi), np.maximum(_xi, 0))
    ### END HIDDEN TESTS
    """)
    b.tests("test_sigmoid_overflow", 1, """
    # sigmoid far out in the tails: no overflow warning, and exactly 0 and 1 to float precision
    with np.errstate(over="raise"):
        try:
            _far = sigmoid(np.array([-1000.0, 1000.0]))
        except FloatingPointError:
            raise AssertionError("sigmoid overflows for xi = -1000: use the tanh form or split by sign") from None
    np.testing.assert_allclose(_far, [0.0, 1.0], atol=1e-300, err_msg="sigmoid(-1000) must be 0 and sigmoid(1000) must be 1")
    """)
    b.tests("test_derivatives", 2, """
    # compared with central differences of the logistic function itself, not of your sigmoid:
    # a wrong sigmoid with a derivative that matches it must not pass
    def _central(f, xi, h=1e-6):
        return (f(xi + h) - f(xi - h)) / (2 * h)

    def _logistic(xi, lam=1.0):
        return 1 / (1 + np.exp(-lam * xi))

    _xi = np.array([-2.0, -0.3, 0.4, 1.7])
    np.testing.assert_allclose(sigmoid_prime(_xi), _central(_logistic, _xi), rtol=1e-6, err_msg="sigmoid_prime does not match central differences of 1 / (1 + e^(-xi))")
    np.testing.assert_allclose(tanh_prime(_xi), _central(np.tanh, _xi), rtol=1e-6, err_msg="tanh_prime does not match central differences of tanh")
    np.testing.assert_array_equal(relu_prime(_xi), [0.0, 0.0, 1.0, 1.0], err_msg="relu_prime: 1 for xi > 0, else 0")
    np.testing.assert_array_equal(step_prime(_xi), np.zeros(4), err_msg="step_prime is 0 everywhere")
    assert np.allclose(sigmoid_prime(_xi, lam=3.0), _central(lambda xi: _logistic(xi, 3.0), _xi), rtol=1e-6), \\
        "sigmoid_prime(xi, lam) must include the inner derivative lam: d/dxi sigma(lam xi) = lam sigma (1 - sigma)"
    """)
    b.md("""
    ## 2. Logic gates with one step neuron

    A step neuron outputs `step(x @ w + b)`. Choose weights `w` (shape (2,), for NOT shape (1,))
    and a bias `b` so that the neuron computes AND, OR, NAND and NOT of 0/1 inputs.
    """)
    b.answer("logic_gates", """
    ### BEGIN SOLUTION
    w_AND, b_AND = np.array([1.0, 1.0]), -1.5
    w_OR, b_OR = np.array([1.0, 1.0]), -0.5
    w_NAND, b_NAND = np.array([-1.0, -1.0]), 1.5
    w_NOT, b_NOT = np.array([-1.0]), 0.5
    ### END SOLUTION
    """)
    b.tests("test_logic_gates", 2, """
    _X2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    _gates = {"AND": (w_AND, b_AND, [0, 0, 0, 1]), "OR": (w_OR, b_OR, [0, 1, 1, 1]),
              "NAND": (w_NAND, b_NAND, [1, 1, 1, 0])}
    for _name, (_w, _b, _want) in _gates.items():
        _w = np.asarray(_w, dtype=float)
        assert _w.shape == (2,), f"w_{_name} must have shape (2,); got {_w.shape}"
        _got = (_X2 @ _w + _b >= 0).astype(int)
        assert list(_got) == _want, f"{_name}: your neuron gives {list(_got)} for inputs 00, 01, 10, 11; expected {_want}"
    _got = (np.array([[0.0], [1.0]]) @ np.asarray(w_NOT, dtype=float) + b_NOT >= 0).astype(int)
    assert list(_got) == [1, 0], f"NOT: your neuron gives {list(_got)} for inputs 0, 1; expected [1, 0]"
    """)
    b.md("""
    ## 3. The network function of a 2-2-1 network

    Write `network_function(X, W1, b1, W2, b2)` for a network with two inputs, two sigmoid
    hidden units and one sigmoid output unit. `X` has shape (N, 2), `W1` (2, 2), `b1` (2,),
    `W2` (2, 1), `b2` (1,); return the outputs, shape (N, 1). Use `sigmoid` from part 1.
    """)
    b.answer("network_function", """
    def network_function(X, W1, b1, W2, b2):
        ### BEGIN SOLUTION
        y1 = sigmoid(np.asarray(X, dtype=float) @ W1 + b1)
        return sigmoid(y1 @ W2 + b2)
        ### END SOLUTION
    """)
    b.tests("test_network_function", 2, """
    def _sig(s):
        return 1 / (1 + np.exp(-s))

    def _check_network(X, W1, b1, W2, b2):
        want = _sig(_sig(X @ W1 + b1) @ W2 + b2)
        got = np.asarray(network_function(X, W1, b1, W2, b2), dtype=float)
        assert got.shape == want.shape, f"network_function must return shape {want.shape} for {X.shape[0]} samples; got {got.shape}"
        if not np.allclose(got, want, rtol=1e-10):
            if np.allclose(got, _sig(_sig(X @ W1.T + b1) @ W2 + b2), rtol=1e-10):
                raise AssertionError("network_function uses W1 transposed: W1[i, j] is the weight from input i to hidden "
                                     "unit j, so the hidden potentials are X @ W1 + b1")
            raise AssertionError(f"network_function is wrong: for X[0] = {X[0]} you return {got[0]}, expected {want[0]}")

    _W1 = np.array([[0.5, -1.0], [2.0, 0.25]])
    _check_network(np.array([[1.0, 0.0], [0.3, -0.7]]), _W1, np.array([0.1, -0.2]), np.array([[1.5], [-0.5]]), np.array([0.3]))
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    for _ in range(3):
        _check_network(_rng.normal(size=(5, 2)), _rng.normal(size=(2, 2)), _rng.normal(size=2),
                       _rng.normal(size=(2, 1)), _rng.normal(size=1))
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 4. Counting parameters

    `count_params(sizes)` takes layer sizes as a list, e.g. `[2, 4, 3, 2]`, or as the string
    `"2-4-3-2"`, and returns the number of weights and biases of the fully connected network.
    """)
    b.answer("count_params", """
    def count_params(sizes):
        ### BEGIN SOLUTION
        if isinstance(sizes, str):
            sizes = [int(part) for part in sizes.split("-")]
        return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
        ### END SOLUTION
    """)
    b.tests("test_count_params", 1, """
    assert count_params([2, 4, 1]) == 2 * 4 + 4 + 4 * 1 + 1, "a 2-4-1 network has 2*4 + 4 + 4*1 + 1 = 17 parameters (do not forget the biases)"
    assert count_params("2-4-3-2") == 35, f"count_params('2-4-3-2') must be 35; got {count_params('2-4-3-2')}"
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    _sizes = [int(v) for v in _rng.integers(1, 50, size=int(_rng.integers(2, 6)))]
    assert count_params(_sizes) == sum(a * c + c for a, c in zip(_sizes[:-1], _sizes[1:])), f"count_params({_sizes})"
    assert count_params("-".join(map(str, _sizes))) == count_params(_sizes)
    ### END HIDDEN TESTS
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_expressive_power() -> Builder:
    b = Builder("expressive-power")
    intro(b, "What networks can compute",
          [("notebook 03, what networks can compute", "03-expressive-power.ipynb")],
          """
          You build step networks for XOR and for any truth table, approximate a function with a
          ReLU network, and explain in words why XOR needs a hidden layer.
          """)
    b.locked("setup", """
    import numpy as np


    def step(xi):
        return np.where(xi >= 0, 1.0, 0.0)


    def step_network(X, W1, b1, W2, b2):
        \"\"\"Two layers of step units: X (N, n) -> hidden (N, h) -> output (N, 1).\"\"\"
        return step(step(X @ W1 + b1) @ W2 + b2)


    def relu_network(x, W1, b1, W2, b2):
        \"\"\"A 1-h-1 network: ReLU hidden units, identity output; x has shape (N,).\"\"\"
        hidden = np.maximum(0.0, x[:, None] @ W1 + b1)
        return (hidden @ W2 + b2)[:, 0]


    def all_inputs(n):
        \"\"\"The 2**n binary input rows in counting order (x1 is the most significant bit).\"\"\"
        return np.array([[(k >> (n - 1 - i)) & 1 for i in range(n)] for k in range(2 ** n)], dtype=float)
    """)
    b.md("""
    ## 1. XOR with two layers of step units

    Give `W1` (2, 2), `b1` (2,), `W2` (2, 1), `b2` (1,) such that `step_network` computes XOR.
    Any network that works gets full marks (notebook 03 shows two).
    """)
    b.answer("xor_network", """
    ### BEGIN SOLUTION
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([-1.5, -0.5])
    W2 = np.array([[-1.0], [1.0]])
    b2 = np.array([-0.5])
    ### END SOLUTION
    """)
    b.tests("test_xor_network", 2, """
    _X = all_inputs(2)
    for _name, _arr, _shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)), ("W2", W2, (2, 1)), ("b2", b2, (1,))):
        assert np.shape(_arr) == _shape, f"{_name} must have shape {_shape}; got {np.shape(_arr)}"
    _got = step_network(_X, np.asarray(W1, float), np.asarray(b1, float), np.asarray(W2, float), np.asarray(b2, float))[:, 0]
    assert list(_got) == [0, 1, 1, 0], f"your network gives {list(_got)} for inputs 00, 01, 10, 11; XOR is [0, 1, 1, 0]"
    """)
    b.md("""
    ## 2. Any truth table with two layers

    `truth_table_network(outputs)` receives the outputs of a Boolean function of n inputs as a
    0/1 array of length 2**n, in the row order of `all_inputs(n)`. Return `(W1, b1, W2, b2)`
    of a two-layer step network that computes it (shapes (n, h), (h,), (h, 1), (1,); you
    choose h, and h = 0 is allowed). Hint: one hidden unit per row whose output is 1.
    """)
    b.answer("truth_table_network", """
    def truth_table_network(outputs):
        ### BEGIN SOLUTION
        outputs = np.asarray(outputs)
        n = int(round(np.log2(outputs.size)))
        X = all_inputs(n)
        rows = X[outputs == 1]
        # the hidden unit for row r fires only on r: +1 for its ones, -1 for its zeros
        W1 = (2 * rows - 1).T.reshape(n, len(rows))
        b1 = 0.5 - rows.sum(axis=1)
        W2 = np.ones((len(rows), 1))
        b2 = np.array([-0.5])
        return W1, b1, W2, b2
        ### END SOLUTION
    """)
    b.tests("test_truth_table_network", 3, """
    def _check_table(outputs):
        outputs = np.asarray(outputs)
        n = int(round(np.log2(outputs.size)))
        W1_, b1_, W2_, b2_ = (np.asarray(a, dtype=float) for a in truth_table_network(outputs))
        got = step_network(all_inputs(n), W1_, b1_, W2_, b2_)[:, 0]
        wrong = np.flatnonzero(got != outputs)
        assert wrong.size == 0, (f"for the table {list(outputs)} your network is wrong on the input "
                                 f"{all_inputs(n)[wrong[0]].astype(int)}: gives {got[wrong[0]]}, expected {outputs[wrong[0]]}")

    _check_table([0, 1, 1, 0])
    _check_table([0, 0, 0, 1, 0, 1, 1, 1])
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    _check_table([0, 0, 0, 0])
    _check_table([1, 1, 1, 1, 1, 1, 1, 1])
    for _n in (1, 3, 4, 5):
        _check_table(_rng.integers(0, 2, size=2 ** _n))
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 3. Approximating a function with ReLUs

    `relu_fit(f, a, b, n)` returns `(W1, b1, W2, b2)` of a 1-n-1 ReLU network (see
    `relu_network`; shapes (1, n), (n,), (n, 1), (1,)) whose output interpolates `f` linearly
    between the n + 1 equally spaced points a = x_0 < ... < x_n = b. On [a, b] it must stay
    within ε of f for smooth f and large enough n. Notebook 03 has the construction: each
    hidden unit relu(x - x_k) bends the line by the change of slope at x_k.
    """)
    b.answer("relu_fit", """
    def relu_fit(f, a, b, n):
        ### BEGIN SOLUTION
        knots = np.linspace(a, b, n + 1)
        values = f(knots)
        slopes = np.diff(values) / np.diff(knots)
        changes = np.concatenate([slopes[:1], np.diff(slopes)])
        W1 = np.ones((1, n))
        b1 = -knots[:-1]
        W2 = changes.reshape(n, 1)
        b2 = np.array([values[0]])
        return W1, b1, W2, b2
        ### END SOLUTION
    """)
    b.tests("test_relu_fit", 3, """
    def _check_fit(f, a, b, n, eps):
        W1_, b1_, W2_, b2_ = (np.asarray(v, dtype=float) for v in relu_fit(f, a, b, n))
        assert W1_.shape == (1, n) and b1_.shape == (n,) and W2_.shape == (n, 1) and b2_.shape == (1,), (
            f"shapes must be (1, {n}), ({n},), ({n}, 1), (1,); got {W1_.shape}, {b1_.shape}, {W2_.shape}, {b2_.shape}")
        x = np.linspace(a, b, 2001)
        err = np.max(np.abs(relu_network(x, W1_, b1_, W2_, b2_) - f(x)))
        assert err <= eps, f"max |network - f| on [{a}, {b}] with n={n} is {err:.3g}; it must be at most {eps}"

    _check_fit(np.sin, 0.0, np.pi, 20, 0.01)
    ### BEGIN HIDDEN TESTS
    _check_fit(lambda x: x ** 2, -1.0, 1.0, 30, 0.005)
    _check_fit(np.exp, -1.0, 2.0, 60, 0.01)
    _check_fit(np.abs, -1.0, 1.0, 2, 1e-9)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 4. In your own words (graded by hand)

    Explain in three to six sentences why a single step neuron cannot compute XOR, and what
    each hidden unit of your network in part 1 computes so that the output unit can.
    """)
    b.written("xor_explanation", 2, """
    ### BEGIN SOLUTION
    A step neuron outputs 1 on one side of the line w·x + b = 0 and 0 on the other, so it can only
    separate the inputs by one straight line. XOR needs (0,1) and (1,0) on one side and (0,0), (1,1)
    on the other; any line with both (0,1) and (1,0) on its positive side also has (0,0) or (1,1)
    there (the four inequalities contradict each other). In the network above, hidden unit 1 computes
    AND (x1 + x2 >= 1.5), hidden unit 2 computes OR (x1 + x2 >= 0.5); the output fires when OR holds
    but AND does not. The hidden layer maps the four points to a new space where they are linearly separable.
    ### END SOLUTION
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_gradient_descent() -> Builder:
    b = Builder("gradient-descent")
    intro(b, "Gradient descent",
          [("notebook 05, gradient descent", "05-gradient-descent.ipynb")],
          """
          You write one descent step with optional gradient clipping, predict how descent on
          f(x) = x² behaves for a given step size γ, count the steps it needs, and explain
          clipping in words. (The Rostock slides write the update as x_{i+1} = x_i γ f'(x_i);
          a minus sign is missing there: x_{i+1} = x_i - γ f'(x_i).)
          """)
    b.locked("setup", """
    import os

    import numpy as np
    """)
    b.md("""
    ## 1. One descent step, with optional clipping

    `descent_step(x, g, gamma, clip=None)` returns x - γ g. With a number `clip`, a gradient
    whose Euclidean norm exceeds `clip` is first rescaled to norm `clip` (its direction is
    kept). `x` and `g` are numbers or 1D arrays of the same shape; do not modify the inputs.
    """)
    b.answer("descent_step", """
    def descent_step(x, g, gamma, clip=None):
        ### BEGIN SOLUTION
        g = np.asarray(g, dtype=float)
        norm = np.linalg.norm(g)
        if clip is not None and norm > clip:
            g = g * (clip / norm)
        return np.asarray(x, dtype=float) - gamma * g
        ### END SOLUTION
    """)
    b.tests("test_descent_step", 2, """
    # f(x) = x^2 from x0 = -4: f'(x0) = -8 (notebook 05)
    for _gamma, _want in ((0.2, -2.4), (0.7, 1.6), (0.8, 2.4)):
        _got = float(descent_step(-4.0, -8.0, _gamma))
        assert abs(_got - _want) < 1e-12, f"gamma={_gamma}: x1 = -4 - gamma * (-8) = {_want}; you return {_got}"
    _got = float(descent_step(-4.0, -8.0, 0.2, clip=0.3))
    assert abs(_got - (-3.94)) < 1e-12, f"with clip=0.3 the gradient -8 becomes -0.3, so x1 = -4 + 0.2 * 0.3 = -3.94; you return {_got}"
    _got = np.asarray(descent_step(np.zeros(2), np.array([3.0, 4.0]), 1.0, clip=1.0), dtype=float)
    if np.allclose(_got, [-1.0, -1.0]):
        raise AssertionError("clipping must rescale the whole gradient to norm `clip`, not clip each component")
    assert np.allclose(_got, [-0.6, -0.8]), f"g = (3, 4) has norm 5; clipped to norm 1 it is (0.6, 0.8); you return x1 = {_got}"
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    _x, _g = _rng.normal(size=4), _rng.normal(size=4) * 10
    _x0, _g0 = _x.copy(), _g.copy()
    _clip = float(_rng.uniform(0.1, 1.0))
    np.testing.assert_allclose(descent_step(_x, _g, 0.3, clip=_clip), _x0 - 0.3 * _g0 * _clip / np.linalg.norm(_g0), rtol=1e-12)
    np.testing.assert_array_equal(_x, _x0, err_msg="descent_step must not modify x")
    np.testing.assert_array_equal(_g, _g0, err_msg="descent_step must not modify g")
    np.testing.assert_allclose(descent_step(_x, _g * 1e-3, 0.3, clip=1.0), _x0 - 0.3e-3 * _g0, rtol=1e-12,
                               err_msg="a gradient shorter than clip must stay as it is")
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 2. Converge, overshoot, ping-pong or diverge?

    On f(x) = x², one step maps x to q x with q = 1 - 2γ. Write `behaviour(gamma)` for γ > 0
    that returns the behaviour of the table in notebook 05:

    * `"monotone"`: 0 < γ < 0.5, monotone convergence from one side;
    * `"one step"`: γ = 0.5, the minimum in one step;
    * `"overshooting"`: 0.5 < γ < 1, converges, overshooting the minimum each time;
    * `"ping-pong"`: γ = 1, the iterate jumps between -x₀ and x₀ for ever;
    * `"diverges"`: γ > 1, |x| grows.
    """)
    b.answer("behaviour", """
    def behaviour(gamma):
        ### BEGIN SOLUTION
        q = 1.0 - 2.0 * gamma
        if q > 0:
            return "monotone"
        if q == 0:
            return "one step"
        if q > -1:
            return "overshooting"
        if q == -1:
            return "ping-pong"
        return "diverges"
        ### END SOLUTION
    """)
    b.tests("test_behaviour", 2, """
    for _gamma, _want in ((0.2, "monotone"), (0.7, "overshooting"), (0.8, "overshooting"), (1.0, "ping-pong"), (1.3, "diverges")):
        _got = behaviour(_gamma)
        assert _got == _want, f"behaviour({_gamma}) = {_got!r}; the factor q = 1 - 2*gamma = {1 - 2 * _gamma:.2f} means {_want!r}"
    """)
    b.md("""
    ## 3. How many steps?

    `steps_needed(gamma, x0, tol, max_steps=10_000)` returns the number of descent steps on
    f(x) = x² from x0 until |x| ≤ tol for the first time (0 if |x0| ≤ tol already), or `None`
    if that does not happen within `max_steps` steps.
    """)
    b.answer("steps_needed", """
    def steps_needed(gamma, x0, tol, max_steps=10_000):
        ### BEGIN SOLUTION
        x = float(x0)
        for k in range(max_steps + 1):
            if abs(x) <= tol:
                return k
            x = x - gamma * 2.0 * x
        return None
        ### END SOLUTION
    """)
    b.tests("test_steps_needed", 2, """
    _got = steps_needed(0.2, -4.0, 1e-3)
    assert _got == 17, f"from x0 = -4 with gamma = 0.2, |x| = 4 * 0.6^k first drops to 1e-3 at k = 17; you return {_got}"
    assert steps_needed(0.2, 1e-4, 1e-3) == 0, "if |x0| <= tol no step is needed"
    ### BEGIN HIDDEN TESTS
    _rng = np.random.default_rng()
    assert steps_needed(1.2, -4.0, 1e-3) is None, "gamma = 1.2 diverges: return None"
    assert steps_needed(1.0, -4.0, 1e-3) is None, "gamma = 1 ping-pongs forever: return None"
    for _ in range(5):
        _gamma, _x0, _tol = float(_rng.uniform(0.05, 0.95)), float(_rng.uniform(-10, 10)), float(10 ** _rng.uniform(-8, -1))
        _x, _k = _x0, 0
        while abs(_x) > _tol:
            _x, _k = _x - _gamma * 2 * _x, _k + 1
        assert steps_needed(_gamma, _x0, _tol) == _k, f"steps_needed({_gamma:.4f}, {_x0:.4f}, {_tol:.3g}) should be {_k}"
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## Explore (not graded)

    The descent paths for the three step sizes of the slides. This cell runs fewer steps while
    the notebook is being graded (nbgrader sets `NBGRADER_EXECUTION`).
    """)
    b.code("""
    n_steps = 5 if os.environ.get("NBGRADER_EXECUTION") else 30
    for gamma in (0.8, 0.7, 0.2):
        path = [-4.0]
        for _ in range(n_steps):
            path.append(float(descent_step(path[-1], 2 * path[-1], gamma)))
        print(f"gamma={gamma}: " + ", ".join(f"{x:.3f}" for x in path[:8]), "...")
    """)
    b.md("""
    ## 4. In your own words (graded by hand)

    On a very steep function, plain gradient descent overshoots and the iterates explode.
    Explain in three to six sentences why limiting the gradient's magnitude (to 0.3, say)
    prevents this, and what clipping costs when the iterate is far from the minimum.
    """)
    b.written("clipping_explanation", 2, """
    ### BEGIN SOLUTION
    The step is γ times the gradient, so on a steep function a moderate γ still gives a huge step
    that lands even higher up the other side, where the gradient is larger still: the iterates
    grow without bound. Clipping bounds every step by γ·0.3 whatever the slope, so one step can no
    longer throw the iterate far past the minimum; near the minimum the gradient is small anyway and
    the step is unchanged. The price: far from the minimum the steps are short, so descent needs many
    more of them, and the step no longer reflects how steep the function is.
    ### END SOLUTION
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_backprop_by_hand() -> Builder:
    b = Builder("backprop-by-hand")
    intro(b, "Backpropagation by hand",
          [("notebook 06, backpropagation by hand", "06-backprop-by-hand.ipynb")],
          r"""
          The 2-2-1 sigmoid network of the Rostock slides, with inputs $x, y$, target $z$ and

          $$o_1 = \mathrm{sig}(w_{x1} x + w_{y1} y + t_1), \qquad
            o_2 = \mathrm{sig}(w_{x2} x + w_{y2} y + t_2), \qquad
            N = \mathrm{sig}(w_{1z} o_1 + w_{2z} o_2 + t_z), \qquad E(x, y, z) = (N - z)^2 .$$

          (The slides print $o_1 = \mathrm{sig}(i_2 + t_2)$ for the second hidden unit: a typo
          for $o_2$.) Derive each partial derivative of $E$ on paper and type the **closed
          form**: an expression in $x, y, z$, the parameters and the values $o_1, o_2, N$ that
          `forward` returns. The graders compare your formulas with central differences of $E$
          at random parameter points drawn when your notebook is graded, and say which usual
          mistake a wrong formula shows. Calling a library gradient (nnlib's backprop or
          numerical gradient) or differentiating `error` numerically does not count and is
          detected.
          """)
    b.locked("network_and_checks", (CHECKS / "backprop_by_hand.py").read_text())
    b.md("""
    ## 1. The derivative of the sigmoid

    Show on paper that sig'(s) = sig(s) (1 - sig(s)); then write `sig_prime(s)` with that formula
    (elementwise, for numbers and arrays).
    """)
    b.answer("sig_prime", """
    def sig_prime(s):
        ### BEGIN SOLUTION
        return sig(s) * (1.0 - sig(s))
        ### END SOLUTION
    """)
    b.tests("test_sig_prime", 1, """
    check_sig_prime(sig_prime, seed=6)
    ### BEGIN HIDDEN TESTS
    check_sig_prime(sig_prime, seed=None)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 2. The output unit: ∂E/∂t_z

    Each function below takes the parameter dict `p`, the inputs `x`, `y` and the target `z`
    and returns one number. Start from `o_1, o_2, N = forward(p, x, y)`.
    """)
    b.answer("dE_dt_z", """
    def dE_dt_z(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N)
        ### END SOLUTION
    """)
    b.tests("test_dE_dt_z", 2, """
    check_derivative(dE_dt_z, "t_z", n_points=2, seed=1)
    ### BEGIN HIDDEN TESTS
    check_derivative(dE_dt_z, "t_z", n_points=5, seed=None)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 3. The output weights: ∂E/∂w_1z and ∂E/∂w_2z
    """)
    b.answer("dE_dw_out", """
    def dE_dw_1z(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * o_1
        ### END SOLUTION


    def dE_dw_2z(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * o_2
        ### END SOLUTION
    """)
    b.tests("test_dE_dw_out", 2, """
    check_derivative(dE_dw_1z, "w_1z", n_points=2, seed=2)
    check_derivative(dE_dw_2z, "w_2z", n_points=2, seed=3)
    ### BEGIN HIDDEN TESTS
    check_derivative(dE_dw_1z, "w_1z", n_points=5, seed=None)
    check_derivative(dE_dw_2z, "w_2z", n_points=5, seed=None)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 4. The hidden biases: ∂E/∂t_1 and ∂E/∂t_2

    Now the chain passes through the output unit *and* a hidden unit.
    """)
    b.answer("dE_dt_hidden", """
    def dE_dt_1(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_1z"] * o_1 * (1 - o_1)
        ### END SOLUTION


    def dE_dt_2(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_2z"] * o_2 * (1 - o_2)
        ### END SOLUTION
    """)
    b.tests("test_dE_dt_hidden", 2, """
    check_derivative(dE_dt_1, "t_1", n_points=2, seed=4)
    check_derivative(dE_dt_2, "t_2", n_points=2, seed=5)
    ### BEGIN HIDDEN TESTS
    check_derivative(dE_dt_1, "t_1", n_points=5, seed=None)
    check_derivative(dE_dt_2, "t_2", n_points=5, seed=None)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 5. The hidden weights: ∂E/∂w_x1, ∂E/∂w_y1, ∂E/∂w_x2, ∂E/∂w_y2

    `w_y1` is the weight from input y to hidden unit 1 (in matrix form W1[1, 0]: from unit i
    to unit j is W[i, j]).
    """)
    b.answer("dE_dw_hidden", """
    def dE_dw_x1(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_1z"] * o_1 * (1 - o_1) * x
        ### END SOLUTION


    def dE_dw_y1(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_1z"] * o_1 * (1 - o_1) * y
        ### END SOLUTION


    def dE_dw_x2(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_2z"] * o_2 * (1 - o_2) * x
        ### END SOLUTION


    def dE_dw_y2(p, x, y, z):
        o_1, o_2, N = forward(p, x, y)
        ### BEGIN SOLUTION
        return 2 * (N - z) * N * (1 - N) * p["w_2z"] * o_2 * (1 - o_2) * y
        ### END SOLUTION
    """)
    b.tests("test_dE_dw_hidden", 2, """
    for _fn, _name, _seed in ((dE_dw_x1, "w_x1", 7), (dE_dw_y1, "w_y1", 8), (dE_dw_x2, "w_x2", 9), (dE_dw_y2, "w_y2", 10)):
        check_derivative(_fn, _name, n_points=2, seed=_seed)
    ### BEGIN HIDDEN TESTS
    for _fn, _name in ((dE_dw_x1, "w_x1"), (dE_dw_y1, "w_y1"), (dE_dw_x2, "w_x2"), (dE_dw_y2, "w_y2")):
        check_derivative(_fn, _name, n_points=5, seed=None)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## Check yourself (not graded)

    One gradient-descent step with all nine derivatives should lower E for a small γ.
    """)
    b.code("""
    p = {"w_x1": 0.5, "w_y1": -0.4, "w_x2": 0.9, "w_y2": 0.3, "w_1z": -1.2, "w_2z": 0.8, "t_1": 0.1, "t_2": -0.3, "t_z": 0.2}
    derivatives = {"t_z": dE_dt_z, "w_1z": dE_dw_1z, "w_2z": dE_dw_2z, "t_1": dE_dt_1, "t_2": dE_dt_2,
                   "w_x1": dE_dw_x1, "w_y1": dE_dw_y1, "w_x2": dE_dw_x2, "w_y2": dE_dw_y2}
    x, y, z = 1.0, 0.5, 1.0
    stepped = {name: p[name] - 0.5 * derivatives[name](p, x, y, z) for name in PARAMS}
    print(f"E before {error(p, x, y, z):.6f}, after one step {error(stepped, x, y, z):.6f}")
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_backprop_algorithm() -> Builder:
    b = Builder("backprop-algorithm")
    intro(b, "The backpropagation algorithm",
          [("notebook 07, the backpropagation algorithm", "07-backprop-algorithm.ipynb")],
          """
          You write the vectorised forward and backward pass of a sigmoid MLP, check it against
          numerical derivatives, implement one epoch of batch, minibatch and online training,
          train XOR and compare online with batch learning. Conventions: one sample per row, `W[l]` has shape (n_l, n_{l+1}),
          `xi = y @ W + b`, every layer uses the logistic sigmoid, and
          E = ½ Σ_k Σ_j (y_kj - d_kj)² summed over the samples (PV021's error).
          """)
    b.locked("setup", """
    import os

    import numpy as np


    def sigmoid(xi):
        return 0.5 * (1.0 + np.tanh(0.5 * xi))


    def half_sse(y, d):
        return 0.5 * float(np.sum((y - d) ** 2))


    def init_params(sizes, seed):
        rng = np.random.default_rng(seed)
        W = [rng.normal(0, 1 / np.sqrt(n_in), size=(n_in, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        b = [np.zeros(n_out) for n_out in sizes[1:]]
        return W, b


    X_xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    d_xor = np.array([[0.0], [1.0], [1.0], [0.0]])
    """)
    b.md("""
    ## 1. Forward pass

    `forward(X, W, b)` returns the list `ys` of layer outputs: `ys[0] = X` and
    `ys[l+1] = sigmoid(ys[l] @ W[l] + b[l])`.
    """)
    b.answer("forward", """
    def forward(X, W, b):
        ### BEGIN SOLUTION
        ys = [np.asarray(X, dtype=float)]
        for W_l, b_l in zip(W, b):
            ys.append(sigmoid(ys[-1] @ W_l + b_l))
        return ys
        ### END SOLUTION
    """)
    b.tests("test_forward", 2, """
    def _ref_forward(X, W, b):
        ys = [X]
        for W_l, b_l in zip(W, b):
            ys.append(1 / (1 + np.exp(-(ys[-1] @ W_l + b_l))))
        return ys

    def _check_forward(sizes, seed, n=5):
        W_, b_ = init_params(sizes, seed)
        b_ = [np.random.default_rng(seed).normal(size=v.shape) for v in b_]
        X_ = np.random.default_rng(seed + 1).normal(size=(n, sizes[0]))
        want = _ref_forward(X_, W_, b_)
        got = forward(X_, W_, b_)
        assert len(got) == len(want), f"forward must return {len(want)} arrays (X and one per layer); got {len(got)}"
        for l, (g, w) in enumerate(zip(got, want)):
            g = np.asarray(g, dtype=float)
            assert g.shape == w.shape, f"ys[{l}] must have shape {w.shape}; got {g.shape}"
            assert np.allclose(g, w, rtol=1e-10), f"ys[{l}] is wrong for sizes {sizes}"

    _check_forward([2, 3, 1], 0)
    ### BEGIN HIDDEN TESTS
    _seed = int.from_bytes(os.urandom(3), "little")
    _check_forward([3, 4, 5, 2], _seed, n=7)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 2. Backward pass

    `backward(ys, W, d)` returns `(dW, db)`, lists of the same shapes as `W` and `b`, with the
    derivatives of E = ½ Σ (y_L - d)² (summed over samples) with respect to every weight and
    bias. Start from ∂E/∂y_L = y_L - d; for a sigmoid layer ∂E/∂ξ = ∂E/∂y · y (1 - y).
    """)
    b.answer("backward", """
    def backward(ys, W, d):
        ### BEGIN SOLUTION
        dE_dy = ys[-1] - d
        dW, db = [None] * len(W), [None] * len(W)
        for l in reversed(range(len(W))):
            dE_dxi = dE_dy * ys[l + 1] * (1 - ys[l + 1])
            dW[l] = ys[l].T @ dE_dxi
            db[l] = dE_dxi.sum(axis=0)
            dE_dy = dE_dxi @ W[l].T
        return dW, db
        ### END SOLUTION
    """)
    b.tests("test_backward", 3, """
    def _numeric(X, d, W, b, h=1e-6):
        def E():
            y = X
            for W_l, b_l in zip(W, b):
                y = 1 / (1 + np.exp(-(y @ W_l + b_l)))
            return 0.5 * np.sum((y - d) ** 2)
        grads = []
        for arr in W + b:
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + h; up = E()
                arr[idx] = old - h; down = E()
                arr[idx] = old
                g[idx] = (up - down) / (2 * h)
            grads.append(g)
        return grads[:len(W)], grads[len(W):]

    def _check_backward(sizes, seed, n=6):
        rng = np.random.default_rng(seed)
        W_ = [rng.normal(size=(a, c)) for a, c in zip(sizes[:-1], sizes[1:])]
        b_ = [rng.normal(size=c) for c in sizes[1:]]
        X_, d_ = rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
        dW, db = backward(forward(X_, W_, b_), W_, d_)
        nW, nb = _numeric(X_, d_, W_, b_)
        for l in range(len(W_)):
            got = np.asarray(dW[l], dtype=float)
            if got.shape == nW[l].T.shape and got.shape != nW[l].shape:
                raise AssertionError(f"dW[{l}] has shape {got.shape}, the transpose of W[{l}] {nW[l].shape}: "
                                     "the weight gradient is ys[l].T @ dE_dxi")
            assert got.shape == nW[l].shape, f"dW[{l}] must have shape {nW[l].shape}; got {got.shape}"
            err = np.max(np.abs(got - nW[l])) / max(np.max(np.abs(got) + np.abs(nW[l])), 1e-12)
            if err > 1e-6:
                hint = ""
                if np.allclose(got, nW[l].T, rtol=1e-5):
                    hint = " It equals the transposed gradient: use ys[l].T @ dE_dxi."
                elif np.allclose(got, -nW[l], rtol=1e-5):
                    hint = " The sign is flipped: dE/dy_L = y_L - d."
                elif np.allclose(got, nW[l] / n, rtol=1e-5):
                    hint = " You averaged over samples; E here is the sum over samples."
                raise AssertionError(f"dW[{l}] disagrees with central differences (relative error {err:.2g}) for sizes {sizes}.{hint}")
            err_b = np.max(np.abs(np.asarray(db[l], dtype=float) - nb[l]))
            assert err_b < 1e-6, f"db[{l}] disagrees with central differences by {err_b:.2g} for sizes {sizes}"

    _check_backward([2, 3, 1], 0)
    ### BEGIN HIDDEN TESTS
    _seed = int.from_bytes(os.urandom(3), "little")
    _check_backward([3, 3, 3], _seed)
    _check_backward([2, 4, 3, 2], _seed + 1)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 3. One epoch: batch, minibatch and online

    `train_epoch(X, d, W, b, gamma, batch_size=None)` runs one epoch of gradient descent and
    returns the new `(W, b)` (or, if you prefer, updates the lists `W` and `b` in place and
    returns None; both are accepted): with `batch_size=None` one step on the gradient of the whole set
    (batch learning); otherwise consecutive slices `X[0:batch_size]`, `X[batch_size:2*batch_size]`,
    ... in the given order, one step per slice (`batch_size=1` is online learning). Each step is
    W[l] ← W[l] - γ ∂E/∂W[l] with E summed over the samples of the slice. (Shuffling happens
    outside, before each epoch.)
    """)
    b.answer("train_epoch", """
    def train_epoch(X, d, W, b, gamma, batch_size=None):
        ### BEGIN SOLUTION
        W = [w.copy() for w in W]
        b = [v.copy() for v in b]
        n = len(X)
        size = n if batch_size is None else batch_size
        for start in range(0, n, size):
            Xb, db_ = X[start:start + size], d[start:start + size]
            dW, dbias = backward(forward(Xb, W, b), W, db_)
            for l in range(len(W)):
                W[l] -= gamma * dW[l]
                b[l] -= gamma * dbias[l]
        return W, b
        ### END SOLUTION
    """)
    b.tests("test_train_epoch", 2, """
    def _ref_epoch(X, d, W, b, gamma, batch_size):
        W = [w.copy() for w in W]; b = [v.copy() for v in b]
        size = len(X) if batch_size is None else batch_size
        for start in range(0, len(X), size):
            ys = [X[start:start + size]]
            for W_l, b_l in zip(W, b):
                ys.append(1 / (1 + np.exp(-(ys[-1] @ W_l + b_l))))
            delta = (ys[-1] - d[start:start + size]) * ys[-1] * (1 - ys[-1])
            for l in reversed(range(len(W))):
                gW, gb = ys[l].T @ delta, delta.sum(axis=0)
                delta = (delta @ W[l].T) * ys[l] * (1 - ys[l])
                W[l] -= gamma * gW; b[l] -= gamma * gb
        return W, b

    def _check_epoch(batch_size, seed):
        W0, b0 = init_params([2, 3, 1], seed)
        want_W, want_b = _ref_epoch(X_xor, d_xor, W0, b0, 0.5, batch_size)
        got = train_epoch(X_xor, d_xor, W0, b0, 0.5, batch_size=batch_size)
        got_W, got_b = (W0, b0) if got is None else got   # in place, or returned
        assert len(got_W) == 2 and len(got_b) == 2, "train_epoch must return (W, b), or update W and b in place and return None"
        what = "batch" if batch_size is None else f"batch_size={batch_size}"
        for l in range(2):
            assert np.allclose(got_W[l], want_W[l], rtol=1e-9, atol=1e-12), f"{what}: W[{l}] after one epoch is wrong"
            assert np.allclose(got_b[l], want_b[l], rtol=1e-9, atol=1e-12), f"{what}: b[{l}] after one epoch is wrong"

    _check_epoch(None, 0)
    _check_epoch(1, 0)
    ### BEGIN HIDDEN TESTS
    _seed = int.from_bytes(os.urandom(3), "little")
    _check_epoch(2, _seed)
    _check_epoch(3, _seed)
    _check_epoch(1, _seed)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 4. Training

    `train(X, d, W, b, gamma, epochs, batch_size=None)` runs `epochs` epochs of `train_epoch`
    from the start `W`, `b` and returns `(W, b, errors)`: the parameters after the last epoch
    and the list of E on the whole set after each epoch (`errors[0]` after the first).
    """)
    b.answer("train", """
    def train(X, d, W, b, gamma, epochs, batch_size=None):
        ### BEGIN SOLUTION
        errors = []
        for epoch in range(epochs):
            W, b = train_epoch(X, d, W, b, gamma, batch_size)
            errors.append(half_sse(forward(X, W, b)[-1], d))
        return W, b, errors
        ### END SOLUTION
    """)
    b.tests("test_train", 1, """
    _W0, _b0 = init_params([2, 3, 1], seed=0)
    _W, _b, _errors = train(X_xor, d_xor, [w.copy() for w in _W0], [v.copy() for v in _b0], 1.0, 5)
    assert len(_errors) == 5, f"errors must hold E after each of the 5 epochs; got {len(_errors)} values"
    assert abs(_errors[-1] - half_sse(forward(X_xor, _W, _b)[-1], d_xor)) < 1e-12, "errors[-1] must be E of the returned W, b"
    _W1, _b1 = train_epoch(X_xor, d_xor, [w.copy() for w in _W0], [v.copy() for v in _b0], 1.0) or (None, None)
    if _W1 is not None:
        assert abs(_errors[0] - half_sse(forward(X_xor, _W1, _b1)[-1], d_xor)) < 1e-12, "errors[0] must be E after the first epoch"
    """)
    b.md("""
    ## 5. Train XOR

    Train a 2-3-1 network on `X_xor`, `d_xor` with your `train` from the start
    `init_params([2, 3, 1], seed=1)` with γ = 2 for 1000 epochs and plot the error per epoch.
    E must fall below 0.05. The graders call your `train` with these settings from three other
    starts drawn the same way, at grading time, and check the error of the weights it returns
    (so weights set by hand do not pass).
    """)
    b.answer("train_xor", """
    import matplotlib.pyplot as plt

    ### BEGIN SOLUTION
    W_xor, b_xor, errors_xor = train(X_xor, d_xor, *init_params([2, 3, 1], seed=1), gamma=2.0, epochs=1000)
    ### END SOLUTION
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.semilogy(np.arange(1, len(errors_xor) + 1), errors_xor)
    ax.set_xlabel("epoch")
    ax.set_ylabel("E on XOR")
    plt.show()
    print("E on XOR:", half_sse(forward(X_xor, W_xor, b_xor)[-1], d_xor))
    """)
    b.tests("test_train_xor", 1, """
    _W, _b, _errors = train(X_xor, d_xor, *init_params([2, 3, 1], seed=1), 2.0, 1000)
    _E = half_sse(forward(X_xor, _W, _b)[-1], d_xor)
    assert _E < 0.05, f"train from init_params([2, 3, 1], seed=1) with gamma = 2 ends at E = {_E:.4f}; it must get below 0.05"
    """)
    b.md("""
    ## 6. Online versus batch

    From the same start, does online learning (`batch_size=1`: one step per sample, four per
    epoch on XOR) or batch learning (one step per epoch on the summed gradient) reach the goal
    in fewer epochs? Write `compare_online_batch(X, d, W, b, gamma, target, max_epochs)`: it
    trains both ways from `W`, `b` for up to `max_epochs` epochs and returns
    `{"batch": k_batch, "online": k_online}`, where k is the number of epochs after which E
    first falls below `target` (None if it never does).
    """)
    b.answer("online_vs_batch", """
    def compare_online_batch(X, d, W, b, gamma, target, max_epochs):
        ### BEGIN SOLUTION
        result = {}
        for name, batch_size in (("batch", None), ("online", 1)):
            errors = train(X, d, W, b, gamma, max_epochs, batch_size)[2]
            result[name] = next((k + 1 for k, E in enumerate(errors) if E < target), None)
        return result
        ### END SOLUTION
    """)
    b.tests("test_online_vs_batch", 1, """
    _result = compare_online_batch(X_xor, d_xor, *init_params([2, 3, 1], seed=1), 2.0, 0.05, 1500)
    assert set(_result) == {"batch", "online"}, "return a dict with the keys 'batch' and 'online'"
    _W, _b, _errors = train(X_xor, d_xor, *init_params([2, 3, 1], seed=1), 2.0, _result["batch"])
    assert _errors[-1] < 0.05 and min(_errors[:-1], default=1.0) >= 0.05, "batch: the first epoch after which E < 0.05"
    """)
    b.md("""
    ## Explore (not graded): the comparison over many starts

    One start says little. Count, over 20 starts, how often online learning needs fewer epochs.
    Online learning makes four steps per epoch here, each on one sample's gradient; batch
    learning makes one step on the sum of the four. Is an online epoch worth four batch steps,
    one, or something between, and what does a larger γ change? Fewer starts while the notebook
    is graded (`NBGRADER_EXECUTION` is set).
    """)
    b.code("""
    starts = 3 if os.environ.get("NBGRADER_EXECUTION") else 20
    results = [compare_online_batch(X_xor, d_xor, *init_params([2, 3, 1], seed), 2.0, 0.05, 1500) for seed in range(starts)]
    for seed, r in enumerate(results):
        print(f"seed {seed:2d}: batch {r['batch']}, online {r['online']}")
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_losses_and_classification() -> Builder:
    b = Builder("losses-and-classification")
    intro(b, "Losses and classification",
          [("notebook 08, output units and loss functions", "08-losses.ipynb"),
           ("notebook 09, hands on", "09-hands-on.ipynb")],
          """
          You implement softmax and the categorical cross-entropy with its gradient, then train a
          classifier for the 8x8 digits that must reach 90 % accuracy on images it has never seen.
          """)
    b.locked("setup", """
    import os

    import numpy as np
    from nnlib.datasets import load_digits

    # Your training set: 1297 of the 1797 digits. The other 500 are held out by the graders
    # and never enter this notebook; at grading time they pass only those images (never their
    # labels) to your `predict`.
    _X, _labels = load_digits()
    _train = np.random.default_rng(0).permutation(len(_X))[:1297]
    X_train, labels_train = _X[_train] / 16.0, _labels[_train]     # pixel values 0..16 -> 0..1
    del _X, _labels, _train
    print(X_train.shape)
    """)
    b.md("""
    ## 1. Softmax

    `softmax(xi)` for `xi` of shape (N, m): each row becomes positive numbers that sum to 1.
    It must not overflow for entries as large as 1000 (subtract each row's maximum first).
    """)
    b.answer("softmax", """
    def softmax(xi):
        ### BEGIN SOLUTION
        xi = np.asarray(xi, dtype=float)
        e = np.exp(xi - xi.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
        ### END SOLUTION
    """)
    b.tests("test_softmax", 1, """
    _p = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    _want = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert np.shape(_p) == (2, 3), f"softmax must keep the shape (N, m); got {np.shape(_p)}"
    assert np.allclose(_p[0], _want), f"softmax([1, 2, 3]) = {_want}; you return {_p[0]} (normalise each row)"
    assert np.allclose(_p[1], 1 / 3), "softmax of a constant row is uniform"
    ### BEGIN HIDDEN TESTS
    with np.errstate(over="raise", invalid="raise"):
        try:
            _big = softmax(np.array([[1000.0, 0.0, -1000.0]]))
        except FloatingPointError:
            raise AssertionError("softmax overflows for xi = 1000: subtract the row maximum first") from None
    assert np.allclose(_big, [[1.0, 0.0, 0.0]])
    _xi = np.random.default_rng().normal(0, 5, size=(6, 4))
    _e = np.exp(_xi)
    assert np.allclose(softmax(_xi), _e / _e.sum(axis=1, keepdims=True))
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 2. Cross-entropy and its gradient

    `cross_entropy(y, d)` = -Σ_k Σ_j d_kj log y_kj (summed over samples) for predicted
    probabilities `y` and one-hot targets `d`, both (N, m). `ce_grad_xi(xi, d)` returns
    ∂E/∂ξ for E = cross_entropy(softmax(ξ), d), shape (N, m). Notebook 08 derives it; the test
    checks it against central differences.
    """)
    b.answer("cross_entropy", """
    def cross_entropy(y, d):
        ### BEGIN SOLUTION
        return float(-np.sum(d * np.log(y)))
        ### END SOLUTION


    def ce_grad_xi(xi, d):
        ### BEGIN SOLUTION
        return softmax(xi) - d
        ### END SOLUTION
    """)
    b.tests("test_cross_entropy", 2, """
    def _check_ce(seed, n=4, m=3):
        rng = np.random.default_rng(seed)
        xi = rng.normal(0, 2, size=(n, m))
        d = np.eye(m)[rng.integers(0, m, size=n)]
        y = np.exp(xi) / np.exp(xi).sum(axis=1, keepdims=True)
        want_E = -np.sum(d * np.log(y))
        got_E = cross_entropy(y, d)
        assert abs(got_E - want_E) < 1e-9 * max(1, abs(want_E)), f"cross_entropy: expected {want_E:.6f}, got {got_E:.6f} (sum over samples, minus sign)"
        h, num = 1e-6, np.zeros_like(xi)
        for idx in np.ndindex(xi.shape):
            up, down = xi.copy(), xi.copy()
            up[idx] += h; down[idx] -= h
            f = lambda v: -np.sum(d * np.log(np.exp(v) / np.exp(v).sum(axis=1, keepdims=True)))
            num[idx] = (f(up) - f(down)) / (2 * h)
        got = np.asarray(ce_grad_xi(xi, d), dtype=float)
        assert got.shape == xi.shape, f"ce_grad_xi must return shape {xi.shape}; got {got.shape}"
        if not np.allclose(got, num, atol=1e-7):
            hint = " (the sign is flipped: it is softmax(xi) - d)" if np.allclose(got, -num, atol=1e-7) else ""
            raise AssertionError(f"ce_grad_xi disagrees with central differences: max difference {np.max(np.abs(got - num)):.3g}{hint}")

    _check_ce(0)
    ### BEGIN HIDDEN TESTS
    _check_ce(int.from_bytes(os.urandom(3), "little"), n=7, m=5)
    ### END HIDDEN TESTS
    """)
    b.md("""
    ## 3. A digits classifier

    Write `train_classifier(X, labels)` that trains a classifier on `X_train`, `labels_train`
    (you may use your functions above, `nnlib`, or both) and returns whatever your
    `predict(model, X)` needs; `predict` returns one label 0..9 per row of `X`. The graders
    measure the accuracy on 500 held-out digits; it must be at least 0.90. Keep training
    under about 20 seconds.

    What the threshold tests: that your training and prediction work on images the model has
    not seen. It does not need a hidden layer: softmax regression (64 → 10, no hidden layer,
    300 full-batch steps) already reaches 0.98 on the held-out digits, because these small
    digits are nearly linearly separable. A 64-h-10 network is a fine exercise, not a requirement.
    """)
    b.answer("digits", """
    def train_classifier(X, labels):
        ### BEGIN SOLUTION
        # softmax regression 64 -> 10, full-batch gradient descent on the mean cross-entropy
        d = np.eye(10)[labels]
        W, b = np.zeros((X.shape[1], 10)), np.zeros(10)
        for epoch in range(300):
            delta = ce_grad_xi(X @ W + b, d) / len(X)
            W -= 2.0 * X.T @ delta
            b -= 2.0 * delta.sum(axis=0)
        return W, b
        ### END SOLUTION


    def predict(model, X):
        ### BEGIN SOLUTION
        W, b = model
        return np.argmax(X @ W + b, axis=1)
        ### END SOLUTION


    model = train_classifier(X_train, labels_train)
    print("training accuracy:", np.mean(predict(model, X_train) == labels_train))
    """)
    b.tests("test_digits", 3, """
    _pred = np.asarray(predict(model, X_train))
    assert _pred.shape == labels_train.shape, f"predict must return one label per row: shape {labels_train.shape}; got {_pred.shape}"
    """)
    b.md("""
    ## Explore (not graded): the confusion matrix on a validation split

    Which digits does your classifier confuse? Counting on the training images would flatter it,
    and the held-out digits are the graders'. So set aside the last 297 training images as a
    validation set, train on the first 1000 and count on the validation images (rows: true
    digit, columns: predicted digit). Skipped while the notebook is graded
    (`NBGRADER_EXECUTION` is set).
    """)
    b.code("""
    if not os.environ.get("NBGRADER_EXECUTION"):
        X_fit, labels_fit = X_train[:1000], labels_train[:1000]
        X_val, labels_val = X_train[1000:], labels_train[1000:]
        val_model = train_classifier(X_fit, labels_fit)
        confusion = np.zeros((10, 10), dtype=int)
        for true, guess in zip(labels_val, predict(val_model, X_val)):
            confusion[true, guess] += 1
        print("validation accuracy:", np.trace(confusion) / len(X_val))
        print(confusion)
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_perceptron() -> Builder:
    b = Builder("perceptron")
    intro(b, "Perceptron learning and logistic regression",
          [("notebook 04, perceptron learning and linear models", "04-perceptron-learning.ipynb")],
          """
          You implement one step of the perceptron rule, train a step neuron until it separates
          linearly separable data, detect the cycle the rule falls into on XOR, and write the
          gradient of logistic regression's cross-entropy. Conventions: one sample per row of `X`,
          a step neuron outputs y = 1 where ξ = x·w + b ≥ 0, else 0; targets d are 0 or 1.
          """)
    b.locked("setup", """
    import numpy as np

    X_gates = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    d_and = np.array([0.0, 0.0, 0.0, 1.0])
    d_xor = np.array([0.0, 1.0, 1.0, 0.0])
    """)
    b.md("""
    ## 1. One step of the perceptron rule

    `perceptron_update(x, d, w, b, gamma)` applies the rule to one sample `x` (shape (n,)) with
    target `d`: compute y = step(x·w + b), then return the new `(w, b)`,

    w ← w + γ (d − y) x,    b ← b + γ (d − y).

    A correctly classified sample (y = d) leaves `w` and `b` unchanged. Do not modify the `w`
    you are given; return a new array.
    """)
    b.answer("perceptron_update", """
    def perceptron_update(x, d, w, b, gamma):
        ### BEGIN SOLUTION
        y = 1.0 if x @ w + b >= 0 else 0.0
        return w + gamma * (d - y) * x, b + gamma * (d - y)
        ### END SOLUTION
    """)
    b.tests("test_perceptron_update", 2, """
    # notebook 04's check-yourself question 1: w = (1, -1), b = 0, x = (1, 2), d = 1, gamma = 1
    _w, _b = perceptron_update(np.array([1.0, 2.0]), 1.0, np.array([1.0, -1.0]), 0.0, 1.0)
    assert np.allclose(_w, [2.0, 1.0]) and np.isclose(_b, 1.0), f"expected w = (2, 1), b = 1; got w = {_w}, b = {_b}"
    _w, _b = perceptron_update(np.array([1.0, 2.0]), 0.0, np.array([1.0, 1.0]), 0.0, 1.0)
    assert np.allclose(_w, [0.0, -1.0]) and np.isclose(_b, -1.0), "a sample with d = 0 but y = 1 moves w away from x"
    _w, _b = perceptron_update(np.array([1.0, 2.0]), 1.0, np.array([1.0, 1.0]), 0.0, 1.0)
    assert np.allclose(_w, [1.0, 1.0]) and np.isclose(_b, 0.0), "a correctly classified sample leaves w and b unchanged"
    """)
    b.md("""
    ## 2. Training until there is no mistake

    `perceptron_train(X, d, gamma, max_epochs)` starts at w = 0, b = 0 and applies
    `perceptron_update` to the samples in the given order, epoch after epoch, until an epoch
    makes no mistake (or `max_epochs` have run). It returns `(w, b, epochs)`, where `epochs`
    counts the epochs run, including the last one without a mistake. Notebook 04 shows why
    this ends on linearly separable data (Novikoff: at most (R/ρ)² updates from the zero start).
    """)
    b.answer("perceptron_train", """
    def perceptron_train(X, d, gamma, max_epochs):
        ### BEGIN SOLUTION
        w, b = np.zeros(X.shape[1]), 0.0
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for x, target in zip(X, d):
                mistakes += (1.0 if x @ w + b >= 0 else 0.0) != target
                w, b = perceptron_update(x, target, w, b, gamma)
            if mistakes == 0:
                break
        return w, b, epoch
        ### END SOLUTION


    w_and, b_and, epochs_and = perceptron_train(X_gates, d_and, 1.0, 100)
    print(f"AND: w = {w_and}, b = {b_and}, {epochs_and} epochs")
    """)
    b.tests("test_perceptron_train", 2, """
    _w, _b, _epochs = perceptron_train(X_gates, d_and, 1.0, 100)
    _y = (X_gates @ _w + _b >= 0).astype(float)
    assert np.array_equal(_y, d_and), f"the trained neuron gives {_y} on AND; expected {d_and}"
    assert _epochs == 6 and np.allclose(_w, [2.0, 1.0]) and np.isclose(_b, -3.0), \\
        f"from w = 0, b = 0 in the given order the rule ends at w = (2, 1), b = -3 after 6 epochs (the last without a mistake); got {_w}, {_b}, {_epochs}"
    """)
    b.md("""
    ## 3. The cycle on XOR

    On XOR the rule never has an epoch without a mistake, and, started at zero, its weights
    come back: the state (w, b) at the end of some epoch k equals the state at the end of an
    earlier epoch j (j = 0 is the start, w = 0, b = 0), and from then on the rule repeats
    epochs j+1..k forever. `detect_cycle(X, d, gamma, max_epochs)` runs the rule as in part 2
    and returns `(j, k)` for the first such k, or None when an epoch makes no mistake (the data
    were separated) or `max_epochs` pass without a repeat. With these small integer inputs the
    weights are exact, so comparing states with `==` is safe.
    """)
    b.answer("detect_cycle", """
    def detect_cycle(X, d, gamma, max_epochs):
        ### BEGIN SOLUTION
        w, b = np.zeros(X.shape[1]), 0.0
        seen = {(tuple(w), b): 0}
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for x, target in zip(X, d):
                mistakes += (1.0 if x @ w + b >= 0 else 0.0) != target
                w, b = perceptron_update(x, target, w, b, gamma)
            if mistakes == 0:
                return None
            state = (tuple(w), b)
            if state in seen:
                return seen[state], epoch
            seen[state] = epoch
        return None
        ### END SOLUTION


    print("XOR:", detect_cycle(X_gates, d_xor, 1.0, 100), " AND:", detect_cycle(X_gates, d_and, 1.0, 100))
    """)
    b.tests("test_detect_cycle", 2, """
    assert detect_cycle(X_gates, d_and, 1.0, 100) is None, "AND is linearly separable: detect_cycle must return None"
    _found = detect_cycle(X_gates, d_xor, 1.0, 100)
    assert _found is not None and len(_found) == 2, f"on XOR the weights repeat: return (j, k); got {_found}"
    assert tuple(_found) == (2, 3), f"on XOR the state after epoch 3 first repeats the state after epoch 2; you return {_found}"
    """)
    b.md("""
    ## 4. The gradient of logistic regression

    Logistic regression is one neuron with the sigmoid: y_k = σ(x_k·w + b). Its error is the
    binary cross-entropy summed over the samples,

    E(w, b) = −Σ_k [ d_k log y_k + (1 − d_k) log(1 − y_k) ].

    `logistic_grad(X, d, w, b)` returns `(dw, db)`: ∂E/∂w (shape (n,)) and ∂E/∂b (a number).
    Derive it first: with σ' = σ(1 − σ), ∂E/∂ξ_k simplifies to something short. The test
    compares your gradient with central differences of E.
    """)
    b.answer("logistic_grad", """
    def logistic_grad(X, d, w, b):
        ### BEGIN SOLUTION
        y = 0.5 * (1.0 + np.tanh(0.5 * (X @ w + b)))
        delta = y - d
        return X.T @ delta, float(delta.sum())
        ### END SOLUTION
    """)
    b.tests("test_logistic_grad", 2, """
    def _E(X, d, w, b):
        y = 1 / (1 + np.exp(-(X @ w + b)))
        return -np.sum(d * np.log(y) + (1 - d) * np.log(1 - y))

    _rng = np.random.default_rng(0)
    _X, _d, _w, _b0 = _rng.normal(size=(5, 2)), np.array([0.0, 1.0, 1.0, 0.0, 1.0]), _rng.normal(size=2), 0.3
    _h = 1e-6
    _num_w = np.array([(_E(_X, _d, _w + _h * _e, _b0) - _E(_X, _d, _w - _h * _e, _b0)) / (2 * _h) for _e in np.eye(2)])
    _num_b = (_E(_X, _d, _w, _b0 + _h) - _E(_X, _d, _w, _b0 - _h)) / (2 * _h)
    _dw, _db = logistic_grad(_X, _d, _w, _b0)
    assert np.allclose(_dw, _num_w, rtol=1e-6, atol=1e-8), f"dE/dw = {_dw}; central differences give {_num_w}"
    assert np.isclose(_db, _num_b, rtol=1e-6, atol=1e-8), f"dE/db = {_db}; central differences give {_num_b}"
    """)
    b.md("""
    ## Explore (not graded): gradient descent on logistic regression versus the perceptron

    On AND, both find a separating line; only logistic regression also says how sure it is.
    """)
    b.code("""
    w, b_ = np.zeros(2), 0.0
    for step in range(2000):
        dw, db = logistic_grad(X_gates, d_and, w, b_)
        w, b_ = w - 0.5 * dw, b_ - 0.5 * db
    p = 1 / (1 + np.exp(-(X_gates @ w + b_)))
    print("logistic regression on AND: w =", np.round(w, 2), "b =", round(b_, 2), "p =", np.round(p, 3))
    print("perceptron on AND:          w =", w_and, "b =", b_and)
    """)
    return b


# ------------------------------------------------------------------------------------------------
def build_training_in_practice() -> Builder:
    b = Builder("training-in-practice")
    intro(b, "Training in practice",
          [("notebook 10, training in practice", "10-training-in-practice.ipynb")],
          """
          You write the update steps of momentum and Adam, the gradient of the error with an L2
          penalty, dropout's forward and backward pass, and the rule that chooses the epoch to
          keep from the validation error. Each is one small function; notebook 10 derives them.
          """)
    b.locked("setup", """
    import numpy as np
    """)
    b.md("""
    ## 1. Momentum

    `momentum_step(w, dw, v, gamma, mu)` makes one step of gradient descent with momentum from
    the weights `w`, the gradient `dw = ∂E/∂w` and the velocity `v` (all of one shape; `v` is
    zeros before the first step) and returns the new `(w, v)`:

    v ← μ v − γ ∂E/∂w,    w ← w + v.
    """)
    b.answer("momentum_step", """
    def momentum_step(w, dw, v, gamma, mu):
        ### BEGIN SOLUTION
        v = mu * v - gamma * dw
        return w + v, v
        ### END SOLUTION
    """)
    b.tests("test_momentum_step", 2, """
    _w, _v = momentum_step(np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.zeros(2), 0.1, 0.9)
    assert np.allclose(_v, [-0.05, -0.1]) and np.allclose(_w, [0.95, -2.1]), f"first step: v = -gamma dw; got w = {_w}, v = {_v}"
    _w, _v = momentum_step(_w, np.array([0.5, 1.0]), _v, 0.1, 0.9)
    assert np.allclose(_v, [-0.095, -0.19]), f"second step: v = 0.9 v - 0.1 dw = (-0.095, -0.19); got {_v}"
    """)
    b.md("""
    ## 2. Adam

    `adam_step(w, dw, m, s, t, gamma, beta1=0.9, beta2=0.999, eps=1e-8)` makes step `t`
    (counted from 1) of Adam from the moments `m`, `s` of the previous step (zeros before the
    first) and returns the new `(w, m, s)`:

    m ← β₁ m + (1 − β₁) g,   s ← β₂ s + (1 − β₂) g²,   m̂ = m / (1 − β₁ᵗ),   ŝ = s / (1 − β₂ᵗ),
    w ← w − γ m̂ / (√ŝ + ε),

    with g = ∂E/∂w and the squares and roots taken per entry.
    """)
    b.answer("adam_step", """
    def adam_step(w, dw, m, s, t, gamma, beta1=0.9, beta2=0.999, eps=1e-8):
        ### BEGIN SOLUTION
        m = beta1 * m + (1 - beta1) * dw
        s = beta2 * s + (1 - beta2) * dw ** 2
        m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)
        return w - gamma * m_hat / (np.sqrt(s_hat) + eps), m, s
        ### END SOLUTION
    """)
    b.tests("test_adam_step", 2, """
    # the first step of Adam moves every weight by about gamma, whatever the gradient's size
    _w, _m, _s = adam_step(np.array([1.0, 1.0]), np.array([100.0, -0.01]), np.zeros(2), np.zeros(2), 1, 0.1)
    assert np.allclose(_m, [10.0, -0.001]) and np.allclose(_s, [10.0, 1e-7]), f"moments after step 1: m = {_m}, s = {_s}"
    assert np.allclose(_w, [0.9, 1.1], atol=1e-6), f"after step 1 each weight moves by gamma against its gradient's sign; got {_w}"
    """)
    b.md("""
    ## 3. The L2 gradient

    Weight decay adds Ω = (λ/2) ‖W‖² (the sum of the squared entries) to the error.
    `l2_grad(dW, W, lam)` returns the gradient of E + Ω with respect to `W`, given
    `dW = ∂E/∂W`; same shape as `W`.
    """)
    b.answer("l2_grad", """
    def l2_grad(dW, W, lam):
        ### BEGIN SOLUTION
        return dW + lam * W
        ### END SOLUTION
    """)
    b.tests("test_l2_grad", 1, """
    _W, _dW = np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([[0.1, 0.1], [0.1, 0.1]])
    _h = 1e-6
    _num = np.zeros_like(_W)
    for _idx in np.ndindex(_W.shape):
        _up, _down = _W.copy(), _W.copy()
        _up[_idx] += _h
        _down[_idx] -= _h
        _num[_idx] = 0.5 * 0.3 * (np.sum(_up ** 2) - np.sum(_down ** 2)) / (2 * _h)
    assert np.allclose(l2_grad(_dW, _W, 0.3), _dW + _num, atol=1e-8), "l2_grad: dW plus the gradient of (lam/2) ||W||^2"
    """)
    b.md("""
    ## 4. Dropout, forward and backward

    Inverted dropout keeps each output of a layer with probability 1 − p and scales the kept
    ones by 1/(1 − p), so that the expected output is unchanged and nothing needs rescaling at
    inference. To make the randomness testable, the caller draws the units to keep:

    * `dropout_forward(y, p, keep)` takes outputs `y` (N, n) and `keep`, an (N, n) array of 1
      (kept) and 0 (dropped), and returns `(out, mask)` with `mask = keep / (1 − p)` and
      `out = y * mask`. With `keep=None` (inference) it returns `(y, ones)`, unchanged.
    * `dropout_backward(dE_dout, mask)` returns ∂E/∂y, shape (N, n).
    """)
    b.answer("dropout", """
    def dropout_forward(y, p, keep):
        ### BEGIN SOLUTION
        if keep is None:
            return y, np.ones_like(y)
        mask = keep / (1.0 - p)
        return y * mask, mask
        ### END SOLUTION


    def dropout_backward(dE_dout, mask):
        ### BEGIN SOLUTION
        return dE_dout * mask
        ### END SOLUTION
    """)
    b.tests("test_dropout", 2, """
    _y, _keep = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [1.0, 1.0]])
    _out, _mask = dropout_forward(_y, 0.5, _keep)
    assert np.allclose(_out, [[2.0, 0.0], [6.0, 8.0]]), f"p = 0.5: the kept outputs are doubled, the dropped ones 0; got {_out}"
    assert np.allclose(dropout_forward(_y, 0.5, None)[0], _y), "at inference (keep=None) the outputs pass unchanged"
    assert np.allclose(dropout_backward(np.ones((2, 2)), _mask), [[2.0, 0.0], [2.0, 2.0]]), "dE/dy = dE/dout * mask"
    """)
    b.md("""
    ## 5. Choosing the epoch by the validation error

    Early stopping watches the validation error after every epoch and stops when it has not
    improved for `patience` epochs; the weights kept are those of the epoch with the lowest
    validation error so far. `early_stopping(val_errors, patience)` replays this on the list of
    validation errors (`val_errors[0]` after epoch 1) and returns `(best_epoch, stop_epoch)`,
    epochs counted from 1: the epoch whose weights are kept, and the epoch after which training
    stops (the last epoch if it never stops). An epoch improves only if its error is strictly
    lower than every earlier one; training stops after epoch e when e − best_epoch ≥ patience.
    """)
    b.answer("early_stopping", """
    def early_stopping(val_errors, patience):
        ### BEGIN SOLUTION
        lowest, best = np.inf, 0
        for epoch, error in enumerate(val_errors, start=1):
            if error < lowest:
                lowest, best = error, epoch
            elif epoch - best >= patience:
                return best, epoch
        return best, len(val_errors)
        ### END SOLUTION
    """)
    b.tests("test_early_stopping", 2, """
    _errors = [0.9, 0.5, 0.4, 0.45, 0.42, 0.41, 0.35, 0.5]
    assert tuple(early_stopping(_errors, 3)) == (3, 6), f"patience 3: best epoch 3, stop after epoch 6; got {early_stopping(_errors, 3)}"
    assert tuple(early_stopping(_errors, 5)) == (7, 8), f"patience 5: never stops, best epoch 7; got {early_stopping(_errors, 5)}"
    """)
    return b


BUILDERS = {
    "neurons": build_neurons,
    "expressive-power": build_expressive_power,
    "gradient-descent": build_gradient_descent,
    "backprop-by-hand": build_backprop_by_hand,
    "backprop-algorithm": build_backprop_algorithm,
    "losses-and-classification": build_losses_and_classification,
    "perceptron": build_perceptron,
    "training-in-practice": build_training_in_practice,
}


def execute(nb, path):
    """Run the solution notebook in a fresh kernel and keep its outputs.

    Instructors then see what a correct answer prints, and ``make test`` checks with nbval that
    the stored outputs still come out. nbgrader clears outputs when it releases an assignment.
    """
    from nbclient import NotebookClient

    env_flag = os.environ.pop("NBGRADER_EXECUTION", None)   # the full (not the grading) run
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_flag is not None:
            os.environ["NBGRADER_EXECUTION"] = env_flag
    return nb


def main(names=None):
    for name in names or ASSIGNMENTS:
        b = BUILDERS[name]()
        path = ROOT / "solutions" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(execute(b.notebook(), path), str(path))
        print(f"{path.relative_to(ROOT)}: {len(b.cells)} cells, {b.points:g} points")


if __name__ == "__main__":
    main(sys.argv[1:])
