"""Training: minibatching, the update rule, stopping, divergence, history, progress."""
import numpy as np
import pytest

from nnlib.backprop import gradients
from nnlib.losses import loss_value, to_one_hot
from nnlib.network import Network
from nnlib.train import ConvergenceWarning, History, minibatches, sgd_step, train

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([[0], [1], [1], [0]], dtype=float)


def test_minibatches_shuffle_once_then_slice():
    batches = list(minibatches(10, 3, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    order = np.concatenate(batches)
    assert sorted(order.tolist()) == list(range(10))
    np.testing.assert_array_equal(order, np.random.default_rng(0).permutation(10))
    assert [b.tolist() for b in minibatches(4, None, None)] == [[0, 1, 2, 3]]
    with pytest.raises(ValueError, match="batch_size must be >= 1; got 0"):
        list(minibatches(4, 0, 0))


def test_batch_step_is_mean_gradient_step():
    rng = np.random.default_rng(0)
    net = Network.from_sizes("3-4-2", ["tanh", "sigmoid"], seed=1)
    X, d = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    twin = net.copy()
    _, g = gradients(twin, X, d, reduction="mean")
    sgd_step(twin, g, 0.3)
    h = train(net, X, d, gamma=0.3, epochs=1)
    np.testing.assert_allclose(net.get_flat(), twin.get_flat(), rtol=1e-13)
    assert h.epochs == 1 and h.status == "max_epochs"


def test_online_is_the_per_sample_rule_in_shuffled_order():
    rng = np.random.default_rng(2)
    net = Network.from_sizes("2-3-1", ["sigmoid", "sigmoid"], seed=3)
    X, d = rng.normal(size=(5, 2)), rng.uniform(size=(5, 1))
    twin = net.copy()
    train(net, X, d, gamma=0.7, epochs=2, batch_size=1, seed=42)
    order_rng = np.random.default_rng(42)
    for _ in range(2):
        for k in order_rng.permutation(5):
            _, g = gradients(twin, X[k:k + 1], d[k:k + 1])
            sgd_step(twin, g, 0.7)
    np.testing.assert_allclose(net.get_flat(), twin.get_flat(), rtol=1e-12)


def test_minibatch_training_is_seeded():
    rng = np.random.default_rng(4)
    X, d = rng.normal(size=(20, 2)), rng.uniform(size=(20, 1))
    nets = [Network.from_sizes("2-4-1", seed=0) for _ in range(3)]
    h0 = train(nets[0], X, d, epochs=5, batch_size=4, seed=7)
    h1 = train(nets[1], X, d, epochs=5, batch_size=4, seed=7)
    train(nets[2], X, d, epochs=5, batch_size=4, seed=8)
    assert h0.train_loss == h1.train_loss
    np.testing.assert_array_equal(nets[0].get_flat(), nets[1].get_flat())
    assert not np.array_equal(nets[0].get_flat(), nets[2].get_flat())


def test_kth_one_step_with_sgd_step():
    # Deck 003: η = 0.5 on E_total of one sample; w5 becomes 0.35891, w1 0.14978.
    net = Network([[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid")
    _, g = gradients(net, [[0.05, 0.10]], [[0.01, 0.99]])
    sgd_step(net, g, 0.5)
    assert abs(net.W[1][0, 0] - 0.35891) < 1e-5 and abs(net.W[0][0, 0] - 0.14978) < 1e-5


def test_xor_converges_and_history_is_consistent():
    net = Network.from_sizes("2-4-1", ["tanh", "sigmoid"], seed=1)
    h = train(net, X4, XOR, loss="bce", gamma=0.5, epochs=3000, target_loss=0.05, seed=0)
    assert isinstance(h, History) and h.status == "converged"
    assert h.epochs == len(h.train_loss) < 3000
    assert h.train_loss[-1] <= 0.05 < h.train_loss[-2]
    assert h.train_loss[0] > 0.5 and "reached loss" in h.message
    np.testing.assert_array_equal(np.round(net(X4)), XOR)


def test_validation_loss_is_mean_loss_after_each_epoch():
    rng = np.random.default_rng(5)
    X, labels = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    d = to_one_hot(labels, 3)
    net = Network.from_sizes("2-5-3", ["relu", "softmax"], seed=0, init="he")
    h = train(net, X[:20], d[:20], loss="cross_entropy", gamma=0.1, epochs=3, batch_size=5,
              seed=0, X_val=X[20:], d_val=d[20:])
    assert len(h.val_loss) == len(h.train_loss) == 3
    assert np.isclose(h.val_loss[-1], loss_value("cross_entropy", net(X[20:]), d[20:],
                                                  reduction="mean"))


def test_target_not_reached_warns():
    net = Network.from_sizes("2-2-1", seed=0)
    with pytest.warns(ConvergenceWarning, match="did not reach target loss 1e-06 in 5 epochs"):
        h = train(net, X4, XOR, epochs=5, target_loss=1e-6)
    assert h.status == "max_epochs" and h.epochs == 5


@pytest.mark.parametrize("acts, gamma",
                         [(["relu", "identity"], 10.0), (["identity", "identity"], 1e3)])
def test_divergence_stops_with_status_and_no_nan(acts, gamma):
    net = Network.from_sizes("2-8-1", acts, seed=1)
    with pytest.warns(ConvergenceWarning, match="diverged in epoch .*Try a smaller gamma"):
        h = train(net, X4 * 10, XOR, gamma=gamma, epochs=500)
    assert h.status == "diverged" and h.epochs < 500
    assert np.all(np.isfinite(h.train_loss)) and np.all(np.isfinite(net.get_flat()))


def test_l2_adds_weight_decay_to_weights_only():
    rng = np.random.default_rng(6)
    net = Network.from_sizes("3-2", "identity", seed=2)
    net.b[0][:] = [0.5, -0.5]
    X, d = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    _, g = gradients(net, X, d, reduction="mean")
    W_expected = net.W[0] - 0.1 * (g.dW[0] + 0.3 * net.W[0])
    b_expected = net.b[0] - 0.1 * g.db[0]
    train(net, X, d, gamma=0.1, epochs=1, l2=0.3)
    np.testing.assert_allclose(net.W[0], W_expected)
    np.testing.assert_allclose(net.b[0], b_expected)


def test_gamma_schedule():
    rng = np.random.default_rng(8)
    X, d = rng.normal(size=(4, 2)), rng.uniform(size=(4, 1))
    a, b = Network.from_sizes("2-1", seed=0), Network.from_sizes("2-1", seed=0)
    train(a, X, d, gamma=lambda epoch: 0.5 / (1 + epoch), epochs=2)
    train(b, X, d, gamma=0.5, epochs=1)
    train(b, X, d, gamma=0.25, epochs=1)
    np.testing.assert_allclose(a.get_flat(), b.get_flat())


def test_progress_is_silent_by_default_and_one_line_when_asked(capsys):
    net = Network.from_sizes("2-2-1", seed=0)
    train(net, X4, XOR, epochs=3)
    assert capsys.readouterr().err == ""
    train(net, X4, XOR, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "epoch 3/3" in err and err.count("\n") == 1 and "\r" in err


def test_train_errors():
    net = Network.from_sizes("2-2-1", seed=0)
    with pytest.raises(ValueError, match=r"d must have shape \(4, 1\) \(one row per sample of X"):
        train(net, X4, XOR[:3])
    with pytest.raises(ValueError, match="gamma must be a finite number > 0; got -0.1"):
        train(net, X4, XOR, gamma=-0.1)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        train(net, X4, XOR, batch_size=0)
    with pytest.raises(ValueError, match="give both X_val and d_val"):
        train(net, X4, XOR, X_val=X4)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        train(net, np.zeros((4, 3)), XOR)
    with pytest.raises(ValueError, match="bce needs targets d in"):
        train(net, X4, XOR * 2, loss="bce")
    with pytest.raises(TypeError, match="seed must be an int"):
        train(net, X4, XOR, batch_size=2, seed="0")
    from nnlib.backprop import Gradients
    with pytest.raises(ValueError, match=r"grads.dW\[0\] and grads.db\[0\] must have the shapes"):
        sgd_step(net, Gradients([np.zeros((3, 2)), np.zeros((2, 1))],
                                [np.zeros(2), np.zeros(1)]), 0.1)


def test_progress_in_a_notebook_updates_one_display(monkeypatch):
    """In Jupyter the status line is one display that is updated in place (no tqdm)."""
    import IPython
    import IPython.display

    class ZMQInteractiveShell:          # the class name is what train() looks for
        pass

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj.data)

    def fake_display(obj, display_id=None):
        assert display_id is True
        shown.append(obj.data)
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: ZMQInteractiveShell())
    monkeypatch.setattr(IPython.display, "display", fake_display)
    net = Network.from_sizes("2-2-1", seed=0)
    train(net, X4, XOR, epochs=4, progress=True, X_val=X4, d_val=XOR)
    assert shown[0] == "" and len(shown) >= 2
    assert shown[-1].startswith("epoch 4/4  train loss") and "val loss" in shown[-1]
    assert shown[-1].endswith("max_epochs")


# ---------------------------------------------------------------- notebook 10's additions

def test_dropout_step_follows_the_masked_gradient_by_finite_differences():
    from nnlib.gradcheck import numerical_gradient
    from nnlib.regularization import dropout_mask
    rng = np.random.default_rng(5)
    net = Network.from_sizes("3-6-5-2", ["tanh", "relu", "sigmoid"], seed=2)
    X, d = rng.normal(size=(8, 3)), rng.uniform(size=(8, 2))
    before = net.copy()
    train(net, X, d, gamma=0.1, epochs=1, dropout=0.5, seed=11)
    # the same masks: train draws one per hidden layer from its seeded Generator
    mrng = np.random.default_rng(11)
    masks = [dropout_mask((8, k), 0.5, mrng) for k in (6, 5)]

    def masked_error(_):
        y = X
        for l, (W, b, act) in enumerate(zip(before.W, before.b, before.activations)):
            y = act.f(y @ W + b)
            if l < 2:
                y = y * masks[l]
        return loss_value("half_sse", y, d, "mean")

    for p_before, p_after in zip(before.params(), net.params()):
        expected = p_before - 0.1 * numerical_gradient(masked_error, p_before)
        np.testing.assert_allclose(p_after, expected, rtol=1e-7, atol=1e-9)
    # validation and prediction use no dropout: the validation loss is the plain one
    net2 = before.copy()
    h = train(net2, X, d, gamma=1e-12, epochs=1, dropout=0.5, seed=0, X_val=X, d_val=d)
    assert h.val_loss[0] == pytest.approx(loss_value("half_sse", net2(X), d, "mean"))


def test_l1_and_l2_add_their_gradients_to_the_weights_only():
    rng = np.random.default_rng(6)
    net = Network.from_sizes("2-3-1", ["tanh", "identity"], seed=3)
    X, d = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    twin = net.copy()
    train(net, X, d, gamma=0.2, epochs=1, l1=0.05, l2=0.3)
    _, g = gradients(twin, X, d, reduction="mean")
    for l in range(2):
        twin.W[l] -= 0.2 * (g.dW[l] + 0.3 * twin.W[l] + 0.05 * np.sign(twin.W[l]))
        twin.b[l] -= 0.2 * g.db[l]
    np.testing.assert_allclose(net.get_flat(), twin.get_flat(), rtol=1e-13)


def test_optimizer_in_train_is_the_optimizer_on_mean_gradients():
    from nnlib.optim import Optimizer
    rng = np.random.default_rng(7)
    net = Network.from_sizes("2-4-1", ["tanh", "sigmoid"], seed=4)
    X, d = rng.normal(size=(6, 2)), rng.uniform(size=(6, 1))
    twin, opt = net.copy(), Optimizer("adam", gamma=0.01)
    train(net, X, d, gamma=0.01, epochs=3, optimizer="adam")
    for _ in range(3):
        _, g = gradients(twin, X, d, reduction="mean")
        opt.step(twin.params(), [a for pair in zip(g.dW, g.db) for a in pair])
    np.testing.assert_allclose(net.get_flat(), twin.get_flat(), rtol=1e-12)
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        train(net, X, d, optimizer="adagrad")


def test_early_stopping_keeps_the_best_epoch():
    rng = np.random.default_rng(8)
    X, X_val = rng.normal(size=(12, 2)), rng.normal(size=(40, 2))
    d, d_val = rng.uniform(size=(12, 1)), rng.uniform(size=(40, 1))   # noise: it must overfit
    net = Network.from_sizes("2-30-1", ["tanh", "sigmoid"], seed=0)
    start = net.copy()
    h = train(net, X, d, gamma=2.0, epochs=2000, X_val=X_val, d_val=d_val, patience=15)
    assert h.status == "early_stopped" and "not improved for 15 epochs" in h.message
    assert h.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert len(h.val_loss) == h.best_epoch + 15
    again = start.copy()
    train(again, X, d, gamma=2.0, epochs=h.best_epoch)
    np.testing.assert_allclose(net.get_flat(), again.get_flat(), rtol=1e-12)
    with pytest.raises(ValueError, match="early stopping \\(patience\\) needs validation data"):
        train(start, X, d, patience=3)


def test_val_fraction_holds_out_a_seeded_share():
    rng = np.random.default_rng(9)
    X, d = rng.normal(size=(10, 2)), rng.uniform(size=(10, 1))
    net = Network.from_sizes("2-3-1", seed=1)
    twin = net.copy()
    h = train(net, X, d, gamma=0.5, epochs=2, val_fraction=0.3, seed=3)
    order = np.random.default_rng(3).permutation(10)
    h2 = train(twin, X[order[3:]], d[order[3:]], gamma=0.5, epochs=2,
               X_val=X[order[:3]], d_val=d[order[:3]])
    assert h.val_loss == h2.val_loss and h.train_loss == h2.train_loss
    with pytest.raises(ValueError, match="either X_val and d_val or val_fraction"):
        train(net, X, d, val_fraction=0.3, X_val=X, d_val=d)
    with pytest.raises(ValueError, match="val_fraction must leave at least one sample"):
        train(net, X, d, val_fraction=0.01)


def test_sgd_step_leaves_the_gradients_as_they_were():
    rng = np.random.default_rng(10)
    net = Network.from_sizes("2-3-1", seed=0)
    _, g = gradients(net, rng.normal(size=(4, 2)), rng.uniform(size=(4, 1)))
    kept = g.flat().copy()
    sgd_step(net, g, 0.5)
    np.testing.assert_array_equal(g.flat(), kept)


def test_new_training_options_reject_bad_values_by_name():
    net = Network.from_sizes("2-3-1", seed=0)
    X, d = np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(ValueError, match=r"dropout must lie in \[0, 1\); got 1.0"):
        train(net, X, d, dropout=1.0)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0; got -1.0"):
        train(net, X, d, l1=-1.0)
    with pytest.raises(TypeError, match="optimizer must be a name or an Optimizer; got int"):
        train(net, X, d, optimizer=3)
    with pytest.raises(ValueError, match="patience must be >= 1; got 0"):
        train(net, X, d, X_val=X, d_val=d, patience=0)
