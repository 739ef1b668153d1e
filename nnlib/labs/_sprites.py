"""Animated artists drawn once and pasted: the labs' numbers, titles and data points at the
cost of a blend.

Rendering a string is the most expensive thing matplotlib does for a lab's frame (layout and
glyph rasterisation, about 1 ms each); a frame of the XOR builder has 13 of them. Most do
not change from one frame to the next (a slider changes one weight's label). Scatter points
over a heatmap that training repaints are the same: the heatmap changes, the points do not
(about 1.5 ms per scatter per frame to draw again). :class:`TextSprites` renders each
distinct artist once, on a transparent scratch canvas of the figure's size, keeps the pixels
it covers, and from then on pastes them (alpha blending) into the frame. The key holds
everything that changes its pixels (for a text: string, position in pixels, font, colour,
rotation, alignment, box; for a collection: its points in pixels, paths, colours, sizes and
line widths), so a changed artist is drawn again and an unchanged one never is.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure

__all__ = ["TextSprites"]


def _key(artist):
    if isinstance(artist, Collection):
        return _collection_key(artist)
    text = artist
    x, y = text.get_transform().transform(text.get_unitless_position())
    box = text.get_bbox_patch()
    box_key = None if box is None else (tuple(box.get_facecolor()), tuple(box.get_edgecolor()),
                                         box.get_linewidth(), str(box.get_boxstyle()))
    return (id(text), text.get_text(), round(float(x), 2), round(float(y), 2), hash(text.get_fontproperties()),
            str(text.get_color()), text.get_alpha(), text.get_rotation(), text.get_ha(), text.get_va(),
            getattr(text, "_linespacing", None), box_key, text.get_clip_on())  # no getter before matplotlib 3.9


def _collection_key(c):
    offsets = np.asarray(c.get_offsets(), dtype=float)
    if offsets.size:
        offsets = c.get_offset_transform().transform(offsets)
    return (id(c), np.round(offsets, 2).tobytes(), c.get_transform().get_matrix().tobytes(),
            b"".join(p.vertices.tobytes() for p in c.get_paths()), np.asarray(getattr(c, "get_sizes", tuple)()).tobytes(),
            np.asarray(c.get_facecolors()).tobytes(), np.asarray(c.get_edgecolors()).tobytes(),
            tuple(np.atleast_1d(c.get_linewidths())), c.get_alpha(), c.get_clip_on())


class TextSprites:
    """Pasted renderings of artists - texts, and collections with an affine transform such as
    scatter points - for a figure of ``size_px`` at ``dpi``."""

    def __init__(self, size_px, dpi: int, capacity: int = 256):
        w, h = size_px
        self.scratch = FigureCanvasAgg(Figure(figsize=(w / dpi, h / dpi), dpi=dpi))
        self.scratch.figure.patch.set_alpha(0.0)
        self.capacity = capacity
        self._cache: OrderedDict = OrderedDict()
        self.drawn = 0  # renderings made (cache misses), for tests

    def paste(self, artist, pixels: np.ndarray) -> None:
        """Blend ``artist`` (a Text or Collection of the figure ``pixels`` belong to) into ``pixels``."""
        key = _key(artist)
        sprite = self._cache.get(key)
        if sprite is None:
            sprite = self._render(artist)
            self._cache[key] = sprite
            if len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        if sprite is None:
            return
        (top, left), rgb, alpha, where = sprite
        h, w = alpha.shape[:2]
        dst = pixels[top:top + h, left:left + w, :3]
        if where is None:
            dst[...] = (dst * (1.0 - alpha) + rgb).astype(np.uint8)
        else:  # sparse (scattered points): blend only the pixels it covers
            dst[where] = (dst[where] * (1.0 - alpha[where]) + rgb[where]).astype(np.uint8)

    def _render(self, artist):
        renderer = self.scratch.get_renderer()
        renderer.clear()
        artist.draw(renderer)
        self.drawn += 1
        buf = np.asarray(renderer.buffer_rgba())
        covered = buf[:, :, 3] > 0
        rows = np.flatnonzero(covered.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(covered[rows[0]:rows[-1] + 1].any(axis=0))
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        patch = buf[top:bottom, left:right].astype(np.float32)
        alpha = patch[:, :, 3:4] / 255.0
        # Agg's buffer is not premultiplied: keep colour x alpha ready to add (+0.5 rounds)
        rgb = patch[:, :, :3] * alpha + 0.5
        covered = patch[:, :, 3] > 0
        where = np.nonzero(covered) if covered.mean() < 0.5 else None
        return (int(top), int(left)), rgb, alpha, where
