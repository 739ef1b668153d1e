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
after the epoch. With ``l2 > 0`` each step also decays the weights (not the biases):
∂/∂W of (l2/2)·‖W‖² is added to the gradient; the reported losses are the data term only.

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

from ._checks import as_rng, check_int, check_positive
from .backprop import Gradients, _loss_and_grads, check_data
from .losses import get_loss
from .network import Network

__all__ = ["History", "ConvergenceWarning", "minibatches", "train", "sgd_step"]


_EXPLODE = 1e6


class ConvergenceWarning(RuntimeWarning):
    """Training stopped before the error became acceptable (or it diverged)."""


@dataclass
class History:
    """What :func:`train` did, for plotting loss curves (``nnlib.plotting.plot_loss_curves``).

    ``train_loss[e]`` / ``val_loss[e]``: mean E_k in epoch e (``val_loss`` is empty without
    validation data); ``status``: ``"converged"`` (target_loss reached), ``"max_epochs"``
    or ``"diverged"``; ``epochs``: epochs completed; ``message``: one human-readable line.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    status: str = "max_epochs"
    epochs: int = 0
    message: str = ""


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
    # In place and without temporaries: scale the gradient arrays (which we own), subtract.
    for W, b, gW, gb in zip(net.W, net.b, dW, db):
        gW *= gamma
        W -= gW
        gb *= gamma
        b -= gb


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
    _sgd_step(net, [g.copy() for g in grads.dW], [g.copy() for g in grads.db], gamma)


def _train_step(net, X, d, loss, gamma, l2=0.0):
    """Unchecked: one step on the minibatch (X, d) with the mean gradient; returns Σ_k E_k."""
    n = X.shape[0]
    E, dW, db = _loss_and_grads(net, X, d, loss, 1.0 / n)
    if l2:
        for g, W in zip(dW, net.W):
            g += l2 * W
    _sgd_step(net, dW, db, gamma)
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


def train(net: Network, X, d, *, loss="half_sse", gamma=0.5, epochs=100, batch_size=None,
          l2=0.0, seed=None, X_val=None, d_val=None, target_loss=None,
          progress=False) -> History:
    """Train ``net`` in place by (minibatch) gradient descent; returns a :class:`History`.

    Parameters
    ----------
    X, d : arrays (N, n_0) and (N, n_L)
        Training inputs and targets (one-hot rows for ``cross_entropy``).
    loss : name or Loss
    gamma : float > 0, or a callable ``gamma(epoch) -> float`` (a schedule, epoch from 0)
    epochs : int, the maximum number of passes over the data
    batch_size : None (batch), 1 (online) or k (minibatch)
    l2 : float >= 0, weight decay strength
    seed : int or Generator, for the shuffling
    X_val, d_val : optional validation data, shapes (M, n_0) and (M, n_L)
    target_loss : stop (status ``"converged"``) once the epoch's training loss <= this
    progress : show one updating status line (works in Jupyter and in a terminal)

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
    if callable(gamma):
        schedule = gamma
    else:
        gamma = check_positive(gamma, "gamma")
        schedule = None
    epochs = check_int(epochs, "epochs", minimum=1)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", minimum=1)
    l2 = check_positive(l2, "l2", allow_zero=True)
    if target_loss is not None:
        target_loss = check_positive(target_loss, "target_loss", allow_zero=True)
    if (X_val is None) != (d_val is None):
        raise ValueError("give both X_val and d_val for validation, or neither")
    if X_val is not None:
        X_val, d_val = check_data(net, X_val, d_val, loss)
    rng = as_rng(seed)
    n = X.shape[0]
    full_batch = batch_size is None or batch_size >= n
    bar = _Progress(epochs) if progress else None
    history = History()

    for epoch in range(epochs):
        step = gamma if schedule is None else check_positive(schedule(epoch), "gamma(epoch)")
        saved = [p.copy() for p in net.params()]
        total, val_loss = 0.0, None
        # Overflow is detected below from the loss; numpy's warnings would only repeat it.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if full_batch:
                total = _train_step(net, X, d, loss, step, l2)
            else:
                for idx in minibatches(n, batch_size, rng):
                    total += _train_step(net, X[idx], d[idx], loss, step, l2)
            train_loss = total / n
            if np.isfinite(train_loss) and _finite(net):
                if X_val is not None:
                    val_loss = float(loss.value(net._forward(X_val)[1][-1], d_val).mean())
        finite = (np.isfinite(train_loss) and _finite(net)
                  and (val_loss is None or np.isfinite(val_loss)))
        # Growth by a factor of a million means the steps overshoot; stop before inf/NaN.
        exploded = finite and history.train_loss and \
            train_loss > _EXPLODE * (history.train_loss[0] + 1.0)
        if not finite or exploded:
            for p, old in zip(net.params(), saved):
                p[...] = old
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
    else:
        history.status = "max_epochs"
        history.message = f"ran all {epochs} epochs; final loss {history.train_loss[-1]:.6g}"
        if target_loss is not None:
            history.message = (f"did not reach target loss {target_loss:g} in {epochs} epochs "
                               f"(final loss {history.train_loss[-1]:.6g}); try more epochs, "
                               f"another gamma or a larger network")
            warnings.warn(history.message, ConvergenceWarning, stacklevel=2)
    if bar is not None and history.train_loss:
        bar.show(history.epochs, history, final=True)
    return history
