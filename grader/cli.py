"""The `grade` command: a thin layer over `grader.api` (parse, call, render, exit code).

Exit codes (../shared/interface.md): 0 every graded task passed, 1 some task did not pass, 2 the command
was wrong and nothing was graded.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import sys
from pathlib import Path

import click

from grader import catalog
from grader.cli_help import VERSION_OPTION, Command, Group, help_language, language_option, remember_language
from grader.engine import DEFAULT_EXAMPLES, DEFAULT_TIMEOUT
from grader.errors import GraderError
from grader.i18n import LANGUAGES, N_, _, current_language, default_language, language, translate
from grader.report import FORMATS, SAVED_FORMATS
from grader.sandbox.worker import DEFAULT_MEMORY_MB

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageProblem(click.ClickException):
    """Printed as "Error: ..." with exit code 2: nothing was graded. Under GitHub Actions also an annotation and
    the step summary, so a broken setup is told apart from tasks that did not pass."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str):
        super().__init__(message)
        try:
            self.lang = current_language()  # the language the message was made in
        except GraderError:  # GRADE_LANG names no language: that is this very error
            self.lang = "en"

    def show(self, file=None) -> None:
        super().show(file)
        from grader.report import github

        if github.in_github_actions():
            github.report_usage_error(self.format_message(), self.lang)


def _with_submission(command):
    return click.option(
        "--submission",
        type=click.Path(path_type=Path),
        default=None,
        help=N_("A .py file, a folder of exerciseN_*.py files, or a notebook (default: ./exercises)."),
    )(command)


def timeout_option():
    return click.option(
        "--timeout",
        type=click.FloatRange(0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help=N_("Seconds per task before it counts as a timeout."),
    )


def memory_option():
    return click.option(
        "--memory",
        "memory_mb",
        type=click.IntRange(64),
        default=DEFAULT_MEMORY_MB,
        show_default=True,
        help=N_("MiB the learner's code (and everything it starts) may use before it is stopped."),
    )


def grading_options(command):
    """The options every grading command takes."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help=N_(
                "text: the terminal report; json: the machine-readable report; junit: JUnit XML for CI test "
                "reporters; gradescope: Gradescope's results.json."
            ),
        ),
        click.option(
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=N_("Write the report to this file instead of the terminal."),
        ),
        click.option(
            "--seed",
            type=click.IntRange(0),
            default=0,
            show_default=True,
            envvar="GRADE_SEED",
            help=N_(
                "The same seed and submission always give the same grade. A marking run can keep it secret in "
                "GRADE_SEED: learner code never sees the grader's environment."
            ),
        ),
        click.option(
            "--examples",
            type=click.IntRange(1),
            default=DEFAULT_EXAMPLES,
            show_default=True,
            envvar="GRADE_EXAMPLES",
            help=N_("Generated examples per task (or GRADE_EXAMPLES: a CI job can set it without editing commands)."),
        ),
        click.option(
            "--backend",
            type=click.Choice(["cpu", "gpu", "auto"]),
            default="auto",
            show_default=True,
            help=N_(
                "TensorFlow device for the Keras exercise: auto grades on every device present (the CPU, and a GPU "
                "when TensorFlow has one); gpu without one is an error. By-hand exercises always run on the CPU."
            ),
        ),
        language_option(),
        timeout_option(),
        memory_option(),
        click.option(
            "--strict-dtype",
            is_flag=True,
            help=N_(
                "Fail a result in any dtype other than the expected one. By default a wider one (float64 for "
                "float32 inputs, exact integers for floats) passes with a note."
            ),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _guarded(function):
    """Our errors become "Error: ..." and exit 2, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if "lang" in kwargs:  # this command's --lang, else grade's own --lang, else the locale's
            kwargs["lang"] = kwargs["lang"] or help_language(click.get_current_context())
        try:
            with language(kwargs.get("lang")):
                return function(*args, **kwargs)
        except GraderError as exc:
            raise UsageProblem(str(exc)) from None
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None

    return wrapper


def _colour_terminal() -> bool:
    """Colours where a person reads stdout: a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width(color: bool) -> int:
    """The terminal's width for a coloured report (click 8.2 removed its own helper), else a fixed 100."""
    return shutil.get_terminal_size((100, 24)).columns if color else 100


def _again(submission: Path | None) -> str:
    """The command the text report's closing line gives: the one that graded it, `--submission` included."""
    return "grade {name}" + (f" --submission {shlex.quote(str(submission))}" if submission is not None else "")


def _report_while_waiting(fmt: str) -> None:
    """The report's modules imported while the grader waits for the learner's process to load (~20 ms)."""
    from grader.engine import while_learner_loads
    from grader.report import preload

    while_learner_loads(functools.partial(preload, fmt))


def _emit(result, fmt: str, output: Path | None, lang: str | None, submission: Path | None = None) -> None:
    from grader.report import render

    if fmt != "text" or output is not None:
        exercises = result.exercises if hasattr(result, "exercises") else (result,)
        for warning in dict.fromkeys(w for e in exercises for w in e.warnings):
            click.echo(f"Warning: {warning}", err=True)
        for note in dict.fromkeys(n for e in exercises for n in e.notes):
            click.echo(f"Note: {note}", err=True)
    again = _again(submission)
    if output is not None:
        _write(output, render(result, fmt, lang=lang, again=again))
    else:
        color = fmt == "text" and _colour_terminal()
        click.echo(render(result, fmt, lang=lang, color=color, width=_width(color), again=again), nl=False)
    from grader.report import github

    if github.in_github_actions():
        exercises = result.exercises if hasattr(result, "exercises") else (result,)
        items = [("", e.to_dict(), Path(e.source) if e.source else None) for e in exercises]
        _annotate(github.annotations(items), to_stderr=output is None and fmt != "text")
        markdown = github.exercises_markdown(result.to_dict(), lang)
        github.write_step_summary(markdown + github.beyond_annotations_markdown(items, lang=lang))


def _annotate(lines: list[str], to_stderr: bool) -> None:
    """Workflow commands go to stdout, unless stdout carries a machine-readable report (the runner reads both)."""
    for line in lines:
        click.echo(line, err=to_stderr)


def _write(output: Path, content: str | bytes) -> None:
    """A report, a page or a picture to a file (text as UTF-8); a folder that cannot be written is a usage problem."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(
            _("cannot write the report to {path}: {error}").format(path=output, error=exc.strerror)
        ) from None


def html_option(command):
    """`--html FILE`: the report also as a feedback page, mismatches drawn as heatmaps (grade EXERCISE, grade all)."""
    return click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=N_(
            "Also write the report as a web page to this file, wrong answers on images drawn as heatmaps "
            "(everything inlined: the file can be sent on its own)."
        ),
    )(command)


def _write_html(path: Path | None, result, lang: str, submission: Path | None) -> None:
    """The feedback page of `result` with its heatmaps (matplotlib is imported only here, when asked for)."""
    if path is None:
        return
    from grader.report.heatmaps import pictures_of
    from grader.report.html import render_html

    report = result.to_dict(full=True)
    _write(path, render_html(report, lang, pictures=pictures_of(report, lang), again=_again(submission)))


def _remember(result) -> None:
    """A learner's own run updates the progress `grade list` shows."""
    from grader import progress

    progress.record(result)


def _grade_command(name: str) -> click.Command:
    @click.command(name=name, cls=Command, help=N_("Grade {name} and print a report."), help_fields={"name": name})
    @_with_submission
    @grading_options
    @html_option
    @_guarded
    def command(submission, fmt, output, html_file, **grading):
        from grader.api import grade

        _report_while_waiting(fmt)
        result = grade(name, submission, **grading)
        _remember(result)
        _emit(result, fmt, output, grading["lang"], submission)
        _write_html(html_file, result, grading["lang"], submission)
        sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)

    return command


@click.command(
    name="watch", cls=Command, help=N_("Grade EXERCISE, then again each time you save its file (Ctrl+C stops).")
)
@click.argument("exercise_name", metavar="EXERCISE")
@_with_submission
@grading_options
@click.option("--runs", type=click.IntRange(1), default=None, hidden=True, help=N_("Stop after this many gradings."))
@_guarded
def watch_command(exercise_name, submission, fmt, output, runs, **grading):
    from grader.api import grade_in, keeping_workers, make_options
    from grader.i18n import label
    from grader.submission import find_source, resolve_root
    from grader.watch import watch

    exercise = catalog.find(exercise_name)
    root = resolve_root(submission)

    options, lang = make_options(**grading), grading["lang"]
    interactive = sys.stdout.isatty()
    last = []

    def show(result):
        last.append(result)
        _remember(result)
        if interactive and output is None:
            click.clear()
        _emit(result, fmt, output, lang, submission)
        where = result.source or f"{root}/{exercise.file_name}"
        click.echo(label("watching", lang, file=where), err=True)

    try:
        with keeping_workers():  # each save's check forks its worker from one zygote
            watch(lambda: find_source(exercise, root), lambda: grade_in(exercise, root, options), show, runs=runs)
    except KeyboardInterrupt:
        click.echo("", err=True)
    sys.exit(EXIT_PASSED if last and last[-1].passed else EXIT_FAILED)


@click.command(
    name="hint",
    cls=Command,
    help=N_("Show the next hint for TASK of EXERCISE: 1 the concept, 2 the approach, 3 close to code."),
)
@click.argument("exercise_name", metavar="EXERCISE")
@click.argument("task_name", metavar="TASK")
@click.option("--level", type=click.IntRange(1, 3), default=None, help=N_("Show this level (1-3) instead of the next."))
@click.option("--reset", is_flag=True, help=N_("Start this task's hints over from level 1."))
@language_option()
@_guarded
def hint_command(exercise_name, task_name, level, reset, lang):
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.text import Text

    from grader.hints import find_task, reveal
    from grader.i18n import label, language

    exercise = catalog.find(exercise_name)
    with language(lang):
        shown = reveal(exercise, find_task(exercise, task_name), level=level, reset=reset)
    parts = []
    for number, text in enumerate(shown.texts, start=1):
        parts += [Text(label(f"hint_{number}", lang), style="bold"), Text(text), Text("")]
    if shown.last:
        parts.append(Text(label("last_hint", lang), style="dim"))
    else:
        command = f"grade hint {exercise.name} {shown.task}"
        parts.append(Text(label("next_hint", lang, command=command), style="dim"))
    if not shown.kept:
        parts.append(Text(label("hints_not_kept", lang), style="dim"))
    title = f"{exercise.name} — {shown.task}"
    Console(highlight=False).print(Panel(Group(*parts), title=title, title_align="left", border_style="cyan"))


@click.command(
    name="show",
    cls=Command,
    help=N_(
        "See what your TASK of EXERCISE does: run it on the sample image bundled with the grader and draw your "
        "result next to the reference's (grade show exercise1 gaussian_filter)."
    ),
)
@click.argument("exercise_name", metavar="EXERCISE")
@click.argument("task_name", metavar="TASK")
@_with_submission
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("The picture to write: a .png, or a self-contained .html page [default: show-EXERCISE-TASK.png]."),
)
@timeout_option()
@memory_option()
@language_option()
@_guarded
def show_command(exercise_name, task_name, submission, out, timeout, memory_mb, lang):
    from grader.showing import api

    if out is not None and out.suffix.lower() not in (".png", ".html", ".htm"):
        raise UsageProblem(_("--out must name a .png or an .html file: {path}").format(path=out))
    shown = api.show_task(exercise_name, task_name, submission, timeout=timeout, memory_mb=memory_mb, lang=lang)
    for line in api.summary(shown):
        click.echo(line)
    if shown.drawable:
        target = out or api.default_output(shown)
        image = api.png(shown)
        if target.suffix.lower() == ".png":
            _write(target, image)
        else:
            _write(target, api.html_page(shown, image, lang or default_language()))
        click.echo(_("wrote {path}").format(path=target))
    else:
        click.echo(_("nothing was drawn: your function gave no result to draw"))
    sys.exit(EXIT_PASSED if shown.passed else EXIT_FAILED)


@click.command(name="all", cls=Command, help=N_("Grade every exercise and print one summary."))
@_with_submission
@grading_options
@html_option
@_guarded
def grade_all_command(submission, fmt, output, html_file, **grading):
    from grader.api import grade_all

    _report_while_waiting(fmt)
    result = grade_all(submission, **grading)
    for exercise in result.exercises:
        _remember(exercise)
    _emit(result, fmt, output, grading["lang"], submission)
    _write_html(html_file, result, grading["lang"], submission)
    sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)


def exercises_option(help_text: str, *, required: bool = False):
    """`--exercises all|LIST` (batch, release, gradescope-kit): all by default unless the command requires it."""
    if required:
        return click.option("--exercises", required=True, help=help_text)
    return click.option("--exercises", default="all", show_default=True, help=help_text)


def _chosen_exercises(text: str):
    if text.strip() == "all":
        return catalog.exercises()
    chosen = tuple(catalog.find(name.strip()) for name in text.split(",") if name.strip())
    if not chosen:
        raise UsageProblem(_("--exercises names no exercise: give all, or names such as exercise1,exercise3"))
    return tuple(sorted({e.number: e for e in chosen}.values(), key=lambda e: e.number))


def _default_jobs() -> int:
    from grader.backends import usable_cores

    return usable_cores()


class _Progress:
    """A bar on a terminal; a line per student in a log (CI), where a bar would be noise."""

    def __init__(self):
        self.bar = None
        self.task = None
        self.done = 0
        self.total = 0

    def start(self, total: int) -> None:
        self.total = total
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("marking"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=total)

    def advance(self, report: dict, reused: bool) -> None:
        self.done += 1
        note = "kept" if reused else report["status"]
        line = f"{report['student']}: {report['score']:g}/{report['max_score']:g} ({note})"
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=line)
        else:
            click.echo(f"[{self.done}/{self.total}] {line}", err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _finish_class(result, out: Path, fmt: str, output: Path | None, lang: str | None, submissions=None) -> None:
    """Extra format files, the summary, GitHub's annotations and step summary, and the exit code."""
    import json

    from grader.classroom.batch import write_formats
    from grader.classroom.gradebook import histogram, pass_rates
    from grader.report import github
    from grader.report.class_summary import render_class

    write_formats(out, result, fmt, lang)
    if fmt == "json":
        summary = {
            "students": len(result.reports),
            "max_score": result.max_score,
            "gradebook": str(out / "gradebook.csv"),
            "pass_rates": [
                {"exercise": r.exercise, "task": r.task, "passed": r.passed, "marked": r.marked}
                for r in pass_rates(result)
            ],
            "histogram": list(histogram(result)),
        }
        text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    else:
        color = output is None and _colour_terminal()
        text = render_class(result, color=color, width=_width(color))
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    if github.in_github_actions():
        items = []
        for report in result.reports:
            files = report.get("files", {}) if submissions is not None else {}
            for exercise in report["exercises"]:
                name = files.get(exercise["exercise"])
                items.append((f"{report['student']}/", exercise, submissions / name if name else None))
        _annotate(github.annotations(items), to_stderr=output is None and fmt == "json")
        github.write_step_summary(github.class_markdown(result) + github.beyond_annotations_markdown(items, lang=lang))
    sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)


@click.command(name="batch", cls=Command, help=N_("Mark a class: one folder (or file) per student under SUBMISSIONS."))
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help=N_("Output folder."))
@exercises_option(N_("The exercises to mark: all, or names separated by commas (exercise1,exercise3 or 1,3)."))
@click.option("--jobs", type=click.IntRange(1), default=None, help=N_("Students marked at once [default: CPU count]."))
@click.option("--resume", is_flag=True, help=N_("Keep earlier reports made from the same submission and settings."))
@click.option(
    "--shard",
    default=None,
    help=N_(
        "Mark only share K of N of the class (K/N, such as 2/4); auto: from a Kubernetes Indexed Job "
        "(JOB_COMPLETION_INDEX, JOB_COMPLETIONS) or a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)."
    ),
)
@grading_options
@_guarded
def batch_command(submissions, out, exercises, jobs, resume, shard, **grading):
    from grader.api import make_options
    from grader.classroom.batch import mark_class
    from grader.classroom.roster import parse_shard

    chosen = _chosen_exercises(exercises)
    share = parse_shard(shard) if shard else None
    if shard and shard.strip() == "auto":
        click.echo(_("--shard auto: marking shard {k}/{n}").format(k=share[0], n=share[1]), err=True)
    fmt, output, lang = grading.pop("fmt"), grading.pop("output"), grading.pop("lang")
    options = make_options(**grading, lang=lang)
    progress = _Progress()
    try:
        result = mark_class(
            submissions,
            out,
            chosen,
            options,
            jobs=jobs or _default_jobs(),
            resume=resume,
            share=share,
            progress=progress.advance,
            on_start=progress.start,
        )
    finally:
        progress.stop()
    _finish_class(result, out, fmt, output, lang, submissions)


@click.command(
    name="release",
    cls=Command,
    help=N_("Write the student edition: the stubs, the grader and recorded answers, without any reference code."),
)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help=N_("Output folder."))
@exercises_option(N_("The exercises to include: all, or names separated by commas (exercise1,exercise3 or 1,3)."))
@language_option()
@_guarded
def release_command(out, exercises, lang):
    from grader.classroom.release import build

    made = build(out, _chosen_exercises(exercises))
    click.echo(
        _("wrote the student edition of {exercises} to {folder}: {files} files, {size} KiB, in {seconds:.1f} s").format(
            exercises=", ".join(made.exercises),
            folder=made.folder,
            files=made.files,
            size=round(made.size_bytes / 1024),
            seconds=made.seconds,
        )
    )
    for exercise, tasks in made.instructor_only.items():
        for task, why in tasks.items():
            said = INSTRUCTOR_ONLY[why]
            click.echo(f"  {exercise}.{task}: {translate(said)}")


INSTRUCTOR_ONLY = {
    "keras": N_("marked only by the instructor's grader (a Keras model is compared with the reference model)"),
    "speed": N_("its speed bar is measured only by the instructor's grader (it times the reference)"),
}


@click.command(
    name="merge", cls=Command, help=N_("Merge the output folders of several `grade batch --shard` runs into one.")
)
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help=N_("Output folder."))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help=N_("As for batch.")
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help=N_("Summary to this file.")
)
@language_option()
@_guarded
def merge_command(folders, out, fmt, output, lang):
    from grader.classroom.batch import merge

    _finish_class(merge(tuple(folders), out, lang), out, fmt, output, lang)


@click.command(
    name="report",
    cls=Command,
    help=N_(
        "Write REPORT, a report kept with --format json, in another format without grading again (a CI job grades "
        "once, then writes JUnit or Gradescope's results from the same JSON). Exit code as for the grading."
    ),
)
@click.argument("report_file", metavar="REPORT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SAVED_FORMATS),
    default="junit",
    show_default=True,
    help=N_("junit: JUnit XML; gradescope: Gradescope's results.json; json: the report again."),
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Write the report to this file instead of the terminal."),
)
@language_option()
@_guarded
def report_command(report_file, fmt, output, lang):
    from grader.report.saved import passed, read_report, render_saved

    data = read_report(report_file)
    text = render_saved(data, fmt, lang)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_PASSED if passed(data) else EXIT_FAILED)


@click.command(
    name="gradescope-kit",
    cls=Command,
    help=N_("Build a Gradescope autograder zip (setup.sh, run_autograder) that grades the chosen exercises."),
)
@exercises_option(
    N_("The exercises it grades: all, or names separated by commas (exercise1,exercise3 or 1,3)."), required=True
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("The zip to write."))
@click.option(
    "--visibility",
    type=click.Choice(["visible", "hidden", "after_due_date", "after_published"]),
    default="visible",
    show_default=True,
    help=N_("When students see each test's result on Gradescope."),
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    envvar="GRADE_SEED",
    help=N_("The seed Gradescope grades with (the zip stays with the instructor and Gradescope)."),
)
@memory_option()
@language_option()
@_guarded
def gradescope_kit_command(exercises, out, visibility, seed, memory_mb, lang):
    from grader.classroom.kit import KitSettings, build_kit

    chosen = tuple(e.name for e in _chosen_exercises(exercises))
    settings = KitSettings(chosen, visibility, lang or "ko", seed, memory_mb=memory_mb)
    kit = build_kit(out, settings)
    click.echo(
        _("{out}: Gradescope autograder for {exercises} ({wheel}; installs {requirements})").format(
            out=kit.path,
            exercises=", ".join(settings.exercises),
            wheel=kit.wheel,
            requirements=", ".join(kit.requirements),
        )
    )


@click.command(
    name="list", cls=Command, help=N_("The exercises, their tasks and points, and how far you stand in each.")
)
@language_option()
def list_command(lang):
    from rich.console import Console

    from grader import progress
    from grader.report.progress import progress_table

    Console(highlight=False).print(progress_table(catalog.exercises(), progress.load(), lang))


class GradeGroup(Group):
    """`grade exercise3`, `grade 3` and `grade pooling` name the same command."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            default_language()  # a GRADE_LANG of another language is a usage error before anything, --help too
        except GraderError as exc:
            raise UsageProblem(str(exc)) from None
        return super().make_context(info_name, args, parent, **extra)

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
        also = _("{title}; also '{number}' or '{slug}'")
        rows = [(e.name, also.format(title=e.title, number=e.number, slug=e.slug)) for e in catalog.exercises()]
        with formatter.section(_("Exercises")):
            formatter.write_dl(rows)


@click.group(
    cls=GradeGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Grade CNN exercises (합성곱, 패딩, 스트라이드, 풀링): `grade exercise3`, `grade all`, `grade list`."),
)
@click.version_option(package_name="cnn-exercise-grader", help=VERSION_OPTION)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    is_eager=True,
    expose_value=False,
    callback=remember_language,
    help=N_("Language of the help and of the commands' reports [default: GRADE_LANG, else from LANG/LC_ALL]."),
)
def main():
    """The `grade` command."""


main.add_command(grade_all_command)
main.add_command(list_command)
main.add_command(watch_command)
main.add_command(hint_command)
main.add_command(show_command)
main.add_command(batch_command)
main.add_command(merge_command)
main.add_command(report_command)
main.add_command(gradescope_kit_command)
main.add_command(release_command)


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
