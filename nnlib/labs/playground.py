"""The state of the decision-boundary lab, in numpy only (no widgets, no matplotlib).

:class:`Playground` holds a configuration (``config``: the keys of :data:`STATE_KEYS`), the
dataset and its train/test split, the input features, a :class:`nnlib.network.Network`, the
epoch counter, the train and test loss per epoch, and the weights edited by hand. It trains
(:meth:`Playground.train_epochs`), edits single parameters, evaluates the output on a grid
over the plane, and writes and reads the one-line state. ``nnlib.labs.boundary`` is the
widget view that owns one.

Seeds: data from ``seed``, the split from ``seed + 1``, initial weights from ``seed + 2``, the
minibatch order from a generator seeded with ``seed + 3``; the same line and the same number
of epochs give the same weights bit for bit.

Problems: classification with 2 classes (one sigmoid output, P(class 1)), with 3 or 4
(softmax outputs, one-hot targets), or regression (datasets ``reg-plane``, ``reg-gauss``;
one identity output, squared error, targets in [-1, 1]).
"""
from __future__ import annotations

import re
import shlex
import warnings

import numpy as np

from ..datasets import features, make_dataset, train_test_split, truth_table
from ..losses import loss_value, to_one_hot
from ..network import Network
from ..train import train as nnlib_train
from .regression import REGRESSION_DATASETS, make_regression

__all__ = ["Playground", "STATE_KEYS", "DEFAULTS", "parse_hidden", "parse_state", "WEIGHT_LIMIT"]

#: the keys of the one-line state, in the order they are written; "classes" only when not 2,
#: "l1" only when not 0, "discretize" only when on, "weights" only when weights were edited at
#: epoch 0 - so that every line written before those keys existed reads exactly as it did
STATE_KEYS = ["dataset", "classes", "n", "noise", "test_ratio", "seed", "features", "hidden", "activation",
              "loss", "gamma", "batch", "l2", "l1", "grid", "discretize", "weights"]
OPTIONAL_KEYS = {"classes": 2, "l1": 0.0, "discretize": False}
DEFAULTS = {"dataset": "circle", "classes": 2, "n": 200, "noise": 0.0, "test_ratio": 0.5, "seed": 0,
            "features": ("x1", "x2"), "hidden": "4, 4", "activation": "tanh", "loss": "bce", "gamma": 0.1,
            "batch": 10, "l2": 0.0, "l1": 0.0, "grid": 100, "discretize": False}
DATA_KEYS = {"dataset", "classes", "n", "noise", "test_ratio", "seed"}
NET_KEYS = DATA_KEYS | {"features", "hidden", "activation", "loss"}
INT_KEYS = ("n", "seed", "batch", "grid", "classes")
#: edited weights and biases are clamped to [-WEIGHT_LIMIT, WEIGHT_LIMIT]
WEIGHT_LIMIT = 10.0
MAX_LAYERS, MAX_UNITS = 4, 8
#: resolution of the unit thumbnails of the network picture
THUMB = 24


def parse_hidden(text) -> tuple[list[int], list[str]]:
    """``"4, 4"`` -> ([4, 4], notes). Sizes are clamped to 1..8, at most 4 layers; "" = none."""
    notes = []
    if isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        parts = [p for p in str(text).replace(";", ",").replace("-", ",").replace(" ", ",").split(",") if p]
    sizes = []
    for p in parts:
        try:
            k = int(float(p))
        except (TypeError, ValueError):
            notes.append(f"hidden: {p!r} is not a number of units; skipped")
            continue
        if not 1 <= k <= MAX_UNITS:
            notes.append(f"hidden: {k} units is outside [1, {MAX_UNITS}]; clamped")
            k = min(max(k, 1), MAX_UNITS)
        sizes.append(k)
    if len(sizes) > MAX_LAYERS:
        notes.append(f"hidden: at most {MAX_LAYERS} hidden layers; kept the first {MAX_LAYERS}")
        sizes = sizes[:MAX_LAYERS]
    return sizes, notes


def _short(v) -> str:
    """A float written briefly when that reads back exactly, else in full (exact round trip)."""
    s = f"{float(v):.6g}"
    return s if float(s) == float(v) else repr(float(v))


def parse_state(text: str) -> tuple[dict, list[str]]:
    """The configuration written in a state line, and notes on its malformed parts."""
    values, notes = {}, []
    try:
        parts = shlex.split(str(text))
    except ValueError:
        parts = str(text).split()
    for part in parts:
        key, sep, raw = part.partition("=")
        if not sep:
            notes.append(f"state: {part!r} is not key=value; ignored")
            continue
        if key not in STATE_KEYS:
            notes.append(f"state: unknown key {key!r} ignored; known: {STATE_KEYS}")
            continue
        if key == "features":
            values[key] = tuple(f for f in raw.split(",") if f)
        elif key in ("hidden", "dataset", "activation", "loss", "weights"):
            values[key] = raw
        elif key == "discretize":
            values[key] = raw.lower() in ("1", "true", "yes", "on")
        else:
            try:
                num = float(raw)
            except ValueError:
                notes.append(f"state: {key}={raw!r} is not a number; ignored")
                continue
            values[key] = int(num) if key in INT_KEYS and num == int(num) else num
    # a line without an optional key has its default (written before the key existed)
    for key, default in OPTIONAL_KEYS.items():
        values.setdefault(key, default)
    return values, notes


def parse_param(name) -> tuple[str, int, tuple]:
    """``"W1[0,2]"`` -> ("W", 1, (0, 2)); ``"b2[0]"`` -> ("b", 2, (0,)); else a ValueError."""
    text = str(name).replace(" ", "")
    m = re.fullmatch(r"([Wb])(\d+)\[(\d+)(?:,(\d+))?\]", text)
    if m is None or (m.group(1) == "W") != (m.group(4) is not None):
        raise ValueError(f"{name!r} is not a parameter name such as 'W1[0,2]' or 'b2[0]'")
    idx = (int(m.group(3)),) if m.group(4) is None else (int(m.group(3)), int(m.group(4)))
    return m.group(1), int(m.group(2)), idx


class Playground:
    """Data, features, network, training, edits and the state line of the boundary lab.

    ``config`` holds validated values (the widget view validates and clamps); change it with
    :meth:`update`, which rebuilds only what depends on the changed keys. ``notes`` collects
    what the user should be told (the view shows and clears them).
    """

    def __init__(self, **config):
        self.config = dict(DEFAULTS)
        self.notes: list[str] = []
        self.edits: list[tuple[str, float, int]] = []
        self.net = None
        self.update(_force=True, **config)

    # ----- configuration -----------------------------------------------------------------------
    def update(self, _force: bool = False, **values) -> set:
        """Set configuration values; regenerate data, grid and network as needed. Returns
        the keys whose value changed."""
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown configuration keys {sorted(unknown)}; valid: {sorted(DEFAULTS)}")
        changed = {k for k, v in values.items() if self.config.get(k) != v}
        self.config.update(values)
        if _force:
            changed = set(DEFAULTS)
        if changed & DATA_KEYS:
            self._make_data()
        if changed & (DATA_KEYS | {"features", "grid"}):
            self._make_grid()
        if changed & NET_KEYS:
            self.reset()
        return changed

    @property
    def hidden(self) -> list[int]:
        return parse_hidden(self.config["hidden"])[0]

    @property
    def is_table(self) -> bool:
        return self.config["dataset"].endswith("-table")

    @property
    def is_regression(self) -> bool:
        return self.config["dataset"] in REGRESSION_DATASETS

    @property
    def n_classes(self) -> int:
        return int(self.config["classes"])

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.n_classes > 2 and not self.is_regression else 1

    @property
    def loss_name(self) -> str:
        """The nnlib loss in use: ``bce`` / ``half_sse`` for one sigmoid output; with k > 2
        softmax outputs the cross-entropy choice is ``cross_entropy``; regression always
        uses ``half_sse``."""
        loss = self.config["loss"]
        if self.is_regression:
            return "half_sse"
        if self.n_classes > 2 and loss == "bce":
            return "cross_entropy"
        return loss

    @property
    def output_activation(self) -> str:
        if self.is_regression:
            return "identity"
        return "sigmoid" if self.n_outputs == 1 else "softmax"

    # ----- data ----------------------------------------------------------------------------------
    def _make_data(self):
        c = self.config
        seed = int(c["seed"])
        if self.is_table:
            X, d = truth_table(c["dataset"].split("-")[0])
            self.X_train, self.X_test = X, X
            self.l_train = self.l_test = d[:, 0].astype(np.int64)
            self.window = (-0.5, 1.5)
            self.notes.append("truth table: its four rows are both the training and the test set "
                              "(noise and test ratio do not apply)")
            return
        if self.is_regression:
            X, target = make_regression(c["dataset"], n=int(c["n"]), noise=float(c["noise"]), seed=seed)
            self.X_train, self.X_test, self.l_train, self.l_test = train_test_split(
                X, target, float(c["test_ratio"]), seed=seed + 1)
        else:
            X, labels = make_dataset(c["dataset"], n=int(c["n"]), noise=float(c["noise"]), seed=seed,
                                     n_classes=self.n_classes)
            self.X_train, self.X_test, self.l_train, self.l_test = train_test_split(
                X, labels, float(c["test_ratio"]), seed=seed + 1)
        self.window = (-6.0, 6.0)

    def _make_grid(self):
        lo, hi = self.window
        names = list(self.config["features"])
        self.F_train = features(self.X_train, names)
        self.F_test = features(self.X_test, names)
        self.F_grid = features(_plane(lo, hi, int(self.config["grid"])), names)
        # the unit thumbnails use a coarse grid of their own: they are small on screen
        self.F_thumb = features(_plane(lo, hi, THUMB), names)

    def targets(self, labels) -> np.ndarray:
        """Targets d: (N, 1) label or value column, or one-hot (N, k) for k > 2 classes."""
        if self.is_regression or self.n_outputs == 1:
            return np.asarray(labels, dtype=np.float64).reshape(-1, 1)
        return to_one_hot(labels, self.n_classes)

    # ----- network and training ------------------------------------------------------------------
    def reset(self):
        """New initial weights (from the seed), epoch 0, empty loss curves, no edits."""
        c = self.config
        sizes = [len(c["features"]), *self.hidden, self.n_outputs]
        acts = [c["activation"]] * len(self.hidden) + [self.output_activation]
        init = "he" if c["activation"] in ("relu", "leaky_relu", "elu") else "xavier"
        seed = int(c["seed"])
        self.net = Network.from_sizes(sizes, activations=acts, seed=seed + 2, init=init)
        self._shuffle_rng = np.random.default_rng(seed + 3)
        self.epoch = 0
        self.diverged = False
        self.train_loss, self.test_loss = [], []
        self.edits = []
        self._record()

    def losses(self) -> tuple[float, float]:
        """Mean data loss per sample of the current network, train and test."""
        loss = self.loss_name
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return (loss_value(loss, self.net(self.F_train), self.targets(self.l_train), "mean"),
                    loss_value(loss, self.net(self.F_test), self.targets(self.l_test), "mean"))

    def _record(self):
        train_loss, test_loss = self.losses()
        self.train_loss.append(train_loss)
        self.test_loss.append(test_loss)

    def train_epochs(self, k: int = 1) -> bool:
        """Train ``k`` epochs with the configured γ, batch size, L2 and L1. Returns False
        (and sets ``diverged``, with a note) when an epoch diverged: it is then undone."""
        c = self.config
        batch = min(int(c["batch"]), len(self.F_train))
        d = self.targets(self.l_train)
        for _ in range(k):
            # nnlib.train warns (ConvergenceWarning) when an epoch diverges and restores
            # the weights; here that becomes a note.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                history = nnlib_train(self.net, self.F_train, d, loss=self.loss_name,
                                      gamma=float(c["gamma"]), epochs=1, batch_size=batch,
                                      l2=float(c["l2"]), l1=float(c["l1"]), seed=self._shuffle_rng)
            ok = history.status != "diverged"
            message = str(caught[0].message) if caught else ""
            if not ok:
                self.diverged = True
                self.notes.append(f"epoch {self.epoch + 1} diverged, so it was undone: lower γ "
                                  f"(now {c['gamma']:.3g}) and press step again")
                if message:
                    self.notes.append(message)
                return False
            self.epoch += 1
            self._record()
        return True

    def predict_classes(self, F) -> np.ndarray:
        """Class numbers for feature rows ``F``: output > 0.5 for two classes, else the argmax."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.net(F)
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return np.argmax(out, axis=1).astype(np.int64)

    def accuracy(self, which: str = "train") -> float:
        """Fraction of correctly classified points (NaN for a regression problem)."""
        if self.is_regression:
            return float("nan")
        F, labels = (self.F_train, self.l_train) if which == "train" else (self.F_test, self.l_test)
        return float(np.mean(self.predict_classes(F) == labels))

    def outputs(self):
        """(output on the grid, (g*g, n_out); forward pass on the thumbnail grid)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.net(self.F_grid), self.net.forward(self.F_thumb)

    # ----- the one-line state --------------------------------------------------------------------
    def state_string(self) -> str:
        """Seed and every setting as one line of ``key=value`` pairs (see ``STATE_KEYS``)."""
        c = self.config
        out = []
        for key in STATE_KEYS:
            if key == "weights":
                # edits made before training belong to the configuration; later ones cannot
                # be replayed by a line that restarts at epoch 0
                start = {name: value for name, value, epoch in self.edits if epoch == 0}
                if start:
                    out.append("weights=" + ";".join(f"{n}:{_short(v)}" for n, v in start.items()))
                continue
            v = c[key]
            if key in OPTIONAL_KEYS and v == OPTIONAL_KEYS[key]:
                continue
            if key == "classes":
                v = int(v)
            elif key == "discretize":
                v = int(bool(v))
            elif key == "features":
                v = ",".join(v)
            elif key == "hidden":
                v = ",".join(str(k) for k in self.hidden)
            elif isinstance(v, float):
                v = _short(v)
            out.append(f"{key}={v}")
        return " ".join(out)

    # ----- single parameters ---------------------------------------------------------------------
    def unit_names(self) -> list[list[str]]:
        """Names of the units, layer by layer: the features, ``h1.1`` ... (hidden layer 1, unit
        1), and ``out`` (one output unit) or ``class 0`` ... ``class k-1`` (softmax units)."""
        sizes = self.net.sizes
        names = [list(self.config["features"])]
        for l, n in enumerate(sizes[1:-1], start=1):
            names.append([f"h{l}.{j + 1}" for j in range(n)])
        names.append(["out"] if sizes[-1] == 1 else [f"class {j}" for j in range(sizes[-1])])
        return names

    def weight_names(self) -> list[tuple[str, str]]:
        """``(label, name)`` of every weight and bias: ``("W1[0,2] (x1 -> h1.3)", "W1[0,2]")``,
        ..., ``("b2[0] (bias of out)", "b2[0]")``. ``Wl[i,j]`` is ``net.W[l-1][i, j]``."""
        units = self.unit_names()
        out = []
        for l in range(1, self.net.L + 1):
            n_from, n_to = self.net.W[l - 1].shape
            for j in range(n_to):
                for i in range(n_from):
                    out.append((f"W{l}[{i},{j}] ({units[l - 1][i]} -> {units[l][j]})", f"W{l}[{i},{j}]"))
                out.append((f"b{l}[{j}] (bias of {units[l][j]})", f"b{l}[{j}]"))
        return out

    def param_array(self, kind, layer, idx):
        """The live array holding parameter (kind, layer, idx), after checking the indices."""
        L = self.net.L
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= L:
            raise ValueError(f"layer must be 1 .. {L} (W1 is net.W[0]); got {layer!r}")
        arr = (self.net.W if kind == "W" else self.net.b)[layer - 1]
        for axis, (k, size) in enumerate(zip(idx, arr.shape)):
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < size:
                what = ("i (from unit)" if axis == 0 else "j (to unit)") if kind == "W" else "j (unit)"
                raise ValueError(f"{kind}{layer} has shape {arr.shape}: {what} must be 0 .. {size - 1}; got {k!r}")
        return arr

    def get_param(self, name: str) -> float:
        """The current value of ``"W1[0,2]"`` (= ``net.W[0][0, 2]``) or ``"b2[0]"``."""
        kind, layer, idx = parse_param(name)
        return float(self.param_array(kind, layer, idx)[idx])

    def apply_edit(self, kind, layer, idx, value):
        """Check and set one parameter; returns its name, or None (then a note says why)."""
        try:
            arr = self.param_array(kind, layer, idx)
        except ValueError as exc:
            self.notes.append(f"edit: {exc}; nothing changed")
            return None
        name = f"{kind}{layer}[{','.join(str(int(k)) for k in idx)}]"
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            self.notes.append(f"edit: {name}={value!r} is not a finite number; kept {float(arr[idx]):.4g}")
            return None
        used = float(min(max(float(value), -WEIGHT_LIMIT), WEIGHT_LIMIT))
        if used != float(value):
            self.notes.append(f"edit: {name}={value:g} is outside [-{WEIGHT_LIMIT:g}, {WEIGHT_LIMIT:g}]; "
                              f"clamped to {used:g}")
        arr[idx] = used
        if self.edits and self.edits[-1][0] == name and self.edits[-1][2] == self.epoch:
            self.edits[-1] = (name, used, self.epoch)  # one slider drag is one edit
        else:
            self.edits.append((name, used, self.epoch))
        # the last point of the loss curves is the network as it now stands
        self.train_loss[-1], self.test_loss[-1] = self.losses()
        return name

    def apply_weights(self, text) -> None:
        """Apply the ``weights=`` part of a state line, ``"W1[0,2]:0.5;b2[0]:-1"`` (epoch 0)."""
        for item in (p for p in str(text).split(";") if p):
            name, sep, raw = item.rpartition(":")
            try:
                if not sep:
                    raise ValueError(f"{item!r} is not name:value")
                kind, layer, idx = parse_param(name)
                value = float(raw)
            except ValueError as exc:
                self.notes.append(f"state: weights: {exc}; ignored")
                continue
            self.apply_edit(kind, layer, idx, value)


def _plane(lo, hi, g) -> np.ndarray:
    """The g x g grid over [lo, hi]², row by row from the bottom, as points (g*g, 2)."""
    t = np.linspace(lo, hi, g)
    x1, x2 = np.meshgrid(t, t)
    return np.column_stack([x1.ravel(), x2.ravel()])

