"""Training a network by gradient descent on its error (taught in notebook 07; 09 hands-on).

One epoch visits every training sample once. The samples are shuffled once per epoch and
then cut into consecutive minibatches of ``batch_size`` rows; after each minibatch the
weights take one step against the gradient:

    W := W - γ · ∂E_B/∂W          (E_B the error of the minibatch B)

* ``batch_size=None`` -- batch gradient descent: one step per epoch on all samples;
* ``batch_size=1``    -- online (stochastic) gradient descent: one step per sample;
* ``batch_size=k``    -- minibatch SGD.

Scaling convention: each step uses the *mean* gradient over its minibatch, so the same γ
means the same step for every batch size (online learning is exactly PV021's per-sample
rule). The lectures' batch rule with E = Σ_k E_k is the same as ours with γ/N; use
``backprop.gradients(..., reduction="sum")`` and :func:`sgd_step` to follow it literally.

The reported training loss of an epoch is the mean over its samples of E_k, each taken when
its minibatch was processed (before that minibatch's step); the validation loss is computed
after the epoch. With ``l2 > 0`` or ``l1 > 0`` the penalties of ``nnlib.regularization``
(weights only, not biases) add their gradients to ∂E/∂W; the reported losses are the data
term only. ``dropout=p`` drops each hidden unit with probability p in every training step
(inverted dropout; validation and the trained network use no dropout).

Notebook 10 adds: ``optimizer`` (a name or ``nnlib.optim.Optimizer``: momentum, Nesterov,
RMSProp, Adam; the plain step is the default), a validation set carved off the training
data (``val_fraction``) and early stopping (``patience``): when the validation loss has
not improved for ``patience`` epochs, training stops (status ``"early_stopped"``) and the
weights of the best epoch (``History.best_epoch``) are restored.

Training never returns NaN silently: if the loss or a weight becomes inf/NaN (or the loss
grows a million-fold over its first epoch's value, on its way to inf), training stops, the
weights are restored to the start of that epoch, ``status`` is ``"diverged"``
and a :class:`ConvergenceWarning` explains what to change. A ``target_loss`` that is not
reached also warns (status ``"max_epochs"``).
"""
from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._backward import check_data, loss_and_grads
from ._checks import ConvergenceWarning, as_rng, check_int, check_positive
from .backprop import Gradients
from .losses import get_loss
from .network import Network
from .optim import Optimizer, get_optimizer
from .regularization import dropout_mask, l1_grad, l2_grad

__all__ = ["History", "ConvergenceWarning", "minibatches", "train", "sgd_step"]


_EXPLODE = 1e6


@dataclass
class History:
    """What :func:`train` did, for plotting loss curves (``nnlib.plotting.plot_loss_curves``).

    ``train_loss[e]`` / ``val_loss[e]``: mean E_k in epoch e (``val_loss`` is empty without
    validation data); ``status``: ``"converged"`` (target_loss reached), ``"max_epochs"``,
    ``"early_stopped"`` or ``"diverged"``; ``epochs``: epochs completed; ``message``: one
    human-readable line; ``best_epoch``: with ``patience``, the epoch (counted from 1) of the
    lowest validation loss, whose weights the network holds at the end (else None).
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    status: str = "max_epochs"
    epochs: int = 0
    message: str = ""
    best_epoch: int | None = None


def minibatches(n, batch_size, rng):
    """Yield index arrays that cover ``range(n)`` once: one shuffle, then consecutive slices.

    ``batch_size=None`` means one batch of all n (not shuffled: order does not matter for a
    full-batch gradient). The last slice is shorter when ``batch_size`` does not divide n.

    >>> [idx.tolist() for idx in minibatches(5, 2, np.random.default_rng(0))]
    [[2, 4], [3, 0], [1]]
    """
    n = check_int(n, "n", minimum=1)
    if batch_size is None:
        yield np.arange(n)
        return
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = as_rng(rng).permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _sgd_step(net, dW, db, gamma):
    # The lecture's update, in place; the gradients are left as they were.
    for W, b, gW, gb in zip(net.W, net.b, dW, db):
        W -= gamma * gW
        b -= gamma * gb


def sgd_step(net: Network, grads: Gradients, gamma) -> None:
    """One gradient step in place: ``W[l] -= gamma * dW[l]`` and ``b[l] -= gamma * db[l]``.

    ``grads`` is left unchanged.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    if not isinstance(grads, Gradients):
        raise TypeError(f"grads must be Gradients (from backprop.gradients or backward); got "
                        f"{type(grads).__name__}")
    gamma = check_positive(gamma, "gamma")
    for l, (W, b, gW, gb) in enumerate(zip(net.W, net.b, grads.dW, grads.db)):
        if gW.shape != W.shape or gb.shape != b.shape:
            raise ValueError(f"grads.dW[{l}] and grads.db[{l}] must have the shapes of W[{l}] "
                             f"{W.shape} and b[{l}] {b.shape}; got {gW.shape} and {gb.shape}")
    if len(grads.dW) != net.L:
        raise ValueError(f"grads must have {net.L} layers like net; got {len(grads.dW)}")
    _sgd_step(net, grads.dW, grads.db, gamma)


def _train_step(net, X, d, loss, gamma, l2=0.0, *, l1=0.0, p_drop=0.0, rng=None,
                optimizer=None):
    """Unchecked: one step on the minibatch (X, d) with the mean gradient; returns Σ_k E_k."""
    n = X.shape[0]
    masks = None
    if p_drop:
        masks = [None] + [dropout_mask((n, k), p_drop, rng) for k in net.sizes[1:-1]] + [None]
    E, dW, db = loss_and_grads(net, X, d, loss, 1.0 / n, masks)
    if l2:
        dW = [g + l2_grad(W, l2) for g, W in zip(dW, net.W)]
    if l1:
        dW = [g + l1_grad(W, l1) for g, W in zip(dW, net.W)]
    if optimizer is None:
        _sgd_step(net, dW, db, gamma)
    else:
        optimizer.step(net.params(), [g for pair in zip(dW, db) for g in pair], gamma)
    return E * n


class _Progress:
    """A single updating text line: a display handle in Jupyter, a carriage return elsewhere."""

    def __init__(self, epochs):
        self.epochs = epochs
        self.last = 0.0
        self.handle = None
        self.started = time.perf_counter()
        try:
            from IPython import get_ipython
            shell = get_ipython()
        except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
            shell = None
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            from IPython.display import Pretty, display
            self._pretty = Pretty
            self.handle = display(Pretty(""), display_id=True)

    def show(self, epoch, history, final=False):
        now = time.perf_counter()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        text = f"epoch {epoch}/{self.epochs}  train loss {history.train_loss[-1]:.6g}"
        if history.val_loss:
            text += f"  val loss {history.val_loss[-1]:.6g}"
        text += f"  ({now - self.started:.1f} s)"
        if final:
            text += f"  {history.status}"
        if self.handle is not None:
            self.handle.update(self._pretty(text))
        else:
            sys.stderr.write("\r" + text.ljust(79))
            if final:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _finite(net):
    return all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in zip(net.W, net.b))


def _validation(net, X, d, loss, X_val, d_val, val_fraction, rng):
    """The (X, d, X_val, d_val) to train and validate on; carves off ``val_fraction``."""
    if (X_val is None) != (d_val is None):
        raise ValueError("give both X_val and d_val for validation, or neither")
    if val_fraction is not None:
        if X_val is not None:
            raise ValueError("give either X_val and d_val or val_fraction, not both")
        val_fraction = check_positive(val_fraction, "val_fraction")
        m = int(round(val_fraction * X.shape[0]))
        if val_fraction >= 1.0 or not 1 <= m < X.shape[0]:
            raise ValueError(f"val_fraction must leave at least one sample on each side; got "
                             f"{val_fraction} of {X.shape[0]} samples")
        order = rng.permutation(X.shape[0])
        return X[order[m:]], d[order[m:]], X[order[:m]], d[order[:m]]
    if X_val is not None:
        X_val, d_val = check_data(net, X_val, d_val, loss)
    return X, d, X_val, d_val


def _run_epoch(net, X, d, loss, step, batch_size, rng, options):
    """One pass over (X, d); the mean training loss (inf/NaN when something overflowed)."""
    n = X.shape[0]
    # Overflow is detected by the caller from the loss; numpy's warnings would only repeat it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if batch_size is None or batch_size >= n:
            total = _train_step(net, X, d, loss, step, **options)
        else:
            total = sum(_train_step(net, X[idx], d[idx], loss, step, **options)
                        for idx in minibatches(n, batch_size, rng))
    return total / n


def _val_loss(net, X_val, d_val, loss):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return float(loss.value(net._forward(X_val)[1][-1], d_val).mean())


def train(net: Network, X, d, *, loss="half_sse", gamma=0.5, epochs=100, batch_size=None,
          l2=0.0, seed=None, X_val=None, d_val=None, target_loss=None,
          progress=False, l1=0.0, dropout=0.0, optimizer=None, val_fraction=None,
          patience=None) -> History:
    """Train ``net`` in place by (minibatch) gradient descent; returns a :class:`History`.

    Parameters
    ----------
    X, d : arrays (N, n_0) and (N, n_L)
        Training inputs and targets (one-hot rows for ``cross_entropy``).
    loss : name or Loss
    gamma : float > 0, or a callable ``gamma(epoch) -> float`` (a schedule, epoch from 0)
    epochs : int, the maximum number of passes over the data
    batch_size : None (batch), 1 (online) or k (minibatch)
    l2, l1 : float >= 0, penalty strengths on the weights (weight decay, sparsity)
    seed : int or Generator, for the shuffling (and the validation split and dropout)
    X_val, d_val : optional validation data, shapes (M, n_0) and (M, n_L)
    target_loss : stop (status ``"converged"``) once the epoch's training loss <= this
    progress : show one updating status line (works in Jupyter and in a terminal)
    dropout : float in [0, 1), the probability of dropping a hidden unit in training
    optimizer : None (the plain step), a name in ``nnlib.optim.OPTIMIZERS`` or an
        ``Optimizer`` (its own gamma is replaced by ``gamma``)
    val_fraction : float in (0, 1), hold out this share of X, d (shuffled) for validation
    patience : int >= 1, early stopping: stop when the validation loss has not improved
        for this many epochs and restore the weights of the best epoch

    Example: the XOR truth table with a 2-4-1 network.

    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> d = np.array([[0], [1], [1], [0]], dtype=float)
    >>> net = Network.from_sizes("2-4-1", ["tanh", "sigmoid"], seed=1)
    >>> h = train(net, X, d, loss="bce", gamma=0.5, epochs=3000, target_loss=0.05, seed=0)
    >>> h.status, np.round(net(X).ravel()).tolist()
    ('converged', [0.0, 1.0, 1.0, 0.0])
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    loss = get_loss(loss)
    X, d = check_data(net, X, d, loss)
    schedule = gamma if callable(gamma) else None
    if schedule is None:
        gamma = check_positive(gamma, "gamma")
    epochs = check_int(epochs, "epochs", minimum=1)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", minimum=1)
    if target_loss is not None:
        target_loss = check_positive(target_loss, "target_loss", allow_zero=True)
    rng = as_rng(seed)
    options = _step_options(l2, l1, dropout, optimizer, rng)
    X, d, X_val, d_val = _validation(net, X, d, loss, X_val, d_val, val_fraction, rng)
    stopper = None if patience is None else _EarlyStopping(patience, X_val)
    bar = _Progress(epochs) if progress else None
    history = History()

    for epoch in range(epochs):
        step = gamma if schedule is None else check_positive(schedule(epoch), "gamma(epoch)")
        saved = [p.copy() for p in net.params()]
        train_loss = _run_epoch(net, X, d, loss, step, batch_size, rng, options)
        finite = np.isfinite(train_loss) and _finite(net)
        val_loss = _val_loss(net, X_val, d_val, loss) if finite and X_val is not None else None
        finite = finite and (val_loss is None or np.isfinite(val_loss))
        # Growth by a factor of a million means the steps overshoot; stop before inf/NaN.
        exploded = finite and history.train_loss and \
            train_loss > _EXPLODE * (history.train_loss[0] + 1.0)
        if not finite or exploded:
            _restore(net, saved)
            history.status = "diverged"
            what = ("the loss or a weight became inf/NaN" if not finite else
                    f"the loss grew to {train_loss:.3g}, over {_EXPLODE:g} times its start")
            history.message = (f"diverged in epoch {epoch}: {what} with gamma={step:g}; the "
                               f"weights were restored to the start of that epoch. Try a "
                               f"smaller gamma.")
            warnings.warn(history.message, ConvergenceWarning, stacklevel=2)
            break
        history.train_loss.append(float(train_loss))
        if val_loss is not None:
            history.val_loss.append(val_loss)
        history.epochs = epoch + 1
        if bar is not None:
            bar.show(epoch + 1, history)
        if target_loss is not None and train_loss <= target_loss:
            history.status = "converged"
            history.message = (f"reached loss {train_loss:.6g} <= target {target_loss:g} "
                               f"after {epoch + 1} epochs")
            break
        if stopper is not None and stopper.should_stop(net, val_loss, history):
            break
    else:
        history.status = "max_epochs"
        history.message = f"ran all {epochs} epochs; final loss {history.train_loss[-1]:.6g}"
        if target_loss is not None:
            history.message = (f"did not reach target loss {target_loss:g} in {epochs} epochs "
                               f"(final loss {history.train_loss[-1]:.6g}); try more epochs, "
                               f"another gamma or a larger network")
            warnings.warn(history.message, ConvergenceWarning, stacklevel=2)
    if stopper is not None and stopper.best is not None and history.status != "converged":
        _restore(net, stopper.best)
    if bar is not None and history.train_loss:
        bar.show(history.epochs, history, final=True)
    return history


def _step_options(l2, l1, dropout, optimizer, rng):
    """The checked keyword arguments of :func:`_train_step`."""
    options = dict(l2=check_positive(l2, "l2", allow_zero=True),
                   l1=check_positive(l1, "l1", allow_zero=True),
                   p_drop=check_positive(dropout, "dropout", allow_zero=True), rng=rng)
    if options["p_drop"] >= 1.0:
        raise ValueError(f"dropout must lie in [0, 1); got {dropout}")
    if optimizer is not None:
        if not isinstance(optimizer, (str, Optimizer)):
            raise TypeError(f"optimizer must be a name or an Optimizer; got "
                            f"{type(optimizer).__name__}")
        options["optimizer"] = get_optimizer(optimizer)
        options["optimizer"].reset()
    return options


class _EarlyStopping:
    """Remembers the weights of the lowest validation loss; says when to stop."""

    def __init__(self, patience, X_val):
        self.patience = check_int(patience, "patience", minimum=1)
        if X_val is None:
            raise ValueError("early stopping (patience) needs validation data: give X_val "
                             "and d_val or val_fraction")
        self.lowest, self.best = np.inf, None

    def should_stop(self, net, val_loss, history):
        if val_loss < self.lowest:
            self.lowest, self.best = val_loss, [p.copy() for p in net.params()]
            history.best_epoch = history.epochs
            return False
        if history.epochs - history.best_epoch < self.patience:
            return False
        history.status = "early_stopped"
        history.message = (f"stopped after {history.epochs} epochs: the validation loss has "
                           f"not improved for {self.patience} epochs; kept the weights of "
                           f"epoch {history.best_epoch} (val loss {self.lowest:.6g})")
        return True


def _restore(net, saved):
    for p, old in zip(net.params(), saved):
        p[...] = old
