"""The terminal summary of a marked class: the students, each task's pass rate, and the score histogram."""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from grader.gradebook import ClassResult, histogram, pass_rates, points_row
from grader.marking import EMPTY, ERROR, GRADED, INCOMPLETE

_STATUS_STYLE = {GRADED: "green", INCOMPLETE: "yellow", EMPTY: "yellow", ERROR: "bold red"}
_BAR = 40


def _points(value: float) -> str:
    return f"{value:g}"


class ClassSummary:
    def __init__(self, result: ClassResult):
        self.result = result

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        result = self.result
        yield self._students()
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

    def _students(self) -> Table:
        result = self.result
        shard = f" (shard {result.shard[0]}/{result.shard[1]})" if result.shard else ""
        table = Table(title=f"gradebook{shard}", title_justify="left")
        table.add_column("student")
        for name in result.exercises:
            table.add_column(f"{name}\n/{_points(result.maxima[name])}", justify="right")
        table.add_column(f"total\n/{_points(result.max_score)}", justify="right")
        table.add_column("status")
        for report in result.reports:
            cells, total = points_row(result, report)
            status = Text(report["status"], style=_STATUS_STYLE[report["status"]])
            table.add_row(report["student"], *cells, total, status)
        return table

    def _pass_rates(self) -> Table:
        table = Table(title="pass rate per task", title_justify="left")
        for column in ("exercise", "task", "passed", "rate"):
            table.add_column(column, justify="right" if column in ("passed",) else "left")
        for rate in pass_rates(self.result):
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
