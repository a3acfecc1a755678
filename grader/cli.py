"""The `grade` command: a thin layer over `grader.api` (parse, call, render, exit code).

Exit codes (../shared/interface.md): 0 every graded task passed, 1 some task did not pass, 2 the command
was wrong and nothing was graded.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from grader import catalog
from grader.engine import DEFAULT_EXAMPLES, DEFAULT_TIMEOUT
from grader.errors import GraderError
from grader.i18n import LANGUAGES, default_language
from grader.sandbox import DEFAULT_MEMORY_MB

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageProblem(click.ClickException):
    """Printed as "Error: ..." with exit code 2: nothing was graded."""

    exit_code = EXIT_USAGE


def grading_options(command):
    """The options every grading command takes."""
    options = [
        click.option(
            "--submission",
            type=click.Path(path_type=Path),
            default=None,
            help="A .py file, a folder of exerciseN_*.py files, or a notebook (default: ./exercises).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="text: the terminal report; json: the machine-readable report.",
        ),
        click.option(
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Write the report to this file instead of the terminal.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(0),
            default=0,
            show_default=True,
            envvar="GRADE_SEED",
            help="The same seed and submission always give the same grade. A marking run can keep it secret in "
            "GRADE_SEED: learner code never sees the grader's environment.",
        ),
        click.option(
            "--examples",
            type=click.IntRange(1),
            default=DEFAULT_EXAMPLES,
            show_default=True,
            help="Generated examples per task.",
        ),
        click.option(
            "--backend",
            type=click.Choice(["cpu", "gpu", "auto"]),
            default="auto",
            show_default=True,
            help="TensorFlow device for the Keras exercise: auto grades on every device present (the CPU, and a GPU "
            "when TensorFlow has one); gpu without one is an error. By-hand exercises always run on the CPU.",
        ),
        click.option(
            "--lang",
            type=click.Choice(LANGUAGES),
            default=None,
            help="Report language (default: Korean when the locale is Korean, else English).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0, min_open=True),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds per task before it counts as a timeout.",
        ),
        click.option(
            "--memory",
            "memory_mb",
            type=click.IntRange(64),
            default=DEFAULT_MEMORY_MB,
            show_default=True,
            help="MiB the learner's code (and everything it starts) may use before it is stopped.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _guarded(function):
    """Our errors become "Error: ..." and exit 2, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except GraderError as exc:
            raise UsageProblem(str(exc)) from None
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None

    return wrapper


def _emit(result, fmt: str, output: Path | None, lang: str | None) -> None:
    from grader.report import render

    lang = lang or default_language()
    if fmt != "text" or output is not None:
        exercises = result.exercises if hasattr(result, "exercises") else (result,)
        for warning in dict.fromkeys(w for e in exercises for w in e.warnings):
            click.echo(f"Warning: {warning}", err=True)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render(result, fmt, lang=lang), encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write the report to {output}: {exc.strerror}") from None
        return
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = click.get_terminal_size()[0] if color else 100
    click.echo(render(result, fmt, lang=lang, color=color, width=width), nl=False)


def _grade_command(name: str) -> click.Command:
    @click.command(name=name, help=f"Grade {name} and print a report.")
    @grading_options
    @_guarded
    def command(submission, fmt, output, seed, examples, backend, lang, timeout, memory_mb):
        from grader.api import grade

        result = grade(
            name, submission, seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend
        )
        _emit(result, fmt, output, lang)
        sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)

    return command


@click.command(name="all", help="Grade every exercise and print one summary.")
@grading_options
@_guarded
def grade_all_command(submission, fmt, output, seed, examples, backend, lang, timeout, memory_mb):
    from grader.api import grade_all

    result = grade_all(submission, seed=seed, examples=examples, timeout=timeout, memory_mb=memory_mb, backend=backend)
    _emit(result, fmt, output, lang)
    sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)


@click.command(name="list", help="The exercises, their tasks and points.")
def list_command():
    from rich.console import Console
    from rich.table import Table

    table = Table(title="exercises", title_justify="left")
    for column in ("exercise", "names", "task", "points"):
        table.add_column(column, justify="right" if column == "points" else "left")
    for exercise in catalog.exercises():
        names = ", ".join([str(exercise.number), exercise.slug, *exercise.aliases])
        for i, task in enumerate(exercise.tasks):
            first = i == 0
            table.add_row(
                f"{exercise.name} {exercise.title}" if first else "",
                names if first else "",
                task.name,
                f"{task.points:g}",
            )
        table.add_section()
    Console(highlight=False).print(table)


class GradeGroup(click.Group):
    """`grade exercise3`, `grade 3` and `grade pooling` name the same command."""

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        try:
            exercise = catalog.find(cmd_name)
        except GraderError as exc:
            raise UsageProblem(str(exc)) from None
        return _grade_command(exercise.name)

    def format_commands(self, ctx, formatter):
        super().format_commands(ctx, formatter)
        rows = [(e.name, f"{e.title}; also '{e.number}' or '{e.slug}'") for e in catalog.exercises()]
        with formatter.section("Exercises"):
            formatter.write_dl(rows)


@click.group(cls=GradeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnn-exercise-grader")
def main():
    """Grade CNN exercises (합성곱, 패딩, 스트라이드, 풀링): `grade exercise3`, `grade all`, `grade list`."""


main.add_command(grade_all_command)
main.add_command(list_command)


def run() -> None:
    """The console script: like `main`, but an unexpected error of ours still ends in a message, not a traceback."""
    try:
        main()
    except Exception as exc:
        if os.environ.get("GRADER_DEBUG"):
            raise
        click.echo(
            f"Error: internal error in the grader ({type(exc).__name__}: {exc}); set GRADER_DEBUG=1 to see where",
            err=True,
        )
        sys.exit(EXIT_USAGE)
