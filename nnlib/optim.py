"""Optimisers: update rules that use the gradient better than the plain step (notebook 10).

Every rule has the same signature, one function per rule (as the lecture writes one
update per method)::

    w_new, state = rule(w, dw, state, gamma, **hyper)

``w`` and ``dw`` are arrays of the same shape (any shape: a weight matrix (n_{l-1}, n_l), a
bias (n_l,), a point of R^n); ``state`` is the rule's memory from the previous call (``{}``
on the first); ``gamma`` is the step size γ. Nothing is modified in place: the caller writes
``w_new`` back. The rules, with t = 1, 2, ... counting the steps and g = ∂E/∂w:

=============  =================================================================
``sgd``        w ← w - γ g
``momentum``   v ← μ v - γ g;               w ← w + v
``nesterov``   the gradient is taken at the look-ahead point w + μ v (see below)
``rmsprop``    s ← ρ s + (1-ρ) g²;          w ← w - γ g / (√s + ε)
``adam``       m ← β₁ m + (1-β₁) g;  s ← β₂ s + (1-β₂) g²;
               m̂ = m / (1-β₁ᵗ);  ŝ = s / (1-β₂ᵗ);  w ← w - γ m̂ / (√ŝ + ε)
=============  =================================================================

Nesterov: with θ the weights and v the velocity, v ← μ v - γ ∇E(θ + μ v), θ ← θ + v.
Training computes gradients where the weights *are*, so we store the look-ahead point
φ = θ + μ v as the weights; then φ ← φ - μ v_old + (1+μ) v_new (Sutskever et al. 2013; the
same rewrite as CS231n's), and φ equals θ once v has decayed.

:class:`Optimizer` keeps one state per parameter array and applies a rule to a whole
network; the schedules return ``gamma(t)`` callables for ``train`` and ``gradient_descent``.

>>> w, state = momentum(np.array([1.0]), np.array([2.0]), {}, gamma=0.1, mu=0.9)
>>> w.tolist(), state["v"].tolist()                 # v = 0.9·0 - 0.1·2
([0.8], [-0.2])
"""
from __future__ import annotations

import math
import numbers
from typing import Callable

import numpy as np

from ._checks import as_float_array, check_int, check_positive, lookup

__all__ = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "OPTIMIZERS", "Optimizer",
           "get_optimizer", "minimize", "constant", "step_decay", "exponential_decay",
           "inverse_time_decay", "cosine_decay"]


# ------------------------------------------------------------------------------ the rules

def sgd(w, dw, state, gamma):
    """Plain gradient step: w - γ·dw. ``w``, ``dw`` of one shape; state stays empty."""
    return w - gamma * dw, state


def momentum(w, dw, state, gamma, mu=0.9):
    """Heavy ball: v ← μ v - γ dw; w ← w + v. ``state["v"]`` has the shape of ``w``."""
    v = mu * state.get("v", 0.0) - gamma * dw
    return w + v, {"v": v}


def nesterov(w, dw, state, gamma, mu=0.9):
    """Nesterov momentum on the look-ahead weights φ = θ + μ v (module docstring).

    ``dw`` is ∇E(φ), shape of ``w``; ``state["v"]`` the velocity.
    """
    v_old = state.get("v", 0.0)
    v = mu * v_old - gamma * dw
    return w - mu * v_old + (1.0 + mu) * v, {"v": v}


def rmsprop(w, dw, state, gamma, rho=0.9, eps=1e-8):
    """RMSProp: divide by a running root mean square of the gradient, per entry."""
    s = rho * state.get("s", 0.0) + (1.0 - rho) * dw ** 2
    return w - gamma * dw / (np.sqrt(s) + eps), {"s": s}


def adam(w, dw, state, gamma, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam: momentum (m) and RMSProp (s), both bias-corrected for their start at zero."""
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * dw
    s = beta2 * state.get("s", 0.0) + (1.0 - beta2) * dw ** 2
    m_hat = m / (1.0 - beta1 ** t)
    s_hat = s / (1.0 - beta2 ** t)
    return w - gamma * m_hat / (np.sqrt(s_hat) + eps), {"t": t, "m": m, "s": s}


#: name -> (rule, default hyper-parameters); the order is the order notebook 10 teaches them.
OPTIMIZERS: dict[str, tuple[Callable, dict]] = {
    "sgd": (sgd, {}),
    "momentum": (momentum, {"mu": 0.9}),
    "nesterov": (nesterov, {"mu": 0.9}),
    "rmsprop": (rmsprop, {"rho": 0.9, "eps": 1e-8}),
    "adam": (adam, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
}

# each hyper-parameter must lie in [lo, hi) (eps only > 0)
_RANGES = {"mu": (0.0, 1.0), "rho": (0.0, 1.0), "beta1": (0.0, 1.0), "beta2": (0.0, 1.0)}


class Optimizer:
    """A named update rule with its hyper-parameters and one state per parameter array.

    ``Optimizer("adam", gamma=1e-3, beta1=0.9)``; unknown names and unknown or out-of-range
    hyper-parameters are rejected. ``step(params, grads, gamma=None)`` updates the arrays
    of ``params`` (e.g. ``net.params()``) in place from ``grads`` (same shapes, same order);
    ``gamma`` overrides the step size for this call (a schedule's value).
    """

    def __init__(self, name="sgd", gamma=0.1, **hyper):
        rule, defaults = lookup(OPTIMIZERS, name, "optimizer", sort=False)
        self.name = name.lower()
        self.rule = rule
        self.gamma = check_positive(gamma, "gamma")
        unknown = sorted(set(hyper) - set(defaults))
        if unknown:
            raise ValueError(f"unknown hyper-parameter(s) {unknown} for {self.name!r}; "
                             f"expected some of {sorted(defaults)}")
        self.hyper = {**defaults, **hyper}
        for key, value in self.hyper.items():
            value = check_positive(value, key, allow_zero=key != "eps")
            lo, hi = _RANGES.get(key, (0.0, math.inf))
            if not lo <= value < hi:
                raise ValueError(f"{key} must lie in [{lo:g}, {hi:g}); got {value}")
            self.hyper[key] = value
        self.state: dict[int, dict] = {}

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.hyper.items())
        return f"Optimizer({self.name!r}, gamma={self.gamma!r}{args})"

    def reset(self) -> None:
        """Forget the velocities and running averages (start afresh)."""
        self.state.clear()

    def step(self, params, grads, gamma=None) -> None:
        """In place: ``params[i][...] = rule(params[i], grads[i], ...)`` for every i."""
        if len(params) != len(grads):
            raise ValueError(f"params and grads must have one entry each; got {len(params)} "
                             f"and {len(grads)}")
        gamma = self.gamma if gamma is None else check_positive(gamma, "gamma")
        for i, (p, g) in enumerate(zip(params, grads)):
            if p.shape != g.shape:
                raise ValueError(f"grads[{i}] must have the shape of params[{i}] {p.shape}; "
                                 f"got {g.shape}")
            p[...], self.state[i] = self.rule(p, g, self.state.get(i, {}), gamma, **self.hyper)


def get_optimizer(spec, gamma=0.1) -> Optimizer:
    """An :class:`Optimizer` from a name in :data:`OPTIMIZERS` (with its defaults) or itself."""
    if isinstance(spec, Optimizer):
        return spec
    return Optimizer(spec, gamma)


def minimize(grad: Callable, x0, optimizer: Optimizer, steps: int = 100, schedule=None):
    """The path of ``optimizer`` on a function with gradient ``grad``: shape (steps+1, n).

    ``x0`` of shape (n,); ``grad(x)`` returns shape (n,); ``schedule`` (optional) gives the
    step size of step t = 0, 1, ... in place of ``optimizer.gamma``. Used for the optimiser
    race on 05's bowl; the optimizer's state is reset first. Stops early (shorter path) if x
    leaves the finite numbers.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer; got {type(optimizer).__name__}")
    steps = check_int(steps, "steps", minimum=0)
    x = as_float_array(x0, "x0", ndim=1).copy()
    optimizer.reset()
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            g = as_float_array(grad(x.copy()), "grad(x)", allow_nonfinite=True)
            if g.shape != x.shape:
                raise ValueError(f"grad must return shape {x.shape} like x0; got {g.shape}")
            optimizer.step([x], [g], None if schedule is None else schedule(t))
            if not np.all(np.isfinite(x)):
                break
            path.append(x.copy())
    return np.array(path)


# ------------------------------------------------------------------------------ schedules

def _check_t(t):
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
        raise ValueError(f"the schedule's step t must be an integer >= 0; got {t!r}")
    return int(t)


def constant(gamma0):
    """γ_t = γ₀."""
    gamma0 = check_positive(gamma0, "gamma0")
    return lambda t: (_check_t(t), gamma0)[1]


def step_decay(gamma0, drop=0.5, every=10):
    """γ_t = γ₀ · drop^⌊t / every⌋: divide the step by a fixed factor every few epochs."""
    gamma0 = check_positive(gamma0, "gamma0")
    drop = check_positive(drop, "drop")
    every = check_int(every, "every", minimum=1)
    return lambda t: gamma0 * drop ** (_check_t(t) // every)


def exponential_decay(gamma0, k=0.05):
    """γ_t = γ₀ · e^(-k t)."""
    gamma0 = check_positive(gamma0, "gamma0")
    k = check_positive(k, "k", allow_zero=True)
    return lambda t: gamma0 * math.exp(-k * _check_t(t))


def inverse_time_decay(gamma0, k=0.1):
    """γ_t = γ₀ / (1 + k t): the Robbins-Monro kind (Σγ_t = ∞, Σγ_t² < ∞ for k > 0)."""
    gamma0 = check_positive(gamma0, "gamma0")
    k = check_positive(k, "k", allow_zero=True)
    return lambda t: gamma0 / (1.0 + k * _check_t(t))


def cosine_decay(gamma0, T, gamma_min=0.0):
    """γ_t = γ_min + ½(γ₀ - γ_min)(1 + cos(π t / T)) for t <= T, then γ_min (if > 0)."""
    gamma0 = check_positive(gamma0, "gamma0")
    T = check_int(T, "T", minimum=1)
    gamma_min = check_positive(gamma_min, "gamma_min", allow_zero=True)

    def schedule(t):
        t = min(_check_t(t), T)
        value = gamma_min + 0.5 * (gamma0 - gamma_min) * (1.0 + math.cos(math.pi * t / T))
        # at t = T with gamma_min = 0 the step would be 0, which train rejects; keep a sliver
        return max(value, gamma0 * 1e-6)
    return schedule
