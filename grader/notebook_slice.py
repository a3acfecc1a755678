"""What of a notebook is graded: the exercise's functions and what they need, not the notebook's other work.

A course notebook defines the exercise's functions, then trains a model for a minute, loads data, draws plots
and prints. Grading re-runs only what the graded functions need, as the kernel held it when `check()` ran:

- the last definition of each graded function (a task's name), and, transitively, every module-level name
  those functions read when called (their bodies, nested functions and methods included) and every name a
  kept statement reads when it runs (decorators, default arguments, base classes, the right-hand side of an
  assignment);
- a name is provided by the last statement that binds it before the point where it is read, as the kernel's
  state held it: for a function's body that is the last binding in the whole notebook; for `x = f(y)` it is
  the last binding of `y` *before* that line, so `y = 2; x = f(y); y = 3` keeps all three statements;
- the statements that bind names: imports, `def`, `class`, assignments (`=`, `+=`, annotated), and changes of
  a kept value (`W[0] = 1`, `config.rate = 2`, which also keep the earlier binding they change);
- an `if` or `try` block is kept whole when it binds a needed name (`try: import cupy as xp` / `except
  ImportError: import numpy as xp`), and then the earlier binding of that name is kept too, since the block
  may not bind it when it runs; loops and `with` blocks are never kept (they are the notebook's training,
  data loading and plotting), nor are expression statements (`model.fit(...)`, `plt.plot(...)`, `print(...)`,
  `x.append(...)`), so a value built up by such calls is not rebuilt: write it as one assignment;
- `from m import *` is kept when a needed name has no binding of its own before the point where it is read.

Imports are kept only when kept code reads a name they bind: a notebook that imports Keras to train a model
is still graded on an exercise that bans Keras. Names reached only through `globals()`, `eval` or strings are
not seen. This module only parses; nothing of the learner's runs in the grader's process.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass

_BINDING = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
)
_CONDITIONAL = (ast.If, ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
_RUN_AT_ONCE = ("listcomp", "setcomp", "dictcomp", "genexpr")  # comprehensions run where they are written
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class _Statement:
    cell: int
    index: int  # among the cell's top-level statements
    binds: frozenset[str]
    reads_now: frozenset[str]  # module-level names read when the statement runs
    reads_later: frozenset[str]  # module-level names read when its functions are called
    kind: str  # "binding", "conditional", "star", "future", "other"


@dataclass(frozen=True)
class Slice:
    """Per cell, the indices of its top-level statements that are kept; how many statements were left out;
    the needed names only left-out statements (loops, `with` blocks) bind."""

    kept: tuple[tuple[int, ...], ...]
    left_out: int
    unbound: tuple[str, ...]


def _global_reads(table: symtable.SymbolTable, *, later: bool, now: set[str], deferred: set[str]) -> None:
    """Sort the module-level names read inside `table`'s children: comprehensions and class bodies run at
    once (`now`), function and lambda bodies when called (`deferred`)."""
    for child in table.get_children():
        runs_later = later or (child.get_type() == "function" and child.get_name() not in _RUN_AT_ONCE)
        target = deferred if runs_later else now
        target.update(s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced())
        _global_reads(child, later=runs_later, now=now, deferred=deferred)


def _changed_bases(node: ast.stmt) -> set[str]:
    """The names whose value an assignment changes in place: `W` of `W[0] = 1` or `config.rate = 2`."""
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    bases = set()
    for target in targets:
        for part in ast.walk(target) if target is not None else ():
            if isinstance(part, (ast.Subscript, ast.Attribute)):
                base = part.value
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if isinstance(base, ast.Name):
                    bases.add(base.id)
    return bases


def _kind(node: ast.stmt) -> str:
    if isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return "future"
    if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
        return "star"
    if isinstance(node, _BINDING):
        return "binding"
    if isinstance(node, _CONDITIONAL):
        return "conditional"
    return "other"


def _statement(cell: int, index: int, node: ast.stmt) -> _Statement:
    try:
        table = symtable.symtable(ast.unparse(node), "<cell>", "exec")
    except SyntaxError:  # a statement that only parses in its cell's context (`return` at the top level)
        return _Statement(cell, index, frozenset(), frozenset(), frozenset(), "other")
    binds = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    now = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    deferred: set[str] = set()
    _global_reads(table, later=False, now=now, deferred=deferred)
    changed = _changed_bases(node) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) else set()
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        changed.add(node.target.id)  # `x += 1` reads x
    return _Statement(
        cell, index, frozenset(binds | changed), frozenset(now | changed), frozenset(deferred), _kind(node)
    )


def slice_cells(cells: list[str], roots: tuple[str, ...]) -> Slice:
    """Which statements of `cells` (Python sources, in the order the kernel ran them) grading `roots` needs."""
    bodies = [ast.parse(code).body for code in cells]
    statements = [_statement(c, i, node) for c, body in enumerate(bodies) for i, node in enumerate(body)]
    end = len(statements)
    binders: dict[str, list[int]] = {}
    for position, statement in enumerate(statements):
        if statement.kind in ("binding", "conditional"):
            for name in statement.binds:
                binders.setdefault(name, []).append(position)
    stars = [p for p, s in enumerate(statements) if s.kind == "star"]
    kept = {p for p, s in enumerate(statements) if s.kind == "future"}
    unbound: set[str] = set()
    seen: set[tuple[str, int]] = set()
    wanted = [(name, end) for name in roots]
    while wanted:
        name, before = wanted.pop()
        if (name, before) in seen:
            continue
        seen.add((name, before))
        earlier = [p for p in binders.get(name, ()) if p < before]
        if not earlier:
            found = [p for p in stars if p < before]
            if name not in _BUILTINS and any(name in s.binds for s in statements):
                unbound.add(name)
        else:
            found = earlier[-1:]
            if statements[found[0]].kind == "conditional":
                wanted.append((name, found[0]))  # the block may not bind it: the binding before it too
        for position in found:
            if position not in kept:
                kept.add(position)
                wanted += [(read, position) for read in statements[position].reads_now]
                wanted += [(read, end) for read in statements[position].reads_later]
    unbound -= {name for p in kept for name in statements[p].binds}
    per_cell = tuple(
        tuple(s.index for p, s in enumerate(statements) if s.cell == c and p in kept) for c in range(len(cells))
    )
    left_out = sum(
        1 for p, s in enumerate(statements) if p not in kept and not isinstance(bodies[s.cell][s.index], ast.Pass)
    )
    return Slice(per_cell, left_out, tuple(sorted(unbound)))
