"""Finding the learner's file for an exercise: a `.py` file, a folder of `exerciseN_*.py` files, or a notebook."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from grader.errors import SubmissionNotFound
from grader.i18n import N_, _, translate
from grader.notebook import GradedCells
from grader.spec import Exercise

_converted: list[str] = []
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
    return path.resolve()


def find_source(exercise: Exercise, root: Path) -> Path | None:
    """The learner's own file for `exercise` under `root` (a `.py` file or a notebook), or None."""
    if root.is_file():
        return root
    exact = root / exercise.file_name
    if exact.is_file():
        return exact
    for pattern in (
        f"exercise{exercise.number}_*.py",
        f"exercise{exercise.number}.py",
        f"exercise{exercise.number}*.ipynb",
    ):
        matches = sorted(root.glob(pattern))
        if matches:
            return matches[0]
    return None


def loadable(source: Path | None, exercise: Exercise) -> Path | None:
    """The Python file the worker loads for a learner's file (of a notebook, what grading `exercise` needs)."""
    if source is not None and source.suffix == ".ipynb":
        return notebook_as_module(source, exercise)
    return source


def notebook_as_module(path: Path, exercise: Exercise) -> Path:
    """The code cells of a notebook that grading `exercise` needs, as one Python file (see `grader.notebook`
    and `grader.notebook_slice` for what is left out)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = []
        for number, cell in enumerate(cells, start=1):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                code.append((f"{path.name} [cell {number}]", "".join(source) if isinstance(source, list) else source))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SubmissionNotFound(
            _("{path} is not a readable Jupyter notebook ({error})").format(path=path, error=exc)
        ) from None
    return converted_file(path.stem, code, exercise)


def converted_file(stem: str, cells: list[tuple[str, str]], exercise: Exercise) -> Path:
    """Write what of notebook cells grading `exercise` needs as a module the worker loads, in a folder removed
    when the process ends."""
    from grader.notebook import graded_cells, module_name_for

    if not _converted:
        _converted.append(tempfile.mkdtemp(prefix="grade-notebooks-"))
        atexit.register(shutil.rmtree, _converted[0], True)
    roots = tuple(task.name for task in exercise.tasks)
    target = Path(_converted[0]) / module_name_for([*cells, ("roots", repr(roots))], stem)
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
