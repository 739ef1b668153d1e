"""Headless tests of the decision-boundary lab with more than two classes: softmax output,
categorical cross-entropy or squared error on one-hot targets, argmax accuracy, the class-map
heatmap, the ``classes`` control in the one-line state (two-class lines unchanged)."""
import html

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from nnlib.datasets import features, make_dataset, train_test_split
from nnlib.labs import decision_boundary
from nnlib.labs.boundary import NEUTRAL, STATE_KEYS, class_rgba
from nnlib.losses import loss_value, to_one_hot
from nnlib.plotting import CLASS_COLOURS, plot_decision_boundary
from test_labs_boundary import _grid_features  # the lab's plane as feature rows


def test_three_gaussians_are_learned_to_95_percent_with_softmax_and_cross_entropy():
    lab = decision_boundary(dataset="gaussians", classes=3, seed=0, hidden="4, 4", grid=30)
    assert lab.net.sizes == [2, 4, 4, 3]
    assert [a.name for a in lab.net.activations] == ["tanh", "tanh", "softmax"]
    assert lab.loss_name == "cross_entropy"
    assert sorted(np.unique(np.concatenate([lab.l_train, lab.l_test]))) == [0, 1, 2]
    assert lab.accuracy("train") < 0.95  # the initial weights do not solve it
    for epoch in range(1, 301):
        lab.buttons["step"].click()
        if lab.accuracy("train") >= 0.95:
            break
    assert lab.accuracy("train") >= 0.95, f"{lab.accuracy('train')} after {epoch} epochs"
    assert lab.accuracy("test") >= 0.85
    assert lab.train_loss[-1] < lab.train_loss[0]
    # the data are nnlib's three-class Gaussians, split as the two-class sets are
    X, labels = make_dataset("gaussians", 200, 0.0, seed=0, n_classes=3)
    X_tr, _, l_tr, _ = train_test_split(X, labels, 0.5, seed=1)
    np.testing.assert_array_equal(lab.X_train, X_tr)
    np.testing.assert_array_equal(lab.l_train, l_tr)


@pytest.mark.parametrize("loss, nnlib_loss", [("bce", "cross_entropy"), ("half_sse", "half_sse")])
def test_losses_and_accuracy_are_nnlibs_on_one_hot_targets(loss, nnlib_loss):
    lab = decision_boundary(dataset="spiral", classes=4, n=120, loss=loss, seed=2, grid=20)
    for _ in range(3):
        lab.buttons["step"].click()
    assert lab.loss_name == nnlib_loss
    for F, labels, curve in ((lab.F_train, lab.l_train, lab.train_loss), (lab.F_test, lab.l_test, lab.test_loss)):
        expected = loss_value(nnlib_loss, lab.net(F), to_one_hot(labels, 4), "mean")
        assert curve[-1] == pytest.approx(expected, rel=1e-12)
    pred = np.argmax(lab.net(lab.F_test), axis=1)
    assert lab.accuracy("test") == np.mean(pred == lab.l_test)
    readout = html.unescape(lab.readout.value)
    assert f"softmax output (4 classes, {nnlib_loss})" in readout


def test_squared_error_with_three_classes_learns_too():
    lab = decision_boundary(dataset="gaussians", classes=3, loss="half_sse", seed=0, grid=20)
    lab.train_epochs(100)
    assert lab.accuracy("train") >= 0.95
    assert lab.train_loss[-1] < 0.5 * lab.train_loss[0]


def test_heatmap_is_the_winning_class_with_confidence_as_intensity():
    lab = decision_boundary(dataset="gaussians", classes=3, seed=1, grid=40)
    lab.train_epochs(20)
    lab.redraw()
    P = lab.net(_grid_features(lab, 40)).reshape(40, 40, 3)
    np.testing.assert_allclose(lab.output_grid, P, rtol=0, atol=1e-15)
    rgba = lab.heatmap.get_array()
    np.testing.assert_array_equal(rgba, class_rgba(P))
    # checked independently of class_rgba: a pixel's colour lies on the segment from the
    # neutral grey to its argmax class's colour, at the confidence (max P - 1/3) / (2/3)
    grey, colours = np.array(to_rgb(NEUTRAL)), np.array([to_rgb(c) for c in CLASS_COLOURS[:3]])
    for r, c in [(0, 0), (20, 20), (39, 5), (10, 33)]:
        p = P[r, c]
        conf = (p.max() - 1 / 3) / (2 / 3)
        expected = grey + conf * (colours[np.argmax(p)] - grey)
        np.testing.assert_allclose(rgba[r, c, :3] / 255, expected, atol=0.6 / 255)
    # pure confidence gives the class colour itself, an even split the grey
    even_and_sure = class_rgba(np.array([[1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(even_and_sure[0, :3], np.round(255 * grey))
    np.testing.assert_array_equal(even_and_sure[1, :3], np.round(255 * colours[2]))
    # nnlib.plotting.plot_decision_boundary draws the same class map for k > 2 outputs
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    lo, hi = lab.window
    art = plot_decision_boundary(lambda Q: lab.net(features(Q, ["x1", "x2"])), lab.X_train, lab.l_train, ax=ax,
                                 grid=40, xlim=(lo, hi), ylim=(lo, hi))
    np.testing.assert_array_equal(art.Z, np.argmax(P, axis=2))
    # points in class colours, one output thumbnail per class showing P(class j)
    fc = lab.train_points.get_facecolors()[:, :3]
    np.testing.assert_allclose(fc, colours[lab.l_train])
    assert len(lab.unit_slots[-1]) == 3
    thumbs = lab.net.forward(lab.F_thumb).y[-1]
    for j in range(3):
        np.testing.assert_allclose(lab.unit_values[-1][j], thumbs[:, j].reshape(24, 24))
    assert "winning class of 3" in lab.ax_out.get_title()


def test_state_line_with_classes_round_trips_and_two_class_lines_are_unchanged():
    lab = decision_boundary(dataset="spiral", classes=3, n=90, seed=4, hidden="6", features=("x1", "x2", "sin(x1)"),
                            gamma=0.05, grid=20)
    line = lab.state_string()
    assert line.startswith("dataset=spiral classes=3 n=90 ")
    assert [part.split("=")[0] for part in line.split()] == [k for k in STATE_KEYS if k not in ("l1", "discretize", "weights")]
    twin = decision_boundary(state=line)
    assert twin.state_string() == line and twin.net.sizes == [3, 6, 3]
    for _ in range(4):
        lab.buttons["step"].click()
        twin.buttons["step"].click()
    for W, W2 in zip(lab.net.W, twin.net.W):
        np.testing.assert_array_equal(W, W2)
    # a line written before the control existed (no "classes") means two classes
    old = ("dataset=gaussians n=200 noise=0.2 test_ratio=0.5 seed=3 features=x1,x2 hidden=4,2 "
           "activation=tanh loss=bce gamma=0.1 batch=10 l2=0 grid=30")
    twin.load_state(old)
    assert twin.n_classes == 2 and twin.net.sizes == [2, 4, 2, 1] and twin.state_string() == old
    assert twin.notes == []
    fresh = decision_boundary(state=old)
    assert fresh.state_string() == old and fresh.summary() == f"BoundaryLab({old}): epoch 0"
    # keyword arguments still override the line
    assert decision_boundary(state=old, classes=4).net.sizes == [2, 4, 2, 4]


def test_classes_and_two_class_datasets_are_reconciled_with_a_note():
    lab = decision_boundary(grid=20)  # circle
    lab.set(classes=3)
    assert lab.controls["dataset"].value == "gaussians" and lab.n_classes == 3
    assert "circle has two classes; switched to the Gaussian blobs" in html.unescape(lab.note.value)
    lab.set(dataset="xor-table")
    assert lab.n_classes == 2 and lab.net.sizes[-1] == 1
    assert "xor-table has two classes; classes set back to 2" in " ".join(lab.notes)
    lab.set(dataset="spiral", classes=7)
    assert lab.n_classes == 4 and "classes=7 is outside [2, 4]; clamped to 4" in " ".join(lab.notes)
    lab.set(classes="many")
    assert lab.n_classes == 4 and "not one of [2, 3, 4]" in " ".join(lab.notes)
    lab.controls["classes"].value = 2  # the dropdown, as the browser sets it
    assert lab.net.sizes[-1] == 1 and lab.state_string().startswith("dataset=spiral n=")
    bad = decision_boundary(state="dataset=circle classes=3 seed=1", grid=20)
    assert bad.controls["dataset"].value == "gaussians" and bad.n_classes == 3


def test_weight_editor_names_the_class_units():
    lab = decision_boundary(dataset="gaussians", classes=3, hidden="2", grid=20)
    labels = [label for label, _ in lab.weight_names()]
    assert "W2[1,2] (h1.2 -> class 2)" in labels and "b2[0] (bias of class 0)" in labels
    lab.set_bias(2, 2, 8.0)  # class 2 wins almost everywhere now
    assert np.mean(np.argmax(lab.output_grid, axis=2) == 2) > 0.9
    assert lab.accuracy("train") == pytest.approx(np.mean(lab.l_train == 2), abs=0.1)
