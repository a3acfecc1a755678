"""Finding a learner's work by what it defines, when no file is named for the exercise.

Learners hand in `HW3_김민수.ipynb`, Colab's `Copy of exercise3.ipynb`, `hw.py` or a zip whose files sit in a
nested folder. When the name rules of `grader.submission.find_source` find nothing, every `.py` file and
notebook under the submission (a few folders deep, hidden folders and `__pycache__` left out) is read as
`grader.files` reads a learner's file (a link out of the submission or an oversized file is skipped, never
read) and parsed with `ast`, never imported or run. The file whose top-level functions cover the most of the
exercise's task names is the learner's work; a function whose body only raises `NotImplementedError` (a stub)
counts below one that is written. Two files that cover it equally are reported (`AmbiguousSubmission`), never
resolved by which one a folder listing happens to give first.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionNotFound
from grader.files import RefusedFile, read_checked, shown
from grader.i18n import _
from grader.notebook import python_cell
from grader.spec import Exercise

MAX_DEPTH = 4  # a zip's folder inside a folder inside the submission is as deep as learners go
MAX_CANDIDATES = 200  # files examined at most: a submission of thousands of files is not searched to the end
_SKIPPED = {"__pycache__", "__MACOSX", "node_modules", "site-packages"}


class AmbiguousSubmission(SubmissionNotFound):
    """Two files of a submission define an exercise's functions equally well (alone: "Error: ...", exit 2; in a
    class: that student's `error` row; on Gradescope: the exercise's tests say so)."""


@dataclass(frozen=True)
class Definitions:
    """The top-level functions of one file: every name defined, and those whose body is more than a stub."""

    defined: frozenset[str]
    written: frozenset[str]


@dataclass(frozen=True)
class Coverage:
    path: Path
    written: int
    defined: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.written, self.defined)


def _is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of a docstring, `pass`, `...` or `raise NotImplementedError(...)` only."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring (or a bare `...`)
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                continue
        return False
    return True


def _sources(path: Path, data: bytes) -> list[str]:
    """The Python text of a `.py` file, or each code cell of a notebook as plain Python (magics removed)."""
    text = data.decode("utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return [text]
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        return []
    sources = []
    for cell in cells if isinstance(cells, list) else ():
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            code = python_cell("".join(source) if isinstance(source, list) else str(source))
            if code is not None:
                sources.append(code)
    return sources


def definitions(path: Path, data: bytes) -> Definitions:
    """The top-level functions `data` (the bytes of `path`) defines; a cell or file that does not parse
    defines nothing."""
    defined: set[str] = set()
    written: set[str] = set()
    for source in _sources(path, data):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.add(node.name)
                if _is_stub(node):
                    written.discard(node.name)  # a later cell's stub replaces an earlier definition
                else:
                    written.add(node.name)
    return Definitions(frozenset(defined), frozenset(written))


def candidates(root: Path) -> list[Path]:
    """Every `.py` file and notebook under `root` (as named, links not followed into folders), sorted, at
    most MAX_CANDIDATES of them, no deeper than MAX_DEPTH folders."""
    found: list[Path] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        depth = len(Path(folder).relative_to(root).parts)
        folders[:] = sorted(
            name for name in folders if depth < MAX_DEPTH and not name.startswith(".") and name not in _SKIPPED
        )
        found.extend(Path(folder) / name for name in sorted(files) if name.endswith((".py", ".ipynb")))
        if len(found) >= MAX_CANDIDATES:
            break
    return sorted(found[:MAX_CANDIDATES])


def coverage(exercise: Exercise, root: Path, within: tuple[Path, ...]) -> list[Coverage]:
    """How well each file under `root` covers `exercise`'s task names (files defining none left out)."""
    names = {task.name for task in exercise.tasks}
    covered = []
    for path in candidates(root):
        try:
            data = read_checked(path, within)
        except RefusedFile:  # a link out of the submission, a pipe, a file too large: never a candidate
            continue
        found = definitions(path, data)
        defined = len(names & found.defined)
        if defined:
            covered.append(Coverage(path, len(names & found.written), defined))
    return covered


def find_by_content(exercise: Exercise, root: Path, within: tuple[Path, ...] = ()) -> Path | None:
    """The one file under the folder `root` that best covers `exercise`'s functions, or None when no file
    defines any of them. Raises AmbiguousSubmission when two files cover them equally well."""
    covered = coverage(exercise, root, within or (root,))
    if not covered:
        return None
    best = max(c.key for c in covered)
    tied = [c for c in covered if c.key == best]
    if len(tied) > 1:
        files = ", ".join(shown(c.path.relative_to(root).as_posix()) for c in tied)
        raise AmbiguousSubmission(
            _(
                "{exercise}: {count} files define its functions equally well ({files}); keep only one of them, "
                "or name it {file_name}"
            ).format(exercise=exercise.name, count=len(tied), files=files, file_name=exercise.file_name)
        )
    return tied[0].path
