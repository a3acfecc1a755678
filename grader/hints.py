"""`grade hint exercise3 max_pool2d`: progressive hints (힌트), one level more each time it is asked.

Level 1 is the concept, level 2 the approach, level 3 close to code (`Task.hints`). The level a learner
reached for each task is kept beside the progress, in `<project>/.grade/hints.json`, so the next request
shows one more; outside a project nothing is kept and each request starts at level 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.errors import GraderError
from grader.i18n import _, translate
from grader.progress import read_json, state_folder, write_json
from grader.spec import HINT_LEVELS, Exercise, Task

FILE_NAME = "hints.json"


@dataclass(frozen=True)
class Hints:
    """The hints shown this time: levels 1..`level` of the task, in the current language."""

    exercise: str
    task: str
    level: int
    texts: tuple[str, ...]
    kept: bool  # whether the level reached is remembered for next time

    @property
    def last(self) -> bool:
        return self.level >= HINT_LEVELS


def find_task(exercise: Exercise, name: str) -> Task:
    for task in exercise.tasks:
        if task.name == name:
            return task
    names = ", ".join(t.name for t in exercise.tasks)
    raise GraderError(
        _("{exercise} has no task {task}; its tasks: {tasks}").format(
            exercise=exercise.name, task=repr(name), tasks=names
        )
    )


def reveal(exercise: Exercise, task: Task, level: int | None = None, reset: bool = False) -> Hints:
    """The next level (or `level`), remembered as reached; `reset` starts the task's hints over."""
    folder = state_folder()
    path = None if folder is None else folder / FILE_NAME
    kept = read_json(path) if path is not None else {}
    key = f"{exercise.name}.{task.name}"
    stored = str(kept.get(key, 0))  # a hand-edited or damaged value counts as nothing reached
    reached = int(stored) if stored.isdigit() and not reset else 0
    shown = min(max(level if level is not None else reached + 1, 1), HINT_LEVELS)
    if path is not None:
        kept[key] = max(reached, shown)
        write_json(path, kept)
    texts = tuple(translate(text) for text in task.hints[:shown])
    return Hints(exercise.name, task.name, shown, texts, kept=path is not None)
