"""Marks decided outside the student's kernel.

A graded test cell that has a check in grading/<assignment>.py does not run its own source at
grading time. The grader draws the inputs (from a seed per student and assignment), sends the
kernel a probe that only evaluates the student's functions at those inputs and displays the
values as data, and compares them here, in the grader's process, with the reference. The
verdict replaces the cell's outputs: an error output for a failed check (nbgrader's
SaveAutoGrades then awards 0) or a line saying it passed (full points).

Everything that comes back from the kernel is untrusted data: only values are read, only
from the one output carrying this run's random nonce, with size limits; a result can never say
"passed" by itself.
"""
from __future__ import annotations

import ast
import hashlib
import importlib
import secrets
from dataclasses import dataclass, field

import numpy as np
from nbformat import NotebookNode

MIME = "application/x.ffnn-probe+json"
MAX_ITEMS = 200_000


# -- what the kernel runs --------------------------------------------------------------------
_KERNEL_SIDE = '''
def __ffnn_probe(nonce, calls):
    import numpy as _np
    from IPython.display import display as _display

    def enc(v):
        if isinstance(v, str):
            return {"str": v[:10000]}
        if isinstance(v, dict):
            return {"dict": {str(k): enc(x) for k, x in list(v.items())[:1000]}}
        if isinstance(v, (list, tuple)) and any(
                isinstance(x, (str, dict, list, tuple)) or _np.ndim(x) > 0 for x in v):
            return {"seq": [enc(x) for x in list(v)[:1000]]}
        a = _np.asarray(v, dtype=float)
        if a.size > %(max_items)d:
            raise ValueError(f"result too large ({a.size} numbers)")
        return {"shape": list(a.shape), "hex": [float(x).hex() for x in a.ravel()]}

    def strict(f, *args):
        with _np.errstate(over="raise"):
            return f(*args)

    results = []
    for expr, env in calls:
        ns = dict(globals())
        ns["_strict"] = strict
        ns.update(env)
        try:
            results.append({"value": enc(eval(expr, ns))})
        except Exception as exc:
            results.append({"error": (type(exc).__name__ + ": " + str(exc))[:500]})
    _display({"%(mime)s": {"nonce": nonce, "results": results}}, raw=True)
'''


@dataclass(frozen=True)
class Code:
    """A binding given as source text, evaluated in the kernel (e.g. a target function)."""
    text: str


def _literal(value) -> str:
    """Python source that rebuilds `value` exactly inside the kernel."""
    if isinstance(value, Code):
        return value.text
    if isinstance(value, (str, bool, int)) or value is None:
        return repr(value)
    if isinstance(value, float):
        return f"float.fromhex({value.hex()!r})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and not isinstance(value, np.ndarray):
        inner = ", ".join(_literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner},)"
    a = np.asarray(value, dtype=float)
    flat = ", ".join(repr(float(x)) for x in a.ravel())
    return f"_np.array([{flat}], dtype=float).reshape({tuple(a.shape)!r})"


@dataclass
class Probe:
    """One evaluation in the kernel: `expr` with the names in `env` bound."""
    expr: str
    env: dict = field(default_factory=dict)

    def source(self) -> str:
        items = ", ".join(f"{name!r}: {_literal(v)}" for name, v in self.env.items())
        return f"({self.expr!r}, {{{items}}})"


class ProbeError:
    """The student's code raised instead of returning a value."""

    def __init__(self, message: str):
        self.message = message

    def __repr__(self):
        return f"ProbeError({self.message!r})"


class Failed(Exception):
    """Raised by a check: its message is what the student reads in the feedback."""


def decode(data):
    """A value from the kernel's JSON, or ValueError if it is not in the probe's format."""
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError("malformed value")
    if "str" in data and isinstance(data["str"], str):
        return data["str"]
    if "dict" in data and isinstance(data["dict"], dict):
        return {str(k): decode(v) for k, v in data["dict"].items()}
    if "seq" in data and isinstance(data["seq"], list):
        return tuple(decode(v) for v in data["seq"])
    shape, flat = data.get("shape"), data.get("hex")
    if not (isinstance(shape, list) and isinstance(flat, list) and len(flat) <= MAX_ITEMS
            and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise ValueError("malformed array")
    values = np.array([float.fromhex(x) for x in flat], dtype=float)
    return values.reshape(shape)


# -- the checks of one assignment ---------------------------------------------------------------
@dataclass
class Check:
    """A graded cell's check: `probes(rng)` draws the calls, `judge(probes, values, answers)`
    raises Failed with the student's message, `rules(answers)` checks the submitted source."""
    probes: object
    judge: object
    rules: object = None


@dataclass
class Running:
    check: Check
    probes: list
    nonce: str
    source: str


def load_checks(assignment: str) -> dict:
    """grade_id -> Check of grading/<assignment>.py, or {} for an assignment without one."""
    try:
        module = importlib.import_module(f"grading.{assignment.replace('-', '_')}")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "CHECKS", {}))


def course_secret(path) -> str:
    """The course's grading secret, kept in `path` (git-ignored, the grader's only) and made on
    first use: each student's points derive from it, so they cannot be computed in advance."""
    import os
    if not os.path.isfile(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    with open(path) as fh:
        return fh.read().strip()


def grading_seed(secret: str, assignment: str, student: str) -> int:
    """The seed of a student's grading-time points: the same on every regrade."""
    digest = hashlib.sha256(f"{secret}\0{assignment}\0{student}".encode()).hexdigest()
    return int(digest[:16], 16)


def answer_sources(nb) -> dict:
    """grade_id -> source of the notebook's answer cells (the submitted text); under
    "__other__" the list of every other code cell's source (for rules that follow aliases)."""
    out, other = {}, []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            out[meta.get("grade_id")] = cell.source
        else:
            other.append(cell.source)
    out["__other__"] = other
    return out


class Session:
    """The checks of one notebook being graded."""

    def __init__(self, assignment: str, student: str, secret: str, nb):
        self.checks = load_checks(assignment)
        self.seed = grading_seed(secret, assignment, student)
        self.answers = answer_sources(nb)

    def probe_for(self, cell) -> Running | None:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        check = self.checks.get(meta.get("grade_id")) if meta.get("grade") else None
        if check is None:
            return None
        # a stream per check, so one check's points do not depend on the others
        rng = np.random.default_rng([self.seed, int(hashlib.sha256(meta["grade_id"].encode()).hexdigest()[:8], 16)])
        probes = list(check.probes(rng))
        nonce = secrets.token_hex(16)
        calls = "[" + ", ".join(p.source() for p in probes) + "]"
        source = (_KERNEL_SIDE % {"mime": MIME, "max_items": MAX_ITEMS}
                  + f"\nimport numpy as _np\n__ffnn_probe({nonce!r}, {calls})\n")
        return Running(check, probes, nonce, source)

    def judge(self, running: Running, cell) -> None:
        """Replace the cell's outputs by the trusted verdict."""
        notes = [o for o in cell.outputs if o.output_type == "stream" and o.get("name") == "stdout"
                 and str(o.get("text", "")).startswith(("[output of", "The kernel ignored", "The kernel died"))]
        try:
            if running.check.rules is not None:
                running.check.rules(self.answers)
            values = read_results(cell.outputs, running.nonce, len(running.probes))
            running.check.judge(running.probes, values, self.answers)
        except Failed as exc:
            cell.outputs = notes + [error_output("CheckFailed", str(exc))]
        else:
            cell.outputs = notes + [stream_note("All checks of this part passed (graded outside your notebook).")]
        cell.source = visible_part(cell.source)


def read_results(outputs, nonce: str, expected: int) -> list:
    """The decoded values of the one probe output with this run's nonce."""
    found = [o for o in outputs if o.output_type == "display_data" and MIME in o.get("data", {})
             and isinstance(o["data"][MIME], dict) and o["data"][MIME].get("nonce") == nonce]
    timeouts = [o for o in outputs if o.output_type == "error" and o.get("ename") in ("CellTimeoutError", "NotebookTimeout")]
    if timeouts and not found:
        raise Failed("your code did not finish in the time allowed for this part")
    if len(found) != 1:
        raise Failed("the grader received no results from your notebook for this part "
                     "(a cell above stopped the kernel or replaced the notebook's output functions)")
    results = found[0]["data"][MIME].get("results")
    if not isinstance(results, list) or len(results) != expected:
        raise Failed("the grader received malformed results from your notebook for this part")
    values = []
    for item in results:
        if isinstance(item, dict) and isinstance(item.get("error"), str):
            values.append(ProbeError(item["error"][:500]))
            continue
        try:
            values.append(decode(item.get("value") if isinstance(item, dict) else None))
        except (ValueError, TypeError, OverflowError, RecursionError):
            raise Failed("the grader received malformed results from your notebook for this part") from None
    return values


def hide_tests(cell) -> None:
    """A test cell graded in the kernel: drop its hidden block and the source lines that
    tracebacks quote, so the feedback shows neither."""
    if "### BEGIN HIDDEN TESTS" in cell.source:
        cell.source = _without_hidden(cell.source)
    for out in cell.outputs:
        if out.output_type == "error":
            out.traceback = [f"{out.ename}: {out.evalue}"]


def visible_part(source: str) -> str:
    """The cell's source without a hidden-tests block, with a note on who grades it."""
    return _without_hidden(source) + "\n# (graded at points drawn at grading time by the course's checks)"


def _without_hidden(source: str) -> str:
    lines, keep, hidden = source.splitlines(), [], False
    for line in lines:
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            keep.append(line)
    return "\n".join(keep).rstrip()


def error_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def stream_note(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=text + "\n")


# -- helpers for the checks ------------------------------------------------------------------
def value_of(value, what: str):
    """The value, or Failed naming the function that raised."""
    if isinstance(value, ProbeError):
        raise Failed(f"{what} raised {value.message}")
    return value


def array_of(value, what: str, shape=None) -> np.ndarray:
    value = value_of(value, what)
    if isinstance(value, (str, dict, tuple)):
        raise Failed(f"{what} must return numbers; got {type(value).__name__}")
    a = np.asarray(value, dtype=float)
    if shape is not None and a.shape != tuple(shape):
        raise Failed(f"{what} must return shape {tuple(shape)}; got {a.shape}")
    return a


def calls_names(source: str, names) -> set:
    """The names among `names` that the source refers to (Name or attribute), by its AST."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in names:
            found.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name.split(".")[-1] in names or (getattr(node, "module", None) or "").split(".")[-1] in names:
                    found.add(alias.name)
    return found
