"""Input validation shared by every public function of nnlib.

The rule (see docs/design.md): check at the public boundary, convert to float64, and raise a
``ValueError``/``TypeError`` whose message names the argument, what was expected and what
was given. Nothing is broadcast silently.
"""
from __future__ import annotations

import numbers

import numpy as np


class ConvergenceWarning(RuntimeWarning):
    """Training stopped before the error became acceptable (or it diverged).

    Defined here, below every training module, so that ``train`` and ``perceptron`` share it
    without importing each other; ``nnlib.ConvergenceWarning`` is the public name.
    """


def as_float_array(value, name: str, *, ndim: int | None = None, allow_nonfinite: bool = False):
    """Return ``value`` as a float64 array, rejecting strings, objects, NaN and inf.

    ``ndim`` (optional) is the number of dimensions the caller needs.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__} ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional; got shape {arr.shape}")
    if not allow_nonfinite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; every entry must be a finite number")
    return arr


def as_batch(X, name: str = "X", n_features: int | None = None, *, context: str = ""):
    """Return ``X`` as a 2D float64 batch of shape ``(N, n_features)``.

    A 1D ``X`` is taken as one sample. ``context`` explains where ``n_features`` comes from,
    e.g. ``"to match W[0] of shape (2, 4)"``.
    """
    arr = as_float_array(X, name)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N, {n_features or 'n'}) (one sample per row); got {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        where = f" {context}" if context else ""
        raise ValueError(f"{name} must have shape (N, {n_features}){where}; got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one sample; got shape {arr.shape}")
    return arr


def check_same_shape(a, b, name_a: str, name_b: str) -> None:
    """Raise if two arrays differ in shape (no broadcasting between outputs and targets)."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}")


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float after checking it is a finite (strictly) positive number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not np.isfinite(value) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value}")
    return value


def check_int(value, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as int after checking its type and lower bound."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``; else a ValueError listing them."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(choices)}; got {type(value).__name__}")
    key = value.lower()
    if key not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {sorted(choices)}")
    return key


def as_rng(seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator, or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None; got {type(seed).__name__}")


def lookup(registry: dict, spec, kind: str, cls: type | None = None, article: str = "a",
           *, sort: bool = True):
    """``spec`` itself if it is a ``cls``, else the registry entry named ``spec``.

    One rule for every registry (activations, input functions, losses, truth tables,
    datasets): names are case-insensitive; a wrong type is a TypeError and an unknown name a
    ValueError, both listing the known names (alphabetically, or in the registry's own order
    with ``sort=False`` where that order teaches something).
    """
    if cls is not None and isinstance(spec, cls):
        return spec
    names = sorted(registry) if sort else list(registry)
    if not isinstance(spec, str):
        alternative = f" or {article} {cls.__name__}" if cls is not None else ""
        raise TypeError(f"{kind} must be a name (one of {names}){alternative}; got "
                        f"{type(spec).__name__}")
    key = spec.lower()
    if key not in registry:
        raise ValueError(f"unknown {kind} {spec!r}; expected one of {names}")
    return registry[key]
