"""A report kept as `--format json` (one exercise's, `grade all`'s, or a student's in a batch) rendered again in
another format, without grading again: a CI job grades once and writes JUnit and Gradescope's results from the
same JSON. Only formats made from the JSON alone: the text report draws arrays the JSON does not keep."""

from __future__ import annotations

import json
from pathlib import Path

from grader.errors import GraderError
from grader.i18n import _
from grader.report import SAVED_FORMATS
from grader.report.plain import exercises_of

_TASK_KEYS = ("name", "status", "score", "max_score", "message")


class NotAReport(GraderError):
    """The file is missing, unreadable, or not a JSON report of the grader."""


def read_report(path: Path) -> dict:
    """The JSON report in `path`, checked to hold what the renderers read (raises `NotAReport`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NotAReport(_("cannot read the report {path}: {error}").format(path=path, error=exc.strerror)) from None
    except ValueError:
        raise NotAReport(_("{path} is not JSON: give a report written by --format json").format(path=path)) from None
    if not _is_report(data):
        raise NotAReport(_("{path} is not a report of the grader: give one written by --format json").format(path=path))
    return data


def _is_report(data) -> bool:
    if not isinstance(data, dict):
        return False
    exercises = data.get("exercises", [data])
    if not isinstance(exercises, list):
        return False
    for exercise in exercises:
        if not (isinstance(exercise, dict) and isinstance(exercise.get("exercise"), str)):
            return False
        tasks = exercise.get("tasks")
        if not isinstance(tasks, list):
            return False
        for task in tasks:
            if not (isinstance(task, dict) and all(key in task for key in _TASK_KEYS)):
                return False
    return True


def passed(data: dict) -> bool:
    """Whether every task of the report passed (the exit code a grading command gave for it)."""
    return all(task["status"] == "passed" for exercise in exercises_of(data) for task in exercise["tasks"])


def render_saved(data: dict, fmt: str, lang: str = "en") -> str:
    """The report `data` (as `read_report` gives it) in `fmt`, one of SAVED_FORMATS: the same bytes the grading
    command would have written in that format."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "junit":
        from grader.report.junit import render_junit

        return render_junit([("", data)], lang)
    if fmt == "gradescope":
        from grader.report.gradescope import render_gradescope

        return render_gradescope(data, lang)
    raise GraderError(
        _("a kept report can be written as {formats}, not {fmt}").format(formats=", ".join(SAVED_FORMATS), fmt=fmt)
    )
