"""Network diagrams in the style of the lecture figures (notebooks 01, 02, 06)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle
from matplotlib.transforms import Bbox

from .._checks import as_float_array, check_int
from ._common import NEGATIVE, POSITIVE, ZERO, _axes


@dataclass
class NetworkArtists:
    """What :func:`draw_network` drew.

    ``units[l][j]`` the Circle of unit j in layer l; ``positions[l]`` their centres (n_l, 2);
    ``edges`` one LineCollection with one segment per weight, in the order layer by layer,
    ``W[l][i, j]`` row-major (so ``len(edges.get_segments())`` is the number of weights);
    ``weight_texts[l]`` an (n_{l-1}, n_l) object array of Text (or None where not labelled);
    ``bias_texts[l]`` a list of Text for the units of layer l + 1; ``unit_texts[l]`` the
    names written inside the circles. :meth:`update` recolours the edges and rewrites the
    numbers for new W and b of the same shapes (used by the labs).
    """

    ax: object
    units: list
    positions: list
    edges: object
    weight_texts: list
    bias_texts: list
    unit_texts: list
    fmt: str = "{:.2f}"
    numeric_weights: bool = True
    numeric_biases: bool = True
    distance_layers: tuple = ()

    def update(self, W, b) -> None:
        """Show new weights and biases of the same shapes (edge colours, widths, numbers)."""
        W, b = _weights_and_biases((W, b))
        old = [t.shape for t in self.weight_texts]
        if [w.shape for w in W] != old:
            raise ValueError(f"update needs weights of shapes {old}; got {[w.shape for w in W]}")
        colours, widths, styles = _edge_style(W, self.distance_layers)
        self.edges.set_color(colours)
        self.edges.set_linewidth(widths)
        self.edges.set_linestyle(styles)
        if self.numeric_weights:
            for texts, w in zip(self.weight_texts, W):
                for (i, j), t in np.ndenumerate(texts):
                    if t is not None:
                        t.set_text(self.fmt.format(w[i, j]))
        if self.numeric_biases:
            for texts, bias in zip(self.bias_texts, b):
                for t, v in zip(texts, bias):
                    t.set_text("b=" + self.fmt.format(v))


def _weights_and_biases(net):
    if hasattr(net, "W") and hasattr(net, "b"):
        W, b = net.W, net.b
    elif isinstance(net, (tuple, list)) and len(net) == 2:
        W, b = net
    else:
        raise TypeError(
            f"net must be a Network (with .W and .b) or a pair (W, b) of lists; "
            f"got {type(net).__name__}"
        )
    if not isinstance(W, (list, tuple)) or not isinstance(b, (list, tuple)):
        raise TypeError(
            f"W and b must be lists of arrays (one per weight layer); got {type(W).__name__} "
            f"and {type(b).__name__}"
        )
    if len(W) == 0 or len(W) != len(b):
        raise ValueError(
            f"W and b must have one entry per weight layer (at least one); "
            f"got {len(W)} and {len(b)}"
        )
    W = [as_float_array(w, f"W[{i}]", ndim=2) for i, w in enumerate(W)]
    b = [
        (
            as_float_array(v, f"b[{i}]").reshape(-1)
            if np.ndim(v) == 0
            else as_float_array(v, f"b[{i}]", ndim=1)
        )
        for i, v in enumerate(b)
    ]
    for i, (w, v) in enumerate(zip(W, b)):
        if v.shape != (w.shape[1],):
            raise ValueError(
                f"b[{i}] must have shape ({w.shape[1]},) to match W[{i}] of shape {w.shape}; "
                f"got {v.shape}"
            )
        if i > 0 and w.shape[0] != W[i - 1].shape[1]:
            raise ValueError(
                f"W[{i}] must have {W[i - 1].shape[1]} rows to follow W[{i - 1}] of shape "
                f"{W[i - 1].shape}; got shape {w.shape}"
            )
    return W, b


def _edge_style(W, distance_layers=()):
    """Per-edge colour, width and line style, in the edge order of :func:`draw_network`.

    Weights of a weighted-sum layer: colour = sign, width = magnitude relative to the largest
    such weight. Layers with the squared-distance input function (RBF units) hold centre
    coordinates, not weights, so their sign means nothing: those edges are grey and dashed.
    """
    ordinary = [w.ravel() for l, w in enumerate(W) if l not in distance_layers]
    flat_ordinary = np.concatenate(ordinary) if ordinary else np.zeros(0)
    biggest = float(np.max(np.abs(flat_ordinary))) if flat_ordinary.size else 0.0
    colours, widths, styles = [], [], []
    for l, w in enumerate(W):
        flat = w.ravel()
        if l in distance_layers:
            colours += ["0.45"] * flat.size
            widths.append(np.full(flat.size, 1.0))
            styles += ["--"] * flat.size
            continue
        colours += list(np.where(flat > 0, POSITIVE, np.where(flat < 0, NEGATIVE, ZERO)))
        widths.append(0.5 + 3.5 * (np.abs(flat) / biggest if biggest > 0 else np.zeros_like(flat)))
        styles += ["-"] * flat.size
    return colours, np.concatenate(widths), styles


def _label_grid(labels, sizes, name):
    """unit_labels as a list of per-layer lists of strings, checked against the sizes."""
    if labels is None:
        return None
    if not isinstance(labels, (list, tuple)) or len(labels) != len(sizes):
        raise ValueError(
            f"{name} must be a list with one list of names per layer ({len(sizes)} layers, "
            f"sizes {sizes}); got {labels!r}"
        )
    out = []
    for l, (names, n) in enumerate(zip(labels, sizes)):
        names = list(names)
        if len(names) != n:
            raise ValueError(
                f"{name}[{l}] must name the {n} units of layer {l}; got {len(names)} names"
            )
        out.append([str(s) for s in names])
    return out


def _math(text):
    return f"${text}$" if text else ""


def _bare(name):
    """A unit name without its own $...$, so it can go inside a subscript."""
    return name.strip().strip("$")


#: how far a weight's label sits beside its line (points), so it never covers the line
LABEL_OFFSET_PT = 5.0


def _edge_label(ax, start, end, label):
    """The label of the edge from ``start`` to ``end``: along the edge, beside it (above, in
    the edge's own direction) rather than on it.

    Where along the edge: a level edge has nothing crossing it, so its label sits in the
    middle; a sloped edge crosses others around its middle, so its label sits near its
    source, where the edges leaving one unit have already fanned apart but the crossings
    have not begun (t = 0.22 of the way, clear of the unit's circle).
    """
    from matplotlib.transforms import offset_copy

    (xa, ya), (xb, yb) = start, end
    t = _label_places(start, end)[0]
    angle = np.arctan2(yb - ya, xb - xa)  # the diagram's aspect is equal: data angle = screen angle
    normal = (-np.sin(angle), np.cos(angle))
    shift = offset_copy(ax.transData, fig=ax.figure, x=LABEL_OFFSET_PT * normal[0],
                        y=LABEL_OFFSET_PT * normal[1], units="points")
    return ax.text(xa + t * (xb - xa), ya + t * (yb - ya), label, fontsize=9, ha="center", va="center",
                   rotation=np.degrees(angle), rotation_mode="anchor", transform=shift, zorder=2,
                   bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))


def _label_places(start, end):
    """Where along an edge its label may go (fractions from the source), best first: a level
    edge in its middle, a sloped one near its source or its target, away from the crossings
    around its middle."""
    if abs(end[1] - start[1]) < 1e-9:
        return (0.5, 0.38, 0.62, 0.28, 0.72)
    return (0.3, 0.26, 0.7, 0.74, 0.36, 0.64)


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _declutter(ax, labelled, positions, radius, fixed=()):
    """Move each weight label along its edge to the first place where its box overlaps no
    unit and no label placed before it (level edges first; least overlap if none is free).
    Boxes are measured in screen pixels at the figure's current size."""
    canvas = ax.figure.canvas
    if not labelled or not hasattr(canvas, "get_renderer"):
        return
    renderer = canvas.get_renderer()
    ax.apply_aspect()  # the equal aspect moves the axes at draw time: measure where it will be
    to_screen = ax.transData.transform
    blocked = []
    for pos in positions:
        for x, y in pos:
            (x0, y0), (x1, y1) = to_screen([(x - radius, y - radius), (x + radius, y + radius)])
            blocked.append(Bbox.from_extents(x0, y0, x1, y1))
    blocked += [t.get_window_extent(renderer) for t in fixed]  # e.g. the bias labels
    labelled = sorted(labelled, key=lambda item: abs(item[2][1] - item[1][1]) > 1e-9)
    for text, (xa, ya), (xb, yb) in labelled:
        best = None
        for t in _label_places((xa, ya), (xb, yb)):
            text.set_position((xa + t * (xb - xa), ya + t * (yb - ya)))
            box = text.get_window_extent(renderer)
            score = sum(_overlap(box, other) for other in blocked)
            if best is None or score < best[0]:
                best = (score, t, box)
            if score == 0:
                break
        _, t, box = best
        text.set_position((xa + t * (xb - xa), ya + t * (yb - ya)))
        blocked.append(box)


def draw_network(
    net,
    ax=None,
    unit_labels=None,
    show_weights: bool = True,
    *,
    weight_labels=None,
    bias_labels=None,
    show_biases: bool = True,
    fmt: str = "{:.2f}",
    max_labels: int = 16,
    title: str | None = None,
) -> NetworkArtists:
    """Draw a layered network like the lecture figures (notebooks 01, 02, 06).

    ``net`` is a :class:`~nnlib.network.Network` or any object with lists ``.W`` and ``.b``,
    or a pair ``(W, b)`` with ``W[l]`` of shape (n_l, n_{l+1}) and ``b[l]`` of shape
    (n_{l+1},). Units are circles, layer 0 on the left; an edge joins every unit i of layer l
    to every unit j of layer l + 1, coloured by the sign of ``W[l][i, j]`` (blue > 0,
    orange-red < 0, grey = 0) and as wide as its magnitude relative to the largest weight.
    In a layer of RBF units (a Network whose input function there is "squared_distance") the
    numbers on the edges are the centres' coordinates; those edges are grey and dashed.

    * ``unit_labels``: names per layer written in the circles, e.g. ``[["x", "y"], ["1", "2"],
      ["z"]]`` for the deck's 2-2-1 network. Default: x1, x2, ... for the inputs, none elsewhere.
    * ``show_weights``: write the weights next to the edges -- their values (``fmt``), or with
      ``weight_labels="names"`` symbols built from the unit names (w_x1, w_y1, ..., w_1z as in
      the deck), or a list of (n_l, n_{l+1}) arrays of strings of your own. Only networks
      with at most ``max_labels`` weights are labelled; larger ones would be unreadable.
    * ``show_biases`` / ``bias_labels``: the bias next to each non-input unit: "b=<value>", or
      with ``bias_labels="names"`` the deck's threshold symbols t_1, t_2, t_z, or your own
      list of per-layer name lists.

    Returns :class:`NetworkArtists` (``len(artists.edges.get_segments())`` = number of weights).
    """
    W, b = _weights_and_biases(net)
    sizes = [W[0].shape[0]] + [w.shape[1] for w in W]
    names = _label_grid(unit_labels, sizes, "unit_labels")
    for value, what in ((weight_labels, "weight_labels"), (bias_labels, "bias_labels")):
        if isinstance(value, str) and value != "names":
            raise ValueError(f"{what} must be None, 'names' or a list per layer; got {value!r}")
    if (weight_labels == "names" or bias_labels == "names") and names is None:
        raise ValueError(
            "weight_labels='names' and bias_labels='names' need unit_labels to build the names from"
        )
    max_labels = check_int(max_labels, "max_labels", minimum=0)
    ax = _axes(ax, figsize=(1.8 + 1.8 * len(sizes), 1.0 + 0.9 * max(sizes)))

    gap = 1.0  # vertical distance between units; layers are 2 apart so labels have room
    radius = 0.22
    positions = []
    for l, n in enumerate(sizes):
        ys = (np.arange(n)[::-1] - (n - 1) / 2) * gap  # first unit on top, as in the figures
        positions.append(np.column_stack([np.full(n, 2.0 * l), ys]))

    inputs = getattr(net, "inputs", None) or []
    distance_layers = tuple(
        l for l, inp in enumerate(inputs) if getattr(inp, "name", inp) == "squared_distance"
    )
    colours, widths, styles = _edge_style(W, distance_layers)
    segments = [(positions[l][i], positions[l + 1][j])
                for l, w in enumerate(W) for i in range(w.shape[0]) for j in range(w.shape[1])]
    edges = LineCollection(segments, colors=colours, linewidths=widths, linestyles=styles, zorder=1)
    ax.add_collection(edges)

    units, unit_texts = [], []
    for l, pos in enumerate(positions):
        layer_units, layer_texts = [], []
        for j, (x, y) in enumerate(pos):
            circle = Circle(
                (x, y), radius, facecolor="white", edgecolor="k", linewidth=1.3, zorder=3
            )
            ax.add_patch(circle)
            layer_units.append(circle)
            text = names[l][j] if names is not None else (f"x{j + 1}" if l == 0 else "")
            layer_texts.append(ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4))
        units.append(layer_units)
        unit_texts.append(layer_texts)

    n_weights = sum(w.size for w in W)
    numeric_w = not (weight_labels == "names" or isinstance(weight_labels, (list, tuple)))
    weight_texts, labelled = [], []
    for l, w in enumerate(W):
        texts = np.full(w.shape, None, dtype=object)
        if show_weights and n_weights <= max_labels:
            if isinstance(weight_labels, (list, tuple)):
                custom = (
                    np.asarray(weight_labels[l], dtype=object) if l < len(weight_labels) else None
                )
                if len(weight_labels) != len(W) or custom.shape != w.shape:
                    raise ValueError(
                        f"weight_labels[{l}] must be an array of strings of shape {w.shape} "
                        f"like W[{l}]"
                    )
            for i in range(w.shape[0]):
                for j in range(w.shape[1]):
                    if weight_labels == "names":
                        label = _math(f"w_{{{_bare(names[l][i])}{_bare(names[l + 1][j])}}}")
                    elif isinstance(weight_labels, (list, tuple)):
                        label = str(custom[i, j])
                    else:
                        label = fmt.format(w[i, j])
                    (xa, ya), (xb, yb) = positions[l][i], positions[l + 1][j]
                    texts[i, j] = _edge_label(ax, (xa, ya), (xb, yb), label)
                    labelled.append((texts[i, j], (xa, ya), (xb, yb)))
        weight_texts.append(texts)

    bias_custom = None
    if isinstance(bias_labels, (list, tuple)):
        bias_custom = _label_grid(
            [[""] * sizes[0]] + list(bias_labels), sizes, "bias_labels (with the input layer)"
        )
    numeric_b = bias_labels is None
    bias_texts = []
    for l, v in enumerate(b):
        texts = []
        if show_biases:
            for j, (x, y) in enumerate(positions[l + 1]):
                if bias_labels == "names":
                    label = _math(f"t_{{{_bare(names[l + 1][j])}}}")
                elif bias_custom is not None:
                    label = bias_custom[l + 1][j]
                else:
                    label = "b=" + fmt.format(v[j])
                texts.append(
                    ax.text(
                        x,
                        y + radius + 0.08,
                        label,
                        ha="center",
                        va="bottom",
                        fontsize=9,
                        color="0.15",
                        zorder=4,
                    )
                )
        bias_texts.append(texts)

    captions = ["input"] + [f"hidden {l}" for l in range(1, len(W))] + ["output"]
    activations = getattr(net, "activations", None)
    bottom = -((max(sizes) - 1) / 2) * gap - radius - 0.35
    for l, caption in enumerate(captions):
        if l > 0 and activations is not None and len(activations) == len(W):
            act = activations[l - 1]
            act_name = getattr(act, "name", act)
            caption += (
                f"\n(distance, {act_name})" if l - 1 in distance_layers else f"\n({act_name})"
            )
        ax.text(2.0 * l, bottom, caption, ha="center", va="top", fontsize=9, color="0.3")

    half = (max(sizes) - 1) / 2 * gap
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(bottom - 0.7, half + radius + 0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("layers, input on the left")
    _declutter(ax, labelled, positions, radius, fixed=[t for texts in bias_texts for t in texts])
    ax.set_title("-".join(str(s) for s in sizes) + " network" if title is None else title)
    return NetworkArtists(
        ax,
        units,
        positions,
        edges,
        weight_texts,
        bias_texts,
        unit_texts,
        fmt,
        numeric_weights=numeric_w,
        numeric_biases=numeric_b,
        distance_layers=distance_layers,
    )
