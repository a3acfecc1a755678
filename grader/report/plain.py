"""A task's verdict as plain text, for formats that show text to people (Gradescope, JUnit, GitHub)."""

from __future__ import annotations

import re

from grader.i18n import label

# Characters XML 1.0 cannot hold (a learner's output may print them); dropped from every plain text.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _UNPRINTABLE.sub("", text)


def _table(table: dict) -> list[str]:
    rows = [table["columns"], *table["rows"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table["columns"]))]
    lines = []
    for i, row in enumerate(rows):
        marker = ">" if i - 1 == table.get("first_difference") else " "
        lines.append(marker + " " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return lines


def task_details(task: dict, lang: str = "en") -> str:
    """The message, a note that costs no points, then the smallest failing call with expected and yours (from a
    task's JSON form)."""
    lines = [f"{label(task['status'], lang)}: {task['message']}"]
    if task.get("diagnosis"):
        lines.append(f"{label('diagnosis', lang)}: {task['diagnosis']}")
    if task.get("note"):
        lines.append(f"{label('note', lang)}: {task['note']}")
    example = task.get("counterexample")
    if example:
        if example["inputs"]:  # a function without arguments has no smallest call to show
            lines.append(f"{label('smallest', lang)}: {example['call']}")
        lines.extend(f"  {name} = {value}" for name, value in example["inputs"].items())
        if example.get("expected") is not None:
            lines.append(f"{label('expected', lang)}: {example['expected']}")
            lines.append(f"{label('yours', lang)}: {example['actual']}")
        if example.get("table"):
            lines.extend(_table(example["table"]))
    return clean("\n".join(lines))


def exercises_of(data: dict) -> list[dict]:
    """The exercises of a JSON report: one exercise's report, `grade all`'s, or a student's in a batch."""
    return data.get("exercises", [data])
