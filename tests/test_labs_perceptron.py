"""Headless tests of the step-through perceptron lab (notebook 04).

Buttons are clicked as the browser would click them; the assertions look at the weights the
lab computed, at the readout and verdict, and at the data of the plotted artists.
"""
import html
import warnings

import numpy as np
import pytest

from nnlib.labs import perceptron
from nnlib.labs.perceptron import MAX_EPOCHS, separable_points
from nnlib.perceptron import perceptron_train, step_neuron
from nnlib.train import ConvergenceWarning


def test_first_steps_on_and_match_a_hand_computation():
    # AND, gamma = 0.5, start w = (0.5, -1), b = 0.25; samples in order (0,0), (0,1), (1,0), (1,1)
    lab = perceptron(data="and", gamma=0.5, w1=0.5, w2=-1.0, b=0.25)
    # k=0: x=(0,0), xi = 0.25 >= 0 -> y=1, d=0: dw = 0.5*(-1)*(0,0) = (0,0), db = -0.5
    lab.buttons["step"].click()
    assert lab.last["updated"] and lab.last["y"] == 1
    np.testing.assert_array_equal(lab.w, [0.5, -1.0])
    assert lab.b == -0.25
    # k=1: x=(0,1), xi = -1 - 0.25 = -1.25 -> y=0=d: no change
    lab.buttons["step"].click()
    assert not lab.last["updated"] and lab.last["xi"] == -1.25
    np.testing.assert_array_equal(lab.w, [0.5, -1.0])
    # k=2: x=(1,0), xi = 0.5 - 0.25 = 0.25 -> y=1, d=0: w = (0.5,-1) - 0.5*(1,0) = (0, -1), b = -0.75
    lab.buttons["step"].click()
    np.testing.assert_array_equal(lab.w, [0.0, -1.0])
    assert lab.b == -0.75
    np.testing.assert_array_equal(lab.last["dw"], [-0.5, 0.0])
    assert "outside the plotted window" in lab.readout.value  # the line x2 = -0.75
    # k=3: x=(1,1), xi = 0 - 1 - 0.75 = -1.75 -> y=0, d=1: w = (0,-1) + 0.5*(1,1) = (0.5, -0.5), b = -0.25
    lab.buttons["step"].click()
    np.testing.assert_array_equal(lab.w, [0.5, -0.5])
    assert lab.b == -0.25
    assert lab.epochs == 1 and lab.pos == 0 and lab.epoch_errors == [3]
    assert [k for k, _, _ in lab.updates] == [0, 2, 3]
    text = html.unescape(lab.readout.value)
    assert "Δw = γ(d − y)x = (0.5, 0.5), Δb = 0.5" in text
    assert "ξ = 0.5·x1 − 0.5·x2 − 0.25 = 0" in text


@pytest.mark.parametrize("order, seed", [("in order", None), ("shuffled", 0), ("shuffled", 7)])
@pytest.mark.parametrize("data", ["and", "or", "nand", "random"])
def test_updates_equal_perceptron_train(data, order, seed):
    lab = perceptron(data=data, order=order, seed=seed or 0, gamma=0.7)
    lab.buttons["run"].click()
    w, b, hist = perceptron_train(lab.X, lab.d, gamma=0.7, seed=seed)
    assert hist.converged and lab.verdict == "converged"
    assert len(lab.updates) == len(hist.updates)
    for (k_lab, w_lab, b_lab), (k, w_ref, b_ref) in zip(lab.updates, hist.updates):
        assert k_lab == k
        np.testing.assert_array_equal(w_lab, w_ref)  # bit for bit: the same arithmetic
        assert b_lab == b_ref
    np.testing.assert_array_equal(lab.w, w)
    assert lab.b == b


def test_xor_updates_equal_perceptron_train_until_the_cycle():
    lab = perceptron(data="xor").run()
    with pytest.warns(ConvergenceWarning):
        _, _, hist = perceptron_train(lab.X, lab.d, epochs=lab.epochs)
    assert len(lab.updates) == len(hist.updates)
    for (k_lab, w_lab, b_lab), (k, w_ref, b_ref) in zip(lab.updates, hist.updates):
        assert k_lab == k and b_lab == b_ref
        np.testing.assert_array_equal(w_lab, w_ref)


@pytest.mark.parametrize("data", ["and", "or", "nand"])
@pytest.mark.parametrize("start", [dict(w1=0.0, w2=0.0, b=0.0), dict(w1=-1.5, w2=2.0, b=0.7),
                                   dict(init="random", seed=3)])
def test_run_to_convergence_on_separable_tables(data, start):
    lab = perceptron(data=data, gamma=0.25, **start)
    lab.buttons["run"].click()
    assert lab.verdict == "converged" and lab.n_wrong == 0
    # the claim is checked independently of the lab's own bookkeeping
    np.testing.assert_array_equal(step_neuron(lab.X, lab.w, lab.b), lab.d)
    assert f"converged (all correct) after {len(lab.updates)} updates" in lab.verdict_box.value
    assert lab.epochs < MAX_EPOCHS


@pytest.mark.parametrize("seed", range(5))
def test_run_to_convergence_on_the_random_separable_set(seed):
    X, d = separable_points(30, seed=seed)
    assert 2 <= d.sum() <= 28
    lab = perceptron(data="random", n=30, seed=seed, init="random", order="shuffled")
    np.testing.assert_array_equal(lab.X, separable_points(30, seed=seed + 1)[0])
    lab.run()
    assert lab.verdict == "converged"
    np.testing.assert_array_equal(step_neuron(lab.X, lab.w, lab.b), lab.d)


@pytest.mark.parametrize("order", ["in order", "shuffled"])
def test_xor_never_converges_and_the_verdict_says_so(order):
    lab = perceptron(data="xor", order=order, gamma=0.3, w1=0.4, w2=-0.2, b=0.1)
    lab.run()
    assert lab.verdict == "cycles" and lab.n_wrong >= 1
    assert "no line separates these points: the rule cycles forever" in html.unescape(lab.verdict_box.value)
    if order == "in order":
        # the repeat is real: the weights at the start of those epochs are equal, and presenting
        # the same samples in the same order from equal weights gives the same pass
        first, again = lab.cycle
        assert first < again
        lab2 = perceptron(data="xor", gamma=0.3, w1=0.4, w2=-0.2, b=0.1)
        starts = []
        for _ in range(again + 1):
            starts.append(np.append(lab2.w, lab2.b))
            lab2.epoch()
        np.testing.assert_allclose(starts[first], starts[again], atol=1e-9)
        steps = lab.presentations
        lab.run()  # once a cycle is found, "run" says so instead of repeating it
        assert lab.presentations == steps and "already cycles" in html.unescape(lab.note.value)
    else:
        assert lab.epochs == MAX_EPOCHS
    # more epochs do not help either: it never gets all four right
    for _ in range(30):
        lab.epoch()
        assert lab.n_wrong >= 1


def test_plotted_line_and_shading_follow_the_current_weights():
    lab = perceptron(data="and", w1=1.0, w2=0.5, b=-0.6)
    for _ in range(6):
        lab.step()
        x1, x2 = (np.asarray(a) for a in lab.line.get_data())
        assert len(x1) == 2
        np.testing.assert_allclose(lab.w[0] * x1 + lab.w[1] * x2 + lab.b, 0, atol=1e-12)
        sides = np.asarray(lab.sides.get_array())
        np.testing.assert_array_equal(sides.ravel(), step_neuron(lab.P, lab.w, lab.b))
        np.testing.assert_array_equal(lab.current.get_offsets(), [lab.last["x"]])
        if lab.last["updated"]:
            # the previous line is the one before the update; the arrows are w_old, Δw, w_new
            p1, p2 = (np.asarray(a) for a in lab.prev_line.get_data())
            wb, bb = lab.last["w_before"], lab.last["b_before"]
            if np.any(wb):
                np.testing.assert_allclose(wb[0] * p1 + wb[1] * p2 + bb, 0, atol=1e-12)
            U, V = np.ma.filled(lab.arrows.U, 0), np.ma.filled(lab.arrows.V, 0)
            drawn = np.column_stack([U, V])
            # one common scale: old + Δw = new, and Δw is parallel to ±x
            np.testing.assert_allclose(drawn[0] + drawn[1], drawn[2], atol=1e-12)
            np.testing.assert_allclose(lab.arrows.get_offsets()[1], drawn[0], atol=1e-12)
            x = lab.last["x"]
            assert drawn[1][0] * x[1] - drawn[1][1] * x[0] == pytest.approx(0, abs=1e-12)
        else:
            assert len(lab.prev_line.get_xdata()) == 0
    np.testing.assert_array_equal(lab.wrong.get_offsets(), lab.X[step_neuron(lab.X, lab.w, lab.b) != lab.d])


def test_the_update_turns_the_line_toward_the_misclassified_point():
    # a misclassified point's potential moves toward its correct side by gamma*(|x|^2 + 1)
    lab = perceptron(data="random", seed=2, gamma=0.1, w1=-1.0, w2=1.0, b=0.0)
    moved = 0
    for _ in range(40):
        lab.step()
        last = lab.last
        if last["updated"]:
            x = last["x"]
            xi_after = x @ lab.w + lab.b
            sign = 1 if last["d"] == 1 else -1
            assert sign * (xi_after - last["xi"]) == pytest.approx(0.1 * (x @ x + 1))
            moved += 1
    assert moved > 0


def test_step_button_changes_the_readout_and_the_figure():
    lab = perceptron()
    before, png = lab.readout.value, lab.fig_view.png()
    lab.buttons["step"].click()
    assert lab.readout.value != before and "0 of 4 samples" in before and "1 of 4 samples" in lab.readout.value
    assert lab.fig_view.png() != png
    lab.buttons["epoch"].click()
    assert lab.pos == 0 and lab.epochs == 1 and lab.presentations == 4
    lab.buttons["reset"].click()
    assert lab.presentations == 0 and lab.updates == [] and lab.last is None
    np.testing.assert_array_equal(lab.w, lab.w_init)


def test_controls_clamp_with_notes_and_nothing_raises():
    lab = perceptron()
    lab.set(gamma=5.0, w1=-9.0, data="majority", seed=-3)
    c = lab.controls
    assert c["gamma"].value == 2.0 and c["w1"].value == -2.0 and c["data"].value == "and" and c["seed"].value == 0
    notes = " ".join(lab.notes)
    assert "gamma=5.0 is outside [0.05, 2]; clamped to 2" in notes and "'majority' is not one of" in notes
    assert "seed=-3 is outside" in notes
    assert "w1=-9.0 is outside [-2, 2]; clamped to -2" in html.unescape(lab.note.value)  # shown
    c["gamma"].value = 0.0  # as a widget message would: clamped by the slider, with a note
    assert c["gamma"].value == 0.05 and "out of range" in html.unescape(lab.note.value)
    lab.set(data="XOR")  # case-insensitive choice
    assert c["data"].value == "xor"
    lab.run(max_epochs=10**9)  # bounded anyway
    assert lab.epochs <= MAX_EPOCHS


def test_already_converged_and_a_control_change_restart():
    lab = perceptron(data="or", w1=1.0, w2=1.0, b=-0.5)
    assert lab.verdict == "converged" and len(lab.updates) == 0
    lab.run()
    assert "already converged" in html.unescape(lab.note.value) and lab.presentations == 0
    lab.step()
    assert lab.presentations == 1 and not lab.last["updated"]
    lab.set(gamma=0.5)
    assert lab.presentations == 0


def test_random_initial_weights_come_from_the_seed():
    a = perceptron(init="random", seed=4)
    b = perceptron(init="random", seed=4, w1=1.5)  # sliders are ignored (and disabled)
    c = perceptron(init="random", seed=5)
    np.testing.assert_array_equal(a.w_init, b.w_init)
    assert a.b_init == b.b_init and a.controls["w1"].disabled
    assert not np.array_equal(np.append(a.w_init, a.b_init), np.append(c.w_init, c.b_init))
    assert np.all(np.abs(a.w_init) <= 1)


def test_text_repr_is_short_and_deterministic():
    lab = perceptron(data="and")
    assert repr(lab) == "PerceptronLab(and, gamma=1, w0=(0, 0), b0=0, in order): 0 steps, 0 updates, 3/4 wrong, learning"
    lab.run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, _, hist = perceptron_train(lab.X, lab.d)
    assert repr(lab) == (f"PerceptronLab(and, gamma=1, w0=(0, 0), b0=0, in order): {lab.presentations} steps, "
                         f"{len(hist.updates)} updates, 0/4 wrong, converged")
    assert repr(perceptron(data="and").run()) == repr(lab)
    bundle = lab._repr_mimebundle_()
    assert bundle["text/plain"] == repr(lab)
