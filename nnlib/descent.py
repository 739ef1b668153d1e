"""Gradient descent on f: R^n -> R, with the whole trace kept for plotting (notebook 05).

The update is the lecture's ``x_{i+1} = x_i - gamma_i * grad f(x_i)``. Three refinements the
course discusses are built in:

* the step size ``gamma`` is a constant or a schedule ``gamma(i) -> gamma_i`` (the Rostock deck
  notes that gamma may change from one iteration to the next);
* optional clipping of the gradient's *magnitude* (the deck's example limits it to 0.3): a
  gradient longer than ``clip`` is rescaled to length ``clip``, its direction is kept;
* divergence is detected *before* anything overflows: when the next iterate would leave the
  box ``|x_j| <= max_abs`` or f stops being finite, the run ends with status ``"diverged"``
  and a plain message, and the trace holds only finite numbers.

Stopping rule: the deck returns x when the gradient is zero; numerically we stop when
``||grad f(x_i)|| <= tol`` (status ``"tolerance"``, or ``"zero_gradient"`` when it is exactly
zero), otherwise after ``steps`` updates (status ``"max_steps"``).

``FUNCTIONS`` holds the course's ready-made test functions as (f, df) pairs.

Note on the Rostock deck (000): its slides print the update as "x_{i+1} = x_i gamma
df/dx(x_i)"; the minus sign is lost there. The update is x_{i+1} = x_i - gamma * f'(x_i), which
is what the deck's numbers (x0 = -4, f'(x0) = -8, gamma = 0.8 -> x1 = 2.4) follow.

Example (the deck's numbers: f(x) = x^2, x0 = -4, f'(x0) = -8, gamma = 0.8)::

    >>> tr = gradient_descent(lambda x: x**2, lambda x: 2 * x, -4.0, gamma=0.8, steps=2)
    >>> float(tr.grads[0, 0]), round(float(tr.xs[1, 0]), 12), round(float(tr.xs[2, 0]), 12)
    (-8.0, 2.4, -1.44)
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._checks import as_float_array, check_int, check_positive

STATUSES = ("zero_gradient", "tolerance", "max_steps", "diverged")


@dataclass
class DescentTrace:
    """Everything a gradient-descent run visited, for plotting and for tests.

    With k updates taken and n the dimension of x:

    * ``xs`` (k+1, n): the iterates x_0 ... x_k
    * ``fs`` (k+1,): f(x_i)
    * ``grads`` (k+1, n): grad f(x_i) as returned by ``grad`` (before any clipping)
    * ``steps`` (k, n): the updates actually applied, x_{i+1} - x_i
    * ``clipped`` (k,) bool: whether the gradient of step i was clipped
    * ``gammas`` (k,): the step size used in step i
    * ``status``: one of ``"zero_gradient"``, ``"tolerance"``, ``"max_steps"``, ``"diverged"``
    * ``message``: one plain sentence explaining the status
    """

    xs: np.ndarray
    fs: np.ndarray
    grads: np.ndarray
    steps: np.ndarray
    clipped: np.ndarray
    gammas: np.ndarray
    status: str
    message: str = field(default="")

    @property
    def x(self) -> np.ndarray:
        """The last iterate, shape (n,)."""
        return self.xs[-1]

    @property
    def n_steps(self) -> int:
        """The number of updates taken (k)."""
        return len(self.steps)

    @property
    def converged(self) -> bool:
        """True when the run stopped because the gradient (nearly) vanished."""
        return self.status in ("zero_gradient", "tolerance")

    def __repr__(self) -> str:
        return (f"DescentTrace(status={self.status!r}, n_steps={self.n_steps}, "
                f"x={self.x.tolist()}, f={self.fs[-1]:.6g})")


def _norm(g: np.ndarray) -> float:
    """Euclidean length of ``g`` computed without overflow for huge entries."""
    if g.size <= 32:
        return math.hypot(*g.tolist())  # scales internally, so no overflow; fast for small n
    scale = float(np.max(np.abs(g)))
    if scale == 0.0:
        return 0.0
    return scale * float(np.sqrt(np.sum((g / scale) ** 2)))


def clip_gradient(g, threshold):
    """Rescale ``g`` so that its Euclidean length is at most ``threshold``.

    Parameters: ``g`` array of shape (n,) (a scalar is taken as shape (1,)); ``threshold`` > 0.
    Returns ``(g_clipped, was_clipped)``: ``g_clipped`` has the shape of ``g`` and points the
    same way; ``was_clipped`` is True when ``||g|| > threshold``. Taught in notebook 05
    ("limit the magnitude of the gradient to e.g. 0.3").
    """
    threshold = check_positive(threshold, "threshold")
    g = as_float_array(g, "g")
    length = _norm(g)
    if length <= threshold:
        return g.copy(), False
    # divide by length first: threshold/length * g could underflow the factor for huge g
    return (g / length) * threshold, True


def _gamma_at(gamma, i: int) -> float:
    if callable(gamma):
        value = gamma(i)
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"the schedule gamma(i) must return a number; gamma({i}) returned "
                            f"{type(value).__name__}")
        value = float(value)
        if not np.isfinite(value) or value <= 0:
            raise ValueError(
                f"the schedule gamma(i) must return a finite number > 0; gamma({i}) = {value}"
            )
        return value
    return gamma


def _numbers(value, name):
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must return numbers; got {type(value).__name__}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return numbers; got {type(value).__name__}") from None


def _call_f(f, x, scalar: bool) -> float:
    value = f(float(x[0]) if scalar else x.copy())
    arr = _numbers(value, "f")
    if arr.size != 1:
        raise ValueError(f"f must return a single number; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _call_grad(grad, x, scalar: bool) -> np.ndarray:
    value = grad(float(x[0]) if scalar else x.copy())
    arr = _numbers(value, "grad")
    if arr.size == 1 and x.shape == (1,):
        return arr.reshape(1)
    if arr.shape != x.shape:
        raise ValueError(
            f"grad must return an array of shape {x.shape} like x; got shape {arr.shape}"
        )
    return arr


def _evaluate(f, grad, x, scalar):
    """f(x) and grad f(x), or None when either is not finite (or overflows in user code)."""
    try:
        # numpy would warn on overflow inside f or grad; the non-finite result is handled
        # below as divergence, so the warning would only repeat the message.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fx = _call_f(f, x, scalar)
            gx = _call_grad(grad, x, scalar)
    except OverflowError:
        return None
    if not math.isfinite(fx) or not np.isfinite(gx).all():
        return None
    return fx, gx


def _step_is_safe(g, gamma, max_abs):
    """False when γ·g itself could overflow: decided from |g_j| before multiplying.

    If γ|g_j| > 2·max_abs then |x_j - γ g_j| > max_abs (because |x_j| <= max_abs), so the
    run diverges anyway; testing first keeps inf out of the arithmetic.
    """
    return np.abs(g).max() <= 2.0 * max_abs / gamma


def _inside(f, grad, x_new, max_abs, scalar):
    """(f, grad) at ``x_new``, or None when x_new is None, outside the box or not finite."""
    if x_new is None or np.abs(x_new).max() > max_abs:
        return None
    return _evaluate(f, grad, x_new, scalar)


def gradient_descent(f: Callable, grad: Callable, x0, gamma=0.1, *, steps: int = 100,
                     clip: float | None = None, tol: float = 1e-8,
                     max_abs: float = 1e6) -> DescentTrace:
    """Minimise ``f`` from ``x0`` by ``x_{i+1} = x_i - gamma_i * grad(x_i)`` (notebook 05).

    Parameters
    ----------
    f : callable, x -> float. Called with a float when ``x0`` is a scalar, else with an
        array of shape (n,).
    grad : callable, x -> gradient of f at x, a float (scalar ``x0``) or shape (n,).
    x0 : float or array of shape (n,), the starting point.
    gamma : float > 0, or a schedule ``gamma(i) -> gamma_i`` for step i = 0, 1, ...
    steps : the most updates to take (0 is allowed: the trace then holds x0 only).
    clip : None, or the largest gradient length allowed (see :func:`clip_gradient`); a
        clipped step is therefore at most ``gamma_i * clip`` long.
    tol : stop when ``||grad f(x_i)|| <= tol`` (0 means: only on an exactly zero gradient).
    max_abs : the run counts as diverged when an iterate would have ``|x_j| > max_abs``.

    Returns a :class:`DescentTrace`; ``xs`` has shape (k+1, n), also (k+1, 1) for a scalar x0.
    A diverging run is not an error: it returns with status ``"diverged"`` and keeps the
    finite part of the trace.
    """
    if not callable(f) or not callable(grad):
        raise TypeError(
            f"f and grad must be callables; got {type(f).__name__} and {type(grad).__name__}"
        )
    if not callable(gamma):
        gamma = check_positive(gamma, "gamma")
    steps = check_int(steps, "steps", minimum=0)
    if clip is not None:
        clip = check_positive(clip, "clip")
    tol = check_positive(tol, "tol", allow_zero=True)
    max_abs = check_positive(max_abs, "max_abs")

    x0_arr = as_float_array(x0, "x0")
    scalar = x0_arr.ndim == 0
    if x0_arr.ndim > 1 or x0_arr.size == 0:
        raise ValueError(
            f"x0 must be a number or a 1D array of shape (n,); got shape {x0_arr.shape}"
        )
    x = x0_arr.reshape(-1).copy()
    if np.any(np.abs(x) > max_abs):
        raise ValueError(f"x0 must lie inside |x_j| <= max_abs = {max_abs:g}; got {x.tolist()}")
    start = _evaluate(f, grad, x, scalar)
    if start is None:
        raise ValueError(
            f"f(x0) and grad(x0) must be finite numbers; they are not at x0 = {x.tolist()}"
        )
    fx, gx = start

    xs, fs, grads = [x], [fx], [gx]
    applied, was_clipped, used_gammas = [], [], []
    status = message = None
    for i in range(steps + 1):
        length = _norm(gx)
        if length == 0.0:
            status, message = (
                "zero_gradient",
                f"the gradient is exactly zero at step {i}: x is a stationary point",
            )
            break
        if length <= tol:
            status, message = (
                "tolerance",
                f"||grad f|| = {length:.3g} <= tol = {tol:g} after {i} steps",
            )
            break
        if i == steps:
            status, message = (
                "max_steps",
                f"stopped after steps = {steps} updates; ||grad f|| = {length:.3g} is still > tol",
            )
            break
        gamma_i = _gamma_at(gamma, i)
        g_used, clipped_i = (gx, False) if clip is None else clip_gradient(gx, clip)
        step = -gamma_i * g_used if _step_is_safe(g_used, gamma_i, max_abs) else None
        x_new = None if step is None else x + step          # x_{i+1} = x_i - γ_i ∇f(x_i)
        evaluated = _inside(f, grad, x_new, max_abs, scalar)
        if evaluated is None:
            status = "diverged"
            message = (
                f"diverged at step {i + 1}: the next x would leave |x_j| <= max_abs = {max_abs:g} "
                f"or make f non-finite (gamma = {gamma_i:g}); "
                f"try a smaller gamma or clip the gradient"
            )
            break
        x, (fx, gx) = x_new, evaluated
        xs.append(x)
        fs.append(fx)
        grads.append(gx)
        applied.append(step)
        was_clipped.append(clipped_i)
        used_gammas.append(gamma_i)

    n = x.shape[0]
    return DescentTrace(
        xs=np.array(xs, dtype=np.float64).reshape(-1, n),
        fs=np.array(fs, dtype=np.float64),
        grads=np.array(grads, dtype=np.float64).reshape(-1, n),
        steps=np.array(applied, dtype=np.float64).reshape(-1, n),
        clipped=np.array(was_clipped, dtype=bool),
        gammas=np.array(used_gammas, dtype=np.float64),
        status=status,
        message=message,
    )


# --------------------------------------------------------------------------------------------
# Ready-made test functions of notebook 05 and its step-size lab


@dataclass(frozen=True)
class Objective:
    """A named test function with its derivative; unpacks as ``f, df = FUNCTIONS[name]``.

    ``f`` and ``df`` work elementwise on arrays for the 1D functions (so a curve can be drawn
    in one call) and on arrays of shape (..., 2) for the 2D ones. ``x0`` and ``gamma`` are
    suggested starting values, ``xlim`` a plotting range, ``n`` the dimension of x.
    """

    name: str
    f: Callable
    df: Callable
    n: int
    x0: object
    gamma: float
    xlim: tuple
    description: str

    def __iter__(self):
        return iter((self.f, self.df))


def _square(x):
    return x ** 2


def _square_prime(x):
    return 2 * x


def _quartic(x):
    return x ** 4


def _quartic_prime(x):
    return 4 * x ** 3


def _two_minima(x):
    return x ** 4 - 4 * x ** 2 + x


def _two_minima_prime(x):
    return 4 * x ** 3 - 8 * x + 1


def _bowl2d(x):
    x = np.asarray(x, dtype=np.float64)
    return x[..., 0] ** 2 + 10.0 * x[..., 1] ** 2


def _bowl2d_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.stack([2.0 * x[..., 0], 20.0 * x[..., 1]], axis=-1)


def _rosenbrock(x):
    x = np.asarray(x, dtype=np.float64)
    return (1.0 - x[..., 0]) ** 2 + 100.0 * (x[..., 1] - x[..., 0] ** 2) ** 2


def _rosenbrock_grad(x):
    x = np.asarray(x, dtype=np.float64)
    bend = x[..., 1] - x[..., 0] ** 2
    return np.stack([-2.0 * (1.0 - x[..., 0]) - 400.0 * x[..., 0] * bend, 200.0 * bend], axis=-1)


FUNCTIONS: dict[str, Objective] = {
    "square": Objective(
        "square", _square, _square_prime, 1, -4.0, 0.2, (-5.0, 5.0),
        "f(x) = x^2, f'(x) = 2x: the deck's example. From x0 = -4 each step multiplies x by "
        "(1 - 2*gamma): 0 < gamma < 1 converges (monotonically for gamma < 0.5, alternating "
        "sides above), gamma = 1 ping-pongs between -4 and 4, gamma > 1 diverges."),
    "steep": Objective(
        "steep", _quartic, _quartic_prime, 1, -4.0, 0.2, (-5.0, 5.0),
        "f(x) = x^4, f'(x) = 4x^3: steep walls whose gradient grows with the cube of x, so a "
        "step that overshoots lands where the gradient is even larger and the gradients "
        "explode (from x0 = -4 with gamma = 0.2: 47.2, then about -8.4e4, ...). Clipping the "
        "gradient's magnitude to 0.3 tames it."),
    "two_minima": Objective(
        "two_minima", _two_minima, _two_minima_prime, 1, 2.0, 0.05, (-2.5, 2.5),
        "f(x) = x^4 - 4x^2 + x, f'(x) = 4x^3 - 8x + 1: not convex; a global minimum near "
        "x = -1.47 (f about -5.44) and a local one near x = 1.35 (f about -2.62), separated by "
        "a maximum near x = 0.13. Which one descent finds depends on x0."),
    "bowl2d": Objective(
        "bowl2d", _bowl2d, _bowl2d_grad, 2, np.array([-4.0, 1.0]), 0.09, (-5.0, 5.0),
        "f(x) = x1^2 + 10*x2^2, grad f = (2*x1, 20*x2): an elongated bowl for contour plots. "
        "Stable only for gamma < 0.1 (set by the steep x2 direction); near that bound the path "
        "zig-zags across the valley while crawling along x1."),
    "rosenbrock": Objective(
        "rosenbrock", _rosenbrock, _rosenbrock_grad, 2, np.array([-1.5, 2.0]), 0.001, (-2.0, 2.0),
        "f(x) = (1 - x1)^2 + 100*(x2 - x1^2)^2 (Rosenbrock): a curved, nearly flat valley with "
        "its minimum f = 0 at (1, 1). Steep walls force a small step, and along the valley's "
        "floor plain descent then crawls; the classic race course for optimisers."),
}


def get_function(name: str) -> Objective:
    """The test function called ``name``; unknown names raise a ValueError listing FUNCTIONS."""
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string, one of {sorted(FUNCTIONS)}; got {type(name).__name__}"
        )
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; expected one of {sorted(FUNCTIONS)}")
    return FUNCTIONS[name]
