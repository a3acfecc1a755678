"""How far a learner stands (진행 상황): the last grade of each task, kept in the project's `.grade/` folder.

A learner's own runs (`grade exercise3`, `check("exercise3")` in a notebook) write
`<project>/.grade/progress.json` (or `$GRADE_STATE_DIR/progress.json`), where `<project>` holds the
`exercises/` folder; `grade list` reads it.
Only the learner's own files count: a file in the project's `exercises/` folder, or the cells of a notebook's
kernel. Marking runs (`grade batch`) and any other submission (the references in `solutions/` that the quick
start checks, a classmate's copy, a file elsewhere) never write it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from grader.errors import SubmissionNotFound
from grader.results import ExerciseResult, Status
from grader.submission import default_root

FILE_NAME = "progress.json"
NOT_STARTED = "not_started"


def exercises_folder(start: Path | None = None) -> Path | None:
    """The learner's `exercises/` folder of the project the command runs in (or above); None outside any."""
    try:
        return default_root(start)
    except SubmissionNotFound:
        return None


def project(start: Path | None = None) -> Path | None:
    """The folder holding the `exercises/` folder the command runs in (or above); None outside any project."""
    exercises = exercises_folder(start)
    return None if exercises is None else exercises.parent


def state_folder(start: Path | None = None) -> Path | None:
    """Where progress and hint levels are kept: `GRADE_STATE_DIR` if set, else `<project>/.grade`."""
    if os.environ.get("GRADE_STATE_DIR"):
        return Path(os.environ["GRADE_STATE_DIR"])
    home = project(start)
    return None if home is None else home / ".grade"


def read_json(path: Path) -> dict:
    """A small state file as a dict; a missing or damaged one reads as empty (it is only a convenience)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict) -> None:
    """Write atomically, so that an interrupted run never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(f.name, path)
    except OSError:  # a read-only project still grades; it only forgets
        return


def _inside(path: str | None, folder: Path) -> bool:
    if path is None:
        return False
    try:
        Path(path).resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def record(result: ExerciseResult, own: bool = False) -> None:
    """Keep each task's last state and points, if the graded file is the learner's own: in the `exercises/`
    folder of the project run in (or `own`: the cells a learner ran in a notebook kernel)."""
    exercises, folder = exercises_folder(), state_folder()
    if folder is None or not (own or (exercises is not None and _inside(result.source, exercises))):
        return
    path = folder / FILE_NAME
    data = read_json(path)
    tasks = {}
    for task in result.tasks:
        state = NOT_STARTED if task.status in (Status.NOT_IMPLEMENTED, Status.MISSING) else task.status.value
        tasks[task.name] = {"state": state, "score": task.score, "max_score": task.max_score}
    data[result.exercise] = {"tasks": tasks, "graded_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_json(path, data)


def load() -> dict:
    """{exercise name: {"tasks": {task: {"state", "score", "max_score"}}, "graded_at": ...}}, {} if none."""
    folder = state_folder()
    return {} if folder is None else read_json(folder / FILE_NAME)


def task_state(progress: dict, exercise: str, task: str) -> dict:
    """The task's last state: {"state": passed|failed|error|...|not_started, "score": float | None}."""
    kept = progress.get(exercise, {}).get("tasks", {}).get(task)
    if not isinstance(kept, dict) or "state" not in kept:
        return {"state": NOT_STARTED, "score": None}
    return {"state": str(kept["state"]), "score": kept.get("score")}
