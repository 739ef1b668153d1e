"""Drawing a lab's figure fast: an off-screen Agg figure, shown in the browser by a FrameCanvas.

:class:`FigureView` renders a matplotlib Figure (blitting: a cached background plus the
artists that change), then lets painters write pixels straight into the frame
(:class:`PixelImage` for heatmaps, :class:`PixelText` for captions that change rarely), and
hands the frame to :class:`~nnlib.labs._canvas.FrameCanvas`, which sends the browser the part
that changed. Used by every lab through ``_base``.
"""
from __future__ import annotations

import math

import numpy as np
import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from ._canvas import FrameCanvas
from ._png import encode_png
from ._sprites import TextSprites

__all__ = ["FigureView", "PixelImage", "PixelText", "ScalarImage"]


class FigureView:
    """A matplotlib Figure drawn off-screen (Agg) and shown in a :class:`FrameCanvas` (``widget``).

    Fast path for frames (blitting, the standard matplotlib animation technique): artists
    listed in ``animated`` are left out of the full draw; the full draw (axes, ticks, text)
    is cached as a background and each frame only restores it and draws the animated
    artists on top. A lab calls :meth:`invalidate` when something static changed (axis
    limits, titles, the set of artists). ``renders`` counts the frames produced and
    ``full_renders`` the full draws, which tests and the bench use.
    """

    #: the smallest text on screen, in CSS pixels (the image is shown at its drawn size)
    min_text_px = 10.0

    def __init__(self, figsize, dpi: int = 80, css_class: str = "nnlib-figure"):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.dpi = dpi
        width, height = self.size_px
        # Width AND height fixed, never stretched by a flex row beside taller controls: the
        # picture is shown pixel for pixel as drawn (tests/test_browser.py checks the ratio).
        self.widget = FrameCanvas(width, height, layout=widgets.Layout(
            width=f"{width}px", height=f"{height}px", min_width=f"{width}px", flex="0 0 auto",
            align_self="flex-start"))
        self.widget.add_class(css_class)
        self.renders = 0
        self.full_renders = 0
        self.animated: list = []
        self.pasted: set = set()  # ids of the animated artists pasted from sprites
        #: callables ``paint(pixels)`` that write straight into the frame's (h, w, 4) RGBA
        #: pixels (row 0 at the top), after the background and before the animated artists:
        #: for pictures that are already pixels, matplotlib's image pipeline is skipped
        self.painters: list = []
        self.pixel_texts: list = []  # PixelText captions (painted, not matplotlib artists)
        self._background = None
        #: animated texts are rendered once per distinct look and pasted (None: draw each time)
        self.sprites = TextSprites((width, height), dpi)

    def set_animated(self, artists, pasted=()) -> None:
        """Declare the artists that change every frame (drawn in this order); invalidates.
        Texts among them, and the ``pasted`` ones (artists over something that changes, but
        rarely changing themselves, e.g. data points over a heatmap), are pasted from
        :attr:`sprites` instead of drawn again."""
        for a in self.animated:
            a.set_animated(False)
        self.animated = list(artists)
        self.pasted = set(map(id, pasted))
        for a in self.animated:
            a.set_animated(True)
        self.invalidate()

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the rendered frame in pixels, which is also its size on screen."""
        w, h = self.fig.get_size_inches()
        return int(round(w * self.dpi)), int(round(h * self.dpi))

    def invalidate(self) -> None:
        """The static part changed: the next render is a full draw."""
        self._background = None

    def texts(self):
        """Every visible, non-empty text of the figure (titles, labels, tick labels, legends)."""
        out = list(self.fig.texts)
        for ax in self.fig.axes:
            if not ax.get_visible():
                continue
            out += [ax.title, ax._left_title, ax._right_title, *ax.texts]
            if ax.get_legend() is not None:
                out += ax.get_legend().get_texts()
            if ax.axison:
                for axis in (ax.xaxis, ax.yaxis):
                    # the ticks inside the view limits: the ones drawn
                    out += [axis.label, *(t.label1 for t in axis._update_ticks()),
                            *(t.label2 for t in axis._update_ticks())]
        return [t for t in out if t.get_visible() and t.get_text().strip()]

    def enforce_min_text(self) -> None:
        """Raise every text smaller than ``min_text_px`` on screen to that size."""
        points = self.min_text_px * 72.0 / self.dpi
        for ax in self.fig.axes:  # tick labels are made lazily: size them through their axis
            for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
                if any(t.get_fontsize() < points - 1e-9 for t in axis.get_ticklabels()):
                    ax.tick_params(axis=which, labelsize=points)
        for t in self.texts():
            if t.get_fontsize() < points - 1e-9:
                t.set_fontsize(points)

    def render(self) -> None:
        """Draw (fully, or background + animated artists) and show the frame in the widget."""
        if self._background is None:
            self.enforce_min_text()
            self.canvas.draw()  # everything except the animated artists
            self.full_renders += 1
            if self.animated:
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        pixels = np.asarray(self.canvas.buffer_rgba())  # the Agg buffer itself, written in place
        for paint in self.painters:
            paint(pixels)
        renderer = self.canvas.get_renderer()
        for a in self.animated:
            if not a.get_visible():
                continue
            if self.sprites is not None and (isinstance(a, Text) or id(a) in self.pasted):
                self.sprites.paste(a, pixels)  # drawn once per distinct look
            else:
                a.draw(renderer)
        self.widget.show(pixels)
        self.renders += 1

    def png(self) -> bytes:
        """The last rendered frame as a PNG (empty before the first render)."""
        return b"" if self.renders == 0 else encode_png(self.rgba())

    def rgba(self) -> np.ndarray:
        """The last rendered frame as an (h, w, 4) uint8 array (a copy)."""
        return np.array(self.canvas.buffer_rgba())


class PixelImage:
    """An RGBA picture painted straight into a FigureView's pixels over the area of ``ax``
    (nearest neighbour, origin at the bottom like ``imshow(origin="lower")``).

    For a heatmap that changes every frame this skips matplotlib's image pipeline
    (normalisation, resampling, compositing), which cost more than everything else of a
    frame. ``set_data``/``get_array`` as on an ``AxesImage``. The axes' spines stay visible:
    the picture fills the axes' inside, one pixel in from its edge.
    """

    def __init__(self, view: "FigureView", ax):
        self.view, self.ax = view, ax
        self._data = None
        self._index = None
        view.painters.append(self.paint)

    def set_data(self, rgba) -> None:
        self._data = np.asarray(rgba, dtype=np.uint8)

    def get_array(self):
        return self._data

    def _where(self, shape):
        x0, y0, x1, y1 = self.ax.get_window_extent().extents  # pixels, origin bottom left
        h = self.view.size_px[1]
        top, bottom = int(math.ceil(h - y1)) + 1, int(math.floor(h - y0)) - 1
        left, right = int(math.ceil(x0)) + 1, int(math.floor(x1)) - 1
        nr, nc = bottom - top, right - left
        g_r, g_c = shape
        src = np.ix_(g_r - 1 - np.arange(nr) * g_r // nr, np.arange(nc) * g_c // nc)
        return shape, np.s_[top:bottom, left:right, :], src

    def paint(self, pixels) -> None:
        if self._data is None or not self.ax.get_visible():
            return
        if self._index is None or self._index[0] != self._data.shape[:2]:
            self._index = self._where(self._data.shape[:2])
        _, dst, src = self._index
        pixels[dst] = self._data[src]

    def invalidate(self) -> None:
        """The axes moved (a new layout): find its pixels again."""
        self._index = None


class ScalarImage(PixelImage):
    """An ``imshow`` of scalars (with its norm, colormap and alpha) painted like a PixelImage.

    The AxesImage stays the lab's artist for its data and limits (``set_data``, ``set_clim``,
    ``get_array`` as before) but is hidden; each frame maps its array through the image's own
    ``to_rgba`` and blends it over ``background`` (the axes' face colour) with the image's
    alpha, then paints it over the axes' inside. It must fill the axes (extent = limits).
    """

    def __init__(self, view: "FigureView", image, background=(255, 255, 255)):
        super().__init__(view, image.axes)
        self.image = image
        self.background = np.asarray(background, dtype=np.float32)
        image.set_visible(False)

    def paint(self, pixels) -> None:
        A = self.image.get_array()
        if A is None or not self.image.axes.get_visible():
            return
        rgba = self.image.to_rgba(np.asarray(A), bytes=True)
        alpha = 1.0 if self.image.get_alpha() is None else float(self.image.get_alpha())
        if alpha < 1.0:
            rgb = rgba[:, :, :3] * alpha + self.background * (1.0 - alpha) + 0.5
            rgba = np.dstack([rgb.astype(np.uint8), np.full(rgb.shape[:2], 255, np.uint8)])
        self._data = rgba
        super().paint(pixels)


class PixelText:
    """A line of text painted into a FigureView's pixels; rendered again only when it changes.

    Text is the most expensive thing matplotlib draws (a few ms per string); a caption that
    changes only with a control (not with every frame) is rendered once per distinct string
    (the last :attr:`capacity` kept), on its own small canvas, and copied into each frame. ``box`` = (left, bottom, width, height) in figure
    fractions; the text is centred in it.
    """

    def __init__(self, view: "FigureView", box, fontsize: float = 8.0, color: str = "#333333"):
        self.view = view
        fw, fh = view.size_px
        left, bottom, width, height = box
        self._left, self._top = int(round(left * fw)), int(round((1 - bottom - height) * fh))
        w, h = int(round(width * fw)), int(round(height * fh))
        self.fig = Figure(figsize=(w / view.dpi, h / view.dpi), dpi=view.dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.text = self.fig.text(0.5, 0.5, "", ha="center", va="center", fontsize=fontsize, color=color)
        self._rgba = None
        self._cache: dict = {}  # text -> rendering, oldest first
        view.painters.append(self.paint)
        view.pixel_texts.append(self)

    #: renderings kept (a slider moved back and forth shows the same few captions again)
    capacity = 32

    def set_text(self, text: str) -> None:
        if text == self.text.get_text() and self._rgba is not None:
            return
        points = self.view.min_text_px * 72.0 / self.view.dpi
        if self.text.get_fontsize() < points:
            self.text.set_fontsize(points)
            self._cache.clear()
        self.text.set_text(text)
        self._rgba = self._cache.pop(text, None)
        if self._rgba is None:
            self.canvas.draw()
            self._rgba = np.array(self.canvas.buffer_rgba())
        self._cache[text] = self._rgba  # the newest last
        if len(self._cache) > self.capacity:
            self._cache.pop(next(iter(self._cache)))

    def get_text(self) -> str:
        return self.text.get_text()

    def paint(self, pixels) -> None:
        if self._rgba is not None:
            h, w = self._rgba.shape[:2]
            pixels[self._top:self._top + h, self._left:self._left + w] = self._rgba
