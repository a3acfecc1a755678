"""Running a task's shown calls: the learner's function in the sandboxed worker, exactly as grading runs it, the
reference here in the grader's process, and the verdict of the task's own comparator on each.

Nothing is drawn here (`grader.showing.kinds` draws); the result (`Shown`) is plain data: the calls, the
reference's outputs, the learner's, and the status and message a grading would give (the same `Status` and the
same sentences: a learner's function that raises, hangs, prints, is a stub, imports what is banned or answers
wrongly reads as it does in `grade EXERCISE`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import references
from grader.compare import settle
from grader.engine import MESSAGES, Options, TaskRunner, _Failure, _load_problem, _Outcome
from grader.i18n import _, translate
from grader.results import Status
from grader.sandbox.worker import Worker
from grader.spec import Call, Exercise, Task

NOTHING = None  # the reference's output where this grader has no reference (a student release)


@dataclass(frozen=True)
class Row:
    """One shown call: its caption, the reference's output (None without references), the learner's, and
    the comparator's sentence when they differ (None when they agree, or when there is nothing to compare)."""

    caption: str  # the English message (N_), translated where it is shown
    call: Call
    expected: Any
    actual: Any
    problem: str | None = None


@dataclass(frozen=True)
class Shown:
    """What `grade show` found for one task: a status and message as grading gives them, the rows to draw
    (none when the learner's function did not answer), and the sample image the calls were made on."""

    exercise: str
    task: str
    kind: str
    status: Status
    message: str
    rows: tuple[Row, ...] = ()
    sample: Any = None
    with_reference: bool = True
    output: str = ""  # what the learner's code printed while answering
    extra: dict = field(default_factory=dict)  # what a kind keeps besides the rows (exercise 6's layers)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def drawable(self) -> bool:
        return bool(self.rows)


def run_calls(exercise: Exercise, task: Task, path: Path | None, sample, options: Options) -> Shown:
    """The task's shown calls answered by the learner's file at `path` (None: there is none) and the reference."""
    showing = task.show
    calls = tuple(showing.calls(sample))
    if len(calls) != len(showing.captions):
        raise ValueError(f"{exercise.name}.{task.name}: {len(calls)} calls shown, {len(showing.captions)} captions")
    captions = showing.captions
    with_reference = references.available()

    def failed(status: Status, message: str, output: str = "") -> Shown:
        return Shown(exercise.name, task.name, showing.kind, status, message, (), sample, with_reference, output)

    if path is None:
        return failed(Status.MISSING, _("{file} was not found").format(file=exercise.file_name))
    with Worker(path, exercise.banned_imports, options.memory_mb) as worker:
        loaded = worker.start(options.timeout)
        if loaded.kind != "loaded" or loaded.forbidden:
            return failed(*_load_problem(loaded), worker.output_tail())
        if task.name not in loaded.names:
            return failed(Status.MISSING, translate(MESSAGES[Status.MISSING]))
        reference = exercise.reference(task) if with_reference else None
        judge = TaskRunner(exercise, task, worker, options, reference=reference)
        deadline = time.monotonic() + options.timeout
        answers, printed = [], []
        for call in calls:
            reply = worker.call(task.name, call, deadline - time.monotonic())
            printed.append(worker.last_call_output())
            try:
                judge._raise_for_reply(reply, call)  # the grading's statuses and sentences, reused
            except _Outcome as outcome:
                return failed(outcome.status, outcome.message, worker.last_call_output())
            except _Failure as failure:
                return failed(failure.status, failure.message, failure.output)
            answers.append(reply.value)
    rows = tuple(
        _judged(task, call, caption, value, reference, options)
        for call, caption, value in zip(calls, captions, answers, strict=True)
    )
    output = "".join(printed)
    wrong = [row for row in rows if row.problem is not None]
    if wrong:
        message = wrong[0].problem
        status = Status.FAILED
    elif with_reference:
        status, message = (
            Status.PASSED,
            _("yours matches the reference on the {count} call(s) shown").format(count=len(rows)),
        )
    else:
        status, message = (
            Status.PASSED,
            _("this student edition carries no reference solutions: your result is shown alone"),
        )
    return Shown(exercise.name, task.name, showing.kind, status, message, rows, sample, with_reference, output)


def _judged(task: Task, call: Call, caption: str, actual, reference, options: Options) -> Row:
    """A row: the reference's output on `call` (here, in the grader's process) and the comparator's verdict."""
    if reference is None:
        return Row(caption, call, NOTHING, actual)
    expected = reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
    problem, _note = settle(task.compare(call, expected, actual, reference), strict=options.strict_dtype)
    return Row(caption, call, expected, actual, problem)
