"""What `grade show` and a notebook's `show()` call: find the task, run its shown calls, draw them, say it.

`show_task` returns a `run.Shown` (the arrays, the status, the message); `png`, `html_page` and `summary` render
it. Drawing never runs learner code: the learner's results arrive as plain data from the worker.
"""

from __future__ import annotations

import html
from contextlib import contextmanager
from pathlib import Path

from grader import catalog
from grader.engine import Options
from grader.errors import GraderError
from grader.hints import find_task
from grader.i18n import _, current_language, label, language, translate
from grader.showing import sample
from grader.showing.kinds import KINDS
from grader.showing.run import Shown
from grader.spec import Exercise, Task


class NoPicture(GraderError):
    """A task that declares no picture (exit code 2: nothing was run)."""


def showable(exercise: Exercise) -> tuple[str, ...]:
    return tuple(t.name for t in exercise.tasks if t.show is not None)


def find_showable(exercise_name: str, task_name: str) -> tuple[Exercise, Task]:
    """The exercise and task `grade show` names; UnknownExercise, or GraderError for an unknown task or one
    without a picture (each message lists what can be shown)."""
    exercise = catalog.find(str(exercise_name))
    task = find_task(exercise, task_name)
    if task.show is None:
        names = showable(exercise)
        if names:
            message = _("{exercise} {task} has no picture; the tasks of {exercise} that can be shown: {tasks}")
        else:
            message = _("{exercise} {task} has no picture, nor does any task of {exercise}")
        raise NoPicture(message.format(exercise=exercise.name, task=task.name, tasks=", ".join(names)))
    if task.show.kind not in KINDS:
        raise NoPicture(
            _("{exercise} {task}: its picture ({kind}) is not part of this grader yet").format(
                exercise=exercise.name, task=task.name, kind=task.show.kind
            )
        )
    return exercise, task


def show_handed(exercise: Exercise, task: Task, handed, options: Options) -> Shown:
    """Run `task`'s shown calls on the learner's file as it was read (`submission.Handed`, None: no file)."""
    from grader.submission import loadable

    with language(options.lang), loadable(handed, exercise) as loaded:
        return KINDS[task.show.kind].collect(exercise, task, loaded, sample.load(), options)


def show_task(exercise_name, task_name: str, submission=None, **settings) -> Shown:
    """`grade show`'s library side: the named task shown from the learner's files under `submission` (a folder,
    a `.py` file or a notebook; default ./exercises). `settings` are `grader.grade`'s (timeout, memory_mb, lang)."""
    from grader.api import make_options
    from grader.submission import read_submission, resolve_root

    options = make_options(**settings)
    with language(options.lang):
        exercise, task = find_showable(exercise_name, task_name)
        root = resolve_root(submission)
        handed = read_submission((exercise,), root)[exercise.name]
    return show_handed(exercise, task, handed, options)


@contextmanager
def drawn(shown: Shown, lang: str | None = None):
    """The figure of `shown` (a matplotlib Figure, no pyplot), while the block lasts; tests read its images.
    Its words are in `lang` (default: the current language) where a Korean font is installed, else English."""
    from grader.report import figures

    words, fonts = figures.image_language(lang or current_language())
    kind = KINDS[shown.kind]
    with (
        figures.figure(*kind.size(shown)) as fig,
        language(words),
        figures.rc_context({"font.family": fonts or "sans-serif"}),
    ):
        kind.draw(fig, shown)
        yield fig


def png(shown: Shown, lang: str | None = None) -> bytes:
    """The picture as PNG bytes (only for a `shown.drawable` result)."""
    from grader.report import figures

    with drawn(shown, lang) as fig:
        return figures.png(fig)


def summary(shown: Shown) -> list[str]:
    """The text a terminal shows: the status and message, each call's shapes and verdict, what was printed."""
    lines = [f"{shown.exercise} {shown.task}: {label(shown.status.value)}: {shown.message}"]
    for row in shown.rows:
        shapes = _("yours {actual}").format(actual=_shape(row.actual))
        if shown.with_reference:
            shapes = _("reference {expected}, yours {actual}").format(
                expected=_shape(row.expected), actual=_shape(row.actual)
            )
        verdict = (
            "" if not shown.with_reference else (": " + _("matches") if row.problem is None else ": " + _("differs"))
        )
        lines.append(f"  {translate(row.caption)}: {shapes}{verdict}")
    if shown.output.strip():
        lines.append(f"{label('printed')}:")
        lines.extend(f"  {line}" for line in shown.output.rstrip().splitlines()[-20:])
    return lines


def _shape(value) -> str:
    from grader.showing.kinds import brief

    shape = getattr(value, "shape", None)
    return str(tuple(shape)) if shape is not None else brief(value)


def html_page(shown: Shown, image: bytes | None, lang: str) -> str:
    """One self-contained page: the summary and the picture inlined as a data: URI (nothing is fetched)."""
    from grader.report import figures

    title = html.escape(f"grade show {shown.exercise} {shown.task}")
    lines = "\n".join(f"<li>{html.escape(line.strip())}</li>" for line in summary(shown)[1:])
    head = html.escape(summary(shown)[0])
    picture = "" if image is None else f'<img alt="{title}" src="{figures.data_uri(image)}">'
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}img{max-width:100%}</style>\n"
        f"</head>\n<body>\n<h1>{title}</h1>\n<p>{head}</p>\n<ul>\n{lines}\n</ul>\n{picture}\n</body>\n</html>\n"
    )


def default_output(shown: Shown) -> Path:
    return Path(f"show-{shown.exercise}-{shown.task}.png")
