"""The library behind the command line, for scripts and notebooks."""

from __future__ import annotations

from pathlib import Path

from grader import catalog
from grader.engine import DEFAULT_EXAMPLES, DEFAULT_TIMEOUT, Options, grade_exercise
from grader.results import ExerciseResult, RunResult
from grader.sandbox import DEFAULT_MEMORY_MB
from grader.spec import Exercise
from grader.submission import exercise_file, resolve_root


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
) -> ExerciseResult:
    """Grade one exercise: `grade("exercise3")`, `grade(3)` or `grade("pooling", submission="copy/")`."""
    chosen = _exercise(exercise)
    root = resolve_root(submission)
    options = Options(seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend)
    return grade_exercise(chosen, exercise_file(chosen, root), options)


def grade_all(
    submission: str | Path | None = None,
    *,
    seed: int = 0,
    examples: int = DEFAULT_EXAMPLES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    backend: str = "auto",
) -> RunResult:
    """Grade every exercise; a crash in one never loses the grades of the others."""
    root = resolve_root(submission)
    options = Options(seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend)
    return RunResult(tuple(grade_exercise(e, exercise_file(e, root), options) for e in catalog.exercises()))
