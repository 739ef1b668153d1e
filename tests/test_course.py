"""Structure of the course notebooks: what issue 3 and docs/design.md promise of every one.

nbval (run by ``make test`` over course/) checks that the stored outputs are reproduced; these
tests check the rest: the ten files, the parts every notebook must have, links that resolve,
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
    "07-backprop-algorithm", "08-losses", "09-hands-on",
]
ASSIGNMENTS = ["neurons", "expressive-power", "gradient-descent", "backprop-by-hand",
               "backprop-algorithm", "losses-and-classification"]
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


def test_the_ten_notebooks_exist_and_nothing_else():
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
        assert path.exists(), f"{name}: the link {target!r} points to a missing file"


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_are_clean(name):
    nb = _nb(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code"
    for c in code:
        assert c.execution_count is not None, f"{name}: a code cell was committed unexecuted:\n{c.source[:200]}"
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
    refs = re.findall(r"\b(0\d) § (\d+) ([^;|()]+)", readme)
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
        assert re.search(r"\b0\d §", taught), f"a take-away without a section: {row}"


def test_every_assignment_is_linked_from_some_notebook():
    text = "\n".join(_markdown(_nb(n)) for n in NAMES)
    for a in ASSIGNMENTS:
        assert f"../exercises/{a}/{a}.ipynb" in text, f"no notebook links to the assignment {a}"
