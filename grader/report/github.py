"""GitHub Actions: when `GITHUB_ACTIONS` is set, a Markdown summary for `$GITHUB_STEP_SUMMARY` and `::error`
workflow commands that annotate the learner's file at the function that did not pass."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from grader.errors import GraderError
from grader.files import read_checked
from grader.i18n import label
from grader.report.plain import clean, exercises_of, task_details

ANNOTATION_LIMIT = 50  # GitHub shows at most 50 annotations of a job; past that they are noise


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def function_lines(path: Path) -> dict[str, int]:
    """Where each top-level function of a Python file starts (parsed, never run); {} for anything else."""
    if path.suffix != ".py":
        return {}
    try:
        tree = ast.parse(read_checked(path))  # a pipe or /dev/zero in its place is never read
    except (GraderError, SyntaxError, ValueError):
        return {}
    return {node.name: node.lineno for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _shown_path(path: Path) -> str:
    """Relative to the repository (GITHUB_WORKSPACE) when it is inside it: GitHub needs that to place it."""
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def annotations(items: list[tuple[str, dict, Path | None]], limit: int = ANNOTATION_LIMIT) -> list[str]:
    """`::error` lines for every task that did not pass. `items`: (prefix, exercise JSON, learner's file)."""
    lines: list[str] = []
    skipped = 0
    for prefix, exercise, path in items:
        starts = function_lines(path) if path else {}
        tasks = [task for task in exercise["tasks"] if task["status"] != "passed"]
        if path is None and tasks:  # no file for the exercise: one line says so, not one per task
            tasks = tasks[:1]
            tasks[0] = {**tasks[0], "name": "*"}
        for task in tasks:
            if len(lines) >= limit:
                skipped += 1
                continue
            where = []
            if path is not None:
                where.append(f"file={_escape_property(_shown_path(path))}")
                if task["name"] in starts:
                    where.append(f"line={starts[task['name']]}")
            title = f"{prefix}{exercise['exercise']}.{task['name']}: {task['status']}"
            where.append(f"title={_escape_property(title)}")
            lines.append(f"::error {','.join(where)}::{_escape_data(clean(task['message']))}")
    if skipped:
        lines.append(f"::notice::{skipped} more tasks did not pass; see the report or the gradebook")
    return lines


def _cell(text: str) -> str:
    return clean(text).replace("|", "\\|").replace("\n", " ")


def exercises_markdown(data: dict, lang: str = "en") -> str:
    """One exercise's, or `grade all`'s, report as Markdown: a table, and the details of each failed task."""
    parts = []
    for exercise in exercises_of(data):
        parts.append(f"### {exercise['exercise']} {exercise['title']}: {exercise['score']:g}/{exercise['max_score']:g}")
        parts.append(f"| {label('task', lang)} | {label('status', lang)} | {label('points', lang)} |")
        parts.append("| --- | --- | ---: |")
        for task in exercise["tasks"]:
            mark = "✅" if task["status"] == "passed" else "❌"
            parts.append(
                f"| {task['name']} | {mark} {label(task['status'], lang)} | {task['score']:g}/{task['max_score']:g} |"
            )
        for task in exercise["tasks"]:
            if task["status"] == "passed" and task.get("note"):
                parts.append(f"\n> {label('note', lang)} ({task['name']}): {_cell(task['note'])}")
            if task["status"] != "passed":
                details = task_details(task, lang).replace("```", "'''")
                parts.append(f"<details><summary>{task['name']}</summary>\n\n```\n{details}\n```\n</details>")
        parts.append("")
    if "exercises" in data:
        parts.append(f"**{label('total', lang)}: {data['score']:g}/{data['max_score']:g}**")
    return "\n".join(parts) + "\n"


def class_markdown(result) -> str:
    """A marked class (`gradebook.ClassResult`) as Markdown: the gradebook and each task's pass rate."""
    from grader.classroom.gradebook import pass_rates, points_row

    header = ["student", *result.exercises, "total", "status"]
    lines = [f"### Gradebook: {len(result.reports)} students", "", "| " + " | ".join(header) + " |"]
    lines.append("| --- " + "| ---: " * (len(header) - 2) + "| --- |")
    for report in result.reports:
        cells, points = points_row(result, report)
        total = f"{points}/{result.max_score:g}" if points else ""
        lines.append("| " + " | ".join([_cell(report["student"]), *cells, total, report["status"]]) + " |")
    lines += ["", "### Pass rate per task", "", "| task | passed | rate |", "| --- | ---: | ---: |"]
    for rate in pass_rates(result):
        lines.append(f"| {rate.exercise}.{rate.task} | {rate.passed}/{rate.marked} | {rate.fraction:.0%} |")
    return "\n".join(lines) + "\n"


def write_step_summary(markdown: str) -> None:
    """Append to the job's summary page, when the runner gave one."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(markdown)
