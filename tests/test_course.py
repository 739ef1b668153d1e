"""Structure of the course notebooks: what issue 3 and docs/design.md promise of every one.

nbval (run by ``make test`` over course/) checks that the stored outputs are reproduced; these
tests check the rest: the eleven files, the parts every notebook must have, links that resolve,
clean committed outputs, and a coverage table in course/README.md whose every reference names a
section that exists.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
NAMES = [
    "00-start-here", "01-artificial-neuron", "02-networks", "03-expressive-power",
    "04-perceptron-learning", "05-gradient-descent", "06-backprop-by-hand",
    "07-backprop-algorithm", "08-losses", "09-hands-on", "10-training-in-practice",
]
ASSIGNMENTS = ["neurons", "expressive-power", "perceptron", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification", "training-in-practice"]
# Links to files another branch adds; remove an entry once its file is in the repository.
PENDING = set()
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _nb(name):
    return nbformat.read(COURSE / f"{name}.ipynb", as_version=4)


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _headings(nb):
    """Section number -> title, from headings like '## 3 · The Rostock 2-2-1 network'."""
    out = {}
    for line in _markdown(nb).splitlines():
        m = re.match(r"#{2,3}\s+(\d+)\s*·\s*(.+?)\s*$", line)
        if m:
            out.setdefault(int(m.group(1)), m.group(2))
    return out


def test_the_eleven_notebooks_exist_and_nothing_else():
    found = sorted(p.stem for p in COURSE.glob("*.ipynb"))
    assert found == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_valid_and_uses_the_python3_kernel(name):
    nb = _nb(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_the_promised_parts(name):
    nb = _nb(name)
    text = _markdown(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {name[:2]}")
    assert "## Learning objectives" in text, f"{name}: no learning objectives"
    assert "## Take-aways" in text, f"{name}: no take-aways"
    if name != "00-start-here":
        assert "## Check yourself" in text, f"{name}: no check-yourself questions"
        assert "<details>" in text, f"{name}: check-yourself answers are not hidden in <details>"
        assert "$" in text, f"{name}: no mathematics"


@pytest.mark.parametrize("name", NAMES)
def test_links_to_previous_next_and_assignment(name):
    nb = _nb(name)
    last = nb.cells[-1].source
    i = NAMES.index(name)
    if i > 0:
        assert f"({NAMES[i - 1]}.ipynb)" in last, f"{name}: no link back to {NAMES[i - 1]}"
    if i < len(NAMES) - 1:
        assert f"({NAMES[i + 1]}.ipynb)" in last, f"{name}: no link on to {NAMES[i + 1]}"
    if i > 0 and name != "04-perceptron-learning":   # 04 has no assignment of its own
        assert "../exercises/" in last, f"{name}: no link to its assignment"


@pytest.mark.parametrize("name", NAMES)
def test_relative_links_resolve(name):
    for target in LINK.findall(_markdown(_nb(name))):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (COURSE / target.split("#")[0]).resolve()
        if target in PENDING and not path.exists():
            continue
        assert path.exists(), f"{name}: the link {target!r} points to a missing file"


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_are_clean(name):
    nb = _nb(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code"
    for c in code:
        assert c.execution_count is not None, f"{name}: a code cell was committed unexecuted:\n{c.source[:200]}"
        # nbconvert --execute records timestamps per cell; they change on every run
        assert "execution" not in c.metadata, f"{name}: timing metadata is stored:\n{c.source[:200]}"
        for out in c.outputs:
            assert out.output_type != "error", f"{name}: a traceback is stored:\n{c.source[:200]}"
            if out.output_type == "stream":
                assert out.name == "stdout", f"{name}: stderr output (a warning?) is stored:\n{out.text[:300]}"
                assert not re.search(r"^\S*Warning: ", out.text, re.M), (
                    f"{name}: a warning is printed:\n{out.text[:300]}")
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                # nbval skips widget views; a text form keeps something to compare.
                assert "text/plain" in data, f"{name}: a widget output without a text form"


@pytest.mark.parametrize("name", NAMES)
def test_execution_counts_are_in_order(name):
    counts = [c.execution_count for c in _nb(name).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{name} was not run top to bottom in one go"


def test_coverage_table_references_existing_sections():
    readme = (COURSE / "README.md").read_text(encoding="utf-8")
    headings = {name[:2]: _headings(_nb(name)) for name in NAMES}
    refs = re.findall(r"\b(\d\d) § (\d+) ([^;|()]+)", readme)
    assert len(refs) >= 40, "the coverage table has fewer references than the decks have take-aways"
    for nb_id, number, title in refs:
        have = headings[nb_id].get(int(number))
        assert have is not None, f"course/README.md cites {nb_id} § {number}, which does not exist"
        assert have.startswith(title.strip()[:25]) or title.strip().startswith(have[:25]), (
            f"course/README.md cites {nb_id} § {number} as {title.strip()!r}; the notebook calls it {have!r}")


def test_coverage_table_leaves_no_take_away_untaught():
    readme = (COURSE / "README.md").read_text(encoding="utf-8")
    rows = [r for r in readme.splitlines() if re.match(r"\| [RPKI]\d+[a-z]? \|", r)]
    assert len(rows) >= 40
    for row in rows:
        taught = row.rstrip(" |").rsplit("|", 1)[-1]
        assert re.search(r"\b\d\d §", taught), f"a take-away without a section: {row}"


def test_every_assignment_is_linked_from_some_notebook():
    text = "\n".join(_markdown(_nb(n)) for n in NAMES)
    for a in ASSIGNMENTS:
        assert f"../exercises/{a}/{a}.ipynb" in text, f"no notebook links to the assignment {a}"


# ------------------------------------------------------------------ errors found by readers
# Each test below pins one correction of issue 9 so that the error cannot come back.

def _section(nb, number):
    """The markdown of section ``number`` (from its heading to the next numbered heading)."""
    text = _markdown(nb)
    start = re.search(rf"^##\s+{number}\s*·.*$", text, re.M)
    assert start, f"no section {number}"
    end = re.search(r"^##\s+(\d+\s*·|Check yourself|Take-aways)", text[start.end():], re.M)
    return text[start.start():start.end() + (end.start() if end else len(text))]


def _stdout(nb, marker):
    """The printed output of the one code cell whose source contains ``marker``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"{len(cells)} cells contain {marker!r}"
    return "".join(o.text for o in cells[0].outputs if o.output_type == "stream")


def test_07_states_the_cost_of_backprop_as_p_times_weights():
    sec = _section(_nb("07-backprop-algorithm"), 5)
    assert r"p\cdot|W|" in sec
    for paragraph in re.split(r"\n\s*\n", sec):
        if "plus the size of the training set" in paragraph:
            # the deck's wording may only be quoted inside the note that corrects it
            assert paragraph.lstrip().startswith(">") and "PV021" in paragraph, paragraph


def test_00_uses_the_corrected_kth_weight():
    text = _markdown(_nb("00-start-here"))
    assert "0.51130" in text
    assert not re.search(r"w_7\^\{\\text\{next\}\} = 0\.51113", text)


def test_05_perpendicular_only_at_the_starting_point():
    sec = _section(_nb("05-gradient-descent"), 8)
    assert "crosses them at a\nright angle" not in sec and "every step crosses them" not in sec
    assert "through that point" in sec and "zig-zag" in sec


def test_05_notes_the_rostock_decks_lost_minus_sign():
    sec = _section(_nb("05-gradient-descent"), 2)
    assert "minus sign is lost" in sec and "Rostock" in sec


def test_04_outlier_demo_moves_the_linear_boundary_not_the_logistic_one():
    out = _stdout(_nb("04-perceptron-learning"), "def boundary(model)")
    moved = dict(re.findall(r"^(linear|logistic)\s*:.*moved by ([\d.]+)", out, re.M))
    assert float(moved["linear"]) > 0.1 and float(moved["logistic"]) < 0.01, out


def test_04_novikoff_bound_states_the_zero_start_and_the_labs_start():
    sec = _section(_nb("04-perceptron-learning"), 3)
    assert "starts from $w = 0$, $b = 0$" in sec
    assert "The lab in § 2 starts from" in sec


def test_09_never_validates_on_the_test_split():
    nb = _nb("09-hands-on")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"X_val=\w*_te\b", code), "training validates on the test split"
    text = _markdown(nb)
    assert "validation_data=(X_te" not in text and "test/validation" not in text
    assert "validation_data=(X_va, l_va)" in text and "Why three?" in text


def test_05_convergence_plot_tells_gamma_02_from_08():
    nb = _nb("05-gradient-descent")
    cell = [c for c in nb.cells if c.cell_type == "code" and "semilogy(dist" in c.source][0]
    styles = re.search(r"styles = (\{.*?\})\n", cell.source, re.S).group(1)
    spec = eval(styles, {"dict": dict})       # the literal style table of the figure's cell
    assert spec[0.2] != spec[0.8]


@pytest.mark.parametrize("name", NAMES)
def test_figures_are_drawn_at_the_size_they_are_shown(name):
    # JupyterLab's notebook column is 968 px wide: a wider PNG is shrunk and its text with it.
    import base64
    import struct
    for c in _nb(name).cells:
        for out in c.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                width = struct.unpack(">I", base64.b64decode(png)[16:20])[0]
                assert width <= 968, f"{name}: a {width} px wide figure in:\n{c.source[:200]}"


def test_the_start_page_maps_every_notebook():
    text = _markdown(_nb("00-start-here"))
    for name in NAMES[1:]:
        assert f"]({name}.ipynb)" in text, f"00's map of the course does not link {name}"
