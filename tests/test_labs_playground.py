"""The decision-boundary lab's state without widgets (nnlib.labs.playground), its Playground
parity features (L1, regression, discretize, click a line, hover a unit) and the γ redraw."""
import numpy as np
import pytest

from nnlib.backprop import gradients
from nnlib.labs import decision_boundary
from nnlib.labs.playground import Playground, parse_state
from nnlib.labs.regression import make_regression, regression_target
from nnlib.losses import loss_value
from nnlib.train import minibatches


def test_playground_state_needs_no_widgets_and_rebuilds_only_what_changed():
    import sys

    state = Playground(dataset="xor", hidden="3", grid=20, seed=1)
    assert "ipywidgets" not in Playground.__module__ and state.net.sizes == [2, 3, 1]
    X = state.X_train.copy()
    assert state.update(gamma=0.3) == {"gamma"}
    np.testing.assert_array_equal(state.X_train, X)  # γ is no reason for new data
    assert state.train_epochs(3) and state.epoch == 3
    state.update(seed=2)  # new data, new network, epoch 0
    assert state.epoch == 0 and not np.array_equal(state.X_train, X)
    with pytest.raises(TypeError, match="unknown configuration keys"):
        state.update(gama=0.1)
    assert "nnlib.labs.playground" in sys.modules


def test_l1_epoch_is_minibatch_sgd_on_the_l1_penalised_loss():
    state = Playground(dataset="circle", hidden="4", grid=20, seed=3, l1=0.01, gamma=0.2, batch=25)
    net = state.net.copy()
    rng = np.random.default_rng(3 + 3)  # the lab's shuffling generator, seeded as in reset()
    d = state.targets(state.l_train)
    for idx in minibatches(len(state.F_train), 25, rng):
        _, g = gradients(net, state.F_train[idx], d[idx], "bce", reduction="mean")
        for l in range(net.L):
            net.W[l] -= 0.2 * (g.dW[l] + 0.01 * np.sign(net.W[l]))
            net.b[l] -= 0.2 * g.db[l]
    assert state.train_epochs(1)
    for W, W_expected in zip(state.net.W, net.W):
        np.testing.assert_allclose(W, W_expected, rtol=0, atol=1e-12)
    # L1 pulls weights to zero: after training, more small weights than without it
    plain = Playground(dataset="circle", hidden="4", grid=20, seed=3, gamma=0.2, batch=25)
    state.update(l1=0.05)
    state.train_epochs(60)
    plain.train_epochs(61)
    small = lambda s: sum(int(np.sum(np.abs(W) < 0.05)) for W in s.net.W)
    assert small(state) > small(plain)


def test_regression_datasets_and_training():
    X, y = make_regression("reg-plane", n=50, noise=0.0, seed=0)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 12)
    assert np.all(np.abs(regression_target("reg-gauss", X)) <= 1)
    with pytest.raises(ValueError, match="unknown regression dataset"):
        make_regression("moons")
    lab = decision_boundary(dataset="reg-plane", hidden="3", grid=20, gamma=0.05)
    assert lab.is_regression and lab.net.activations[-1].name == "identity" and lab.loss_name == "half_sse"
    assert np.isnan(lab.accuracy()) and "regression" in lab.readout.value
    start = lab.train_loss[-1]
    for _ in range(30):
        lab.buttons["step"].click()
    assert lab.train_loss[-1] < 0.2 * start
    expected = loss_value("half_sse", lab.net(lab.F_train), lab.l_train.reshape(-1, 1), "mean")
    assert lab.train_loss[-1] == pytest.approx(expected)
    line = lab.state_string()
    assert line.startswith("dataset=reg-plane ") and decision_boundary(state=line).state_string() == line


def test_discretize_shows_the_classes_without_shades():
    lab = decision_boundary(grid=20, seed=1)
    smooth = lab.heatmap.get_array().copy()
    lab.set(discretize=True)
    sharp = lab.heatmap.get_array()
    assert len(np.unique(sharp.reshape(-1, 4), axis=0)) == 2 < len(np.unique(smooth.reshape(-1, 4), axis=0))
    assert "discretize=1" in lab.state_string() and "(discretized)" in lab.picture.title.get_text()
    values, _ = parse_state("dataset=circle grid=20")
    assert values["discretize"] is False and values["l1"] == 0.0  # old lines: the defaults


def _pixel(lab, x, y):
    """Image pixel (origin top left) of diagram point (x, y)."""
    from nnlib.labs.boundary_figure import DIAGRAM

    w, h = lab.fig_view.size_px
    return (DIAGRAM[0] + x * DIAGRAM[2]) * w, h - (DIAGRAM[1] + y * DIAGRAM[3]) * h


def test_click_on_a_line_picks_its_weight_and_on_a_unit_its_bias():
    lab = decision_boundary(hidden="3", grid=20)
    (x0, y0), (x1, y1) = lab.centres[0][1], lab.centres[1][2]
    half = lab._thumb_size[0] / 2
    a, b = np.array([x0 + half, y0]), np.array([x1 - half, y1])
    assert lab.click(*_pixel(lab, *(a + 0.4 * (b - a)))) == "W1[1,2]"
    assert lab.weight_controls["param"].value == "W1[1,2]"
    assert lab.click(*_pixel(lab, *lab.centres[2][0])) == "b2[0]"
    assert lab.click(2, 2) is None  # a corner of the picture: nothing


def test_hover_on_a_unit_enlarges_its_output():
    lab = decision_boundary(hidden="3", grid=20)
    output = lab.heatmap.get_array().copy()
    assert lab.hover(*_pixel(lab, *lab.centres[1][0])) == (1, 0)
    v = lab.net.forward(lab.F_grid).y[1][:, 0].reshape(20, 20)
    from nnlib.plotting import PLAYGROUND_CMAP

    expected = PLAYGROUND_CMAP((v / np.max(np.abs(v)) + 1) / 2, bytes=True)
    np.testing.assert_array_equal(lab.heatmap.get_array(), expected)
    assert "h1.1" in lab.picture.title.get_text()
    lab.hover(None, None)  # the pointer left
    np.testing.assert_array_equal(lab.heatmap.get_array(), output)


def test_gamma_and_the_other_training_settings_redraw_the_picture():
    lab = decision_boundary(grid=20)
    before, renders = lab.fig_view.png(), lab.fig_view.renders
    lab.controls["gamma"].value = 0.3
    assert lab.fig_view.renders == renders + 1 and lab.fig_view.png() != before
    assert lab.picture.settings_text.get_text().startswith("γ = 0.3, batch 10")
    lab.set(epochs_per_frame=5, l1=0.001)
    assert lab.picture.settings_text.get_text().endswith("L1 0.001; play: 5 epochs/frame")


def test_a_play_frame_trains_epochs_per_frame_and_divergence_stops_it():
    lab = decision_boundary(grid=20, epochs_per_frame=4)
    assert lab.frames.frame() and lab.epoch == 4 and lab.frames.frames == 1
    lab.set(dataset="reg-plane", gamma=10.0, activation="identity", hidden="8, 8", batch=1)
    play = lab.controls["play"]
    play.playing = True  # outside a kernel nothing runs by itself; frames are driven here
    for _ in range(50):
        if not lab.frames.frame():
            break
    assert lab.diverged and "diverged" in " ".join(lab.notes) and not play.playing


def test_frame_loop_runs_on_the_event_loop_and_pause_stops_it_within_a_frame():
    """What the kernel does when the browser presses Play and then Pause: the frames run as a
    task on the asyncio loop, yielding between frames, and stop at the next frame boundary."""
    import asyncio

    lab = decision_boundary(grid=20)
    play = lab.controls["play"]

    async def session():
        play.playing = True  # the Play button: a task starts on this loop
        while lab.frames.frames < 5:
            await asyncio.sleep(0.001)  # other messages are handled between frames
        play.playing = False  # Pause
        at_pause = lab.frames.frames
        await asyncio.sleep(0.2)
        return at_pause

    at_pause = asyncio.run(session())
    assert lab.frames.frames <= at_pause + 1 and lab.epoch == lab.frames.frames
    assert lab.fig_view.renders >= lab.frames.frames
    # the editor's boxes follow only every 4th frame during Play, and exactly on Pause
    name = lab.weight_controls["param"].value
    assert lab.weight_controls["value"].value == lab.get_param(name)
