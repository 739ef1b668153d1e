"""Input functions: forward values and backward against central differences."""
import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.inputs import get_input_function, squared_distance, weighted_sum


def test_weighted_sum_is_matrix_product_plus_bias():
    y_prev = np.array([[0.05, 0.10]])                 # KTH inputs
    W = np.array([[0.15, 0.25], [0.20, 0.30]])
    b = np.array([0.35, 0.35])
    np.testing.assert_allclose(weighted_sum(y_prev, W, b), [[0.3775, 0.3925]])


def test_squared_distance_is_distance_to_centre_plus_bias():
    y_prev = np.array([[1.0, 2.0], [0.0, 0.0]])
    W = np.array([[1.0, 4.0], [2.0, 6.0]])            # centres (1, 2) and (4, 6)
    b = np.array([0.0, 0.5])
    np.testing.assert_allclose(squared_distance(y_prev, W, b), [[0.0, 25.5], [5.0, 52.5]])


@pytest.mark.parametrize("name", ["weighted_sum", "squared_distance"])
def test_backward_matches_central_differences(name):
    inp = get_input_function(name)
    rng = np.random.default_rng(3)
    y_prev, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dE_dxi = rng.normal(size=(4, 2))

    def E(_):
        return float((dE_dxi * inp.forward(y_prev, W, b)).sum())

    dy, dW, db = inp.backward(y_prev, W, b, dE_dxi)
    assert relative_error(dy, numerical_gradient(E, y_prev)) < 1e-8
    assert relative_error(dW, numerical_gradient(E, W)) < 1e-8
    assert relative_error(db, numerical_gradient(E, b)) < 1e-8
    assert inp.backward(y_prev, W, b, dE_dxi, need_dy=False)[0] is None


def test_errors():
    W, b = np.zeros((2, 3)), np.zeros(3)
    with pytest.raises(ValueError, match=(
            r"y_prev must have shape \(N, 2\) to match W of shape \(2, 3\); got \(4, 3\)")):
        weighted_sum(np.zeros((4, 3)), W, b)
    with pytest.raises(ValueError, match=r"b must have shape \(3,\)"):
        weighted_sum(np.zeros((4, 2)), W, np.zeros(2))
    with pytest.raises(ValueError, match="unknown input function 'dot'"):
        get_input_function("dot")
    with pytest.raises(TypeError, match="input function must be a name"):
        get_input_function(None)
