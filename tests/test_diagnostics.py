"""Per-layer statistics: gradient norms against finite differences, activations by hand."""
import numpy as np
import pytest

from nnlib.diagnostics import layer_stats
from nnlib.gradcheck import numerical_gradient
from nnlib.losses import loss_value
from nnlib.network import Network


def test_layer_stats_match_finite_differences_and_the_forward_pass():
    rng = np.random.default_rng(0)
    net = Network.from_sizes("3-5-4-2", ["tanh", "relu", "sigmoid"], seed=1)
    X, d = rng.normal(size=(7, 3)), rng.uniform(size=(7, 2))
    s = layer_stats(net, X, d, "half_sse")
    for l, W in enumerate(net.W):
        num = numerical_gradient(lambda _: loss_value("half_sse", net(X), d, "mean"), W)
        assert s.grad_norm[l] == pytest.approx(np.linalg.norm(num), rel=1e-7)
    fp = net.forward(X)
    np.testing.assert_allclose(s.act_mean, [fp.y[l].mean() for l in (1, 2, 3)])
    np.testing.assert_allclose(s.act_std, [fp.y[l].std() for l in (1, 2, 3)])
    np.testing.assert_allclose(s.xi_std, [fp.xi[l].std() for l in (1, 2, 3)])


def test_layer_stats_validates():
    net = Network.from_sizes("2-1", seed=0)
    with pytest.raises(ValueError, match=r"d must have shape \(3, 1\)"):
        layer_stats(net, np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(TypeError, match="net must be a Network"):
        layer_stats("net", np.ones((3, 2)), np.ones((3, 1)))
