"""Headless tests of the decision-boundary lab (notebook 09): training, state line, clamping,
and what the figure shows (artist data), driven through the lab's widgets."""
import html

import numpy as np
import pytest

from nnlib.datasets import features
from nnlib.labs import decision_boundary
from nnlib.labs.boundary import CMAP, STATE_KEYS


def train_until_perfect(lab, max_epochs):
    for epoch in range(1, max_epochs + 1):
        lab.buttons["step"].click()
        if lab.accuracy("train") == 1.0:
            return epoch
    return None


def test_xor_truth_table_is_learned_by_a_2_4_1_tanh_network():
    lab = decision_boundary(dataset="xor-table", hidden="4", activation="tanh", seed=0, batch=4, gamma=0.3, grid=30)
    assert lab.net.sizes == [2, 4, 1]
    assert [a.name for a in lab.net.activations] == ["tanh", "sigmoid"]
    assert lab.accuracy("train") < 1.0  # it is not solved by the initial weights
    epochs = train_until_perfect(lab, 300)
    assert epochs is not None and lab.epoch == epochs
    assert lab.train_loss[-1] < lab.train_loss[0]


def test_xor_clouds_are_learned_by_a_2_4_1_tanh_network():
    lab = decision_boundary(dataset="xor", hidden="4", activation="tanh", seed=0, batch=10, gamma=0.3, grid=30)
    assert train_until_perfect(lab, 400) is not None
    assert lab.accuracy("test") > 0.85


def test_step_play_and_reset():
    lab = decision_boundary(seed=3)
    start = [W.copy() for W in lab.net.W]
    lab.buttons["step"].click()
    assert lab.epoch == 1 and len(lab.train_loss) == 2
    assert "epoch 1" in lab.readout.value
    play = lab.controls["play"]
    play.value += 1  # one tick of the Play widget in the front end
    play.value += 1
    assert lab.epoch == 3
    assert not np.allclose(lab.net.W[0], start[0])
    lab.buttons["reset"].click()
    assert lab.epoch == 0 and len(lab.train_loss) == 1
    for W, W0 in zip(lab.net.W, start):
        np.testing.assert_array_equal(W, W0)  # the same seed gives the same initial weights
    play.value = 0  # the Play widget's stop button: no training
    assert lab.epoch == 0


def test_state_line_round_trips_and_reproduces_training():
    lab = decision_boundary(dataset="spiral", n=120, noise=0.25, test_ratio=0.3, seed=7,
                            features=("x1", "x2", "sin(x1)", "x1*x2"), hidden="5, 3", activation="relu",
                            loss="half_sse", gamma=10 ** -1.5, batch=7, l2=0.001, grid=60)
    line = lab.state_string()
    assert "\n" not in line and line.startswith("dataset=spiral ")
    # a two-class line without edited weights leaves out "classes" and "weights" (it reads
    # exactly as before these keys existed)
    assert [part.split("=")[0] for part in line.split()] == [k for k in STATE_KEYS if k not in ("classes", "l1", "discretize", "weights")]
    assert "features=x1,x2,sin(x1),x1*x2" in line and "hidden=5,3" in line
    twin = decision_boundary(state=line)
    assert twin.state_string() == line
    assert twin.get() == {**lab.get(), "play": twin.controls["play"].value}
    for _ in range(5):
        lab.buttons["step"].click()
        twin.buttons["step"].click()
    for W, W2 in zip(lab.net.W, twin.net.W):
        np.testing.assert_array_equal(W, W2)
    assert lab.train_loss == twin.train_loss and lab.test_loss == twin.test_loss
    # the same line can be loaded into an existing lab
    other = decision_boundary()
    other.load_state(line)
    assert other.state_string() == line and other.epoch == 0
    twin.load_state(line + " colour=red")  # same controls: back to epoch 0, the stray key noted
    assert twin.epoch == 0 and "unknown key 'colour'" in html.unescape(twin.note.value)
    np.testing.assert_array_equal(twin.net.W[0], other.net.W[0])


def test_bad_state_lines_become_notes_not_errors():
    lab = decision_boundary(state="dataset=moon gamma=abc colour=red junk hidden=4 seed=5")
    note = html.unescape(lab.note.value)
    assert "not one of" in note and "'moon'" in note
    assert "gamma='abc' is not a number" in " ".join(lab.notes)
    assert "unknown key 'colour'" in " ".join(lab.notes)
    assert lab.controls["dataset"].value == "circle" and lab.controls["seed"].value == 5
    assert lab.net.sizes == [2, 4, 1]


def test_out_of_range_values_are_clamped_with_a_note():
    lab = decision_boundary()
    lab.set(hidden="12, 0, x", gamma=100.0, batch=0, noise=-1, features=["x1", "x3"])
    assert lab.controls["hidden"].value == "8, 1"
    assert lab.net.sizes == [1, 8, 1, 1]
    assert lab.controls["gamma"].value == pytest.approx(10.0)
    assert lab.controls["batch"].value == 1 and lab.controls["noise"].value == 0.0
    assert lab.controls["features"].value == ("x1",)
    note = html.unescape(lab.note.value)
    assert "clamped" in note
    assert "x3" in " ".join(lab.notes) and "outside [1, 8]" in " ".join(lab.notes)
    lab.set(hidden="1,1,1,1,1,1")
    assert lab.hidden == [1, 1, 1, 1] and "at most 4 hidden layers" in " ".join(lab.notes)
    lab.set(features=[])
    assert lab.controls["features"].value == ("x1",)
    # a batch larger than the training set is used as a full batch, not an error
    lab.set(batch=500)
    lab.buttons["step"].click()
    assert lab.epoch == 1


def test_figure_shows_the_network_output_units_weights_and_losses():
    lab = decision_boundary(grid=40, hidden="3", seed=1)
    for _ in range(3):
        lab.buttons["step"].click()
    lo, hi = lab.window
    t = np.linspace(lo, hi, 40)
    x1, x2 = np.meshgrid(t, t)
    expected = lab.net(features(np.column_stack([x1.ravel(), x2.ravel()]), ["x1", "x2"]))[:, 0].reshape(40, 40)
    np.testing.assert_allclose(lab.output_grid, expected)
    np.testing.assert_array_equal(lab.heatmap.get_array(), CMAP(expected, bytes=True))
    # the output unit's thumbnail is the same function on the coarse grid, hidden ones in [-1, 1]
    assert np.max(np.abs(lab.unit_values[1][0])) == pytest.approx(1.0)
    # one thumbnail per unit: 2 inputs, 3 hidden, 1 output
    assert [len(col) for col in lab.unit_slots] == [2, 3, 1]
    # one line per weight, thickness growing with |w|, colour by sign
    W = np.concatenate([w.ravel() for w in lab.net.W])
    assert len(lab.weight_lines.get_segments()) == W.size == 2 * 3 + 3 * 1
    widths = np.asarray(lab.weight_lines.get_linewidths())
    order = np.argsort(np.abs(W))
    assert np.all(np.diff(widths[order]) >= -1e-12)
    colours = lab.weight_lines.get_colors()
    assert np.all((colours[:, 2] > colours[:, 0]) == (W > 0))  # blue for +, orange for -
    np.testing.assert_allclose(lab.train_curve.get_ydata(), lab.train_loss)
    np.testing.assert_allclose(lab.test_curve.get_ydata(), lab.test_loss)
    assert len(lab.train_points.get_offsets()) == len(lab.X_train)
    lab.controls["show_test"].value = False
    assert not lab.test_points.get_visible()


def test_frames_reuse_the_static_background():
    lab = decision_boundary(seed=2)
    full, renders = lab.fig_view.full_renders, lab.fig_view.renders
    before = lab.fig_view.png()
    lab.buttons["step"].click()
    lab.buttons["step"].click()
    assert lab.fig_view.renders == renders + 2
    assert lab.fig_view.full_renders == full  # epochs 1, 2 fit in the first loss-axis range
    assert lab.fig_view.png() != before
    lab.set(hidden="2")  # a new architecture rebuilds the figure
    assert lab.fig_view.full_renders == full + 1
    assert [len(col) for col in lab.unit_slots] == [2, 2, 1]


def test_dataset_changes_and_regenerate():
    lab = decision_boundary(dataset="gaussians", n=100, test_ratio=0.2, seed=4)
    assert len(lab.X_train) == 80 and len(lab.X_test) == 20
    X = lab.X_train.copy()
    lab.buttons["regenerate"].click()
    assert lab.controls["seed"].value == 5 and not np.array_equal(lab.X_train, X)
    lab.set(dataset="and-table")
    np.testing.assert_array_equal(lab.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(lab.l_train, [0, 0, 0, 1])
    assert lab.window == (-0.5, 1.5)
    assert "truth table" in html.unescape(lab.note.value)


def test_grading_mode_shrinks_the_work(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    lab = decision_boundary()
    assert lab.controls["grid"].value == 30 and lab.controls["n"].value == 100
    assert lab.output_grid.shape == (30, 30)


def test_text_repr_is_the_state_line():
    lab = decision_boundary()
    assert repr(lab) == f"BoundaryLab({lab.state_string()}): epoch 0"
    assert "0x" not in repr(lab)


# --- editing single weights -----------------------------------------------------------------

def _grid_features(lab, g):
    lo, hi = lab.window
    t = np.linspace(lo, hi, g)
    x1, x2 = np.meshgrid(t, t)
    return features(np.column_stack([x1.ravel(), x2.ravel()]), list(lab.controls["features"].value))


def test_weight_names_cover_every_parameter_in_course_notation():
    lab = decision_boundary(hidden="4, 2", features=("x1", "x2", "sin(x1)"), grid=20)
    names = lab.weight_names()
    assert len(names) == lab.net.n_params == 3 * 4 + 4 + 4 * 2 + 2 + 2 * 1 + 1
    labels = dict((n, label) for label, n in names)
    assert labels["W1[0,2]"] == "W1[0,2] (x1 -> h1.3)"
    assert labels["W1[2,0]"] == "W1[2,0] (sin(x1) -> h1.1)"
    assert labels["W2[3,1]"] == "W2[3,1] (h1.4 -> h2.2)"
    assert labels["W3[1,0]"] == "W3[1,0] (h2.2 -> out)"
    assert labels["b2[0]"] == "b2[0] (bias of h2.1)"
    # every name reads the array element it promises: Wl[i,j] is net.W[l-1][i, j]
    for l, (W, b) in enumerate(zip(lab.net.W, lab.net.b), start=1):
        for (i, j), w in np.ndenumerate(W):
            assert lab.get_param(f"W{l}[{i},{j}]") == w
        for j, v in enumerate(b):
            assert lab.get_param(f"b{l}[{j}]") == v
    assert [n for _, n in lab.weight_controls["param"].options] == [n for _, n in names]


def test_editing_a_weight_in_the_widgets_updates_network_heatmaps_and_loss_as_nnlib_computes():
    from nnlib.losses import loss_value

    lab = decision_boundary(dataset="xor", hidden="3", seed=1, grid=30)
    for _ in range(2):
        lab.buttons["step"].click()
    expected_net = lab.net.copy()
    old_w = float(lab.net.W[0][1, 2])
    new_w = -old_w + (2.5 if old_w <= 0 else -2.5)  # another sign and size
    expected_net.W[0][1, 2] = new_w
    before_png = lab.fig_view.png()

    lab.weight_controls["param"].value = "W1[1,2]"
    assert lab.weight_controls["value"].value == old_w  # choosing only shows the value
    assert lab.net.W[0][1, 2] == old_w
    lab.weight_controls["value"].value = new_w  # what typing into the box does

    for W, W2 in zip(lab.net.W, expected_net.W):
        np.testing.assert_array_equal(W, W2)
    assert lab.edits == [("W1[1,2]", new_w, 2)]
    expected_grid = expected_net(_grid_features(lab, 30))[:, 0].reshape(30, 30)
    np.testing.assert_allclose(lab.output_grid, expected_grid, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(lab.heatmap.get_array(), CMAP(lab.output_grid, bytes=True))
    # the hidden unit h1.3 that the weight feeds shows the new function on the thumbnail grid
    thumb = expected_net.forward(lab.F_thumb).y[1][:, 2].reshape(24, 24)
    np.testing.assert_allclose(lab.unit_values[1][2], thumb / np.max(np.abs(thumb)))
    # the loss readout and the last point of the curves are the edited network's loss
    d = lab.l_train.reshape(-1, 1).astype(float)
    loss = loss_value("bce", expected_net(lab.F_train), d, "mean")
    assert lab.train_loss[-1] == pytest.approx(loss, rel=1e-12) and len(lab.train_loss) == 3
    readout = html.unescape(lab.readout.value)
    assert f"train loss <b>{loss:.4g}</b>" in readout
    # the diagram: the line of W1[1,2] (index 1 * 3 + 2 of the first layer's lines) changed colour
    colours = lab.weight_lines.get_colors()
    assert (colours[1 * 3 + 2, 2] > colours[1 * 3 + 2, 0]) == (new_w > 0)
    half = lab._thumb_size[0] / 2  # the line runs from edge to edge of the two units
    np.testing.assert_allclose(lab.selection_mark.get_xydata(),
                               [np.add(lab.centres[0][1], (half, 0)), np.subtract(lab.centres[1][2], (half, 0))])
    assert lab.fig_view.png() != before_png
    assert "1 weight edit" in html.unescape(lab.state_text.value)


def test_training_continues_from_the_edited_value():
    import copy

    from nnlib.train import train

    lab = decision_boundary(dataset="gaussians", hidden="2", seed=5, grid=20, batch=7, gamma=0.2, l2=0.01)
    lab.buttons["step"].click()
    lab.set_bias(1, 1, -3.0)
    lab.set_weight(2, 0, 0, 4.0)
    assert lab.net.b[0][1] == -3.0 and lab.net.W[1][0, 0] == 4.0
    reference = lab.net.copy()
    rng = copy.deepcopy(lab.state._shuffle_rng)
    lab.buttons["step"].click()
    train(reference, lab.F_train, lab.l_train.reshape(-1, 1).astype(float), loss="bce", gamma=0.2, epochs=1,
          batch_size=7, l2=0.01, seed=rng)
    for W, W2 in zip(lab.net.W + lab.net.b, reference.W + reference.b):
        np.testing.assert_array_equal(W, W2)
    assert lab.epoch == 2 and len(lab.train_loss) == 3
    # the editor shows the trained value of the chosen parameter, not the edited one
    assert lab.weight_controls["param"].value == "W2[0,0]"
    assert lab.weight_controls["value"].value == lab.net.W[1][0, 0] != 4.0
    # reset forgets the edits: the initial weights from the seed again
    lab.buttons["reset"].click()
    assert lab.edits == [] and lab.net.b[0][1] != -3.0


def test_slider_edits_and_bad_edits_become_notes():
    lab = decision_boundary(hidden="3", seed=0, grid=20)
    lab.weight_controls["param"].value = "b1[2]"
    for v in (0.5, 0.75, 1.0, 1.25):  # a drag: several events, one edit in the list
        lab.weight_controls["slider"].value = v
    assert lab.net.b[0][2] == 1.25 and lab.weight_controls["value"].value == 1.25
    assert lab.edits == [("b1[2]", 1.25, 0)]
    np.testing.assert_allclose(lab.selection_mark.get_xdata()[:2] - lab.centres[1][2][0],
                               [-lab._thumb_size[0] / 2 - 0.006, lab._thumb_size[0] / 2 + 0.006])
    # out of range: clamped, with a note, and the box shows what was used
    lab.weight_controls["value"].value = 50.0
    assert lab.net.b[0][2] == 10.0 and lab.weight_controls["value"].value == 10.0
    assert "outside [-10, 10]; clamped to 10" in html.unescape(lab.note.value)
    # NaN, inf and non-numbers: rejected, the value stays
    for bad in (float("nan"), float("inf")):
        lab.weight_controls["value"].value = bad
        assert lab.net.b[0][2] == 10.0 and lab.weight_controls["value"].value == 10.0
        assert "is not a finite number; kept 10" in html.unescape(lab.note.value)
    W = [w.copy() for w in lab.net.W]
    lab.set_weight(1, 0, "x", 1.0)
    assert "j (to unit) must be 0 .. 2; got 'x'" in lab.notes[0]
    lab.set_weight(3, 0, 0, 1.0)
    assert "layer must be 1 .. 2 (W1 is net.W[0]); got 3" in lab.notes[0]
    lab.set_bias(2, 1, 1.0)
    assert "b2 has shape (1,): j (unit) must be 0 .. 0; got 1" in lab.notes[0]
    lab.set_param("W1[0]", 1.0)
    assert "is not a parameter name" in html.unescape(lab.note.value)
    lab.set_weight(1, 0, 0, "big")
    assert "'big' is not a finite number" in lab.notes[0]
    for w, w0 in zip(lab.net.W, W):
        np.testing.assert_array_equal(w, w0)


def test_a_new_architecture_refreshes_the_editor():
    lab = decision_boundary(hidden="2", seed=0, grid=20)
    lab.weight_controls["param"].value = "W2[1,0]"
    lab.set(hidden="3, 2")
    names = [n for _, n in lab.weight_controls["param"].options]
    assert len(names) == lab.net.n_params and "W3[1,0]" in names
    assert lab.weight_controls["param"].value == "W2[1,0]"  # still exists, so still chosen
    assert lab.weight_controls["value"].value == lab.net.W[1][1, 0]
    lab.set(hidden="1")
    assert lab.weight_controls["param"].value == "W1[0,0]"  # W2[1,0] is gone: the first one


def test_the_browser_echoing_a_shown_value_is_not_an_edit():
    # The front end answers the value the lab shows with that value snapped to the slider's
    # step, possibly after further epochs; that must not pull the weight back during Play.
    lab = decision_boundary(seed=0, grid=20)
    lab.weight_controls["param"].value = "W1[0,0]"
    play, slider = lab.controls["play"], lab.weight_controls["slider"]
    for _ in range(3):
        play.value += 1
        shown = slider.value
        play.value += 1  # the next tick arrives before the echo
        W = lab.net.W[0].copy()
        slider.value = round(shown, 2)  # the echo: the shown value on the slider's 0.01 grid
        lab.weight_controls["value"].value = float(f"{lab.weight_controls['value'].value:.12g}")
        np.testing.assert_array_equal(lab.net.W[0], W)
    assert lab.edits == [] and "weight edit" not in lab.state_text.value
    slider.value = round(shown, 2) + 0.5  # a real drag still edits
    assert lab.net.W[0][0, 0] == round(shown, 2) + 0.5 and len(lab.edits) == 1


def test_weights_edited_before_training_are_part_of_the_state_line():
    lab = decision_boundary(dataset="xor", hidden="3", seed=2, grid=20)
    plain = lab.state_string()
    lab.set_weight(1, 0, 2, 1.5)
    lab.set_bias(2, 0, -0.1)
    lab.set_weight(1, 0, 2, 2.0)  # the later value of the same weight counts
    line = lab.state_string()
    assert line == plain + " weights=W1[0,2]:2;b2[0]:-0.1"
    assert "weight edit" not in lab.state_text.value  # nothing is left out of the line
    twin = decision_boundary(state=line)
    assert twin.state_string() == line and twin.notes == []
    for p, p2 in zip(lab.net.params(), twin.net.params()):
        np.testing.assert_array_equal(p, p2)
    assert twin.train_loss == lab.train_loss  # the loss of the edited network at epoch 0
    for _ in range(3):
        lab.buttons["step"].click()
        twin.buttons["step"].click()
    for p, p2 in zip(lab.net.params(), twin.net.params()):
        np.testing.assert_array_equal(p, p2)
    # an edit after training is not in the line, and the lab says so
    lab.set_bias(1, 1, 0.25)
    assert lab.state_string() == line
    assert "1 weight edit after epoch 0 (not recorded in the line" in html.unescape(lab.state_text.value)
    # load_state restarts at epoch 0 with the line's weights; a keyword works as well
    other = decision_boundary(hidden="3", seed=2)
    other.set_weight(1, 0, 0, 5.0)
    other.load_state(line)
    assert other.epoch == 0 and other.state_string() == line
    for p, p2 in zip(other.net.params(), decision_boundary(state=line).net.params()):
        np.testing.assert_array_equal(p, p2)
    assert other.net.W[0][0, 2] == 2.0 and other.net.b[1][0] == -0.1
    assert decision_boundary(state=plain, weights="W1[0,2]:2;b2[0]:-0.1").state_string() == line
    # malformed parts become notes
    bad = decision_boundary(state=plain + " weights=W1[0,2]:x;W9[0,0]:1;b1[0]:50;junk")
    notes = " ".join(bad.notes)
    assert "could not convert string to float: 'x'" in notes and "layer must be 1 .. 2" in notes
    assert "clamped to 10" in notes and "'junk' is not name:value" in notes
    assert bad.net.b[0][0] == 10.0 and bad.state_string() == plain + " weights=b1[0]:10"


def test_a_step_from_the_browser_sends_the_picture_first_then_the_text(monkeypatch):
    """In the kernel, a click is answered with the new frame first; the readout, state line
    and weight editor (held back, and computed only after the frame) follow it."""
    import asyncio

    import ipywidgets as widgets

    from nnlib.labs import _base

    lab = decision_boundary()
    lab.weight_controls["param"].value = lab.weight_controls["param"].options[0][1]
    sent = []
    monkeypatch.setattr(widgets.Widget, "_send", lambda self, msg, buffers=None: sent.append((self, msg["method"])))
    monkeypatch.setattr(_base, "_handling_frontend_message", lambda: True)

    async def click():
        renders = lab.fig_view.renders
        lab.buttons["step"].click()
        assert lab.fig_view.renders == renders + 1  # a click is drawn at once, not on the next turn
        await asyncio.sleep(0.1)
        assert lab.fig_view.renders == renders + 1  # and once
    asyncio.run(click())
    frame = next(i for i, (w, method) in enumerate(sent) if w is lab.fig_view.widget and method == "custom")
    held = (lab.readout, lab.state_text, lab.weight_controls["value"], lab.weight_controls["slider"])
    texts = [w for w, method in sent[frame + 1:] if method == "update" and w in held]
    assert lab.readout in texts and lab.weight_controls["slider"] in texts, sent
    assert not [w for w, method in sent[:frame] if w in held], sent
    assert "epoch 1" in lab.readout.value and "epoch 1" in lab.summary()


def test_the_editor_slider_is_set_on_the_grid_the_browser_snaps_to():
    """-5 + k * 0.01 as the browser computes it: otherwise the browser answers every update
    with its own rounding, one more message per change."""
    lab = decision_boundary()
    slider = lab.weight_controls["slider"]
    lab.weight_controls["param"].value = lab.weight_controls["param"].options[0][1]
    for _ in range(5):
        lab.train_epochs(1)
        k = round((slider.value - slider.min) / slider.step)
        assert slider.value == slider.min + k * slider.step
        assert abs(slider.value - lab.weight_controls["value"].value) <= slider.step / 2 + 1e-12
