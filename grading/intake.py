"""Take a student's submitted folder as it comes and make the copy nbgrader grades.

`make grade` never changes `submitted/`: each submission is copied to `.intake/<student>/
<assignment>/`, and only the copy is repaired:

* a notebook saved under another name (`neurons (1).ipynb`, `Neurons-final.ipynb`) is graded
  as `<assignment>.ipynb` when it is the only notebook in the folder;
* cells whose nbgrader metadata was stripped get it back when they can be identified in the
  assignment's source notebook (by cell id, else by the same source as released, else, for an
  answer cell, by the functions or names it defines);
* a grade id that occurs more than once keeps its metadata on one cell (the last answer cell,
  the first test or read-only cell); the copies become ordinary cells;
* graded and read-only cells moved out of order are put back into the assignment's order
  (each with the ordinary cells that followed it).

Every repair is a note in the grading report; a folder that cannot be graded gets a reason.
"""
from __future__ import annotations

import ast
import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


@dataclass
class Intake:
    notes: list = field(default_factory=list)
    error: str = ""


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _defined_names(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store))
    return names


def find_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook to grade in a submitted folder and a note, or (None, reason)."""
    exact = folder / f"{assignment}.ipynb"
    if exact.is_file():
        return exact, ""
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))
    if len(found) == 1:
        return found[0], f"notebook submitted as '{found[0].name}', graded as {assignment}.ipynb"
    if not found:
        return None, f"no notebook in the submitted folder (expected {assignment}.ipynb)"
    named = [p for p in found if p.stem.lower().replace("_", "-").startswith(assignment)]
    if len(named) == 1:
        return named[0], f"notebook submitted as '{named[0].name}', graded as {assignment}.ipynb"
    return None, (f"{len(found)} notebooks and none named {assignment}.ipynb "
                  f"({', '.join(p.name for p in found)}): cannot tell which one to grade")


def restore_metadata(nb, source_nb) -> list:
    """Give stripped cells their nbgrader metadata back; notes on what was restored."""
    source_cells = [c for c in source_nb.cells if _meta(c).get("grade_id")]
    by_id = {c.get("id"): c for c in source_cells}
    present = {_meta(c).get("grade_id") for c in nb.cells}
    restored = []
    for cell in nb.cells:
        if _meta(cell).get("grade_id"):
            continue
        match = by_id.get(cell.get("id"))
        if match is None:
            match = next((c for c in source_cells if c.cell_type == cell.cell_type and c.source.strip() == cell.source.strip()), None)
        if match is None and cell.cell_type == "code":
            names = _defined_names(cell.source)
            match = next((c for c in source_cells if _meta(c).get("solution") and names
                          and _defined_names(c.source) == names), None)
        if match is None or _meta(match)["grade_id"] in present:
            continue
        cell.setdefault("metadata", {})["nbgrader"] = copy.deepcopy(dict(_meta(match)))
        cell["metadata"]["nbgrader"].pop("checksum", None)
        present.add(_meta(match)["grade_id"])
        restored.append(_meta(match)["grade_id"])
    return [f"nbgrader metadata restored on {len(restored)} cell(s): {', '.join(restored)}"] if restored else []


def deduplicate(nb) -> list:
    """One cell per grade id; notes on the copies that lost their metadata."""
    seen: dict = {}
    for index, cell in enumerate(nb.cells):
        gid = _meta(cell).get("grade_id")
        if gid:
            seen.setdefault(gid, []).append(index)
    notes = []
    for gid, indices in seen.items():
        if len(indices) < 2:
            continue
        answer = _meta(nb.cells[indices[0]]).get("solution") and not _meta(nb.cells[indices[0]]).get("grade")
        keep = indices[-1] if answer else indices[0]
        for index in indices:
            if index != keep:
                del nb.cells[index]["metadata"]["nbgrader"]
        notes.append(f"cell '{gid}' appeared {len(indices)} times; graded the "
                     f"{'last' if answer else 'first'} one")
    return notes


def reorder(nb, source_nb) -> list:
    """Put nbgrader cells back into the source order, each with the ordinary cells after it."""
    order = {_meta(c).get("grade_id"): i for i, c in enumerate(source_nb.cells) if _meta(c).get("grade_id")}
    chunks, current = [], []
    for cell in nb.cells:
        if _meta(cell).get("grade_id") in order and current:
            chunks.append(current)
            current = []
        current.append(cell)
    chunks.append(current)
    keys = [order.get(_meta(chunk[0]).get("grade_id"), -1) for chunk in chunks]
    if keys == sorted(keys):
        return []
    nb.cells = [cell for _, chunk in sorted(zip(keys, chunks), key=lambda kc: kc[0]) for cell in chunk]
    return ["graded cells were out of order; put back into the assignment's order"]


def take_in(submitted: Path, dest: Path, assignment: str, source_notebook: Path) -> Intake:
    """Copy submitted/<student>/<assignment>/ to dest, repaired; never touches `submitted`."""
    result = Intake()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for item in submitted.iterdir():
        if item.is_file() and not item.is_symlink() and item.suffix != ".ipynb":
            shutil.copy2(item, dest / item.name)
    path, note = find_notebook(submitted, assignment)
    if path is None:
        result.error = note
        return result
    if note:
        result.notes.append(note)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a file that is not a notebook
        result.error = f"the submitted file is not a valid notebook ({type(exc).__name__}); graded 0"
        return result
    source_nb = nbformat.read(str(source_notebook), as_version=4)
    result.notes += restore_metadata(nb, source_nb)
    result.notes += deduplicate(nb)
    result.notes += reorder(nb, source_nb)
    nbformat.write(nb, str(dest / f"{assignment}.ipynb"))
    shutil.copystat(path, dest / f"{assignment}.ipynb")
    return result
