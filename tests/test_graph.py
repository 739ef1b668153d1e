"""Computational graph (deck 004): forward values and backpropagated gradients."""
import math

import pytest

from nnlib.gradcheck import numerical_gradient
from nnlib.graph import Value
import numpy as np


def test_i2dl_sum_times_product():
    x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (-2.0, -8.0)
    assert (x.grad, y.grad, z.grad, q.grad) == (4.0, 4.0, -2.0, 4.0)


def test_sigmoid_neuron_graph_node_by_node():
    """f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + b))) split into elementary nodes.

    The numbers are those of the deck's figure (w0 = 2, x0 = -1, w1 = -3, x1 = -2, b = -3):
    potential 1, negated -1, exp 0.37, plus one 1.37, reciprocal 0.73. (The OCR of the
    deck places -0.53 at the input; that is the gradient at the 1.37 node, -1/1.37².)
    """
    w0, x0, w1, x1, b = (Value(v, n) for v, n in
                         [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "b")])
    xi = w0 * x0 + w1 * x1 + b
    neg = -xi
    e = neg.exp()
    s = e + 1.0
    f = 1.0 / s
    f.backward()
    assert xi.data == 1.0 and neg.data == -1.0
    assert (round(e.data, 2), round(s.data, 2), round(f.data, 2)) == (0.37, 1.37, 0.73)
    assert round(s.grad, 2) == -0.53                 # d(1/s)/ds = -1/s²
    assert round(xi.grad, 2) == 0.20                 # σ(1 - σ) at ξ = 1
    assert (round(w0.grad, 2), round(x0.grad, 2)) == (-0.20, 0.39)
    assert (round(w1.grad, 2), round(x1.grad, 2), round(b.grad, 2)) == (-0.39, -0.59, 0.20)
    # one sigmoid node gives the same value and gradient as the five elementary nodes
    xi2 = Value(1.0)
    g = xi2.sigmoid()
    g.backward()
    assert math.isclose(g.data, f.data) and math.isclose(xi2.grad, xi.grad)


def test_gradients_match_central_differences():
    def build(v):
        a, b, c = Value(v[0]), Value(v[1]), Value(v[2])
        out = (a * b + c ** 2).tanh() * (a - c).exp() / (b.sigmoid() + 2.0) + (3.0 - a).relu()
        return a, b, c, out

    point = np.array([0.3, -1.2, 0.8])
    a, b, c, out = build(point)
    out.backward()
    numeric = numerical_gradient(lambda v: build(v)[3].data, point.copy())
    np.testing.assert_allclose([a.grad, b.grad, c.grad], numeric, rtol=1e-8)


def test_reused_node_accumulates_and_backward_resets():
    x = Value(3.0)
    f = x * x + x          # df/dx = 2x + 1 = 7
    f.backward()
    assert x.grad == 7.0
    f.backward()           # a second call does not double the gradients
    assert x.grad == 7.0
    assert [n.op for n in f.nodes()][-1] == "+"


def test_errors():
    with pytest.raises(TypeError, match="data must be a real number; got str"):
        Value("1")
    with pytest.raises(TypeError, match="only a constant number can be an exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="division by a Value whose data is 0"):
        Value(1.0) / 0.0
