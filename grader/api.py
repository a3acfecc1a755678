"""The library behind the command line, for scripts and notebooks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader import answers, catalog, references
from grader.engine import Options, grade_exercise
from grader.i18n import default_language, language
from grader.results import ExerciseResult, RunResult
from grader.sandbox import zygote
from grader.spec import Exercise
from grader.submission import Handed, conversion_notes, loadable, read_submission, resolve_root


def keeping_workers():
    """A context in which every worker forks from one zygote (see `sandbox.zygote`), started on first use and
    ended on leaving: for what grades again and again (a marker's class, `grade watch`)."""
    return zygote.kept()


def keep_workers_for_process() -> None:
    """Workers fork from one zygote until this process exits (a notebook's kernel, between checks)."""
    zygote.keep_for_process()


def grade_handed(exercise: Exercise, handed: Handed | None, options: Options) -> ExerciseResult:
    """Grade `exercise` from the learner's file as it was read (None: there is none, every task is missing)."""
    with language(options.lang), loadable(handed, exercise) as loaded:  # a notebook's errors in its language
        result = grade_exercise(exercise, loaded, options)
        notes = (*conversion_notes(loaded, options.lang), *result.notes)
    return dataclasses.replace(result, source=None if handed is None else str(handed.path), notes=notes)


def grade_in(exercise: Exercise, root: Path, options: Options) -> ExerciseResult:
    """Grade `exercise` from the learner's files under `root` (a folder, a `.py` file or a notebook); a file
    that is not a plain file inside the submission raises `files.RefusedFile`."""
    with language(options.lang):
        handed = read_submission((exercise,), root)
    return grade_handed(exercise, handed[exercise.name], options)


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
    """Grade every exercise (`settings` as for `grade`); a crash in one never loses the grades of the others.
    Every file is read and checked before any is graded: a refused one (`files.RefusedFile`) grades none."""
    root, options = resolve_root(submission), make_options(**settings)
    graded = catalog.exercises()
    if not references.available():  # a student release grades the exercises it recorded answers for
        graded = tuple(e for e in graded if answers.gradable(e))
    with language(options.lang):
        handed = read_submission(graded, root)
    with keeping_workers():  # seven workers forked from one zygote: ~20 ms each instead of ~155 ms
        return RunResult(tuple(grade_handed(e, handed[e.name], options) for e in graded))
