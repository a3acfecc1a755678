"""Finding the learner's file for an exercise: a `.py` file, a folder of `exerciseN_*.py` files, or a notebook."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from grader.errors import SubmissionNotFound
from grader.i18n import _
from grader.spec import Exercise

_converted: list[str] = []


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


def loadable(source: Path | None) -> Path | None:
    """The Python file the worker loads for a learner's file (a notebook's code cells converted)."""
    if source is not None and source.suffix == ".ipynb":
        return notebook_as_module(source)
    return source


def notebook_as_module(path: Path) -> Path:
    """The code cells of a notebook as one Python file (see `grader.notebook` for what is left out)."""
    from grader.notebook import module_name_for

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
    return converted_file(module_name_for(code, path.stem), code)


def converted_file(name: str, cells: list[tuple[str, str]]) -> Path:
    """Write notebook cells as a module the worker loads, in a folder removed when the process ends."""
    from grader.notebook import cells_as_module

    if not _converted:
        _converted.append(tempfile.mkdtemp(prefix="grade-notebooks-"))
        atexit.register(shutil.rmtree, _converted[0], True)
    target = Path(_converted[0]) / name
    target.write_text(cells_as_module(cells), encoding="utf-8")
    return target
