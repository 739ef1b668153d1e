"""Headless tests of the single-neuron lab and the XOR builder (notebook 03)."""
import html

import numpy as np
import pytest

from nnlib.labs import neuron, xor_builder
from nnlib.labs.neuron import NEURON_PRESETS, XOR_PRESETS, line_points


@pytest.mark.parametrize("preset, table", [("AND", "and"), ("OR", "or"), ("NAND", "nand")])
def test_presets_solve_their_truth_table(preset, table):
    lab = neuron()
    lab.buttons[preset].click()
    assert lab.controls["table"].value == table
    assert lab.n_correct == 4
    w1, w2, b = (NEURON_PRESETS[preset][k] for k in ("w1", "w2", "b"))
    np.testing.assert_allclose(lab.xi, lab.X @ [w1, w2] + b)
    assert "4 of 4 correct" in lab.readout.value


def test_no_single_neuron_solves_xor():
    lab = neuron(table="xor")
    rng = np.random.default_rng(0)
    best = 0
    for w1, w2, b in rng.uniform(-5, 5, size=(300, 3)):
        lab.set(w1=round(w1, 1), w2=round(w2, 1), b=round(b, 1))
        best = max(best, lab.n_correct)
    assert best == 3  # some line gets 3 of 4, none gets all four
    assert "not linearly separable" in lab.readout.value


def test_the_plotted_line_is_where_xi_is_zero_and_w_is_its_normal():
    lab = neuron(w1=2.0, w2=-1.0, b=0.5)
    x1, x2 = lab.line.get_data()
    np.testing.assert_allclose(2.0 * np.asarray(x1) - np.asarray(x2) + 0.5, 0, atol=1e-12)
    u, v = float(lab.normal.U[0]), float(lab.normal.V[0])
    assert u * (x1[1] - x1[0]) + v * (x2[1] - x2[0]) == pytest.approx(0, abs=1e-9)  # normal to the line
    assert np.sign(u) == 1 and np.sign(v) == -1  # points along w = (2, -1)
    # the heatmap is the neuron's output over the plane (step: 1 where xi >= 0)
    img = np.asarray(lab.heatmap.get_array())
    assert set(np.unique(img)) <= {0.0, 1.0} and 0 < img.mean() < 1


def test_sigmoid_output_and_zero_weights():
    lab = neuron(activation="sigmoid", w1=1.0, w2=1.0, b=-1.5)
    np.testing.assert_allclose(lab.y, 1 / (1 + np.exp(-(lab.X @ [1.0, 1.0] - 1.5))))
    assert lab.heatmap.get_clim() == (0.0, 1.0)
    lab.set(w1=0.0, w2=0.0)
    assert len(lab.line.get_xdata()) == 0 and "no line" in lab.readout.value
    assert line_points(0.0, 0.0, 1.0) is None


def test_neuron_clamps_with_note_and_has_a_plain_repr():
    lab = neuron()
    lab.set(w1=12.0, activation="softsign")
    assert lab.controls["w1"].value == 5.0 and lab.controls["activation"].value == "step"
    note = html.unescape(lab.note.value)
    assert "clamped to 5" in note and "'softsign' is not one of" in note
    # with w1 = 5 the point (1, 0) is on the positive side: AND is no longer met
    assert repr(lab) == "NeuronLab(w1=5, w2=1, b=-1.5, step, target and): 3/4 correct"


@pytest.mark.parametrize("preset", ["PV021 lines", "KTH weights"])
def test_xor_presets_solve_xor(preset):
    lab = xor_builder(preset="blank")
    assert not lab.solved
    lab.buttons[preset].click()
    assert lab.solved and lab.n_correct == 4
    np.testing.assert_array_equal(lab.predicted, [0, 1, 1, 0])
    assert "solved" in lab.readout.value


def test_pv021_lines_map_xor_to_a_separable_problem_in_hidden_space():
    lab = xor_builder()  # PV021: P1 = -1 + 2x1 + 2x2, P2 = 3 - 2x1 - 2x2
    # h1 is OR, h2 is NAND of the inputs
    np.testing.assert_array_equal(lab.h, [[0, 1], [1, 1], [1, 1], [1, 0]])
    np.testing.assert_allclose(lab.hidden_points.get_offsets(), lab.h)
    W, b = lab.weights()
    assert W[0].shape == (2, 2) and W[0][0, 1] == XOR_PRESETS["PV021 lines"]["w12"]
    # the plotted hidden lines are P1 and P2
    for line, (w1, w2, bias) in ((lab.line1, (2, 2, -1)), (lab.line2, (-2, -2, 3))):
        x1, x2 = (np.asarray(a) for a in line.get_data())
        np.testing.assert_allclose(w1 * x1 + w2 * x2 + bias, 0, atol=1e-12)
    # the diagram shows the current weights
    assert lab.diagram.weight_texts[1][0, 0].get_text() == "1.00"
    lab.controls["v1"].value = -0.5
    assert lab.diagram.weight_texts[1][0, 0].get_text() == "-0.50"
    assert not lab.solved


def test_xor_builder_with_sigmoid_units_and_other_targets():
    lab = xor_builder(preset="KTH weights")
    lab.set(activation="sigmoid")
    # with the KTH weights' small magnitudes the sigmoids are too soft to reproduce XOR
    assert lab.n_correct < 4
    lab.set(**{k: 10 * v if abs(10 * v) <= 5 else np.sign(v) * 5 for k, v in XOR_PRESETS["KTH weights"].items()})
    assert np.all(np.abs([lab.controls[k].value for k in lab.names]) <= 5)
    lab.set(table="and")
    assert lab.controls["table"].value == "and"
    assert repr(lab).startswith("XorBuilderLab(sigmoid, target and): ")


def test_unknown_preset_is_a_note():
    lab = xor_builder(preset="magic")
    assert "unknown preset 'magic'" in html.unescape(lab.note.value)
    assert lab.solved
