# The 2-2-1 network of notebook 06 and the grader's checks (read-only; autograde restores it).
# Notation of the Rostock deck: inputs x, y; hidden units 1, 2; output unit z; the target is z.
import os
import sys
import types

import numpy as np

PARAMS = ("w_x1", "w_y1", "w_x2", "w_y2", "w_1z", "w_2z", "t_1", "t_2", "t_z")


def sig(s):
    """The logistic sigmoid 1 / (1 + e^-s)."""
    return 1.0 / (1.0 + np.exp(-s))


def forward(p, x, y):
    """Return (o_1, o_2, N) of the 2-2-1 network; p maps the names in PARAMS to numbers."""
    o_1 = sig(p["w_x1"] * x + p["w_y1"] * y + p["t_1"])
    o_2 = sig(p["w_x2"] * x + p["w_y2"] * y + p["t_2"])
    N = sig(p["w_1z"] * o_1 + p["w_2z"] * o_2 + p["t_z"])
    return o_1, o_2, N


def error(p, x, y, z):
    """E(x, y, z) = (N(x, y) - z)^2 for one sample."""
    return (forward(p, x, y)[2] - z) ** 2


# ---------------------------------------------------------------------------------------------
# The checks below compare a closed form with central differences of `error` at points drawn
# when the test runs. Points are kept only if every partial derivative exceeds 1e-3 in size:
# there, the tolerance (1e-7 + 1e-5 * |true|) passes float64 closed forms (central differences
# are accurate to about 1e-10) while any wrong factor, sign or term changes the value by far more.
_H = 1e-5
_RTOL, _ATOL = 1e-5, 1e-7
_FORBIDDEN_MODULES = ("nnlib.backprop", "nnlib.gradcheck", "nnlib.graph", "nnlib.train")
_FORBIDDEN_ATTRS = {"backprop", "gradcheck", "graph", "gradients", "backward", "backward_by_unit",
                    "numerical_gradient", "check_gradients", "Value", "train", "sgd_step"}


class ForbiddenCall(Exception):
    """Raised when a derivation calls a library gradient instead of computing a closed form."""


def numeric_gradient(p, x, y, z, h=_H):
    """Central differences of E with respect to every parameter: dict name -> float."""
    grad = {}
    for name in PARAMS:
        plus, minus = dict(p), dict(p)
        plus[name] += h
        minus[name] -= h
        grad[name] = (error(plus, x, y, z) - error(minus, x, y, z)) / (2 * h)
    return grad


def draw_points(n_points, seed=None):
    """Draw (p, x, y, z, true gradient) tuples where every derivative is clearly non-zero."""
    rng = np.random.default_rng(seed)
    points = []
    while len(points) < n_points:
        p = {name: float(rng.uniform(-2.0, 2.0)) for name in PARAMS}
        x, y = (float(v) for v in rng.uniform(-1.5, 1.5, size=2))
        z = float(rng.uniform(0.0, 1.0))
        o_1, o_2, N = forward(p, x, y)
        g = numeric_gradient(p, x, y, z)
        # far from the degenerate spots where two of the usual mistakes would coincide
        if min(abs(v) for v in g.values()) > 1e-3 and abs(p["w_1z"] - o_1) > 0.2 and abs(p["w_2z"] - o_2) > 0.2:
            points.append((p, x, y, z, g))
    return points


def _names_used(code):
    names = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _static_forbidden(fn, depth=0, seen=None):
    """Name of a library gradient that fn (or a notebook helper it calls) refers to, or None."""
    seen = set() if seen is None else seen
    if id(fn) in seen or depth > 4 or not hasattr(fn, "__code__"):
        return None
    seen.add(id(fn))
    names = _names_used(fn.__code__)
    scope = dict(fn.__globals__)
    if fn.__closure__:
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            if _filled(cell):
                scope[var] = cell.cell_contents
    modules, helpers = [], []
    for name in sorted(names):
        obj = scope.get(name)
        if obj is None:
            continue
        module = getattr(obj, "__module__", None) or ""
        if isinstance(obj, types.ModuleType):
            modules.append(obj)
        elif callable(obj) and module.startswith(_FORBIDDEN_MODULES):
            return f"{module}.{getattr(obj, '__name__', name)}"
        elif isinstance(obj, types.FunctionType) and module == fn.__module__:
            helpers.append(obj)
    for helper in helpers:
        found = _static_forbidden(helper, depth + 1, seen)
        if found:
            return found
    for module in modules:
        if module.__name__.startswith(_FORBIDDEN_MODULES):
            return module.__name__
        if module.__name__.startswith("nnlib") and names & _FORBIDDEN_ATTRS:
            return f"{module.__name__}.{sorted(names & _FORBIDDEN_ATTRS)[0]}"
    return None


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


class _Guard:
    """Make nnlib's gradient functions and the notebook's `error` raise while a derivation runs."""

    def __init__(self, fn):
        self.fn = fn
        self.saved = []

    def _patch(self, owner, attr, label):
        if hasattr(owner, attr):
            def refuse(*args, **kwargs):
                raise ForbiddenCall(label)
            self.saved.append((owner, attr, getattr(owner, attr)))
            setattr(owner, attr, refuse)

    def __enter__(self):
        for module_name in _FORBIDDEN_MODULES:
            module = sys.modules.get(module_name)
            if module is None:
                continue
            for attr in sorted(_FORBIDDEN_ATTRS):
                if callable(getattr(module, attr, None)):
                    self._patch(module, attr, f"{module_name}.{attr}")
        top = sys.modules.get("nnlib")
        if top is not None:
            for attr in ("gradients", "backward", "numerical_gradient", "check_gradients", "train"):
                if callable(getattr(top, attr, None)):
                    self._patch(top, attr, f"nnlib.{attr}")
        g = getattr(self.fn, "__globals__", {})
        if callable(g.get("error")):
            self.saved.append((g, "error", g["error"]))
            g["error"] = _refuse_error
        return self

    def __exit__(self, *exc):
        for owner, attr, original in reversed(self.saved):
            if isinstance(owner, dict):
                owner[attr] = original
            else:
                setattr(owner, attr, original)
        return False


def _refuse_error(*args, **kwargs):
    raise ForbiddenCall("error (the notebook's E evaluated numerically)")


def _close(a, b):
    return abs(a - b) <= _ATOL + _RTOL * abs(b)


def _diagnose(name, student, points):
    """Explain a wrong value by the usual mistakes; student[i] belongs to points[i]."""
    unit = "1" if name in ("w_x1", "w_y1", "t_1") else "2" if name in ("w_x2", "w_y2", "t_2") else None
    # each candidate maps (true gradient g, forward values v) to what that mistake would give
    candidates = [
        ("the factor 2 from the square is missing: d/dN (N - z)^2 = 2 (N - z)", lambda g, v: g[name] / 2),
        ("the sign is flipped: the outer derivative is 2 (N - z), not 2 (z - N)", lambda g, v: -g[name]),
        ("the sign is flipped and the factor 2 is missing", lambda g, v: -g[name] / 2),
        ("there is one factor 2 too many", lambda g, v: 2 * g[name]),
        ("the outer derivative 2 (N - z) of E = (N - z)^2 is missing",
         lambda g, v: g[name] / (2 * (v["N"] - v["z"]))),
        ("the sigmoid derivative of the output unit, N (1 - N), is missing",
         lambda g, v: g[name] / (v["N"] * (1 - v["N"]))),
    ]
    if unit:
        o = f"o_{unit}"
        candidates += [
            (f"the sigmoid derivative of hidden unit {unit}, {o} (1 - {o}), is missing",
             lambda g, v: g[name] / (v[o] * (1 - v[o]))),
            (f"{o} is used where the weight w_{unit}z belongs (the path to the output runs through w_{unit}z)",
             lambda g, v: g[name] * v[o] / v["p"][f"w_{unit}z"]),
        ]
    for other in PARAMS:
        if other == name:
            continue
        hint = ""
        if {name, other} == {"w_x2", "w_y1"}:
            hint = (" - the indices are transposed: w_y1 runs from input y to hidden unit 1 and w_x2 from "
                    "input x to hidden unit 2 (W[i, j] goes from unit i to unit j)")
        candidates.append((f"this is the derivative with respect to {other}, not {name}{hint}",
                           lambda g, v, other=other: g[other]))
    for message, transform in candidates:
        matches = True
        for s, (p, x, y, z, g) in zip(student, points):
            o_1, o_2, N = forward(p, x, y)
            with np.errstate(divide="ignore", invalid="ignore"):
                expected = transform(g, {"o_1": o_1, "o_2": o_2, "N": N, "z": z, "p": p})
            if not abs(s - expected) <= 1e-6 * abs(expected):
                matches = False
                break
        if matches:
            return message
    ratios = ", ".join(f"{s / pt[4][name]:.4g}" for s, pt in zip(student, points))
    return f"no usual mistake matches; your value / true value = {ratios}"


def check_derivative(fn, name, n_points=5, seed=None):
    """Assert that fn(p, x, y, z) is a closed form of dE/d<name> (name in PARAMS).

    seed=None draws fresh points from the operating system's entropy, so the expected values
    are not known in advance; the seed is printed in the message of a failure.
    """
    if name not in PARAMS:
        raise ValueError(f"name must be one of {PARAMS}; got {name!r}")
    label = f"dE_d{name}"
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    found = _static_forbidden(fn)
    if found:
        raise AssertionError(
            f"{label} refers to {found}. This exercise asks for the closed form you derived by hand "
            f"(products of 2 (N - z), N (1 - N), o_1, o_2 and the weights), not a library gradient.")
    points = draw_points(n_points, seed)
    student = []
    for p, x, y, z, g in points:
        try:
            with _Guard(fn):
                value = fn(dict(p), x, y, z)
        except ForbiddenCall as call:
            raise AssertionError(
                f"{label} calls {call}. This exercise asks for the closed form you derived by hand, "
                f"not a numerical or library gradient.") from None
        if not isinstance(value, (int, float, np.floating, np.integer)) and np.ndim(value) != 0:
            raise AssertionError(f"{label} must return one number; got {type(value).__name__} {np.shape(value)}")
        student.append(float(value))
    for s, (p, x, y, z, g) in zip(student, points):
        if not np.isfinite(s):
            raise AssertionError(f"{label} returned {s} at x={x:.3f}, y={y:.3f}, z={z:.3f} (seed {seed})")
    wrong = [i for i, (s, pt) in enumerate(zip(student, points)) if not _close(s, pt[4][name])]
    if wrong:
        i = wrong[0]
        p, x, y, z, g = points[i]
        raise AssertionError(
            f"{label} is wrong at {len(wrong)} of {len(points)} points (seed {seed}). "
            f"At x={x:.4f}, y={y:.4f}, z={z:.4f}: yours {student[i]:.8g}, central difference {g[name]:.8g}. "
            f"Diagnosis: {_diagnose(name, student, points)}.")
    print(f"{label}: correct at {len(points)} points (seed {seed})")


def check_sig_prime(fn, seed=None):
    """Assert that fn(s) is the derivative of sig, elementwise, for arrays and numbers."""
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    s = np.random.default_rng(seed).uniform(-6, 6, size=20)
    numeric = (sig(s + _H) - sig(s - _H)) / (2 * _H)
    got = np.asarray(fn(s), dtype=float)
    if got.shape != s.shape:
        raise AssertionError(f"sig_prime must work elementwise: input shape {s.shape}, output {got.shape}")
    if not np.allclose(got, numeric, rtol=_RTOL, atol=1e-9):
        hint = ""
        if np.allclose(got, s * (1 - s)):
            hint = " Diagnosis: you wrote s (1 - s); the derivative is sig(s) (1 - sig(s))."
        elif np.allclose(got, sig(s)):
            hint = " Diagnosis: that is sig(s) itself, not its derivative."
        elif np.allclose(got, sig(s) * (1 + sig(s))):
            hint = " Diagnosis: sign error, it is sig(s) (1 - sig(s))."
        k = int(np.argmax(np.abs(got - numeric)))
        raise AssertionError(f"sig_prime({s[k]:.4f}) = {got[k]:.8g}, expected {numeric[k]:.8g} (seed {seed}).{hint}")
    print(f"sig_prime: correct at {s.size} points (seed {seed})")
