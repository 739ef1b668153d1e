"""The picture of the decision-boundary lab: one Agg figure drawn from a :class:`Playground`.

Three parts, left to right: the network (every unit a small heatmap of its output over the
plane, lines coloured by the weight's sign and as thick as its size), the output heatmap with
the training points (white edge) and test points (black edge), the loss curves.

Speed (a frame of Play is one redraw): the unit heatmaps are pasted into ONE RGBA picture
that covers the network axes pixel for pixel (nearest-neighbour upscaling with precomputed
index arrays), so a frame draws one image for all units instead of one per unit; images get
ready-made RGBA bytes; the axes, ticks and labels are a cached background (FigureView).
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..plotting import CLASS_COLOURS, NEGATIVE, PLAYGROUND_CMAP as CMAP, POSITIVE, class_rgba, shade_rgba
from ._base import PixelImage, PixelText, fmt
from .playground import THUMB

__all__ = ["BoundaryPicture", "DIAGRAM"]

#: where the network diagram sits in the figure (left, bottom, width, height)
DIAGRAM = [0.0, 0.06, 0.41, 0.9]


def _nice_limits():
    """10, 20, 50, 100, 200, 500, ... (the loss plot's x range grows in these steps)."""
    m = 10
    while True:
        for f in (1, 2, 5):
            yield m * f
        m *= 10


class BoundaryPicture:
    """The artists of the lab's figure and how they follow the state."""

    def __init__(self, fig_view):
        self.view = fig_view
        self.fig = fig_view.fig
        self.structure = None
        self.hover = None  # (column, unit) whose output the big heatmap shows instead

    # ----- layout ------------------------------------------------------------------------------
    def _layout_units(self, sizes):
        """Centres of every unit, column by column, in the diagram axes' coordinates (0..1),
        and the thumbnail size (square on screen)."""
        fig_w, fig_h = self.fig.get_size_inches()
        most = max(sizes)
        h = min(0.17, 0.9 / most - 0.02)
        w = h * (DIAGRAM[3] * fig_h) / (DIAGRAM[2] * fig_w)
        xs = np.linspace(0.15, 0.91, len(sizes))
        centres = []
        for x, n in zip(xs, sizes):
            ys = 0.5 + (np.arange(n)[::-1] - (n - 1) / 2) * (h + 0.025)
            centres.append([(x, y) for y in ys])
        return centres, w, h

    def build(self, state, structure):
        """Create the artists (only when the structure changes; frames update them in place)."""
        fig = self.fig
        fig.clear()
        self.centres, w, h = self._layout_units(state.net.sizes)
        self._thumb_size = (w, h)
        names = list(state.config["features"])
        self.ax_net = ax = fig.add_axes(DIAGRAM)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        self.weight_lines = LineCollection([], zorder=1)
        ax.add_collection(self.weight_lines)
        # the unit heatmaps are pixels painted into the frame (FigureView.painters): for each
        # unit, the frame's rows and columns it covers and the thumbnail sample for each
        fw, fh = self.view.size_px
        self.unit_slots = []  # per column, per unit: (frame index, thumbnail index)
        frames = []
        for col, units in enumerate(self.centres):
            slots = []
            for j, (x, y) in enumerate(units):
                left = int(round((DIAGRAM[0] + (x - w / 2) * DIAGRAM[2]) * fw))
                right = int(round((DIAGRAM[0] + (x + w / 2) * DIAGRAM[2]) * fw))
                top = int(round((1 - DIAGRAM[1] - (y + h / 2) * DIAGRAM[3]) * fh))
                bottom = int(round((1 - DIAGRAM[1] - (y - h / 2) * DIAGRAM[3]) * fh))
                nr, nc = bottom - top, right - left
                # row 0 of the frame is its top, row 0 of a thumbnail its bottom (origin lower)
                src = np.ix_(THUMB - 1 - np.arange(nr) * THUMB // nr, np.arange(nc) * THUMB // nc)
                slots.append((np.s_[top:bottom, left:right, :], src))
                frames.append(Rectangle((x - w / 2, y - h / 2), w, h))
                if col == 0:
                    ax.text(x - w / 2 - 0.01, y, names[j], ha="right", va="center", fontsize=8)
            self.unit_slots.append(slots)
        self.unit_rgba = [[None] * len(units) for units in self.centres]
        self.view.painters = [self._paint_units]
        self.view.pixel_texts = []
        self.unit_frames = PatchCollection(frames, facecolor="none", edgecolor="#555555", linewidth=0.6, zorder=3)
        ax.add_collection(self.unit_frames)
        (self.selection_mark,) = ax.plot([], [], color="black", lw=1.6, ls=(0, (2, 1.5)), zorder=4)
        ax.text(self.centres[0][0][0], 1.0, "inputs", ha="center", va="bottom", fontsize=8)
        ax.text(self.centres[-1][0][0], 1.0, "output", ha="center", va="bottom", fontsize=8)
        # the training settings, drawn so that a change of γ, batch, L2 or L1 shows too
        self.settings_text = PixelText(self.view, (0.0, 0.0, DIAGRAM[2], DIAGRAM[1]), fontsize=7.5)

        lo, hi = state.window
        fig_w, fig_h = fig.get_size_inches()
        self.ax_out = ax = fig.add_axes([0.455, 0.13, 0.79 * fig_h / fig_w, 0.79])
        self.heatmap = PixelImage(self.view, ax)
        self.train_points = ax.scatter(state.X_train[:, 0], state.X_train[:, 1], c=self._colours(state, state.l_train),
                                       s=16, edgecolors="white", linewidths=0.8)
        self.test_points = ax.scatter(state.X_test[:, 0], state.X_test[:, 1], c=self._colours(state, state.l_test),
                                      s=16, edgecolors="black", linewidths=0.8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2", labelpad=1)
        self.title = ax.set_title("", fontsize=8)

        self.ax_loss = ax = fig.add_axes([0.85, 0.13, 0.13, 0.79])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        (self.train_curve,) = ax.plot([], [], color="#333333", lw=1.2, label="train")
        (self.test_curve,) = ax.plot([], [], color="#999999", lw=1.2, label="test")
        ax.legend(fontsize=7, loc="upper right", frameon=False)
        ax.set_title("loss per epoch", fontsize=8)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean loss", labelpad=1)
        self._loss_limits = None
        self.structure = structure
        # the points and unit frames do not change while training repaints what is under them
        self.view.set_animated([self.weight_lines, self.unit_frames, self.selection_mark, self.train_points,
                                self.test_points, self.train_curve, self.test_curve],
                               pasted=[self.unit_frames, self.train_points, self.test_points])

    @staticmethod
    def _colours(state, values):
        """Class colours (orange 0, blue 1, green 2, purple 3), or the colour map for targets."""
        if state.is_regression:
            return CMAP((np.asarray(values) + 1) / 2)
        return [CLASS_COLOURS[int(v)] for v in values]

    # ----- per frame -------------------------------------------------------------------------------
    def draw(self, state, selection, settings: str, discretize: bool = False):
        """Update every changing artist from ``state``; ``selection`` is the (x, y) path of the
        weight editor's mark, ``settings`` the caption of the training settings."""
        g = int(state.config["grid"])
        k_out = state.net.sizes[-1]
        out, fp = state.outputs()
        self.output_grid = out.reshape(g, g) if k_out == 1 else out.reshape(g, g, k_out)
        self.heatmap.set_data(self._output_rgba(state, self.output_grid, discretize))
        title = self._title(state, discretize)
        if title != self.title.get_text():  # static text: part of the cached background
            self.title.set_text(title)
            self.view.invalidate()
        if self.hover is not None:
            self._draw_hover(state, g)
        self.unit_values = []
        last = len(self.unit_slots) - 1
        for col, slots in enumerate(self.unit_slots):
            y = fp.y[col]
            values = []
            for j in range(len(slots)):
                v = y[:, j].reshape(THUMB, THUMB)
                if col == last and k_out > 1:
                    rgba = shade_rgba(v, j)  # softmax unit j: P(class j), grey to the class colour
                else:
                    if col == last and not state.is_regression:
                        v = 2 * v - 1  # the sigmoid output: 0.5 maps to the neutral colour
                    elif col < last:
                        v = v / (float(np.max(np.abs(v))) or 1.0)
                    rgba = CMAP((np.clip(v, -1, 1) + 1) / 2, bytes=True)
                values.append(v)
                self.unit_rgba[col][j] = rgba
            self.unit_values.append(values)
        self.selection_mark.set_data(*selection)
        self.settings_text.set_text(settings)
        self._draw_weights(state)
        self._draw_losses(state)

    def _paint_units(self, pixels):
        for slots, images in zip(self.unit_slots, self.unit_rgba):
            for (dst, src), rgba in zip(slots, images):
                if rgba is not None:
                    pixels[dst] = rgba[src]

    def _output_rgba(self, state, grid, discretize):
        if grid.ndim == 3:  # k class probabilities
            if discretize:
                grid = np.eye(grid.shape[2])[np.argmax(grid, axis=2)]
            return class_rgba(grid)
        if state.is_regression:
            v = np.sign(grid) if discretize else np.clip(grid, -1, 1)
            return CMAP((v + 1) / 2, bytes=True)
        return CMAP((grid > 0.5).astype(float) if discretize else grid, bytes=True)

    def _title(self, state, discretize):
        k_out = state.net.sizes[-1]
        if self.hover is not None:
            col, j = self.hover
            return f"unit {state.unit_names()[col][j]} (pointer on it); move off to see the output"
        shown = " (discretized)" if discretize else ""
        if state.is_regression:
            return f"output y{shown}, targets in [-1, 1]; test points edged black"
        if k_out == 1:
            return f"output P(class 1){shown}; test points edged black"
        return f"winning class of {k_out}{shown}, confidence as intensity"

    def _draw_hover(self, state, g):
        """The hovered unit's output on the full grid, in the big heatmap."""
        col, j = self.hover
        with np.errstate(over="ignore", invalid="ignore"):
            v = state.net.forward(state.F_grid).y[col][:, j].reshape(g, g)
        if col < len(state.net.sizes) - 1 or state.is_regression:
            v = v / (float(np.max(np.abs(v))) or 1.0)
            self.heatmap.set_data(CMAP((np.clip(v, -1, 1) + 1) / 2, bytes=True))
        elif state.net.sizes[-1] > 1:
            self.heatmap.set_data(shade_rgba(v, j))
        else:
            self.heatmap.set_data(CMAP(v, bytes=True))

    def _draw_weights(self, state):
        segments, colours, widths = [], [], []
        half = self._thumb_size[0] / 2  # lines run from edge to edge, never over a unit
        for l, W in enumerate(state.net.W):
            for i, (x0, y0) in enumerate(self.centres[l]):
                for j, (x1, y1) in enumerate(self.centres[l + 1]):
                    segments.append([(x0 + half, y0), (x1 - half, y1)])
                    colours.append(POSITIVE if W[i, j] > 0 else NEGATIVE)
                    widths.append(0.3 + 3.0 * min(abs(W[i, j]), 3.0) / 3.0)
        self.weight_lines.set_segments(segments)
        self.weight_lines.set_color(colours)
        self.weight_lines.set_linewidth(widths)

    def _draw_losses(self, state):
        epochs = np.arange(len(state.train_loss))
        self.train_curve.set_data(epochs, state.train_loss)
        self.test_curve.set_data(epochs, state.test_loss)
        # The loss axes' limits move in coarse jumps (x: 10, 20, 50, 100, ...; y: doubles), so
        # most frames reuse the cached background with its ticks (see FigureView).
        top = max(max(state.train_loss), max(state.test_loss))
        top = top if np.isfinite(top) and top > 0 else 1.0
        x_max = next(m for m in _nice_limits() if m >= max(len(epochs) - 1, 1))
        y_max = self._loss_limits[1] if self._loss_limits else 0.0
        if not (top <= y_max <= 4 * top):
            y_max = 1.1 * top
        if (x_max, y_max) != self._loss_limits:
            self._loss_limits = (x_max, y_max)
            self.ax_loss.set_xlim(0, x_max)
            self.ax_loss.set_ylim(0, y_max)
            self.view.invalidate()

    # ----- from picture pixels to parts of the network ---------------------------------------------
    def to_diagram(self, px, py):
        """Diagram-axes coordinates (0..1) of a point given in image pixels (origin top left)."""
        fw, fh = self.view.size_px
        x = (px / fw - DIAGRAM[0]) / DIAGRAM[2]
        y = ((fh - py) / fh - DIAGRAM[1]) / DIAGRAM[3]
        return x, y

    def unit_at(self, px, py):
        """(column, unit) of the unit heatmap under image pixel (px, py), or None."""
        x, y = self.to_diagram(px, py)
        w, h = self._thumb_size
        for col, units in enumerate(self.centres):
            for j, (cx, cy) in enumerate(units):
                if abs(x - cx) <= w / 2 and abs(y - cy) <= h / 2:
                    return col, j
        return None

    def edge_at(self, px, py, tolerance_px: float = 5.0):
        """(layer, i, j) of the weight line nearest to image pixel (px, py) within
        ``tolerance_px`` pixels (``W{layer}[i,j]``, layer from 1), or None."""
        fw, fh = self.view.size_px
        sx, sy = DIAGRAM[2] * fw, DIAGRAM[3] * fh  # pixels per diagram unit
        x, y = self.to_diagram(px, py)
        best, best_d = None, tolerance_px
        for l in range(len(self.centres) - 1):
            for i, (x0, y0) in enumerate(self.centres[l]):
                for j, (x1, y1) in enumerate(self.centres[l + 1]):
                    a = np.array([(x0 - x) * sx, (y0 - y) * sy])
                    b = np.array([(x1 - x) * sx, (y1 - y) * sy])
                    ab = b - a
                    t = np.clip(-a @ ab / (ab @ ab), 0.0, 1.0)
                    d = float(np.hypot(*(a + t * ab)))
                    if d < best_d:
                        best, best_d = (l + 1, i, j), d
        return best


def settings_caption(config, epochs_per_frame: int) -> str:
    """``γ = 0.1, batch 10, L2 0; play: 1 epoch/frame`` (L1 only when used)."""
    l1 = f", L1 {fmt(config['l1'], 3)}" if config["l1"] else ""
    k = int(epochs_per_frame)
    return (f"γ = {fmt(config['gamma'], 3)}, batch {config['batch']}, L2 {fmt(config['l2'], 3)}{l1}; "
            f"play: {k} epoch{'s' if k > 1 else ''}/frame")
