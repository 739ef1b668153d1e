"""Gradient descent (nnlib.descent): the Rostock deck's worked numbers, clipping, divergence."""
import doctest
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib.descent
from nnlib.descent import FUNCTIONS, DescentTrace, clip_gradient, get_function, gradient_descent


def square(x):
    return x ** 2


def square_prime(x):
    return 2 * x


def run(gamma, steps=10, **kw):
    return gradient_descent(square, square_prime, -4.0, gamma=gamma, steps=steps, **kw)


# --- the deck's example: f(x) = x^2 from x0 = -4 -------------------------------------------

def test_derivative_at_start_is_minus_eight():
    tr = run(0.8, steps=1)
    assert tr.xs[0, 0] == -4.0
    assert tr.fs[0] == 16.0
    assert tr.grads[0, 0] == -8.0


@pytest.mark.parametrize("gamma, first", [(0.8, 2.4), (0.7, 1.6), (0.2, -2.4)])
def test_first_iterate_matches_deck(gamma, first):
    tr = run(gamma, steps=1)
    assert tr.xs[1, 0] == pytest.approx(first, abs=1e-12)
    assert tr.steps[0, 0] == pytest.approx(first + 4.0, abs=1e-12)
    assert tr.gammas[0] == gamma


def test_gamma_08_continues_alternating():
    tr = run(0.8, steps=4)
    np.testing.assert_allclose(tr.xs[:, 0], [-4.0, 2.4, -1.44, 0.864, -0.5184], atol=1e-12)


def test_gamma_one_ping_pongs_forever():
    tr = run(1.0, steps=50)
    assert tr.status == "max_steps"
    assert not tr.converged
    expected = np.where(np.arange(51) % 2 == 0, -4.0, 4.0)
    np.testing.assert_array_equal(tr.xs[:, 0], expected)
    np.testing.assert_array_equal(tr.fs, 16.0)


@settings(max_examples=60, deadline=None)
@given(gamma=st.floats(0.01, 0.99), x0=st.floats(-100, 100).filter(lambda v: abs(v) > 1e-3))
def test_each_step_multiplies_x_by_one_minus_two_gamma(gamma, x0):
    tr = gradient_descent(square, square_prime, x0, gamma=gamma, steps=5, tol=0.0)
    ratios = tr.xs[1:, 0] / tr.xs[:-1, 0]
    np.testing.assert_allclose(ratios, 1 - 2 * gamma, rtol=1e-9)


def test_converging_run_stops_on_tolerance():
    tr = run(0.2, steps=1000, tol=1e-6)
    assert tr.status == "tolerance"
    assert tr.converged
    assert abs(tr.grads[-1, 0]) <= 1e-6 < abs(tr.grads[-2, 0])
    # |x_k| = 4 * 0.6^k and |f'(x_k)| = 8 * 0.6^k: the first k with 8 * 0.6^k <= 1e-6
    k = int(np.ceil(np.log(1e-6 / 8) / np.log(0.6)))
    assert tr.n_steps == k


def test_zero_gradient_stops_at_once():
    tr = gradient_descent(square, square_prime, 0.0, gamma=0.5)
    assert tr.status == "zero_gradient"
    assert tr.n_steps == 0 and tr.xs.shape == (1, 1)
    assert tr.steps.shape == (0, 1) and tr.clipped.shape == (0,) and tr.gammas.shape == (0,)


def test_gamma_half_reaches_the_minimum_in_one_step():
    tr = run(0.5)
    assert tr.xs[1, 0] == 0.0
    assert tr.status == "zero_gradient" and tr.n_steps == 1


def test_trace_shapes_are_consistent():
    tr = run(0.3, steps=7, tol=0.0)
    k = tr.n_steps
    assert k == 7
    assert tr.xs.shape == (k + 1, 1) and tr.fs.shape == (k + 1,) and tr.grads.shape == (k + 1, 1)
    assert tr.steps.shape == (k, 1) and tr.clipped.shape == (k,) and tr.gammas.shape == (k,)
    np.testing.assert_allclose(np.diff(tr.xs, axis=0), tr.steps)
    np.testing.assert_allclose(tr.fs, tr.xs[:, 0] ** 2)
    assert tr.xs.dtype == np.float64 and tr.clipped.dtype == bool


def test_steps_zero_returns_the_start_only():
    tr = run(0.3, steps=0)
    assert tr.status == "max_steps" and tr.xs.shape == (1, 1)


# --- schedules --------------------------------------------------------------------------

def test_schedule_is_called_with_the_step_index():
    seen = []

    def schedule(i):
        seen.append(i)
        return 0.4 / (1 + i)

    tr = run(schedule, steps=5, tol=0.0)
    assert seen == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(tr.gammas, 0.4 / (1 + np.arange(5)))
    x = -4.0
    for i in range(5):
        x = x - 0.4 / (1 + i) * 2 * x
        assert tr.xs[i + 1, 0] == pytest.approx(x)


@pytest.mark.parametrize("bad, exc, match", [(lambda i: -0.1, ValueError, r"gamma\(0\) = -0.1"),
                                             (lambda i: "big", TypeError, "must return a number")])
def test_bad_schedule_values(bad, exc, match):
    with pytest.raises(exc, match=match):
        run(bad)


# --- clipping ---------------------------------------------------------------------------

def test_clip_gradient_rescales_long_gradients_only():
    g, c = clip_gradient([3.0, 4.0], 0.3)
    assert c is True
    np.testing.assert_allclose(g, [0.18, 0.24])
    assert np.linalg.norm(g) == pytest.approx(0.3)
    g2, c2 = clip_gradient([0.1, -0.2], 0.3)
    assert c2 is False
    np.testing.assert_array_equal(g2, [0.1, -0.2])


def test_clip_gradient_handles_huge_entries_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g, c = clip_gradient([1e300, 1e300], 1.0)
    assert c and np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [2 ** -0.5, 2 ** -0.5])


@pytest.mark.parametrize("gamma", [0.2, 0.8, 1.0, 3.0])
def test_clipped_steps_are_never_longer_than_clip_times_gamma(gamma):
    tr = run(gamma, steps=200, clip=0.3)
    lengths = np.linalg.norm(tr.steps, axis=1)
    assert np.all(lengths <= 0.3 * gamma * (1 + 1e-12))
    # at x0 = -4 the gradient -8 is longer than 0.3, so the first step is clipped
    assert tr.clipped[0]
    assert tr.steps[0, 0] == pytest.approx(0.3 * gamma)
    np.testing.assert_array_equal(tr.clipped, np.abs(tr.grads[:-1, 0]) > 0.3)


def test_clipping_tames_the_steep_function():
    f, df = FUNCTIONS["steep"]
    wild = gradient_descent(f, df, -4.0, gamma=0.2, steps=100)
    assert wild.status == "diverged"
    tamed = gradient_descent(f, df, -4.0, gamma=0.2, steps=2000, clip=0.3, tol=1e-6)
    assert tamed.status in ("tolerance", "max_steps")
    assert abs(tamed.x[0]) < 0.05


# --- divergence -------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [1.01, 1.5, 10.0, 1e6, 1e300])
def test_divergence_is_detected_without_warnings(gamma):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = run(gamma, steps=100000)
    assert tr.status == "diverged"
    assert "diverged" in tr.message and "gamma" in tr.message
    assert np.all(np.isfinite(tr.xs)) and np.all(np.isfinite(tr.fs)) and np.all(np.isfinite(tr.grads))
    assert np.all(np.abs(tr.xs) <= 1e6)
    # every recorded iterate still follows x_{i+1} = (1 - 2 gamma) x_i
    np.testing.assert_allclose(tr.xs[1:, 0], (1 - 2 * gamma) * tr.xs[:-1, 0])


def test_non_finite_f_counts_as_divergence():
    # a gradient of -1 pushes x to 800, where exp overflows although |x| is far below max_abs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = gradient_descent(np.exp, lambda x: -1.0, 0.0, gamma=800.0, steps=50)
    assert tr.status == "diverged" and tr.n_steps == 0
    assert np.all(np.isfinite(tr.fs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = gradient_descent(lambda x: np.exp(x * x), lambda x: 2 * x * np.exp(x * x), 1.0, gamma=1.0, steps=50)
    assert tr.status == "diverged"
    assert np.all(np.isfinite(tr.fs))


def test_python_float_overflow_counts_as_divergence():
    tr = gradient_descent(lambda x: x ** 200, lambda x: 200 * x ** 199, 1.5, gamma=0.01, steps=50,
                          max_abs=1e300)
    assert tr.status == "diverged"


def test_max_abs_is_respected():
    tr = run(1.5, steps=100, max_abs=100.0)
    assert tr.status == "diverged"
    assert np.all(np.abs(tr.xs) <= 100.0)
    assert abs(tr.xs[-1, 0] * -2.0) > 100.0  # the next iterate would have left the box


# --- n dimensions -----------------------------------------------------------------------

def test_bowl2d_converges_and_gradient_matches_finite_differences():
    obj = FUNCTIONS["bowl2d"]
    tr = gradient_descent(obj.f, obj.df, obj.x0, gamma=obj.gamma, steps=1000, tol=1e-8)
    assert tr.status == "tolerance"
    assert tr.xs.shape[1] == 2
    np.testing.assert_allclose(tr.x, [0.0, 0.0], atol=1e-8)
    # each coordinate contracts by its own factor: 1 - 2 gamma and 1 - 20 gamma
    np.testing.assert_allclose(tr.xs[1], obj.x0 * np.array([1 - 2 * obj.gamma, 1 - 20 * obj.gamma]))


def test_vector_clipping_keeps_direction():
    obj = FUNCTIONS["bowl2d"]
    tr = gradient_descent(obj.f, obj.df, [3.0, 2.0], gamma=0.05, steps=3, clip=1.0)
    g0 = obj.df(np.array([3.0, 2.0]))
    np.testing.assert_allclose(tr.steps[0], -0.05 * g0 / np.linalg.norm(g0))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_named_functions_have_correct_derivatives(name):
    obj = get_function(name)
    f, df = obj  # unpacks as an (f, df) pair
    rng = np.random.default_rng(0)
    h = 1e-6
    for _ in range(5):
        x = rng.uniform(-2, 2, size=obj.n)
        numeric = np.array([np.sum(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(obj.n)])
        np.testing.assert_allclose(np.reshape(df(x), -1), numeric, rtol=1e-6, atol=1e-6)
    assert obj.description


def test_two_minima_finds_different_minima_from_each_side():
    f, df = FUNCTIONS["two_minima"]
    right = gradient_descent(f, df, 2.0, gamma=0.05, steps=1000)
    left = gradient_descent(f, df, -2.0, gamma=0.05, steps=1000)
    assert right.converged and left.converged
    assert right.x[0] > 1 and left.x[0] < -1
    assert left.fs[-1] < right.fs[-1]  # the left minimum is the global one


def test_get_function_unknown_name():
    with pytest.raises(ValueError, match=r"unknown function 'cube'; expected one of \['bowl2d'"):
        get_function("cube")


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(gamma=0.0), ValueError, "gamma must be a finite number > 0; got 0.0"),
    (dict(gamma="0.1"), TypeError, "gamma must be a number; got str"),
    (dict(steps=-1), ValueError, "steps must be >= 0; got -1"),
    (dict(steps=2.5), TypeError, "steps must be an integer"),
    (dict(clip=0), ValueError, "clip must be a finite number > 0"),
    (dict(tol=-1.0), ValueError, "tol must be a finite number >= 0"),
    (dict(max_abs=np.inf), ValueError, "max_abs must be a finite number"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gradient_descent(square, square_prime, -4.0, **kwargs)


def test_bad_x0_and_callables():
    with pytest.raises(ValueError, match="x0 contains NaN or inf"):
        gradient_descent(square, square_prime, np.nan)
    with pytest.raises(ValueError, match=r"x0 must be a number or a 1D array"):
        gradient_descent(square, square_prime, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"x0 must lie inside \|x_j\| <= max_abs"):
        gradient_descent(square, square_prime, 1e7)
    with pytest.raises(TypeError, match="f and grad must be callables"):
        gradient_descent(2.0, square_prime, 1.0)
    with pytest.raises(ValueError, match=r"grad must return an array of shape \(2,\) like x; got shape \(3,\)"):
        gradient_descent(lambda x: 0.0 + x @ x, lambda x: np.ones(3), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"f must return a single number"):
        gradient_descent(lambda x: x, lambda x: np.ones(2), [1.0, 2.0])
    with pytest.raises(TypeError, match="grad must return numbers; got str"):
        gradient_descent(square, lambda x: "steep", 1.0)
    with pytest.raises(TypeError, match="f must return numbers; got NoneType"):
        gradient_descent(lambda x: None, square_prime, 1.0)
    with pytest.raises(ValueError, match=r"f\(x0\) and grad\(x0\) must be finite"):
        gradient_descent(np.log, lambda x: -1.0, 0.0)


def test_trace_repr_and_type():
    tr = run(0.8, steps=2)
    assert isinstance(tr, DescentTrace)
    assert "status='max_steps'" in repr(tr)


def test_module_doctest():
    result = doctest.testmod(nnlib.descent)
    assert result.attempted > 0 and result.failed == 0


@settings(max_examples=80, deadline=None)
@given(g=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5), threshold=st.floats(1e-3, 1e3))
def test_clip_gradient_bounds_length_and_keeps_direction(g, threshold):
    g = np.array(g)
    clipped, was = clip_gradient(g, threshold)
    length = np.linalg.norm(g)
    assert was == (length > threshold)
    assert np.linalg.norm(clipped) <= threshold * (1 + 1e-12) or not was
    if was:
        np.testing.assert_allclose(clipped * length / threshold, g, rtol=1e-9, atol=1e-12)
    else:
        np.testing.assert_array_equal(clipped, g)
