"""`--format text`: the rich terminal report a learner reads."""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.i18n import LANGUAGES, label
from grader.report.grids import draw
from grader.results import ExerciseResult, RunResult, Status, TaskResult
from grader.results import Table as ComparisonTable

STYLE = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.ERROR: ("!", "red"),
    Status.NOT_IMPLEMENTED: ("·", "yellow"),
    Status.TIMEOUT: ("⏱", "magenta"),
    Status.FORBIDDEN: ("⊘", "red"),
    Status.MISSING: ("?", "yellow"),
}


AGAIN = "grade {name}"


def _points(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"


class ExerciseReport:
    """Draws one exercise: a line per task, then the details of every task that did not pass, then the
    command that grades it again (`again`, "{name}" standing for the exercise)."""

    def __init__(self, result: ExerciseResult, lang: str, again: str = AGAIN):
        self.result, self.lang, self.again = result, lang, again

    def _label(self, key: str, **fields) -> str:
        return label(key, self.lang, **fields)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        result = self.result
        title = f"{result.exercise} — {result.title}   {_points(result.score, result.max_score)}"
        table = Table(title=title, title_justify="left", expand=False)
        for key in ("task", "status", "points", "examples"):
            table.add_column(self._label(key), justify="right" if key in ("points", "examples") else "left")
        for task in result.tasks:
            mark, color = STYLE[task.status]
            table.add_row(
                task.name,
                Text(f"{mark} {self._label(task.status.value)}", style=color),
                _points(task.score, task.max_score),
                str(task.examples),
            )
        yield table
        for warning in result.warnings:
            yield Text(f"⚠ {warning}", style="yellow")
        for note in result.notes:
            yield Text(f"ℹ {note}", style="cyan")
        for note, names in _notes(result.tasks):
            yield Text(f"{self._label('note')} ({', '.join(names)}): {note}", style="yellow")
        for task in result.tasks:
            if task.status not in (Status.PASSED, Status.NOT_IMPLEMENTED, Status.MISSING):
                yield self._details(task)
        unfinished = [t for t in result.tasks if t.status in (Status.NOT_IMPLEMENTED, Status.MISSING)]
        if unfinished:
            yield Text("\n".join(f"{STYLE[t.status][0]} {t.name}: {t.message}" for t in unfinished), style="yellow")
        if result.passed:
            yield Text(self._label("all_passed"), style="bold green")
        else:
            command = self.again.replace("{name}", result.exercise)
            yield Text(self._label("next_step", command=command), style="dim")

    def _details(self, task: TaskResult) -> Panel:
        mark, color = STYLE[task.status]
        parts: list = [Text(task.message)]
        if task.diagnosis:
            parts.append(Text(f"\n{self._label('diagnosis')}: {task.diagnosis}", style="bold yellow"))
        example = task.counterexample
        if example is not None:
            if example.inputs:  # a function without arguments has no smallest call to show
                parts.append(Text(f"\n{self._label('smallest')}: {example.call}", style="bold"))
            pictured = {grid.name for grid in example.grids}
            for name, value in example.inputs.items():
                if name not in pictured:
                    parts.append(Text(f"{name} = {value}"))
            if example.grids:
                titles = {key: self._label(key) for key in ("expected", "yours", "differs")}
                parts.append(draw(example.grids, titles))
            elif example.expected is not None:
                parts.append(Text(f"\n{self._label('expected')}: {example.expected}", style="green"))
                parts.append(Text(f"{self._label('yours')}: {example.actual}", style="red"))
            if example.table is not None:
                parts.append(_side_by_side(example.table))
        if task.output.strip():
            parts.append(Text(f"\n{self._label('printed')}:\n{task.output.rstrip()}", style="dim"))
        title = f"{mark} {task.name} — {self._label(task.status.value)}"
        return Panel(Group(*parts), title=title, title_align="left", border_style=color)


def _notes(tasks: tuple[TaskResult, ...]) -> list[tuple[str, list[str]]]:
    """Each note once, with the tasks it is about (the same wider dtype is often every task's)."""
    grouped: dict[str, list[str]] = {}
    for task in tasks:
        if task.note:
            grouped.setdefault(task.note, []).append(task.name)
    return list(grouped.items())


def _side_by_side(table: ComparisonTable) -> Table:
    """Expected and yours, row by row; the first row that differs marked `>` (as the plain formats mark it, so
    it shows without colour too) and in bold red."""
    legend = "n.t. = non-trainable" if any("n.t." in cell for row in table.rows for cell in row) else None
    drawn = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1), caption=legend, caption_justify="left")
    drawn.add_column("", no_wrap=True, width=1)
    described = {label(key, lang) for key in ("expected", "yours") for lang in LANGUAGES}  # the table's own language
    for column in table.columns:
        wide = column in described
        drawn.add_column(
            column, justify="right" if column == "#" else "left", no_wrap=not wide, ratio=3 if wide else None
        )
    for i, row in enumerate(table.rows):
        differs = i == table.first_difference
        drawn.add_row(">" if differs else "", *row, style="bold red" if differs else None)
    return drawn


class RunReport:
    """Draws several exercises and a total."""

    def __init__(self, result: RunResult, lang: str, again: str = AGAIN):
        self.result, self.lang, self.again = result, lang, again

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for exercise in self.result.exercises:
            yield ExerciseReport(exercise, self.lang, self.again)
            yield Text("")
        total = label("total", self.lang)
        yield Text(f"{total}: {_points(self.result.score, self.result.max_score)}", style="bold")


def render_text(
    result: ExerciseResult | RunResult, *, lang: str, color: bool, width: int = 100, again: str = AGAIN
) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    kind = RunReport if isinstance(result, RunResult) else ExerciseReport
    report = kind(result, lang, again)
    console.print(report)
    return buffer.getvalue()
