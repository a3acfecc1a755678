"""GitHub Actions: when `GITHUB_ACTIONS` is set, a Markdown summary for `$GITHUB_STEP_SUMMARY` and `::error`
workflow commands that annotate the learner's file at the function that did not pass."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from grader.errors import GraderError
from grader.files import read_checked
from grader.i18n import N_, label, translate
from grader.report.plain import clean, exercises_of, task_details

# GitHub shows at most 10 error annotations of a step (and 10 warnings, 10 notices; 50 of a job): past that
# they are dropped without a word, so the rest go to the step summary.
ANNOTATION_LIMIT = 10
_MORE_THAN_SHOWN = N_("{count} more tasks did not pass than GitHub shows as annotations: the run's summary lists them")
_NOT_ANNOTATED = N_("Not shown as annotations: {count} more tasks that did not pass")
_COULD_NOT_RUN = N_("The grader could not run")


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


def _failures(items: list[tuple[str, dict, Path | None]]) -> list[tuple[str, dict, dict, Path | None]]:
    """(prefix, exercise, task, file) for every task that did not pass, in the report's order; an exercise with
    no file counts once (task "*"), not once per task."""
    found = []
    for prefix, exercise, path in items:
        tasks = [task for task in exercise["tasks"] if task["status"] != "passed"]
        if path is None and tasks:
            tasks = [{**tasks[0], "name": "*"}]
        found += [(prefix, exercise, task, path) for task in tasks]
    return found


def annotations(items: list[tuple[str, dict, Path | None]], limit: int = ANNOTATION_LIMIT) -> list[str]:
    """`::error` lines for the first `limit` tasks that did not pass, and one `::notice` saying how many more
    there are (notices have their own 10). `items`: (prefix, exercise JSON, learner's file)."""
    failures = _failures(items)
    lines: list[str] = []
    starts: dict[Path, dict[str, int]] = {}
    for prefix, exercise, task, path in failures[:limit]:
        where = []
        if path is not None:
            lines_of = starts.setdefault(path, function_lines(path))
            where.append(f"file={_escape_property(_shown_path(path))}")
            if task["name"] in lines_of:
                where.append(f"line={lines_of[task['name']]}")
        title = f"{prefix}{exercise['exercise']}.{task['name']}: {task['status']}"
        where.append(f"title={_escape_property(title)}")
        lines.append(f"::error {','.join(where)}::{_escape_data(clean(task['message']))}")
    if len(failures) > limit:
        more = translate(_MORE_THAN_SHOWN)
        lines.append(f"::notice::{_escape_data(more.format(count=len(failures) - limit))}")
    return lines


def beyond_annotations_markdown(
    items: list[tuple[str, dict, Path | None]], limit: int = ANNOTATION_LIMIT, lang: str | None = None
) -> str:
    """The tasks that did not pass past the first `limit` (those `annotations` leaves out), as a Markdown table
    for the step summary; "" when every one was annotated."""
    rest = _failures(items)[limit:]
    if not rest:
        return ""
    heading = translate(_NOT_ANNOTATED, lang)
    lines = [f"### {heading.format(count=len(rest))}", ""]
    lines.append(f"| {label('task', lang)} | {label('status', lang)} | {label('message', lang)} |")
    lines.append("| --- | --- | --- |")
    for prefix, exercise, task, _path in rest:
        first_line = clean(task["message"]).split("\n", 1)[0]
        name = f"{prefix}{exercise['exercise']}.{task['name']}"
        lines.append(f"| {_cell(name)} | {label(task['status'], lang)} | {_cell(first_line)} |")
    return "\n".join(lines) + "\n"


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


def report_usage_error(message: str, lang: str | None = None) -> None:
    """A command that graded nothing (exit 2: a wrong command, a broken setup) says why where a CI user looks:
    an `::error` annotation and the step summary, besides the "Error: ..." line on stderr."""
    title = translate(_COULD_NOT_RUN, lang)
    print(f"::error title={_escape_property(title)}::{_escape_data(message)}", flush=True)
    fenced = message.replace("```", "'''")
    write_step_summary(f"### {title}\n\n```\n{fenced}\n```\n")
