"""The library behind the command line, for scripts and notebooks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader import catalog
from grader.engine import DEFAULT_EXAMPLES, DEFAULT_TIMEOUT, Options, grade_exercise
from grader.i18n import default_language
from grader.results import ExerciseResult, RunResult
from grader.sandbox import DEFAULT_MEMORY_MB
from grader.spec import Exercise
from grader.submission import conversion_notes, find_source, loadable, resolve_root


def grade_in(exercise: Exercise, root: Path, options: Options) -> ExerciseResult:
    """Grade `exercise` from the learner's files under `root` (a folder, a `.py` file or a notebook)."""
    source = find_source(exercise, root)
    loaded = loadable(source, exercise)
    result = grade_exercise(exercise, loaded, options)
    notes = (*conversion_notes(loaded, options.lang), *result.notes)
    return dataclasses.replace(result, source=None if source is None else str(source), notes=notes)


def make_options(
    *,
    seed: int = 0,
    examples: int = DEFAULT_EXAMPLES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    backend: str = "auto",
    lang: str | None = None,
) -> Options:
    """The grading options, the language resolved now (the locale's when None), so that a marking run's
    settings say which language its reports are in."""
    lang = lang or default_language()
    return Options(seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend, lang=lang)


def _exercise(name: str | int | Exercise) -> Exercise:
    return name if isinstance(name, Exercise) else catalog.find(str(name))


def grade(
    exercise: str | int | Exercise,
    submission: str | Path | None = None,
    *,
    seed: int = 0,
    examples: int = DEFAULT_EXAMPLES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    backend: str = "auto",
    lang: str | None = None,
) -> ExerciseResult:
    """Grade one exercise: `grade("exercise3")`, `grade(3)` or `grade("pooling", submission="copy/")`; the
    messages are in `lang` ("ko" or "en"; by default the locale's)."""
    chosen = _exercise(exercise)
    root = resolve_root(submission)
    options = make_options(
        seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend, lang=lang
    )
    return grade_in(chosen, root, options)


def grade_all(
    submission: str | Path | None = None,
    *,
    seed: int = 0,
    examples: int = DEFAULT_EXAMPLES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    backend: str = "auto",
    lang: str | None = None,
) -> RunResult:
    """Grade every exercise; a crash in one never loses the grades of the others."""
    root = resolve_root(submission)
    options = make_options(
        seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend, lang=lang
    )
    return RunResult(tuple(grade_in(e, root, options) for e in catalog.exercises()))
