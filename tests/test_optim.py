"""Optimiser update rules and schedules (nnlib.optim), each against a hand computation."""
import math

import numpy as np
import pytest

from nnlib.optim import (OPTIMIZERS, Optimizer, adam, constant, cosine_decay, exponential_decay,
                         get_optimizer, inverse_time_decay, minimize, momentum, nesterov,
                         rmsprop, sgd, step_decay)


def test_sgd_is_the_lecture_step_and_leaves_its_inputs_alone():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    new, state = sgd(w, g, {}, 0.1)
    np.testing.assert_allclose(new, [0.95, -2.4])
    assert state == {} and w.tolist() == [1.0, -2.0] and g.tolist() == [0.5, 4.0]


def test_momentum_two_steps_by_hand():
    w, s = np.array([1.0]), {}
    w, s = momentum(w, np.array([2.0]), s, gamma=0.1, mu=0.9)   # v = -0.2
    w, s = momentum(w, np.array([1.0]), s, gamma=0.1, mu=0.9)   # v = 0.9·(-0.2) - 0.1 = -0.28
    np.testing.assert_allclose(s["v"], [-0.28])
    np.testing.assert_allclose(w, [1.0 - 0.2 - 0.28])


def test_nesterov_equals_the_look_ahead_definition():
    # On f(θ) = ½ θᵀ A θ: v ← μv - γ A(θ + μv), θ ← θ + v; nnlib stores φ = θ + μv.
    A = np.array([[1.0, 0.0], [0.0, 10.0]])
    theta, v = np.array([-4.0, 1.0]), np.zeros(2)
    phi, state = theta.copy(), {}
    for _ in range(20):
        v = 0.9 * v - 0.05 * A @ (theta + 0.9 * v)
        theta = theta + v
        phi, state = nesterov(phi, A @ phi, state, 0.05, mu=0.9)
        np.testing.assert_allclose(phi, theta + 0.9 * v, rtol=1e-12, atol=1e-15)


def test_rmsprop_first_step_by_hand():
    g = np.array([2.0, -0.01])
    w, s = rmsprop(np.zeros(2), g, {}, 0.01, rho=0.9, eps=0.0)
    # s = 0.1 g², so the step is γ g / (√0.1 |g|) = γ/√0.1 · sign(g) whatever |g| is
    np.testing.assert_allclose(w, -0.01 / math.sqrt(0.1) * np.sign(g))
    np.testing.assert_allclose(s["s"], 0.1 * g ** 2)


def test_adam_bias_correction_makes_the_first_step_gamma_times_sign():
    g = np.array([3.0, -1e-3])
    w, s = adam(np.zeros(2), g, {}, 0.01, eps=0.0)
    np.testing.assert_allclose(w, [-0.01, 0.01])
    assert s["t"] == 1
    # second step by hand
    g2 = np.array([1.0, 1.0])
    w2, s2 = adam(w, g2, s, 0.01, eps=0.0)
    m = 0.9 * s["m"] + 0.1 * g2
    v = 0.999 * s["s"] + 0.001 * g2 ** 2
    expected = w - 0.01 * (m / (1 - 0.9 ** 2)) / np.sqrt(v / (1 - 0.999 ** 2))
    np.testing.assert_allclose(w2, expected, rtol=1e-12)


def test_optimizer_updates_arrays_in_place_with_one_state_each():
    a, b = np.array([1.0, 2.0]), np.array([[3.0]])
    opt = Optimizer("momentum", gamma=0.5, mu=0.5)
    opt.step([a, b], [np.array([1.0, 1.0]), np.array([[2.0]])])
    opt.step([a, b], [np.array([1.0, 1.0]), np.array([[2.0]])])
    np.testing.assert_allclose(a, [1.0 - 0.5 - 0.75, 2.0 - 0.5 - 0.75])
    np.testing.assert_allclose(b, [[3.0 - 1.0 - 1.5]])
    assert set(opt.state) == {0, 1}
    opt.reset()
    assert opt.state == {}


def test_optimizer_rejects_bad_names_and_settings():
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; expected one of"):
        Optimizer("adamw")
    with pytest.raises(ValueError, match=r"unknown hyper-parameter\(s\) \['beta1'\] for 'momentum'"):
        Optimizer("momentum", beta1=0.9)
    with pytest.raises(ValueError, match=r"mu must lie in \[0, 1\); got 1.0"):
        Optimizer("nesterov", mu=1.0)
    with pytest.raises(ValueError, match="gamma must be a finite number > 0"):
        Optimizer("sgd", gamma=0)
    with pytest.raises(ValueError, match="grads\\[0\\] must have the shape of params\\[0\\]"):
        Optimizer().step([np.zeros(2)], [np.zeros(3)])
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
    opt = Optimizer("adam")
    assert get_optimizer(opt) is opt and get_optimizer("rmsprop").name == "rmsprop"


def test_minimize_on_the_bowl_momentum_beats_plain_steps():
    grad = lambda x: np.array([2.0 * x[0], 20.0 * x[1]])       # 05's bowl x1² + 10 x2²
    plain = minimize(grad, [-4.0, 1.0], Optimizer("sgd", 0.09), steps=50)
    heavy = minimize(grad, [-4.0, 1.0], Optimizer("momentum", 0.09, mu=0.5), steps=50)
    assert plain.shape == heavy.shape == (51, 2)
    assert np.linalg.norm(heavy[-1]) < np.linalg.norm(plain[-1]) / 10
    # a path that overflows stops where it is still finite
    wild = minimize(lambda x: x ** 3, [2.0], Optimizer("sgd", 10.0), steps=50)
    assert np.all(np.isfinite(wild)) and len(wild) < 51


def test_schedules_by_hand():
    assert constant(0.3)(7) == 0.3
    assert [step_decay(1.0, 0.5, every=2)(t) for t in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    assert exponential_decay(2.0, 0.1)(10) == pytest.approx(2.0 * math.exp(-1))
    assert inverse_time_decay(1.0, 0.5)(4) == pytest.approx(1 / 3)
    cos = cosine_decay(1.0, T=10, gamma_min=0.1)
    assert cos(0) == 1.0 and cos(5) == pytest.approx(0.55) and cos(10) == pytest.approx(0.1)
    assert cos(99) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="step t must be an integer >= 0; got -1"):
        step_decay(1.0)(-1)


def test_minimize_with_a_schedule_uses_gamma_t_per_step():
    grad = lambda x: 2.0 * x                              # f = x², so x_{t+1} = (1 - 2γ_t) x_t
    path = minimize(grad, [1.0], Optimizer("sgd", 0.1), steps=3, schedule=lambda t: 0.1 * (t + 1))
    np.testing.assert_allclose(path[:, 0], [1.0, 0.8, 0.8 * 0.6, 0.8 * 0.6 * 0.4])
