"""`grade list`: every exercise and task, its points, and the learner's last state of it (진행 상황)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from grader.i18n import label
from grader.progress import NOT_STARTED, task_state
from grader.report.text import STYLE
from grader.results import Status

_NOT_STARTED_STYLE = ("·", "dim")


def _state(state: str, lang: str) -> Text:
    try:
        status = Status(state)
    except ValueError:
        mark, color = _NOT_STARTED_STYLE
        return Text(f"{mark} {label(NOT_STARTED, lang)}", style=color)
    mark, color = STYLE[status]
    return Text(f"{mark} {label(status.value, lang)}", style=color)


def progress_table(exercises, progress: dict, lang: str) -> Table:
    """A row per task (its last state, points got / points), a total per exercise and one for all."""
    table = Table(title=label("exercises", lang), title_justify="left")
    for key in ("exercise", "task", "state", "points"):
        table.add_column(label(key, lang), justify="right" if key == "points" else "left")
    got_all = total_all = 0.0
    for exercise in exercises:
        names = f"{exercise.number} · {exercise.slug}"
        states = [task_state(progress, exercise.name, task.name) for task in exercise.tasks]
        got = sum(s["score"] or 0 for s in states)
        total = sum(task.points for task in exercise.tasks)
        got_all, total_all = got_all + got, total_all + total
        heading = [Text(exercise.name, style="bold"), Text(exercise.title), Text(f"grade {names}", style="dim")]
        for i, (task, state) in enumerate(zip(exercise.tasks, states, strict=True)):
            score = "-" if state["score"] is None else f"{state['score']:g}"
            first_cell = heading[i] if i < len(heading) else ""
            table.add_row(first_cell, task.name, _state(state["state"], lang), f"{score}/{task.points:g}")
        table.add_row("", Text(label("total", lang), style="bold"), "", Text(f"{got:g}/{total:g}", style="bold"))
        table.add_section()
    table.add_row(Text(label("total", lang), style="bold"), "", "", Text(f"{got_all:g}/{total_all:g}", style="bold"))
    return table
