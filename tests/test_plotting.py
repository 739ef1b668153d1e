"""Plotting (nnlib.plotting) with the Agg backend: the artists hold the data they should."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib.datasets import make_dataset, truth_table  # noqa: E402
from nnlib.descent import FUNCTIONS, gradient_descent  # noqa: E402
from nnlib.plotting import (NEGATIVE, POSITIVE, draw_network, plot_decision_boundary,  # noqa: E402
                            plot_descent_path, plot_loss_curves)


@pytest.fixture
def ax():
    fig = Figure()
    yield fig.add_subplot()


@pytest.fixture(autouse=True)
def close_pyplot_figures():
    yield
    plt.close("all")


def ring_model(P):
    """Probability of class 1 for the circle set: high inside radius 3."""
    return 1.0 / (1.0 + np.exp(np.sum(P ** 2, axis=1) - 9.0))


# --- decision boundary ------------------------------------------------------------------

def test_decision_boundary_heatmap_is_the_model_on_the_grid(ax):
    X, labels = make_dataset("circle", 60, seed=0)
    art = plot_decision_boundary(ring_model, X, labels, ax=ax, grid=37)
    Z = np.asarray(art.image.get_array())
    assert Z.shape == (37, 37)
    assert art.grid_X.shape == (37 * 37, 2)
    np.testing.assert_allclose(Z.ravel(), ring_model(art.grid_X))
    # row r of the image has constant x2 (origin="lower"): the heatmap is not transposed
    np.testing.assert_allclose(art.grid_X[:37, 1], art.grid_X[0, 1])
    x0, x1, y0, y1 = art.extent
    assert x0 <= X[:, 0].min() and x1 >= X[:, 0].max() and y0 <= X[:, 1].min() and y1 >= X[:, 1].max()
    np.testing.assert_allclose(art.points.get_offsets(), X)
    np.testing.assert_array_equal(art.points.get_array(), labels)
    assert art.contour is not None  # the output crosses 0.5 on the ring of radius 3
    assert art.test_points is None
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"


def test_decision_boundary_with_test_points_and_network_like_outputs(ax):
    X, labels = make_dataset("gaussians", 40, seed=1)
    Xt, lt = make_dataset("gaussians", 10, seed=2)

    def two_outputs(P):  # (M, 2) like a softmax layer: column 1 is P(class 1)
        p1 = 1 / (1 + np.exp(-(P[:, 0] + P[:, 1])))
        return np.column_stack([1 - p1, p1])

    art = plot_decision_boundary(two_outputs, X, labels, ax=ax, grid=20, X_test=Xt, labels_test=lt)
    np.testing.assert_allclose(art.test_points.get_offsets(), Xt)
    assert art.test_points.get_paths()[0] is not art.points.get_paths()[0]
    np.testing.assert_allclose(np.asarray(art.image.get_array()).ravel(), two_outputs(art.grid_X)[:, 1])


def test_decision_boundary_accepts_a_network_and_float_labels(ax):
    network = pytest.importorskip("nnlib.network")
    X, d = truth_table("and")
    net = network.Network([np.array([[1.0], [1.0]])], [np.array([-1.5])], "sigmoid")
    art = plot_decision_boundary(net, X, d[:, 0], ax=ax, grid=10)
    assert np.asarray(art.image.get_array()).shape == (10, 10)
    np.testing.assert_allclose(np.asarray(art.image.get_array()).ravel(), net(art.grid_X)[:, 0])


def test_decision_boundary_update_in_place(ax):
    X, labels = make_dataset("xor", 30, seed=0)
    art = plot_decision_boundary(ring_model, X, labels, ax=ax, grid=15)
    image = art.image
    art.update(lambda P: 1 / (1 + np.exp(-P[:, 0] * P[:, 1])))
    assert art.image is image
    np.testing.assert_allclose(np.asarray(image.get_array()).ravel(),
                               1 / (1 + np.exp(-art.grid_X[:, 0] * art.grid_X[:, 1])))


def test_decision_boundary_without_ax_makes_a_figure():
    X, labels = make_dataset("spiral", 20, seed=0)
    art = plot_decision_boundary(ring_model, X, labels, grid=5)
    assert art.ax.figure is not None and art.ax.get_xlabel() == "x1"


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(labels=np.zeros((10, 1))), ValueError, r"pass d\[:, 0\]"),
    (dict(labels=np.eye(2)[[0, 1] * 5]), ValueError, "argmax"),
    (dict(labels=np.full(10, 0.5)), ValueError, "class numbers 0, 1"),
    (dict(labels=np.zeros(9)), ValueError, r"labels must have shape \(10,\)"),
    (dict(X=np.zeros((10, 3))), ValueError, r"X must have shape \(N, 2\)"),
    (dict(grid=1), ValueError, "grid must be >= 2"),
    (dict(predict=3), TypeError, "predict must be a callable"),
    (dict(predict=lambda P: np.zeros(5)), ValueError, r"predict must map points of shape \(100, 2\)"),
    (dict(predict=lambda P: np.full(len(P), np.nan)), ValueError, "NaN or inf"),
    (dict(X_test=np.zeros((2, 2))), ValueError, "X_test and labels_test must be given together"),
])
def test_decision_boundary_bad_input(ax, kwargs, exc, match):
    args = dict(predict=ring_model, X=np.zeros((10, 2)), labels=np.zeros(10, dtype=int), grid=10)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_decision_boundary(args.pop("predict"), args.pop("X"), args.pop("labels"), ax=ax, **args)


# --- loss curves ------------------------------------------------------------------------

def test_loss_curves_from_dict_with_validation(ax):
    hist = {"train_loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.8, 0.7]}
    lines = plot_loss_curves(hist, ax=ax)
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines["train"].get_ydata(), hist["train_loss"])
    np.testing.assert_array_equal(lines["val"].get_ydata(), hist["val_loss"])
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert ax.get_yscale() == "linear"


def test_loss_curves_from_history_object_and_log_scale(ax):
    class History:
        train_loss = [4.0, 2.0, 1.0, 0.5]
        val_loss = []

    lines = plot_loss_curves(History(), ax=ax, log=True)
    assert set(lines) == {"train"}
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines["train"].get_ydata(), History.train_loss)


def test_loss_curves_from_plain_list(ax):
    lines = plot_loss_curves([0.3, 0.2], ax=ax)
    np.testing.assert_array_equal(lines["train"].get_ydata(), [0.3, 0.2])


@pytest.mark.parametrize("history, kwargs, exc, match", [
    ({"train": [1.0], "loss": [1.0]}, {}, ValueError, r"unknown keys \['loss'\]"),
    ({"val_loss": [1.0]}, {}, ValueError, "must contain a training loss"),
    ([], {}, ValueError, "at least one value"),
    ([1.0, np.nan], {}, ValueError, "NaN or inf"),
    ([1.0, 0.0], dict(log=True), ValueError, "log=True needs losses > 0"),
    ("loss", {}, TypeError, "history must be a train History"),
    ([[1.0, 2.0]], {}, ValueError, "one per epoch"),
])
def test_loss_curves_bad_input(ax, history, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_loss_curves(history, ax=ax, **kwargs)


# --- descent path -----------------------------------------------------------------------

def test_descent_path_1d_data_equals_trace(ax):
    f, df = FUNCTIONS["square"]
    tr = gradient_descent(f, df, -4.0, gamma=0.8, steps=6)
    art = plot_descent_path(f, tr, ax=ax)
    np.testing.assert_array_equal(art.path.get_xdata(), tr.xs[:, 0])
    np.testing.assert_array_equal(art.path.get_ydata(), tr.fs)
    assert len(art.arrows) == tr.n_steps
    for i, arrow in enumerate(art.arrows):
        assert arrow.xy == (tr.xs[i + 1, 0], tr.fs[i + 1])
        assert arrow.xyann == (tr.xs[i, 0], tr.fs[i])
    cx, cy = art.curve.get_xdata(), art.curve.get_ydata()
    np.testing.assert_allclose(cy, cx ** 2)
    assert cx.min() < tr.xs.min() and cx.max() > tr.xs.max()
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    assert "max_steps" in ax.get_title()


def test_descent_path_colours_clipped_steps(ax):
    f, df = FUNCTIONS["steep"]
    tr = gradient_descent(f, df, -4.0, gamma=0.5, steps=30, clip=0.3)
    art = plot_descent_path(f, tr, ax=ax)
    colours = [a.arrow_patch.get_edgecolor() for a in art.arrows]
    expected = [matplotlib.colors.to_rgba(NEGATIVE if c else POSITIVE) for c in tr.clipped]
    assert tr.clipped.any()
    np.testing.assert_allclose(colours, expected)


def test_descent_path_accepts_scalar_only_functions(ax):
    import math

    tr = gradient_descent(lambda x: math.cos(x), lambda x: -math.sin(x), 1.0, gamma=0.5, steps=5)
    art = plot_descent_path(lambda x: math.cos(x), tr, ax=ax, n_points=50)
    np.testing.assert_allclose(art.curve.get_ydata(), np.cos(art.curve.get_xdata()))


def test_descent_path_2d_contour(ax):
    obj = FUNCTIONS["bowl2d"]
    tr = gradient_descent(obj.f, obj.df, obj.x0, gamma=obj.gamma, steps=10)
    art = plot_descent_path(obj.f, tr, ax=ax)
    np.testing.assert_array_equal(art.path.get_xdata(), tr.xs[:, 0])
    np.testing.assert_array_equal(art.path.get_ydata(), tr.xs[:, 1])
    assert art.contour is not None and art.curve is None
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"


def test_descent_path_of_a_diverged_run_is_finite(ax):
    f, df = FUNCTIONS["square"]
    tr = gradient_descent(f, df, -4.0, gamma=1.5, steps=1000)
    assert tr.status == "diverged"
    art = plot_descent_path(f, tr, ax=ax)
    assert np.all(np.isfinite(art.curve.get_ydata()))
    assert "diverged" in ax.get_title()


def test_descent_path_bad_input(ax):
    f, df = FUNCTIONS["square"]
    tr = gradient_descent(f, df, -4.0, gamma=0.2, steps=3)
    with pytest.raises(TypeError, match="trace must be a DescentTrace"):
        plot_descent_path(f, [1, 2, 3], ax=ax)
    with pytest.raises(TypeError, match="f must be a callable or None"):
        plot_descent_path(3.0, tr, ax=ax)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_descent_path(f, tr, ax="left")
    obj = FUNCTIONS["bowl2d"]
    tr3 = gradient_descent(lambda x: float(x @ x), lambda x: 2 * x, [1.0, 2.0, 3.0], gamma=0.1, steps=2)
    with pytest.raises(ValueError, match=r"trace.xs must have shape \(k\+1, 1\) or \(k\+1, 2\)"):
        plot_descent_path(obj.f, tr3, ax=ax)


# --- network diagram --------------------------------------------------------------------

W221 = [np.array([[0.5, -1.0], [1.5, 0.0]]), np.array([[2.0], [-0.7]])]
B221 = [np.array([0.1, -0.2]), np.array([0.4])]


def test_network_diagram_counts_and_edge_style(ax):
    art = draw_network((W221, B221), ax=ax)
    segs = art.edges.get_segments()
    assert len(segs) == sum(w.size for w in W221) == 6
    assert [len(u) for u in art.units] == [2, 2, 1]
    # edge order: layer by layer, W[l][i, j] row-major; each edge joins unit i to unit j
    k = 0
    for l, w in enumerate(W221):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                np.testing.assert_allclose(segs[k], [art.positions[l][i], art.positions[l + 1][j]])
                k += 1
    flat = np.concatenate([w.ravel() for w in W221])
    colours = art.edges.get_colors()
    for c, w in zip(colours, flat):
        expected = POSITIVE if w > 0 else NEGATIVE if w < 0 else "#9e9e9e"
        np.testing.assert_allclose(c, matplotlib.colors.to_rgba(expected))
    widths = np.asarray(art.edges.get_linewidths())
    order = np.argsort(np.abs(flat))
    assert np.all(np.diff(widths[order]) >= 0)  # wider for larger |w|
    assert widths[np.argmax(np.abs(flat))] > widths[np.argmin(np.abs(flat))]


def test_network_diagram_numbers(ax):
    art = draw_network((W221, B221), ax=ax)
    assert [t.get_text() for t in art.weight_texts[1][:, 0]] == ["2.00", "-0.70"]
    assert [t.get_text() for t in art.bias_texts[0]] == ["b=0.10", "b=-0.20"]
    assert [t.get_text() for t in art.unit_texts[0]] == ["x1", "x2"]


def test_network_diagram_lecture_names(ax):
    art = draw_network((W221, B221), ax=ax, unit_labels=[["x", "y"], ["1", "2"], ["z"]],
                       weight_labels="names", bias_labels="names")
    names = [[t.get_text() for t in row] for row in art.weight_texts[0]]
    assert names == [["$w_{x1}$", "$w_{x2}$"], ["$w_{y1}$", "$w_{y2}$"]]
    assert [t.get_text() for t in art.weight_texts[1][:, 0]] == ["$w_{1z}$", "$w_{2z}$"]
    assert [t.get_text() for t in art.bias_texts[1]] == ["$t_{z}$"]
    assert [t.get_text() for t in art.unit_texts[2]] == ["z"]


def test_network_diagram_custom_labels_and_hidden_weights(ax):
    art = draw_network((W221, B221), ax=ax, show_weights=False, show_biases=False)
    assert all(t is None for texts in art.weight_texts for t in texts.ravel())
    assert art.bias_texts == [[], []]
    labels = [np.array([["a", "b"], ["c", "d"]]), np.array([["e"], ["f"]])]
    art = draw_network((W221, B221), ax=ax, weight_labels=labels, bias_labels=[["t1", "t2"], ["tz"]])
    assert art.weight_texts[0][1, 0].get_text() == "c"
    assert art.bias_texts[1][0].get_text() == "tz"


def test_network_diagram_of_a_network_object_and_update(ax):
    network = pytest.importorskip("nnlib.network")
    net = network.Network.from_sizes("2-4-3-2", seed=0)
    art = draw_network(net, ax=ax, max_labels=100)
    assert len(art.edges.get_segments()) == 2 * 4 + 4 * 3 + 3 * 2
    net.W[0][0, 0] = -abs(net.W[0][0, 0]) - 1.0
    net.b[2][1] = 0.125
    art.update(net.W, net.b)
    assert art.weight_texts[0][0, 0].get_text() == f"{net.W[0][0, 0]:.2f}"
    np.testing.assert_allclose(art.edges.get_colors()[0], matplotlib.colors.to_rgba(NEGATIVE))
    assert art.bias_texts[2][1].get_text() == "b=0.12"
    with pytest.raises(ValueError, match="update needs weights of shapes"):
        art.update(W221, B221)


def test_large_networks_are_drawn_without_weight_labels(ax):
    W = [np.ones((8, 6)), np.ones((6, 3))]
    b = [np.zeros(6), np.zeros(3)]
    art = draw_network((W, b), ax=ax)
    assert len(art.edges.get_segments()) == 66
    assert all(t is None for texts in art.weight_texts for t in texts.ravel())


@pytest.mark.parametrize("net, kwargs, exc, match", [
    ("2-2-1", {}, TypeError, "net must be a Network"),
    (([np.ones((2, 2))], [np.ones(3)]), {}, ValueError, r"b\[0\] must have shape \(2,\)"),
    (([np.ones((2, 2)), np.ones((3, 1))], [np.ones(2), np.ones(1)]), {}, ValueError, r"W\[1\] must have 2 rows"),
    (([np.ones((2, 2))], []), {}, ValueError, "one entry per weight layer"),
    ((W221, B221), dict(unit_labels=[["x", "y"], ["1"], ["z"]]), ValueError, r"unit_labels\[1\] must name the 2 units"),
    ((W221, B221), dict(weight_labels="names"), ValueError, "need unit_labels"),
    ((W221, B221), dict(weight_labels="values"), ValueError, "weight_labels must be None, 'names'"),
    ((W221, B221), dict(weight_labels=[np.array([["a"]]), np.array([["e"], ["f"]])]), ValueError,
     r"weight_labels\[0\] must be an array of strings of shape \(2, 2\)"),
    (([np.array([[np.nan, 1.0], [1.0, 1.0]])], [np.zeros(2)]), {}, ValueError, "NaN or inf"),
])
def test_network_diagram_bad_input(ax, net, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        draw_network(net, ax=ax, **kwargs)


def test_every_plot_renders(tmp_path):
    """Draw all four kinds into one figure and render it, as a notebook would."""
    fig, axs = plt.subplots(2, 2)
    X, labels = make_dataset("circle", 40, seed=0)
    plot_decision_boundary(ring_model, X, labels, ax=axs[0, 0], grid=20, colorbar=True)
    plot_loss_curves([1.0, 0.5], ax=axs[0, 1])
    f, df = FUNCTIONS["two_minima"]
    plot_descent_path(f, gradient_descent(f, df, 2.0, gamma=0.05, steps=20), ax=axs[1, 0])
    draw_network((W221, B221), ax=axs[1, 1], unit_labels=[["x", "y"], ["1", "2"], ["z"]],
                 weight_labels="names", bias_labels="names")
    fig.savefig(tmp_path / "all.png")
    assert (tmp_path / "all.png").stat().st_size > 10_000


def test_decision_boundary_image_is_not_upside_down():
    from matplotlib.backend_bases import MouseEvent
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    X = np.array([[-3.0, -3.0], [3.0, 3.0]])
    # output depends on x2 only: 0 at the bottom of the plot, 1 at the top
    art = plot_decision_boundary(lambda P: (P[:, 1] > 0).astype(float), X, np.array([0, 1]), ax=ax, grid=30)
    fig.canvas.draw()
    for (x, y), expected in (((0.0, 3.0), 1.0), ((0.0, -3.0), 0.0), ((-3.0, 2.5), 1.0)):
        px, py = ax.transData.transform((x, y))
        event = MouseEvent("motion_notify_event", fig.canvas, px, py)
        assert art.image.get_cursor_data(event) == expected


def test_decision_boundary_colour_range(ax):
    X, labels = make_dataset("xor", 20, seed=0)
    art = plot_decision_boundary(lambda P: np.tanh(P[:, 0] * P[:, 1]), X, labels, ax=ax, grid=20, level=0.0)
    Z = np.asarray(art.image.get_array())
    assert art.image.get_clim() == (Z.min(), Z.max()) and Z.min() < 0
    art = plot_decision_boundary(ring_model, X, labels, ax=ax, grid=20)
    assert art.image.get_clim() == (0.0, 1.0)


# --- digits -----------------------------------------------------------------------------

def test_plot_digits_tiles_the_images(ax):
    from nnlib.datasets import load_digits
    from nnlib.plotting import plot_digits

    X, labels = load_digits()
    predicted = labels[:12].copy()
    predicted[3] = (predicted[3] + 1) % 10
    art = plot_digits(X[:12], labels[:12], predicted, ax=ax, n_cols=5)
    canvas = np.asarray(art["image"].get_array())
    # 3 rows x 5 columns of 8x8 images; 1-pixel gaps, 3 pixels above each image for its caption
    assert canvas.shape == (3 * 11 + 1, 5 * 9 + 1)
    np.testing.assert_array_equal(canvas[3:11, 1:9], X[0].reshape(8, 8))
    np.testing.assert_array_equal(canvas[14:22, 10:18], X[6].reshape(8, 8))  # row 1, column 1
    plain = np.asarray(plot_digits(X[:4], ax=ax, n_cols=2)["image"].get_array())
    assert plain.shape == (2 * 9 + 1, 2 * 9 + 1)
    assert art["texts"][3].get_text() == f"{labels[3]}→{predicted[3]}"
    assert art["texts"][3].get_color() != art["texts"][2].get_color()
    with pytest.raises(ValueError, match="not a square image; pass image_shape"):
        plot_digits(np.zeros((2, 10)), ax=ax)
    with pytest.raises(ValueError, match=r"predicted must have shape \(2,\)"):
        plot_digits(np.zeros((2, 4)), [0, 1], [0], ax=ax)


def test_confusion_matrix_counts(ax):
    from nnlib.plotting import plot_confusion_matrix

    labels = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 2, 2])
    art = plot_confusion_matrix(labels, predicted, ax=ax)
    expected = np.zeros((3, 3), dtype=int)
    for t, p in zip(labels, predicted):
        expected[t, p] += 1
    np.testing.assert_array_equal(art["counts"], expected)
    assert art["counts"].trace() == np.sum(labels == predicted)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert plot_confusion_matrix(labels, predicted, ax=ax, n_classes=10)["counts"].shape == (10, 10)
    with pytest.raises(ValueError, match="n_classes = 2 but the data contain class 2"):
        plot_confusion_matrix(labels, predicted, ax=ax, n_classes=2)
    with pytest.raises(ValueError, match=r"predicted must have shape \(6,\)"):
        plot_confusion_matrix(labels, predicted[:5], ax=ax)


def test_names_built_from_mathtext_unit_labels_render(tmp_path):
    fig = Figure()
    ax = fig.add_subplot()
    art = draw_network((W221, B221), ax=ax, unit_labels=[["$x_1$", "$x_2$"], ["$h_1$", "$h_2$"], ["$o$"]],
                       weight_labels="names", bias_labels="names")
    assert art.weight_texts[0][0, 1].get_text() == "$w_{x_1h_2}$"
    assert art.bias_texts[1][0].get_text() == "$t_{o}$"
    fig.savefig(tmp_path / "net.png")  # mathtext must parse


def test_boundary_level_auto_follows_the_output_range(ax):
    X, labels = make_dataset("xor", 30, seed=0)
    sig = plot_decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0] * P[:, 1])), X, labels, ax=ax, grid=20)
    assert sig.levels == [0.5] and sig.contour is not None
    tanh = plot_decision_boundary(lambda P: np.tanh(P[:, 0] * P[:, 1]), X, labels, ax=ax, grid=20)
    assert tanh.levels == [0.0] and tanh.contour is not None
    fixed = plot_decision_boundary(lambda P: np.tanh(P[:, 0]), X, labels, ax=ax, grid=20, level=0.25)
    assert fixed.levels == [0.25]
    none = plot_decision_boundary(lambda P: np.tanh(P[:, 0]), X, labels, ax=ax, grid=20, level=None)
    assert none.contour is None
    flat = plot_decision_boundary(lambda P: np.full(len(P), 0.9), X, labels, ax=ax, grid=20)
    assert flat.contour is None  # the output never crosses 0.5
    with pytest.raises(ValueError, match="level must be 'auto', None or a finite number"):
        plot_decision_boundary(ring_model, X, labels, ax=ax, level="middle")


def test_boundary_with_three_classes_shows_the_winner(ax):
    X = np.array([[-2.0, 0.0], [0.0, 0.0], [2.0, 0.0]])
    labels = np.array([0, 1, 2])

    def scores(P):  # class k wins near x1 = 2k - 2
        centres = np.array([-2.0, 0.0, 2.0])
        return -(P[:, :1] - centres[None, :]) ** 2

    art = plot_decision_boundary(scores, X, labels, ax=ax, grid=41)
    Z = np.asarray(art.image.get_array())
    np.testing.assert_array_equal(Z.ravel(), np.argmax(scores(art.grid_X), axis=1))
    assert art.levels == [0.5, 1.5] and art.image.get_clim() == (-0.5, 2.5)


def test_rbf_layers_are_drawn_as_centres(ax):
    network = pytest.importorskip("nnlib.network")
    centres = np.array([[0.0, 1.0, -1.0], [0.5, -0.5, 1.0]])  # column j: centre of unit j
    rbf = network.Network([centres, np.array([[1.0], [-2.0], [0.5]])], [np.zeros(3), np.zeros(1)],
                          ["gaussian", "identity"], inputs=["squared_distance", "weighted_sum"])
    art = draw_network(rbf, ax=ax)
    assert art.distance_layers == (0,)
    colours = art.edges.get_colors()
    np.testing.assert_allclose(colours[:6], [matplotlib.colors.to_rgba("0.45")] * 6)
    np.testing.assert_allclose(colours[7], matplotlib.colors.to_rgba(NEGATIVE))  # the -2 of layer 1
    styles = art.edges.get_linestyles()
    assert styles[0] != styles[6]  # dashed centres, solid weights
    widths = np.asarray(art.edges.get_linewidths())
    assert widths[7] == max(widths[6:])  # widths of the weighted-sum layer scale with |w| there
    captions = [t.get_text() for t in ax.texts]
    assert "hidden 1\n(distance, gaussian)" in captions


@pytest.mark.parametrize("figsize, rect", [((5.0, 3.5), None), ((10.8, 3.4), [0.65, 0.0, 0.35, 0.95])])
def test_network_diagram_weight_labels_overlap_neither_units_nor_each_other(figsize, rect):
    """The labels of the 2-2-1 diagrams (notebooks 03 and 06, the XOR builder) are legible:
    their screen boxes overlap no unit, no bias label and no other weight label, and each
    sits beside its line (a few points off it), not on it."""
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from nnlib.plotting.diagram import LABEL_OFFSET_PT

    fig = Figure(figsize=figsize, dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot() if rect is None else fig.add_axes(rect)  # rect: the XOR builder's
    W = [np.array([[2.0, -2.0], [2.0, -2.0]]), np.array([[1.0], [1.0]])]
    art = draw_network((W, [np.array([-1.0, 3.0]), np.array([-1.5])]), ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for texts in art.weight_texts for t in texts.ravel()]
    boxes = [t.get_window_extent(renderer) for t in labels]
    others = [t.get_window_extent(renderer) for texts in art.bias_texts for t in texts]
    others += [c.get_window_extent(renderer) for layer in art.units for c in layer]

    def overlap(a, b):
        w, h = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
        return w > 0.5 and h > 0.5

    for k, a in enumerate(boxes):
        assert not any(overlap(a, b) for b in boxes[k + 1:]), f"label {labels[k].get_text()} overlaps another"
        assert not any(overlap(a, b) for b in others), f"label {labels[k].get_text()} overlaps a unit or bias"
    # beside its own line: the label's centre is LABEL_OFFSET_PT off the edge
    segments = art.edges.get_segments()
    for t, box, seg in zip(labels, boxes, segments):
        (xa, ya), (xb, yb) = ax.transData.transform(seg)
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        dist = abs((xb - xa) * (ya - cy) - (xa - cx) * (yb - ya)) / np.hypot(xb - xa, yb - ya)
        assert dist == pytest.approx(LABEL_OFFSET_PT * 80 / 72, abs=1.5)
