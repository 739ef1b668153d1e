"""A layered feed-forward network and its forward pass (taught in notebook 02).

Notation (docs/design.md): layer 0 is the input layer; a "2-4-3-2" network has L = 3 weight
layers. ``W[l-1]`` has shape ``(n_{l-1}, n_l)`` -- Rostock's layout, so ``W[l-1][i, j]`` is
the weight *from* unit i of layer l-1 *to* unit j of layer l (PV021 writes it w_ji) -- and
``b[l-1]`` of shape ``(n_l,)`` is *added* to the potential (Rostock's t; PV021's w_j0).

For a batch ``X`` of shape ``(N, n_0)`` the forward pass computes, for l = 1..L,

    xi[l] = y[l-1] @ W[l-1] + b[l-1]        (N, n_l)   inner potentials
    y[l]  = σ_l(xi[l])                      (N, n_l)   outputs

with ``y[0] = X``. The lists are indexed by layer, so ``xi[0]`` is ``None`` (input units
have no potential) and ``len(xi) == len(y) == L + 1``.

>>> import numpy as np
>>> net = Network([np.array([[1.0], [1.0]])], [np.array([-1.5])], "step")   # AND
>>> net(np.array([[0, 0], [0, 1], [1, 0], [1, 1]])).ravel().tolist()
[0.0, 0.0, 0.0, 1.0]
>>> Network.from_sizes("2-4-3-2", seed=0).n_params
35
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._checks import as_batch, as_float_array, as_rng
from .activations import Activation, get_activation
from .inputs import get_input_function

__all__ = ["Network", "ForwardPass", "parse_sizes", "count_params"]


@dataclass
class ForwardPass:
    """Everything the forward pass computed, indexed by layer.

    ``xi[l]`` (N, n_l) are the potentials of layer l (``xi[0]`` is None), ``y[l]`` (N, n_l)
    its outputs; ``y[0]`` is the input batch and ``y[-1]`` the network's output.
    """

    xi: list
    y: list

    @property
    def output(self):
        """``y[L]``, shape (N, n_L)."""
        return self.y[-1]


def parse_sizes(sizes) -> list[int]:
    """Layer sizes from the lectures' "2-4-3-2" notation or a sequence of ints.

    >>> parse_sizes("2-4-3-2")
    [2, 4, 3, 2]
    """
    if isinstance(sizes, str):
        parts = sizes.replace(" ", "").split("-")
        try:
            out = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"sizes must look like '2-4-3-2' (layer sizes joined by '-'); "
                             f"got {sizes!r}") from None
    elif isinstance(sizes, Sequence) or isinstance(sizes, np.ndarray):
        out = []
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral):
                raise TypeError(f"sizes must contain integers; got {s!r} of type "
                                f"{type(s).__name__}")
            out.append(int(s))
    else:
        raise TypeError(f"sizes must be a string like '2-4-3-2' or a sequence of ints; "
                        f"got {type(sizes).__name__}")
    if len(out) < 2:
        raise ValueError(f"sizes needs at least an input and an output layer; got {sizes!r}")
    if min(out) < 1:
        raise ValueError(f"every layer needs at least one unit; got sizes {out}")
    return out


def count_params(sizes) -> int:
    """Number of weights and biases of a fully connected network.

    >>> count_params("2-4-3-2")     # 2*4+4 + 4*3+3 + 3*2+2
    35
    """
    n = parse_sizes(sizes)
    return sum(a * b + b for a, b in zip(n[:-1], n[1:]))


def _per_layer(spec, L, what):
    """A list of L entries from one spec for all layers or a list with one per layer."""
    if isinstance(spec, (list, tuple)):
        if len(spec) != L:
            raise ValueError(f"{what} must be one name for all layers or a list of {L} "
                             f"(one per weight layer); got a list of {len(spec)}")
        return list(spec)
    return [spec] * L


class Network:
    """A layered feed-forward network with weights ``W``, biases ``b`` and one activation
    (and input function) per layer.

    Parameters
    ----------
    W : list of arrays, ``W[l-1]`` of shape ``(n_{l-1}, n_l)``
    b : list of arrays, ``b[l-1]`` of shape ``(n_l,)``
    activations : name, Activation, or a list with one per weight layer
    inputs : ``"weighted_sum"`` (default), ``"squared_distance"``, or a list per layer

    The arrays are copied to float64, so the caller's arrays are never modified by training.

    Attributes: ``W``, ``b`` (lists of the live arrays), ``activations``, ``inputs``,
    ``sizes`` ([n_0, ..., n_L]), ``L`` (number of weight layers).
    """

    def __init__(self, W, b, activations="sigmoid", inputs="weighted_sum"):
        if not isinstance(W, (list, tuple)) or not isinstance(b, (list, tuple)):
            raise TypeError(f"W and b must be lists of arrays (one per weight layer); got "
                            f"{type(W).__name__} and {type(b).__name__}")
        if len(W) == 0:
            raise ValueError("W must contain at least one weight matrix")
        if len(W) != len(b):
            raise ValueError(f"W and b must have one entry per weight layer; got {len(W)} "
                             f"weight matrices and {len(b)} bias vectors")
        self.W = [as_float_array(w, f"W[{i}]", ndim=2).copy() for i, w in enumerate(W)]
        self.b = []
        for i, (w, bias) in enumerate(zip(self.W, b)):
            bias = as_float_array(bias, f"b[{i}]")
            if bias.ndim == 0:
                bias = bias.reshape(1)
            if bias.shape != (w.shape[1],):
                raise ValueError(f"b[{i}] must have shape ({w.shape[1]},) to match W[{i}] of "
                                 f"shape {w.shape}; got {bias.shape}")
            self.b.append(bias.copy())
        for i in range(1, len(self.W)):
            if self.W[i].shape[0] != self.W[i - 1].shape[1]:
                raise ValueError(
                    f"W[{i}] must have {self.W[i - 1].shape[1]} rows to follow W[{i - 1}] of "
                    f"shape {self.W[i - 1].shape}; got shape {self.W[i].shape}")
        L = len(self.W)
        self.activations: list[Activation] = [
            get_activation(a) for a in _per_layer(activations, L, "activations")]
        self.inputs = [get_input_function(f) for f in _per_layer(inputs, L, "inputs")]

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_sizes(cls, sizes, activations="sigmoid", *, seed=None, init="xavier",
                   inputs="weighted_sum") -> "Network":
        """A network with random weights for layer sizes ``"2-4-3-2"`` or ``[2, 4, 3, 2]``.

        ``init`` sets the standard deviation of the normally distributed weights:
        ``"xavier"`` sqrt(2 / (n_in + n_out)) (Glorot; suits sigmoid and tanh), ``"he"``
        sqrt(2 / n_in) (suits ReLU), ``"normal"`` 1, or a number. Biases start at 0.
        ``seed`` (int or Generator) makes the draw reproducible.
        """
        n = parse_sizes(sizes)
        rng = as_rng(seed)
        W = []
        for n_in, n_out in zip(n[:-1], n[1:]):
            if isinstance(init, str):
                key = init.lower()
                if key == "xavier":
                    scale = np.sqrt(2.0 / (n_in + n_out))
                elif key == "he":
                    scale = np.sqrt(2.0 / n_in)
                elif key == "normal":
                    scale = 1.0
                else:
                    raise ValueError(f"unknown init {init!r}; expected one of ['he', 'normal', "
                                     f"'xavier'] or a positive number")
            elif isinstance(init, numbers.Real) and not isinstance(init, bool) \
                    and np.isfinite(init) and init > 0:
                scale = float(init)
            else:
                raise ValueError(f"init must be 'xavier', 'he', 'normal' or a positive number; "
                                 f"got {init!r}")
            W.append(rng.normal(0.0, scale, size=(n_in, n_out)))
        b = [np.zeros(k) for k in n[1:]]
        return cls(W, b, activations, inputs)

    # ----------------------------------------------------------------- properties
    @property
    def L(self) -> int:
        """Number of weight layers (the input layer is layer 0)."""
        return len(self.W)

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, ..., n_L]."""
        return [self.W[0].shape[0]] + [w.shape[1] for w in self.W]

    @property
    def n_params(self) -> int:
        """Number of trainable parameters (weights and biases)."""
        return sum(w.size + bias.size for w, bias in zip(self.W, self.b))

    def __repr__(self):
        acts = ", ".join(repr(a.name) if not a.params or a.is_default else repr(a)
                         for a in self.activations)
        sizes = "-".join(str(s) for s in self.sizes)
        extra = ""
        if any(f.name != "weighted_sum" for f in self.inputs):
            extra = f", inputs={[f.name for f in self.inputs]}"
        return f"Network('{sizes}', activations=[{acts}]{extra})"

    # ----------------------------------------------------------------- forward pass
    def check_X(self, X, name="X"):
        """``X`` as a float64 batch of shape (N, n_0); a 1D ``X`` is one sample."""
        return as_batch(X, name, self.sizes[0],
                        context=f"to match W[0] of shape {self.W[0].shape}")

    def forward(self, X) -> ForwardPass:
        """Forward pass over a batch ``X`` (N, n_0); returns every layer's ``xi`` and ``y``."""
        xi, y = self._forward(self.check_X(X))
        return ForwardPass(xi, y)

    def _forward(self, X):
        # Unchecked: X is a float64 array of shape (N, n_0).
        xi, y = [None], [X]
        for W, b, act, inp in zip(self.W, self.b, self.activations, self.inputs):
            potential = inp.forward(y[-1], W, b)
            xi.append(potential)
            y.append(act.f(potential))
        return xi, y

    def __call__(self, X):
        """The network function N(x): outputs (N, n_L) for a batch, (n_L,) for one sample."""
        X_arr = as_float_array(X, "X")
        out = self._forward(self.check_X(X_arr))[1][-1]
        return out[0] if X_arr.ndim == 1 else out

    def predict(self, X):
        """Same as calling the network: N(x)."""
        return self(X)

    # ----------------------------------------------------------------- parameters
    def copy(self) -> "Network":
        """An independent deep copy (new arrays; activations are shared, they hold no state)."""
        return Network([w.copy() for w in self.W], [bias.copy() for bias in self.b],
                       list(self.activations), list(self.inputs))

    def params(self) -> list:
        """The live parameter arrays ``[W[0], b[0], W[1], b[1], ...]`` (not copies)."""
        out = []
        for w, bias in zip(self.W, self.b):
            out += [w, bias]
        return out

    def get_flat(self):
        """All parameters in one 1D array, in the order of :meth:`params` (a copy)."""
        return np.concatenate([p.ravel() for p in self.params()])

    def set_flat(self, theta) -> None:
        """Write a 1D array of length ``n_params`` back into the live arrays, in place."""
        theta = as_float_array(theta, "theta", ndim=1)
        if theta.shape[0] != self.n_params:
            raise ValueError(f"theta must have shape ({self.n_params},) (n_params of this "
                             f"network); got {theta.shape}")
        start = 0
        for p in self.params():
            p[...] = theta[start:start + p.size].reshape(p.shape)
            start += p.size
