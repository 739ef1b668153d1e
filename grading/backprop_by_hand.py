"""Checks of the assignment `backprop-by-hand`, run by the grader outside the student's kernel.

Each derivative is evaluated in the sandbox at 5 parameter points drawn from the grading seed
and compared here with central differences of E (grading/cells/backprop_by_hand.py: the same
network, tolerance and diagnoses as the notebook's visible checks). The rule "a closed form,
not a library or numerical gradient" is checked on the submitted source (AST), with aliases
followed through every code cell of the notebook.
"""
from __future__ import annotations

import ast

import numpy as np

from .cells.backprop_by_hand import _H, _RTOL, PARAMS, _close, _diagnose, draw_points, sig
from .verdicts import Check, Failed, Probe, ProbeError

# what a derivation may not refer to: nnlib's gradients, the notebook's E, dynamic look-ups
FORBIDDEN = {"backprop", "gradcheck", "graph", "gradients", "backward", "backward_by_unit",
             "numerical_gradient", "check_gradients", "numeric_gradient", "Value", "train",
             "sgd_step", "error", "check_derivative"}
DYNAMIC = {"globals", "locals", "vars", "eval", "exec", "getattr", "__import__", "importlib",
           "sys", "compile", "__builtins__", "builtins"}

FUNCTIONS = {"test_dE_dt_z": (("dE_dt_z", "t_z"),),
             "test_dE_dw_out": (("dE_dw_1z", "w_1z"), ("dE_dw_2z", "w_2z")),
             "test_dE_dt_hidden": (("dE_dt_1", "t_1"), ("dE_dt_2", "t_2")),
             "test_dE_dw_hidden": (("dE_dw_x1", "w_x1"), ("dE_dw_y1", "w_y1"),
                                   ("dE_dw_x2", "w_x2"), ("dE_dw_y2", "w_y2"))}
N_POINTS = 5


def _refs(node) -> set:
    """Names and attribute names a syntax tree refers to."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            out.update(part for alias in sub.names for part in alias.name.split("."))
            out.update((getattr(sub, "module", None) or "").split("."))
    return out


def _bindings(tree):
    """The binding statements of a cell outside function bodies (module-level names)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))


def _local_names(fn: ast.FunctionDef) -> set:
    names = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
    names |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def tainted_names(sources) -> dict:
    """Forbidden names plus every name bound, in any cell, to something that refers to one,
    each mapped to the forbidden name it leads to."""
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            continue
    bad = {name: name for name in FORBIDDEN}  # name -> the forbidden thing it leads to
    changed = True
    while changed:  # follow chains of aliases and helpers to a fixed point
        changed = False
        for tree in trees:
            for node in _bindings(tree):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    targets, value = {node.name}, node
                elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    targets = {t.id for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
                    value = node.value
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    for alias in node.names:
                        parts = set(alias.name.split(".")) | set((getattr(node, "module", None) or "").split("."))
                        name = alias.asname or alias.name.split(".")[0]
                        if parts & bad.keys() and name not in bad:
                            bad[name] = sorted(parts & bad.keys())[0]
                            changed = True
                    continue
                else:
                    continue
                hits = _refs(value) & (bad.keys() | DYNAMIC) if value is not None else set()
                if hits and not targets <= bad.keys():
                    hit = sorted(hits)[0]
                    bad.update({t: bad.get(hit, hit) for t in targets if t not in bad})
                    changed = True
    return bad


def rule_for(functions):
    """The AST rule of one graded cell: its derivations use no library or numerical gradient."""
    def rule(answers):
        sources = [s for k, s in answers.items() if k != "__other__" and s] + list(answers.get("__other__", []))
        bad = tainted_names(sources)
        for fn, _ in functions:
            node = _find_function(answers, fn)
            if node is None:
                continue  # not defined: the probe reports it
            body = ast.Module(body=node.body, type_ignores=[])
            used = _refs(body) & ((bad.keys() - _local_names(node)) | DYNAMIC)
            if used:
                name = sorted(used)[0]
                origin = bad.get(name, name)
                via = f" (which leads to {origin})" if origin != name else ""
                raise Failed(f"{fn} refers to {name}{via}: a library or numerical gradient, the notebook's E, "
                             "or a dynamic look-up. This exercise asks for the closed form you derived by hand "
                             "(products of 2 (N - z), N (1 - N), o_1, o_2 and the weights).")
            calls = sum(1 for n in ast.walk(body) if isinstance(n, ast.Call)
                        and isinstance(n.func, ast.Name) and n.func.id == "forward")
            if calls > 1:
                raise Failed(f"{fn} evaluates the network {calls} times: that is numerical differentiation; "
                             "use the closed form with the one forward pass given")
    return rule


def _find_function(answers, name):
    for key, source in answers.items():
        if key == "__other__":
            continue
        try:
            tree = ast.parse(source or "")
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
    return None


def derivative_check(functions):
    def probes(rng):
        seed = int(rng.integers(2 ** 32))
        out = []
        for fn, _ in functions:
            for p, x, y, z, _g in draw_points(N_POINTS, seed):
                out.append(Probe(f"{fn}(dict(p), x, y, z)", {"p": p, "x": x, "y": y, "z": z}))
        return out

    def judge(probes, values, answers):
        for k, (fn, name) in enumerate(functions):
            chunk = slice(k * N_POINTS, (k + 1) * N_POINTS)
            points = [(pr.env["p"], pr.env["x"], pr.env["y"], pr.env["z"]) for pr in probes[chunk]]
            student = []
            for value in values[chunk]:
                if isinstance(value, ProbeError):
                    raise Failed(f"{fn} raised {value.message}")
                a = np.asarray(value, dtype=float) if not isinstance(value, (str, dict, tuple)) else None
                if a is None or a.ndim != 0:
                    raise Failed(f"{fn} must return one number")
                student.append(float(a))
            full = [pt + (_gradient(*pt),) for pt in points]
            wrong = [i for i, (s, pt) in enumerate(zip(student, full)) if not np.isfinite(s) or not _close(s, pt[4][name])]
            if wrong:
                raise Failed(f"dE_d{name} is wrong at {len(wrong)} of {len(full)} points. "
                             f"Diagnosis: {_diagnose(name, student, full)}.")
    return Check(probes, judge, rule_for(functions))


def _gradient(p, x, y, z):
    from .cells.backprop_by_hand import numeric_gradient
    return numeric_gradient(p, x, y, z)


def _sig_prime_probes(rng):
    return [Probe("sig_prime(s)", {"s": rng.uniform(-6, 6, size=20)})]


def _sig_prime_judge(probes, values, answers):
    s = probes[0].env["s"]
    if isinstance(values[0], ProbeError):
        raise Failed(f"sig_prime raised {values[0].message}")
    got = np.asarray(values[0], dtype=float) if not isinstance(values[0], (str, dict, tuple)) else np.array(None)
    if got.shape != s.shape:
        raise Failed(f"sig_prime must work elementwise: input shape {s.shape}, output {got.shape}")
    numeric = (sig(s + _H) - sig(s - _H)) / (2 * _H)
    if not np.allclose(got, numeric, rtol=_RTOL, atol=1e-9):
        if np.allclose(got, s * (1 - s)):
            raise Failed("sig_prime: you wrote s (1 - s); the derivative is sig(s) (1 - sig(s))")
        if np.allclose(got, sig(s)):
            raise Failed("sig_prime: that is sig(s) itself, not its derivative")
        if np.allclose(got, sig(s) * (1 + sig(s))):
            raise Failed("sig_prime: sign error, it is sig(s) (1 - sig(s))")
        raise Failed("sig_prime does not match the derivative of sig")


CHECKS = {"test_sig_prime": Check(_sig_prime_probes, _sig_prime_judge)}
CHECKS.update({gid: derivative_check(fns) for gid, fns in FUNCTIONS.items()})
assert set(PARAMS) == {name for fns in FUNCTIONS.values() for _, name in fns}
