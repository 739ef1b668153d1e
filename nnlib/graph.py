"""A tiny computational graph of scalars with reverse-mode differentiation (notebook 06).

Every arithmetic operation on :class:`Value` objects records a node: its result, the nodes
it came from, and how to pass a gradient back to them (the *local* derivative times the
gradient arriving from above -- the chain rule, one node at a time). ``backward()`` on the
final node visits the nodes in reverse topological order, so each node's gradient is
complete before it is passed on.

I2DL's first example, f = (x + y)·z at x = 1, y = -3, z = 4:

>>> x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
>>> q = x + y; f = q * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-8.0, 4.0, 4.0, -2.0)

A node that feeds several others (``x`` in ``x * x``) collects the sum of their gradients.
"""
from __future__ import annotations

import math
import numbers

__all__ = ["Value"]


class Value:
    """A scalar node of a computational graph: ``data`` (float), ``grad`` (∂f/∂self after
    ``f.backward()``), ``label`` (a name for drawings), ``op`` (the operation that made it)
    and ``parents`` (the nodes it was computed from)."""

    def __init__(self, data, label: str = "", _parents=(), _op: str = ""):
        if isinstance(data, Value):
            raise TypeError("data must be a number; got a Value (use it directly)")
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"data must be a real number; got {type(data).__name__}")
        if not isinstance(label, str):
            raise TypeError(f"label must be a string; got {type(label).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.op = _op
        self.parents = tuple(_parents)
        self._backward = lambda: None

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ----------------------------------------------------------------- operations
    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def _backward():
            # ∂(a + b)/∂a = ∂(a + b)/∂b = 1: addition hands the gradient on unchanged
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def _backward():
            # ∂(a·b)/∂a = b: multiplication swaps the inputs
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"only a constant number can be an exponent; got "
                            f"{type(exponent).__name__}")
        if self.data == 0.0 and exponent < 0:
            raise ValueError(f"0 ** {exponent} is undefined (division by zero)")
        out = Value(self.data ** exponent, _parents=(self,), _op=f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        """e^self; local derivative e^self."""
        out = Value(math.exp(self.data), _parents=(self,), _op="exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        """σ(self) = 1/(1 + e^-self) as one node; local derivative σ(1 - σ)."""
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))   # stable for any magnitude
        out = Value(s, _parents=(self,), _op="sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        """tanh(self); local derivative 1 - tanh²."""
        t = math.tanh(self.data)
        out = Value(t, _parents=(self,), _op="tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        """max(0, self); local derivative 1 for self > 0, else 0."""
        out = Value(max(0.0, self.data), _parents=(self,), _op="relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        other = _as_value(other)
        if other.data == 0.0:
            raise ValueError("division by a Value whose data is 0")
        return self * other ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    # ----------------------------------------------------------------- backward
    def nodes(self) -> list:
        """Every node this one depends on (itself included), inputs first."""
        order, seen = [], set()

        def visit(v):
            if id(v) in seen:
                return
            seen.add(id(v))
            for p in v.parents:
                visit(p)
            order.append(v)
        visit(self)
        return order

    def backward(self) -> None:
        """Fill ``grad`` of every node with ∂self/∂node (gradients from earlier calls are
        reset first)."""
        order = self.nodes()
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)
