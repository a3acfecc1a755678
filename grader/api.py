"""The library behind the command line, for scripts and notebooks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader import catalog
from grader.engine import Options, grade_exercise
from grader.i18n import default_language
from grader.results import ExerciseResult, RunResult
from grader.spec import Exercise
from grader.submission import conversion_notes, find_source, loadable, resolve_root


def grade_in(exercise: Exercise, root: Path, options: Options) -> ExerciseResult:
    """Grade `exercise` from the learner's files under `root` (a folder, a `.py` file or a notebook)."""
    source = find_source(exercise, root)
    loaded = loadable(source, exercise)
    result = grade_exercise(exercise, loaded, options)
    notes = (*conversion_notes(loaded, options.lang), *result.notes)
    return dataclasses.replace(result, source=None if source is None else str(source), notes=notes)


def make_options(*, lang: str | None = None, **settings) -> Options:
    """The grading options (`engine.Options`: seed, examples, timeout, memory_mb, backend, strict_dtype), the
    language resolved now (the locale's when None), so that a marking run's settings say which language its
    reports are in."""
    return Options(lang=lang or default_language(), **settings)


def _exercise(name: str | int | Exercise) -> Exercise:
    return name if isinstance(name, Exercise) else catalog.find(str(name))


def grade(exercise: str | int | Exercise, submission: str | Path | None = None, **settings) -> ExerciseResult:
    """Grade one exercise: `grade("exercise3")`, `grade(3)` or `grade("pooling", submission="copy/")`.

    `settings` are those of `engine.Options`: seed, examples, timeout, memory_mb, backend, lang (of the messages,
    "ko" or "en"; by default the locale's) and strict_dtype (True fails a result in any dtype other than the
    expected one; by default a wider one, such as float64 for float32 inputs, passes with a note).
    """
    return grade_in(_exercise(exercise), resolve_root(submission), make_options(**settings))


def grade_all(submission: str | Path | None = None, **settings) -> RunResult:
    """Grade every exercise (`settings` as for `grade`); a crash in one never loses the grades of the others."""
    root, options = resolve_root(submission), make_options(**settings)
    return RunResult(tuple(grade_in(e, root, options) for e in catalog.exercises()))
