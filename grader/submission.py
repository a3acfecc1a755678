"""Finding the learner's file for an exercise (a `.py` file, a folder of `exerciseN_*.py` files, or a notebook),
reading it once as `grader.files` checks it, and the file of the grader's own that the worker loads."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import SubmissionNotFound
from grader.files import RefusedFile, read_checked, shown
from grader.i18n import N_, _, translate
from grader.spec import Exercise

if TYPE_CHECKING:  # a notebook's machinery is imported when a notebook is graded
    from grader.notebook import GradedCells

_private: list[str] = []
_left_out: dict[Path, GradedCells] = {}  # what each converted notebook leaves out, by the module's path


def default_root(start: Path | None = None) -> Path:
    """The `exercises/` folder of the project the command runs in (this folder or one above it)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises").is_dir():
            return folder / "exercises"
        if folder.name == "exercises" and folder.is_dir():
            return folder
    raise SubmissionNotFound(
        _("no exercises/ folder in {here} or above it: run grade inside the project, or pass --submission PATH").format(
            here=here
        )
    )


def resolve_root(submission: str | Path | None) -> Path:
    if submission is None:
        return default_root()
    path = Path(submission).expanduser()
    if not path.exists():
        raise SubmissionNotFound(_("submission {path} does not exist").format(path=repr(str(path))))
    if path.is_file() and path.suffix not in (".py", ".ipynb"):
        raise SubmissionNotFound(
            _("submission {path} is neither a .py file, a notebook nor a folder").format(path=repr(str(path)))
        )
    return Path(os.path.abspath(path))  # links are not followed here: reading the files checks where they lead


def within_of(root: Path) -> tuple[Path, ...]:
    """The folder a learner's files must lie in: the submission's folder, or the folder of a single file."""
    return (root,) if root.is_dir() else (root.parent,)


def find_source(exercise: Exercise, root: Path, within: tuple[Path, ...] = ()) -> Path | None:
    """The learner's own file for `exercise` under `root` (a `.py` file or a notebook), or None. By name first:
    whatever has the name is found, also a folder, a pipe or a link, so that reading it can say what it is.
    Else by content (`grader.discovery`): the file whose functions cover the exercise's tasks, read as
    `grader.files` checks it (`within`: the folders it must lie in, by default `root`) and parsed, never run;
    two files that cover them equally raise `discovery.AmbiguousSubmission`."""
    if not root.is_dir():
        return root
    exact = root / exercise.file_name
    if os.path.lexists(exact):
        return exact
    for pattern in (
        f"exercise{exercise.number}_*.py",
        f"exercise{exercise.number}.py",
        f"exercise{exercise.number}*.ipynb",
    ):
        matches = sorted(root.glob(pattern))
        if matches:
            return matches[0]
    from grader.discovery import find_by_content

    return find_by_content(exercise, root, within or within_of(root))


@dataclass(frozen=True)
class Handed:
    """One learner's file as it was read, once: where it is (as the learner named it) and its bytes."""

    path: Path
    data: bytes


def read_submission(
    exercises: tuple[Exercise, ...], root: Path, within: tuple[Path, ...] = ()
) -> dict[str, Handed | None]:
    """Each exercise's file under `root`, read and checked (`grader.files`), or None where there is none.
    `within`: the folders the files must lie in (by default `within_of(root)`). Raises RefusedFile."""
    within = within or within_of(root)
    if root.is_dir():
        try:
            with os.scandir(root):  # an unreadable folder is not an empty one
                pass
        except OSError as exc:
            raise RefusedFile(
                _("{file} cannot be read: {error}").format(file=shown(root.name), error=exc.strerror or exc)
            ) from None
    read: dict[Path, Handed] = {}
    handed: dict[str, Handed | None] = {}
    for exercise in exercises:
        source = find_source(exercise, root, within)
        if source is not None and source not in read:
            read[source] = Handed(source, read_checked(source, within))
        handed[exercise.name] = None if source is None else read[source]
    return handed


def content_hash(handed: dict[str, Handed | None]) -> str:
    """sha256 of exactly what is graded: each exercise's file name and bytes (or that there is none)."""
    digest = hashlib.sha256()
    for name, file in handed.items():
        digest.update(f"{name}\0{file.path.name if file else '-'}\0".encode())
        if file is not None:
            digest.update(hashlib.sha256(file.data).digest())
    return digest.hexdigest()


def _private_folder() -> Path:
    """The grader's own folder for the files the worker loads, removed when the process ends."""
    if not _private:
        _private.append(tempfile.mkdtemp(prefix="grade-submissions-"))
        atexit.register(shutil.rmtree, _private[0], True)
    return Path(_private[0])


@contextlib.contextmanager
def loadable(handed: Handed | None, exercise: Exercise) -> Iterator[Path | None]:
    """The Python file the worker loads for a learner's file: a copy of the checked bytes under the learner's
    file name (tracebacks and syntax errors name it), or of a notebook, what grading `exercise` needs. The
    learner's path is never loaded, so a file swapped after it was read changes nothing."""
    if handed is None:
        yield None
    elif handed.path.suffix == ".ipynb":
        yield notebook_as_module(handed, exercise)
    else:
        folder = Path(tempfile.mkdtemp(dir=_private_folder()))
        try:
            copy = folder / handed.path.name
            copy.write_bytes(handed.data)
            converted = _left_out.get(handed.path.resolve())  # a notebook's cells `check` converted: its notes
            if converted is not None:
                _left_out[copy.resolve()] = converted
            try:
                yield copy
            finally:
                _left_out.pop(copy.resolve(), None)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def notebook_as_module(handed: Handed, exercise: Exercise) -> Path:
    """The code cells of a notebook that grading `exercise` needs, as one Python file (see `grader.notebook`
    and `grader.notebook_slice` for what is left out)."""
    path = handed.path
    try:
        cells = json.loads(handed.data.decode("utf-8"))["cells"]
        code = []
        for number, cell in enumerate(cells, start=1):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                code.append((f"{path.name} [cell {number}]", "".join(source) if isinstance(source, list) else source))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SubmissionNotFound(
            _("{path} is not a readable Jupyter notebook ({error})").format(path=shown(path), error=exc)
        ) from None
    return converted_file(path.stem, code, exercise)


def converted_file(stem: str, cells: list[tuple[str, str]], exercise: Exercise) -> Path:
    """Write what of notebook cells grading `exercise` needs as a module the worker loads, in a folder removed
    when the process ends."""
    from grader.notebook import graded_cells, module_name_for

    roots = tuple(task.name for task in exercise.tasks)
    target = _private_folder() / module_name_for([*cells, ("roots", repr(roots))], stem)
    graded = graded_cells(cells, roots)
    target.write_text(graded.source, encoding="utf-8")
    _left_out[target.resolve()] = graded
    return target


def conversion_notes(loaded: Path | None, lang: str) -> tuple[str, ...]:
    """What the report says about a notebook's cells that were not graded (nothing for a `.py` file)."""
    graded = _left_out.get(loaded.resolve()) if loaded is not None else None
    if graded is None:
        return ()
    notes = []
    if graded.left_out:
        message = _LEFT_OUT_ONE if graded.left_out == 1 else _LEFT_OUT_MANY
        notes.append(translate(message, lang).format(count=graded.left_out))
    if graded.unbound:
        notes.append(translate(_UNBOUND, lang).format(names=", ".join(graded.unbound)))
    return tuple(notes)


_LEFT_OUT_ONE = N_(
    "1 statement of the notebook was left out (training, plots, prints): only imports, definitions and the "
    "values they use are graded"
)
_LEFT_OUT_MANY = N_(
    "{count} statements of the notebook were left out (training, plots, prints): only imports, definitions and "
    "the values they use are graded"
)
_UNBOUND = N_(
    "your functions read {names}, which no statement kept for grading defines before it is read (loops, with "
    "blocks and later cells are not kept): define it with a plain assignment above the function"
)
