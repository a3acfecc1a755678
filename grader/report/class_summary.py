"""The terminal summary of a marked class: the students, each task's pass rate, and the score histogram."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from grader.classroom.gradebook import ClassResult, histogram, pass_rates, points_row
from grader.classroom.marking import EMPTY, ERROR, GRADED, INCOMPLETE

_STATUS_STYLE = {GRADED: "green", INCOMPLETE: "yellow", EMPTY: "yellow", ERROR: "bold red"}
_BAR = 40


def _points(value: float) -> str:
    return f"{value:g}"


def _add_whole_column(table: Table, header: str, *cells: str, justify: JustifyMethod = "left") -> None:
    """A column never narrower than its header and the `cells` named, so that none of them is cut."""
    width = max(len(line) for text in (header, *cells) for line in text.splitlines())
    table.add_column(header, justify=justify, no_wrap=True, min_width=width)


class ClassSummary:
    def __init__(self, result: ClassResult):
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        result = self.result
        yield self._students(console, options)
        yield Text("")
        yield self._pass_rates()
        yield Text("")
        yield self._histogram()
        errors = [r for r in result.reports if r["status"] == ERROR]
        for report in errors:
            yield Text(f"! {report['student']}: {report['message']}", style="bold red")
        marked = len(result.reports) - len(result.reused)
        yield Text(
            f"{len(result.reports)} students: {marked} marked, {len(result.reused)} kept from earlier runs (--resume)"
            + (f", {len(errors)} the grader could not mark" if errors else ""),
            style="bold",
        )

    def _students(self, console: Console, options: ConsoleOptions) -> Table:
        """Every header whole: the exercises' full names where they fit, else short ones (ex3), else short ones
        in a table without vertical rules; a student's name keeps 12 characters or more on a line, the rest folds."""
        for short, compact in ((False, False), (True, False), (True, True)):
            table = self._students_table(short=short, compact=compact)
            unbounded = options.update_width(10 * options.max_width)  # else the measure is capped at the width
            if Measurement.get(console, unbounded, table).minimum <= options.max_width:
                break
        return table

    def _students_table(self, *, short: bool, compact: bool) -> Table:
        result = self.result
        shard = f" (shard {result.shard[0]}/{result.shard[1]})" if result.shard else ""
        layout = {"box": box.SIMPLE_HEAD, "padding": (0, 0)} if compact else {}
        table = Table(title=f"gradebook{shard}", title_justify="left", **layout)
        names = [len(report["student"]) for report in result.reports]
        table.add_column("student", overflow="fold", min_width=max(len("student"), min(max(names, default=0), 12)))
        for name in result.exercises:
            label = "ex" + name.removeprefix("exercise") if short else name
            _add_whole_column(table, f"{label}\n/{_points(result.maxima[name])}", justify="right")
        _add_whole_column(table, f"total\n/{_points(result.max_score)}", justify="right")
        _add_whole_column(table, "status", *(report["status"] for report in result.reports))
        for report in result.reports:
            cells, total = points_row(result, report)
            status = Text(report["status"], style=_STATUS_STYLE[report["status"]])
            table.add_row(report["student"], *cells, total, status)
        return table

    def _pass_rates(self) -> Table:
        rates = pass_rates(self.result)
        table = Table(title="pass rate per task", title_justify="left")
        _add_whole_column(table, "exercise", *(rate.exercise for rate in rates))
        table.add_column("task", overflow="fold", min_width=len("task"))
        _add_whole_column(table, "passed", *(f"{rate.passed}/{rate.marked}" for rate in rates), justify="right")
        table.add_column("rate", min_width=len("rate"))
        for rate in rates:
            width = round(rate.fraction * 20)
            bar = Text("█" * width, style="green") + Text("░" * (20 - width), style="dim")
            table.add_row(rate.exercise, rate.task, f"{rate.passed}/{rate.marked}", bar + Text(f" {rate.fraction:.0%}"))
        return table

    def _histogram(self) -> Table:
        counts = histogram(self.result)
        table = Table(title="scores (% of the maximum)", title_justify="left", box=None, show_header=False)
        table.add_column(justify="right")
        table.add_column(justify="right")
        table.add_column()
        largest = max(counts) or 1
        for i, count in enumerate(counts):
            step = 100 // len(counts)
            span = f"{i * step}-{(i + 1) * step}%" if i == len(counts) - 1 else f"{i * step}-{(i + 1) * step - 1}%"
            table.add_row(span, str(count), Text("█" * round(count / largest * _BAR), style="cyan"))
        return table


def render_class(result: ClassResult, *, color: bool, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, color_system="standard" if color else None, highlight=False
    )
    console.print(ClassSummary(result))
    return buffer.getvalue()
