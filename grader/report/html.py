"""`feedback/<student>.html`: the terminal report as one self-contained page to hand back (inline CSS, no
script, nothing fetched), drawn from a JSON report alone: a student's report in a batch, `grade all`'s or one
exercise's. A batch's reports are `full` (`TaskResult.to_dict`): they also hold what the code printed and the
small arrays drawn as grids; an ordinary JSON report simply shows neither.

Everything that came from a learner (messages, printed output, values, the student's name) is escaped. Pictures
(a counterexample drawn as a heatmap) are not drawn here: whoever draws them passes them in as `Picture`s, each
an image inlined as a `data:image/…` URI, and they are shown in their task's `pictures` place.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grader.i18n import label
from grader.pictures import slices
from grader.report.plain import clean, exercises_of
from grader.report.text import AGAIN

MARKS = {
    "passed": "✓",
    "failed": "✗",
    "error": "!",
    "not_implemented": "·",
    "timeout": "⏱",
    "forbidden": "⊘",
    "missing": "?",
}
_UNFINISHED = ("not_implemented", "missing")
_DIFFERS = "*"

STYLE = """
body { font-family: system-ui, "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin: 0 0 .5em; }
table.tasks { border-collapse: collapse; } table.tasks th, table.tasks td { padding: .2em .8em; text-align: left; }
table.tasks td.number, table.tasks th.number { text-align: right; }
table.tasks tr + tr td { border-top: 1px solid #eee; }
.passed { color: #1a7f37; } .failed, .error, .forbidden { color: #cf222e; }
.not_implemented, .missing { color: #9a6700; } .timeout { color: #8250df; }
.task { border: 1px solid #ccc; border-left: .4em solid #cf222e; border-radius: .3em; padding: .8em 1em;
        margin: 1em 0; }
.task.timeout { border-left-color: #8250df; }
pre, code { font-family: ui-monospace, "D2Coding", Menlo, Consolas, monospace; font-size: .9em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4em 0; }
.message { white-space: pre-wrap; } .diagnosis { font-weight: bold; color: #9a6700; }
.expected { color: #1a7f37; } .yours { color: #cf222e; }
.printed { background: #f6f8fa; padding: .5em; color: #57606a; }
.grids { display: flex; flex-wrap: wrap; gap: 1.5em; margin: .6em 0; }
table.grid { border-collapse: collapse; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85em; }
table.grid caption { text-align: left; white-space: pre-line; font-size: .9em; padding-bottom: .2em; }
table.grid td { border: 1px solid #ddd; padding: .1em .4em; text-align: right; }
table.grid td.differs { background: #ffebe9; color: #cf222e; font-weight: bold; }
table.grid.expected td.differs { background: #dafbe1; color: #1a7f37; }
table.comparison { border-collapse: collapse; font-size: .9em; }
table.comparison th, table.comparison td { padding: .1em .6em; text-align: left; vertical-align: top; }
table.comparison tr.differs { color: #cf222e; font-weight: bold; }
.notes { color: #0969da; } .legend, .next { color: #57606a; } .all-passed { color: #1a7f37; font-weight: bold; }
figure { margin: .6em 0; } figure img { max-width: 100%; }
"""


@dataclass(frozen=True)
class Picture:
    """An image to show with one task (issue 21's heatmaps): inlined as a `data:image/…` URI, never fetched."""

    caption: str
    data_uri: str

    def __post_init__(self):
        if not self.data_uri.startswith("data:image/"):
            raise ValueError("a picture must be inlined as a data:image/... URI (the page fetches nothing)")


Pictures = Mapping[tuple[str, str], Sequence[Picture]]  # (exercise, task) -> its pictures


def _e(text) -> str:
    """Text from anywhere (a learner's output, a value, a name) as HTML text."""
    return html.escape(clean(str(text)), quote=True)


def _points(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"


def _number(value) -> str:
    if isinstance(value, str):  # "nan", "inf"
        return value
    value = float(value)
    return f"{int(value)}" if value.is_integer() and abs(value) < 1e9 else f"{value:.4g}"


class _Page:
    def __init__(self, lang: str, again: str, pictures: Pictures):
        self.lang, self.again, self.pictures = lang, again, pictures
        self.parts: list[str] = []

    def label(self, key: str, **fields) -> str:
        return _e(label(key, self.lang, **fields))

    def add(self, *parts: str) -> None:
        self.parts.extend(parts)

    def exercise(self, exercise: dict) -> None:
        name = exercise["exercise"]
        self.add(
            f'<section class="exercise" id="{_e(name)}">',
            f"<h2>{_e(name)} — {_e(exercise.get('title', ''))} "
            f'<span class="points">{_points(exercise.get("score", 0.0), exercise.get("max_score", 0.0))}</span></h2>',
        )
        self.task_table(exercise["tasks"])
        for note in exercise.get("notes", []):
            self.add(f'<p class="notes">ℹ {_e(note)}</p>')
        grouped: dict[str, list[str]] = {}
        for task in exercise["tasks"]:
            if task.get("note"):
                grouped.setdefault(task["note"], []).append(task["name"])
        for note, names in grouped.items():
            self.add(f'<p class="notes">{self.label("note")} ({_e(", ".join(names))}): {_e(note)}</p>')
        for task in exercise["tasks"]:
            if task["status"] not in ("passed", *_UNFINISHED):
                self.details(name, task)
        unfinished = [t for t in exercise["tasks"] if t["status"] in _UNFINISHED]
        if unfinished:
            self.add('<ul class="unfinished">')
            for task in unfinished:
                self.add(
                    f'<li class="{task["status"]}">{MARKS[task["status"]]} <code>{_e(task["name"])}</code>: '
                    f"{_e(task.get('message', ''))}</li>"
                )
            self.add("</ul>")
        if all(t["status"] == "passed" for t in exercise["tasks"]):
            self.add(f'<p class="all-passed">{self.label("all_passed")}</p>')
        else:
            command = self.again.replace("{name}", name)
            self.add(f'<p class="next">{self.label("next_step", command=command)}</p>')
        self.add("</section>")

    def task_table(self, tasks: list[dict]) -> None:
        heads = "".join(
            f'<th class="number">{self.label(k)}</th>' if k in ("points", "examples") else f"<th>{self.label(k)}</th>"
            for k in ("task", "status", "points", "examples")
        )
        self.add(f'<table class="tasks"><thead><tr>{heads}</tr></thead><tbody>')
        for task in tasks:
            status = task["status"]
            self.add(
                f"<tr><td><code>{_e(task['name'])}</code></td>"
                f'<td class="{status}">{MARKS.get(status, "")} {self.label(status)}</td>'
                f'<td class="number">{_points(task.get("score", 0.0), task.get("max_score", 0.0))}</td>'
                f'<td class="number">{int(task.get("examples", 0))}</td></tr>'
            )
        self.add("</tbody></table>")

    def details(self, exercise: str, task: dict) -> None:
        status = task["status"]
        self.add(
            f'<div class="task {status}" id="{_e(exercise)}.{_e(task["name"])}">',
            f'<h3 class="{status}">{MARKS.get(status, "")} <code>{_e(task["name"])}</code> — {self.label(status)}</h3>',
            f'<p class="message">{_e(task.get("message", ""))}</p>',
        )
        if task.get("diagnosis"):
            self.add(f'<p class="diagnosis">{self.label("diagnosis")}: {_e(task["diagnosis"])}</p>')
        example = task.get("counterexample")
        if example:
            self.counterexample(example)
        pictures = self.pictures.get((exercise, task["name"]), ())
        if pictures:  # the place for pictures: drawn elsewhere, shown here
            self.add('<div class="pictures">')
            for picture in pictures:
                self.add(
                    f'<figure><img src="{_e(picture.data_uri)}" alt="{_e(picture.caption)}">'
                    f"<figcaption>{_e(picture.caption)}</figcaption></figure>"
                )
            self.add("</div>")
        output = task.get("output", "")
        if output.strip():
            self.add(f"<p>{self.label('printed')}:</p>", f'<pre class="printed">{_e(output.rstrip())}</pre>')
        self.add("</div>")

    def counterexample(self, example: dict) -> None:
        if example.get("inputs"):  # a function without arguments has no smallest call to show
            self.add(f"<p><strong>{self.label('smallest')}:</strong></p>", f"<pre>{_e(example['call'])}</pre>")
        grids = example.get("grids") or []
        pictured = {grid["name"] for grid in grids}
        shown = [f"{name} = {value}" for name, value in example.get("inputs", {}).items() if name not in pictured]
        if shown:
            self.add(f"<pre>{_e(chr(10).join(shown))}</pre>")
        if grids:
            self.grids(grids)
        elif example.get("expected") is not None:
            for key, value in (("expected", example["expected"]), ("yours", example["actual"])):
                self.add(f'<p class="{key}">{self.label(key)}:</p><pre class="{key}">{_e(value)}</pre>')
        if example.get("table"):
            self.comparison(example["table"])

    def grids(self, grids: list[dict]) -> None:
        """As the terminal draws them: the call's arrays on one line, then expected and yours slice by slice."""
        inputs = [g for g in grids if g["name"] not in ("expected", "yours")]
        answers = {g["name"]: g for g in grids if g["name"] in ("expected", "yours")}
        if inputs:
            self.add('<div class="grids">')
            for grid in inputs:
                for index, caption in slices(tuple(grid["shape"]), grid.get("layout", "NHWC")):
                    self.grid(grid, index, caption, grid["name"])
            self.add("</div>")
        expected, yours = answers.get("expected"), answers.get("yours")
        if expected is None or yours is None:
            return
        same = yours["shape"] == expected["shape"]
        self.add('<div class="grids">')
        for index, caption in slices(tuple(expected["shape"]), expected.get("layout", "NHWC")):
            self.grid(expected, index, caption, label("expected", self.lang), "expected")
            if same:
                self.grid(yours, index, caption, label("yours", self.lang), "yours")
        if not same:
            for index, caption in slices(tuple(yours["shape"]), yours.get("layout", "NHWC")):
                self.grid(yours, index, caption, label("yours", self.lang), "yours")
        self.add("</div>")
        if any(expected.get("differs", ())):
            self.add(f'<p class="legend">{_DIFFERS} = {self.label("differs")}</p>')

    def grid(self, grid: dict, index, caption: str, title: str, kind: str = "input") -> None:
        shape = tuple(grid["shape"])
        values = np.array(grid["values"], dtype=object).reshape(shape)[index]
        flags = grid.get("differs") or [False] * len(grid["values"])
        differs = np.array(flags, dtype=bool).reshape(shape)[index]
        if values.ndim == 1:
            values, differs = values[None, :], differs[None, :]
        heading = f"{title} {shape}" + (f"\n{caption}" if caption else "")
        self.add(f'<table class="grid {kind}"><caption>{_e(heading)}</caption>')
        for row, row_flags in zip(values, differs, strict=True):
            cells = "".join(
                f'<td class="differs">{_e(_number(v))}{_DIFFERS}</td>' if flag else f"<td>{_e(_number(v))}</td>"
                for v, flag in zip(row, row_flags, strict=True)
            )
            self.add(f"<tr>{cells}</tr>")
        self.add("</table>")

    def comparison(self, table: dict) -> None:
        """Expected and yours row by row (exercise 6's architectures), the first row that differs marked `>`."""
        heads = "".join(f"<th>{_e(column)}</th>" for column in ["", *table["columns"]])
        self.add(f'<table class="comparison"><thead><tr>{heads}</tr></thead><tbody>')
        for i, row in enumerate(table["rows"]):
            differs = i == table.get("first_difference")
            cells = "".join(f"<td>{_e(cell)}</td>" for cell in [">" if differs else "", *row])
            self.add(f'<tr class="differs">{cells}</tr>' if differs else f"<tr>{cells}</tr>")
        self.add("</tbody></table>")
        if any("n.t." in cell for row in table["rows"] for cell in row):
            self.add('<p class="legend">n.t. = non-trainable</p>')


def render_html(
    report: dict,
    lang: str,
    *,
    title: str | None = None,
    pictures: Pictures | None = None,
    again: str = AGAIN,
) -> str:
    """The page for one JSON report (a batch's student report, `grade all`'s, or one exercise's), its fixed
    words in `lang`. `title` heads the page (by default "Feedback for <student>", or the exercise's name)."""
    page = _Page(lang, again, pictures or {})
    exercises = exercises_of(report)
    student = report.get("student")
    if title is None:
        title = label("feedback_for", lang, student=student) if student is not None else label("feedback", lang)
    total = _points(report.get("score", 0.0), report.get("max_score", 0.0))
    page.add(
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="total"><strong>{page.label("total")}: {total}</strong></p>',
    )
    if report.get("message"):  # a student the grader could not mark says why
        page.add(f'<p class="message error">{_e(report["message"])}</p>')
    for exercise in exercises:
        page.exercise(exercise)
    page.add("</body>", "</html>", "")
    return "\n".join(page.parts)
