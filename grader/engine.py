"""The grading engine: for each task, hypothesis draws calls, the learner's worker answers, the reference judges.

Learner code only ever runs in the worker process (`sandbox.Worker`); the reference runs here, so expected
outputs never exist in the learner's process. Hypothesis shrinks every wrong answer to the smallest call that
still shows it; the failure is recorded by us, not parsed from hypothesis's notes.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader import answers, backends, diagnosis, drawing, kept_answers, pictures, references, timings
from grader.compare import settle, unchanged
from grader.explain import empty_result, explained
from grader.heatmap_data import first_heatmap
from grader.i18n import LANGUAGES, N_, _, language, translate
from grader.results import Counterexample, ExerciseResult, Status, Table, TaskResult
from grader.sandbox import codec
from grader.sandbox.worker import DEFAULT_MEMORY_MB, Reply, Worker, cut
from grader.spec import Call, Exercise, Task
from grader.values import show, show_call

if TYPE_CHECKING:
    from grader import observations, spare_worker

DEFAULT_EXAMPLES = 100
DEFAULT_TIMEOUT = 20.0
SWEEP_WINDOW = 8  # calls answered or on their way, not yet judged, before the sweep sends the next batch
SWEEP_BATCH = 8  # calls sent in one request while sweeping (each still answered on its own)
# After the first failure, hypothesis tries smaller calls: at most SHRINK_CALLS of them (it needs 10-30 on the
# classic mistakes). A count, not a clock, so the smallest failing example is the same on a busy machine as on a
# quiet one (a 3 s clock gave another one under load); the clock is only a safety net for very slow functions.
SHRINK_CALLS = 200
SHRINK_SECONDS = 10.0
CONFIRMATIONS = 12  # generated calls on which a learner's answers must also match a misconception's
DIAGNOSIS_SECONDS = 15.0  # at most, for the learner to answer them (a few hundredths of a second as a rule): a
# diagnosis not confirmed in time is not made, so the limit must stay far above what a loaded CI machine needs
_NOTHING = object()
# A report's size is bounded whatever the learner's code does: each text of a task's result (its message, the
# learner's value and printed output as shown) has at most REPORT_TEXT_CHARS characters, each cell of a table
# REPORT_CELL_CHARS, cut in the middle with a note saying how much (texts from the learner's process are
# bounded already when they arrive, see `sandbox.codec`; this bounds what is made of them here).
REPORT_TEXT_CHARS = 6000
REPORT_CELL_CHARS = 200


@dataclass(frozen=True)
class Options:
    """How to grade: the same options and submission always give the same grade."""

    seed: int = 0
    examples: int = DEFAULT_EXAMPLES
    timeout: float = DEFAULT_TIMEOUT  # seconds per task, shrinking included
    backend: str = "auto"  # TensorFlow devices for Keras exercises: cpu, gpu or auto (see `backends`)
    memory_mb: int = DEFAULT_MEMORY_MB  # for the learner's process and everything it starts
    lang: str | None = None  # of the messages: ko or en (None: the locale's)
    strict_dtype: bool = False  # any dtype other than the expected one fails (by default a wider one is a note)

    def __post_init__(self):
        if self.examples < 1:
            raise ValueError(f"examples={self.examples} must be at least 1")
        if not self.timeout > 0:
            raise ValueError(f"timeout={self.timeout} must be positive")
        if self.memory_mb < 64:
            raise ValueError(f"memory_mb={self.memory_mb} must be at least 64")
        if self.backend not in backends.CHOICES:
            raise ValueError(f"backend={self.backend!r} must be one of {', '.join(backends.CHOICES)}")
        if self.lang is not None and self.lang not in LANGUAGES:
            raise ValueError(f"lang={self.lang!r} must be one of {', '.join(LANGUAGES)}")


# The reference's answers to the sweep's calls, kept for the process: (id of the reference, id of the call) ->
# `_Answer`. The calls are those `drawing` keeps, the same objects for each submission; the bound only matters
# where a secret seed's calls are drawn anew after a wrong answer.
_ANSWERS: dict[tuple[int, int], _Answer] = {}
_ANSWERS_KEPT = 50_000
_RIGHT_REPLY_BYTES = 16 * 1024  # a larger right reply is not kept: reading it costs little beside judging it


class _Answer:
    """The reference's answer to one call of the sweep and, once a learner's reply to it was judged right without
    a note, that reply's bytes (`right`): a later reply of exactly those bytes is right, and is neither read nor
    judged again (its judging is a function of the call and the bytes alone). Holding the call and the reference
    keeps their ids, the key, from being reused."""

    __slots__ = ("call", "expected", "reference", "right")

    def __init__(self, call: Call, reference, expected):
        self.call, self.reference, self.expected = call, reference, expected
        self.right: bytes | None = None  # as it came down the pipe (`codec.frame`), which `Worker.answer` reads


class _Failure(Exception):
    """A wrong answer or an exception from the learner's function: hypothesis shrinks these."""

    def __init__(self, status: Status, call: Call, message: str, expected=_NOTHING, actual=_NOTHING, output=""):
        super().__init__(message)
        self.status, self.call, self.message = status, call, message
        self.expected, self.actual, self.output = expected, actual, output


class _SweepFailure(BaseException):
    """A wrong answer met while sweeping: ends the sweep (also from inside hypothesis's drawing) unshrunk."""

    def __init__(self, failure: _Failure, corner: bool):
        super().__init__(failure.message)
        self.failure, self.corner = failure, corner


class _Outcome(BaseException):
    """Ends a task at once, without shrinking (a hang, a crash, a stub, a forbidden import).

    A BaseException so that hypothesis lets it through instead of shrinking it.
    """

    def __init__(self, status: Status, message: str, call: Call | None = None, failure: _Failure | None = None):
        super().__init__(message)
        self.status, self.message, self.call, self.failure = status, message, call, failure


MESSAGES = {
    Status.NOT_IMPLEMENTED: N_("not implemented yet: the function still raises NotImplementedError"),
    Status.MISSING: N_("the function is not in your file (check its name)"),
}


def _forbidden_message(modules) -> str:
    names = ", ".join(repr(m) for m in modules)
    return _("imported {names}: this exercise is done by hand with numpy and the standard library only").format(
        names=names
    )


def reply_problem(reply: Reply, timeout: float, examples: int) -> tuple[Status, str] | None:
    """How a reply to a call that is not an answer is reported (None for an answer): a forbidden import, an
    exception, running out of `timeout` after `examples` right answers, a crash, a stub, a missing function."""
    if reply.forbidden:
        return Status.FORBIDDEN, _forbidden_message(reply.forbidden)
    if reply.kind == "ok":
        return None
    if reply.kind == "raised":
        return Status.ERROR, explained(_("your function raised {error}").format(error=reply.message), reply.message)
    if reply.kind == "timeout":
        return Status.TIMEOUT, _(
            "ran out of the task's time limit ({timeout:g} s) on this input after {examples} examples: an "
            "endless loop, or too slow (--timeout sets the limit)"
        ).format(timeout=timeout, examples=examples)
    if reply.kind in ("crashed", "memory"):
        return Status.ERROR, reply.message
    if reply.kind == "not_implemented":
        return Status.NOT_IMPLEMENTED, translate(MESSAGES[Status.NOT_IMPLEMENTED])
    return Status.MISSING, translate(MESSAGES[Status.MISSING])


class TaskRunner:
    """Marks one task of one submission with a running worker."""

    def __init__(
        self,
        exercise: Exercise,
        task: Task,
        worker: Worker,
        options: Options,
        devices: tuple[str, ...] = ("cpu",),
        book: observations.Book | None = None,
        reference=None,
    ):
        self.exercise, self.task, self.worker, self.options = exercise, task, worker, options
        self.devices = devices
        if reference is not None:  # a student release passes its recorded answers
            self.__dict__["reference"] = reference
        # The references' observations kept for a Keras task (see `observations`): one made here is kept in it.
        self.book = book if book is not None or task.observe is None else _book(exercise, options)
        self.examples = 0
        self.smallest_failure: _Failure | None = None  # the latest failure while shrinking is the smallest
        self.first_failure: _Failure | None = None  # the wrong answer the sweep saw, shown if the search does not
        self.deadline = 0.0
        self.shrink_calls = 0  # calls tried since the first failure of the search
        self.note: str | None = None  # the first remark a right answer drew (a wider dtype), said once per task
        self.sweeping = False  # judging the sweep's calls, whose reference answers are kept (`_reference_answer`)
        self.swept: list = []  # the reference's answers to the sweep's calls judged so far, in order
        self.on_disk: list | None = None  # the answers to the sweep's calls kept on disk (`kept_answers`)

    @functools.cached_property
    def reference(self):
        """The reference function, imported when first needed: a Keras task judged on kept observations never
        imports its reference (nor TensorFlow with it) while the answers are right."""
        return self.exercise.reference(self.task)

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.reference)

    def run(self) -> TaskResult:
        self.deadline = time.monotonic() + self.options.timeout
        result = self._sweep() if self.task.observe is None else None
        if result is None:
            result = self._search()
        if result.passed and self.book is not None:
            self.book.finish(self.task)
        if result.passed and self.task.speed is not None:
            return self._timed(result)
        return result

    def _timed(self, result: TaskResult) -> TaskResult:
        """A right function against the task's speed bar: the speed points only when it is fast enough."""
        bar = self.task.speed
        from grader import speed  # exercise 7's only

        with timings.phase("speed bar"):
            verdict = speed.measure(self.exercise, self.task, self.worker, self.options.memory_mb, self.options.timeout)
        if verdict.fast_enough:
            bar_words = _("(the bar: {within:g} times)").format(within=bar.within)
            return replace(result, message=f"{result.message}; {verdict.message} {bar_words}")
        message = _(
            "right on {examples} examples, but {measured}, and the bar is {within:g} times: the {points:g} speed "
            "point(s) are not given."
        ).format(examples=self.examples, measured=verdict.message, within=bar.within, points=bar.points)
        hint = f"\n{translate(self.task.hint)}" if self.task.hint else ""
        return replace(result, status=Status.FAILED, score=float(self.task.points - bar.points), message=message + hint)

    def _sweep(self) -> TaskResult | None:
        try:
            return self._sweep_calls()
        finally:
            self.sweeping = False

    def _sweep_calls(self) -> TaskResult | None:
        """The fast way through a task: every generated call (kept ones when there are, see `drawing`) and
        then the declared corners go to the worker a batch to a request and a window at a time, so the learner's
        code runs while the grader draws and judges. A task that passes, hangs, crashes or is a stub ends here.
        When a generated call gets a wrong answer, None: the search then finds it again and shrinks it."""
        window: deque[tuple[Call, bool, object]] = deque()
        deadline = self.deadline  # a wrong answer shortens it to the shrinking time; the search gets it back
        self.sweeping = True

        batch: list[tuple[Call, bool]] = []

        def send() -> None:
            while len(window) >= SWEEP_WINDOW:
                self._settle(*window.popleft())
            remaining = self.deadline - time.monotonic()
            with timings.phase("waiting"):
                pending = self.worker.ask_calls(self.task.name, [call for call, _ in batch], remaining)
            window.extend((call, corner, sent) for (call, corner), sent in zip(batch, pending, strict=True))
            batch.clear()

        def ask(call: Call, corner: bool = False) -> None:
            batch.append((call, corner))
            if len(batch) >= SWEEP_BATCH:
                send()

        options = self.options
        kept = kept_answers.key(self.exercise, self.task, options.examples, options.seed, self.reference)
        self.on_disk = None if kept is None else kept_answers.read(kept)
        try:
            drawing.calls(self.exercise, self.task, self.options.examples, self.options.seed, ask)
            for call in self.task.examples:
                ask(call, corner=True)
            if batch:
                send()
            while window:
                self._settle(*window.popleft())
        except _Outcome as outcome:
            self._discard(window)
            return self._result(outcome.status, outcome.message, outcome.call)
        except _SweepFailure as stop:
            self._discard(window)
            if stop.corner or not self.worker.alive or time.monotonic() >= deadline:
                return self._failed(stop.failure)  # shown as found: no time or no worker left to shrink it
            self.first_failure, self.smallest_failure = stop.failure, None
            self.examples, self.deadline = 0, deadline
            return None
        if kept is not None and (self.on_disk is None or len(self.on_disk) != len(self.swept)):
            kept_answers.write(kept, self.swept)  # every call judged: the next check reads them
        return self._result(
            Status.PASSED, _("matched the reference on {examples} examples").format(examples=self.examples)
        )

    def _settle(self, call: Call, corner: bool, pending) -> None:
        known = self._kept_answer(call)
        try:
            reply = self._answer(pending, None if known is None else known.right)
            if reply.known:  # the same bytes as a reply already judged right without a note: right again
                self._reference_answer(call, known)
                self.examples += 1
                return
            note = self._judge(call, reply)
        except _Failure as failure:
            raise _SweepFailure(failure, corner) from None
        if note is None and reply.raw is not None and len(reply.raw) <= _RIGHT_REPLY_BYTES:
            known = known or self._kept_answer(call)  # kept by the judging when it was the first
            if known is not None and known.right is None:
                known.right = codec.frame(bytes(reply.raw))

    def _discard(self, window: deque) -> None:
        """Read the replies still on their way, so that the next request gets its own reply."""
        while window and self.worker.alive:
            self._answer(window.popleft()[2])

    def _answer(self, pending, known: bytes | None = None) -> Reply:
        with timings.phase("waiting"):
            return self.worker.answer(pending, known)

    def _search(self) -> TaskResult:
        """Hypothesis draws calls and shrinks the first wrong answer to the smallest call that still shows it."""
        from hypothesis.errors import Flaky  # imported here: a right submission is graded without hypothesis

        @drawing.search(self.task, self.options.examples, self.options.seed)
        def check(call: Call) -> None:
            self._check(call)

        try:
            with timings.phase("searching"):
                check()
            # The declared corners, when generation missed them; after it, so that what generation finds is
            # shown shrunk to its smallest form.
            for call in self.task.examples:
                self._check(call)
        except _Outcome as outcome:
            if outcome.failure is not None:
                return self._failed(outcome.failure)
            return self._result(outcome.status, outcome.message, outcome.call)
        except _Failure as failure:
            return self._failed(failure)
        except Flaky:
            failure = self.smallest_failure
            note = _("; it gave different answers for the same input (does it use randomness or global state?)")
            return self._failed(failure, extra=note)
        if self.first_failure is not None:  # the sweep saw a wrong answer that the search did not meet again
            note = _("; the same input gave a right answer another time (does it use randomness or global state?)")
            return self._failed(self.first_failure, extra=note)
        return self._result(
            Status.PASSED, _("matched the reference on {examples} examples").format(examples=self.examples)
        )

    def _check(self, call: Call) -> None:
        remaining = self.deadline - time.monotonic()
        if self.smallest_failure is not None:
            self.shrink_calls += 1
            if remaining <= 0 or self.shrink_calls > SHRINK_CALLS:
                raise _Outcome(Status.FAILED, "", failure=self.smallest_failure)  # enough shrinking
        if self.first_failure is not None and remaining <= 0:
            raise _Outcome(Status.FAILED, "", failure=self.first_failure)  # the search ran out of time
        if self.task.observe is None:
            with timings.phase("waiting"):
                reply = self.worker.call(self.task.name, call, remaining)
            self._judge(call, reply)
        else:  # the learner's model is built and probed in the worker while the reference's is here
            probe = self.task.observe.probe(call.seed, self.devices)
            with timings.phase("waiting"):
                pending = self.worker.ask_call(self.task.name, call, remaining, probe)
            with timings.phase("judging"):
                expected = self._observe_reference(call, probe)
            self._judge(call, self._answer(pending), expected)

    def _judge(self, call: Call, reply: Reply, expected=_NOTHING) -> str | None:
        """Raise `_Outcome` or `_Failure` unless the reply is the right answer to `call`; else its note (a
        remark that does not cost the answer its points), or None."""
        with timings.phase("judging"):
            return self._judge_reply(call, reply, expected)

    def _judge_reply(self, call: Call, reply: Reply, expected) -> str | None:
        self._raise_for_reply(reply, call)
        if expected is _NOTHING:
            expected = self._reference_answer(call)
        if self.smallest_failure is None:
            self.examples += 1
        reference = self.reference if self.task.observe is None else self._lazy_reference
        verdict = self.task.compare(call, expected, reply.value, reference)
        problem, note = settle(verdict, strict=self.options.strict_dtype)
        if problem is None and self.task.observe is None:
            problem = self._changed_inputs(call, reply)
        if problem is not None:
            self._fail(Status.FAILED, call, problem, expected, reply.value)
        self.note = self.note or note
        return note

    def _kept_answer(self, call: Call) -> _Answer | None:
        """What this process keeps of the reference's answer to a call of the sweep, if anything yet."""
        reference = self.reference
        found = _ANSWERS.get((id(reference), id(call)))
        return found if found is not None and found.call is call and found.reference is reference else None

    def _reference_answer(self, call: Call, found: _Answer | None = None):
        """The reference's answer to `call`. A call of the sweep (a kept or shipped call, a declared corner: the
        same objects for every submission this process grades) is answered once per process: a marker's second
        student, `grade watch`'s next save and `grade all`'s next exercise reuse the answer, made read-only."""
        if not self.sweeping:
            return self.reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
        reference = self.reference
        found = found or self._kept_answer(call)
        if found is not None:
            expected = found.expected
        else:
            position = len(self.swept)  # the sweep judges its calls in the order it sends them
            if self.on_disk is not None and position < len(self.on_disk):
                expected = self.on_disk[position]
            else:
                expected = kept_answers.read_only(reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs)))
            if len(_ANSWERS) >= _ANSWERS_KEPT:
                _ANSWERS.clear()
            _ANSWERS[id(reference), id(call)] = _Answer(call, reference, expected)
        self.swept.append(expected)
        return expected

    def _lazy_reference(self, *args, **kwargs):
        """The reference, for a comparator of a Keras task, imported only if the comparator calls it."""
        return self.reference(*args, **kwargs)

    def _observe_reference(self, call: Call, probe):
        """The observation of the reference's Keras object: kept (see `observations`), or made here on the CPU.
        Calls judged before any wrong answer are those of the run's own sequence, whose observations are kept."""
        in_sequence = self.smallest_failure is None and self.first_failure is None
        return self.book.expected(self.task, call, probe, lambda: self._observe_now(call, probe), in_sequence)

    def _observe_now(self, call: Call, probe):
        from grader.keras_observe import materialise

        # TensorFlow and the reference, when a wrong answer first needs them here: the seconds that takes are
        # not the task's (the import was done before any task when nothing was kept), so the time to shrink
        # stays what it was and the smallest failing example with it.
        started = time.monotonic()
        _ready_tensorflow()
        reference = self.reference
        self.deadline += time.monotonic() - started
        args, kwargs = materialise(call.args, call.kwargs)
        return self.task.observe.expected(reference(*args, **kwargs), probe, args, kwargs)

    def _raise_for_reply(self, reply: Reply, call: Call) -> None:
        problem = reply_problem(reply, self.options.timeout, self.examples)
        if problem is None:
            return
        status, message = problem
        if reply.kind == "raised" and not reply.forbidden:
            self._fail(status, call, message, actual=diagnosis.RAISES)
        if reply.kind == "timeout" and not reply.forbidden and self.smallest_failure is not None:
            raise _Outcome(Status.FAILED, "", failure=self.smallest_failure)
        raise _Outcome(status, message, None if status in (Status.NOT_IMPLEMENTED, Status.MISSING) else call)

    def _changed_inputs(self, call: Call, reply: Reply) -> str | None:
        # As a rule the call left them (not echoed), or they came back as they went, in the same places.
        if not reply.echoed or _echoed_unchanged(call, reply):
            return None
        sent = self.signature.bind_partial(*call.args, **call.kwargs).arguments
        back = self.signature.bind_partial(*reply.args, **reply.kwargs).arguments
        changed = [name for name, value in sent.items() if not unchanged(value, back.get(name))]
        if changed:
            names = ", ".join(changed)
            return _("your function changed its input {names}; functions must never modify their arguments").format(
                names=names
            )
        return None

    def _fail(self, status: Status, call: Call, message: str, expected=_NOTHING, actual=_NOTHING):
        failure = _Failure(status, call, message, expected, actual, self.worker.last_call_output())
        if self.smallest_failure is None:
            self.deadline = min(self.deadline, time.monotonic() + SHRINK_SECONDS)
            self.shrink_calls = 0
        self.smallest_failure = failure
        raise failure

    def _failed(self, failure: _Failure, extra: str = "") -> TaskResult:
        fitting = self.task.hint_for(failure.call.arguments(self.signature))
        hint = f"\n{translate(fitting)}" if fitting and failure.status is Status.FAILED else ""
        if failure.status is Status.FAILED and self.task.observe is None:
            hint = empty_result(failure.expected, failure.actual) + hint
        result = self._result(failure.status, failure.message + extra + hint, failure.call, failure)
        found = self._diagnose(failure)
        return result if found is None else replace(result, diagnosis=diagnosis.explain(found))

    def _diagnose(self, failure: _Failure):
        """The task's misconception that the learner's answers match, on the failing call and on the
        task's corners and first generated calls alike; None when none matches them all. A function that
        raised is matched too (a mistake may raise where the reference does not), but only a mistake that
        also gives the learner's answer somewhere, not merely raises with it, is named."""
        if failure.actual is _NOTHING or not self.task.misconceptions:
            return None
        found = self._matching(self.task.misconceptions, failure.call, failure.actual)
        if not found:
            return None
        confirmations = self._confirmations()
        if not self.worker.alive and self.worker.start(self.options.timeout).kind != "loaded":
            return None  # the worker was stopped when the time to shrink ran out mid-call
        deadline = time.monotonic() + DIAGNOSIS_SECONDS
        answered = failure.actual is not diagnosis.RAISES
        for call in [*self.task.examples, *confirmations]:
            reply = self.worker.call(self.task.name, call, deadline - time.monotonic())
            if reply.kind not in ("ok", "raised") or reply.forbidden:
                return None  # it hung or crashed here: its answers cannot be matched
            answer = reply.value if reply.kind == "ok" else diagnosis.RAISES
            found = self._matching(found, call, answer)
            if not found:
                return None
            answered = answered or answer is not diagnosis.RAISES
        return found[0] if answered else None

    def _matching(self, found, call: Call, answer) -> list:
        """Those of the misconceptions `found` whose wrong version answers `call` as the learner did."""
        return diagnosis.matching(self.exercise, self.task, found, call, answer)

    def _confirmations(self) -> list[Call]:
        """The generated calls a diagnosis is confirmed on, besides the task's corners."""
        confirmations: list[Call] = []
        drawing.calls(self.exercise, self.task, CONFIRMATIONS, self.options.seed, confirmations.append)
        return confirmations

    def _result(self, status: Status, message: str, call: Call | None = None, failure: _Failure | None = None):
        passed = status is Status.PASSED
        return TaskResult(
            name=self.task.name,
            status=status,
            score=float(self.task.points) if passed else 0.0,
            max_score=float(self.task.points),
            examples=self.examples,
            message=message,
            counterexample=None if call is None else self._counterexample(call, failure),
            output=self._output(status, failure),
            note=self.note,
        )

    def _output(self, status: Status, failure: _Failure | None) -> str:
        """What the learner's code printed during the call shown (nothing for a passed task)."""
        if failure is not None:
            return failure.output
        return "" if status is Status.PASSED else self.worker.last_call_output()

    def _counterexample(self, call: Call, failure: _Failure | None) -> Counterexample:
        bound = call.bound(self.signature)
        has = failure is not None and failure.expected is not _NOTHING
        render = show if self.task.observe is None else self.task.observe.show
        return Counterexample(
            call=show_call(self.task.name, bound),
            inputs={name: show(value) for name, value in bound.items()},
            expected=render(failure.expected) if has else None,
            actual=render(failure.actual) if has else None,
            difference=failure.message if failure is not None else "",
            table=self.task.observe.table(failure.expected, failure.actual) if has and self.task.observe else None,
            grids=pictures.grids(bound, failure.expected, failure.actual) if has and not self.task.observe else (),
            heatmap=first_heatmap(self._drawn(failure)) if has and not self.task.observe else None,
        )

    def _drawn(self, failure: _Failure):
        """The failures a picture may show, the one shown first: shrinking often leaves an image of one cell,
        while the first wrong answer the sweep met (kept, its answers already computed) is still an image."""
        for candidate in dict.fromkeys((failure, self.first_failure)):
            if candidate is not None and candidate.expected is not _NOTHING:
                bound = candidate.call.bound(self.signature)
                yield show_call(self.task.name, bound), bound, candidate.expected, candidate.actual


def _echoed_unchanged(call: Call, reply: Reply) -> bool:
    """Whether every argument came back unchanged in the place it was sent in (then binding both to the
    signature would pair the same values: no need to). False also when the echo has another shape."""
    return (
        len(reply.args) == len(call.args)
        and reply.kwargs.keys() == call.kwargs.keys()
        and all(unchanged(sent, back) for sent, back in zip(call.args, reply.args, strict=True))
        and all(unchanged(value, reply.kwargs[name]) for name, value in call.kwargs.items())
    )


def _every_task(exercise: Exercise, status: Status, message: str, options: Options, output: str = "", warnings=()):
    """The same verdict for every task (no file, a file that does not load, a forbidden import)."""
    tasks = tuple(TaskResult(t.name, status, 0.0, float(t.points), 0, message, output=output) for t in exercise.tasks)
    devices = graded_on(exercise, options)
    return bounded(ExerciseResult(exercise.name, exercise.title, options.seed, devices, tasks, tuple(warnings)))


def _load_problem(reply: Reply) -> tuple[Status, str]:
    if reply.forbidden:
        return Status.FORBIDDEN, _forbidden_message(reply.forbidden)
    if reply.kind == "timeout" and reply.cell:
        return Status.TIMEOUT, _(
            "your notebook did not finish loading in time: {cell} was still running. A value your functions read "
            "is computed there, and such values are computed again before grading: make that statement fast, "
            "or compute the value inside your function"
        ).format(cell=reply.cell)
    if reply.kind == "timeout":
        return Status.TIMEOUT, _("your file did not finish loading in time (code at the top level runs on import)")
    return Status.ERROR, explained(
        _("your file could not be loaded: {error}").format(error=reply.message), reply.message
    )


def _run_guarded(
    exercise: Exercise,
    task: Task,
    worker: Worker,
    options: Options,
    devices: tuple[str, ...],
    book: observations.Book | None = None,
) -> TaskResult:
    """One task; a failure of the grader itself on this task is reported there and never loses the others."""
    try:
        if not references.available():  # a student release: judged by the recorded answers
            from grader import replay

            return replay.run(exercise, task, worker, options, devices)
        return TaskRunner(exercise, task, worker, options, devices, book).run()
    except Exception as exc:
        worker.close()  # the next task starts a clean worker
        message = _("the grader itself failed on this task ({error}); please report it").format(
            error=f"{type(exc).__name__}: {exc}"
        )
        return TaskResult(task.name, Status.ERROR, 0.0, float(task.points), 0, message)


_while_loading: list[Callable[[], None]] = []


def while_learner_loads(work: Callable[[], None]) -> None:
    """Do `work` once, in the next wait for a learner's process to load its file: the one moment of a one-shot
    check when the grader has nothing else to do (the command line imports its report's modules there)."""
    _while_loading.append(work)


def _use_the_wait() -> None:
    while _while_loading:
        with contextlib.suppress(Exception):  # only ever a head start: what it did not do is done when needed
            _while_loading.pop(0)()


def grade_exercise(exercise: Exercise, path: Path | None, options: Options | None = None) -> ExerciseResult:
    """Grade one exercise file. `path=None` means the learner has no file for it: every task is missing."""
    options = options or Options()
    with language(options.lang):
        return _grade_exercise(exercise, path, options)


def _grade_exercise(exercise: Exercise, path: Path | None, options: Options) -> ExerciseResult:
    backends.check_request(options.backend)
    if not references.available():
        answers.check(exercise, options.seed, options.examples)  # NotRecorded (exit 2) before anything runs
    if path is None:
        return _every_task(exercise, Status.MISSING, _("{file} was not found").format(file=exercise.file_name), options)
    results = []
    gpu = exercise.uses_tensorflow and backends.worker_may_use_gpu(options.backend)
    importing = threading.Thread(target=_import_reference, args=(exercise,), daemon=True)
    timings.mark("grading")
    spare = book = None
    with Worker(path, exercise.banned_imports, options.memory_mb, gpu=gpu) as worker:
        try:
            with timings.phase("worker start"):
                # The spare worker first: it takes the process `early` started, as its part is the longer one.
                spare = _spare_worker(exercise, path, options, gpu)
                loading = worker.begin(options.timeout)
                # The kept observations are read once the workers have their configuration (20-50 ms later).
                book = _book(exercise, options) if exercise.uses_tensorflow else None
                if book is not None and not book.warm:  # the grader's TensorFlow loads while the worker loads
                    importing.start()  # the learner's; with every observation kept, only a wrong answer needs it
                if references.available() and exercise.observed_tasks:
                    while_learner_loads(functools.partial(_ready_search, exercise.observed_tasks))
                _use_the_wait()
                loaded = worker.answer(loading)
            if importing.is_alive():
                with timings.phase("imports"):
                    importing.join()
            warnings = sandbox_warnings(loaded.unprotected)
            if loaded.kind != "loaded" or loaded.forbidden:
                status, message = _load_problem(loaded)
                return _every_task(exercise, status, message, options, worker.output_tail(), warnings)
            devices = _devices(options, worker) if gpu else graded_on(exercise, options)
            graded = {}
            # A task of the spare worker's last: it loads and builds its models while the others are graded.
            for task in sorted(exercise.tasks, key=lambda t: spare is not None and spare.holds(t)):
                own = None
                if spare is not None and task.name in loaded.names:
                    with timings.phase("worker start"):  # its load and models, when not ready yet
                        own = spare.take(task)
                    if own is not None:
                        worker.ask_to_exit()  # its tasks are done: it ends while the spare grades its own
                graded[task.name] = _graded_task(exercise, task, own or worker, loaded, options, devices, book)
            results = [graded[task.name] for task in exercise.tasks]
        finally:
            if spare is not None:
                spare.close()
    if book is not None:
        book.keep()
    raised = _("{cell} raised while loading, so what it defines is missing when your functions are graded:\n{error}")
    notes = tuple(raised.format(cell=cell, error=error) for cell, error in loaded.cell_errors)
    return bounded(
        ExerciseResult(exercise.name, exercise.title, options.seed, devices, tuple(results), warnings, notes=notes)
    )


def _graded_task(
    exercise: Exercise,
    task: Task,
    worker: Worker,
    loaded: Reply,
    options: Options,
    devices: tuple[str, ...],
    book: observations.Book | None,
) -> TaskResult:
    """One task in `worker`, whose file loaded as `loaded` says (started again if an earlier task ended it)."""
    if task.name not in loaded.names:
        return TaskResult(task.name, Status.MISSING, 0.0, float(task.points), 0, translate(MESSAGES[Status.MISSING]))
    if not worker.alive:
        with timings.phase("worker start"):
            restarted = worker.start(options.timeout)
        if restarted.kind != "loaded":
            status, message = _load_problem(restarted)
            return TaskResult(task.name, status, 0.0, float(task.points), 0, message)
    return _run_guarded(exercise, task, worker, options, devices, book)


def _text(text: str | None) -> str | None:
    return None if text is None else cut(text, REPORT_TEXT_CHARS)


def _table(table: Table | None) -> Table | None:
    if table is None:
        return None
    rows = tuple(tuple(cut(cell, REPORT_CELL_CHARS) for cell in row) for row in table.rows)
    return replace(table, columns=tuple(cut(c, REPORT_CELL_CHARS) for c in table.columns), rows=rows)


def _bounded_task(task: TaskResult) -> TaskResult:
    example = task.counterexample
    if example is not None:
        example = replace(
            example,
            call=_text(example.call),
            inputs={name: _text(shown) for name, shown in example.inputs.items()},
            expected=_text(example.expected),
            actual=_text(example.actual),
            difference=_text(example.difference),
            table=_table(example.table),
        )
    return replace(
        task,
        message=_text(task.message),
        counterexample=example,
        diagnosis=_text(task.diagnosis),
        output=_text(task.output),
        note=_text(task.note),
    )


def bounded(result: ExerciseResult) -> ExerciseResult:
    """`result` with every text bounded (see REPORT_TEXT_CHARS): a report has a bounded size."""
    return replace(
        result,
        tasks=tuple(_bounded_task(task) for task in result.tasks),
        warnings=tuple(_text(w) for w in result.warnings),
        notes=tuple(_text(n) for n in result.notes),
    )


# Exercise 6's machinery (its kept observations, its spare worker: Keras' recipes) is imported by its checks only:
# a numpy exercise's check is on the path of every learner, and pays nothing for it.


def _book(exercise: Exercise, options: Options) -> observations.Book:
    from grader import observations

    return observations.Book(exercise, options.seed, options.examples)


def _ready_tensorflow() -> None:
    from grader import observations

    observations.ready_tensorflow()


def _spare_worker(exercise: Exercise, path: Path, options: Options, gpu: bool) -> spare_worker.SpareWorker | None:
    if not any(t.own_worker for t in exercise.tasks):
        return None
    from grader import spare_worker

    return spare_worker.begin(exercise, path, options.timeout, options.memory_mb, gpu)


def _ready_search(tasks: tuple[Task, ...]) -> None:
    """What the search of these Keras tasks needs before its first call, made while the learner's TensorFlow
    loads: their strategies, and hypothesis with them (else the first task's worker waits 0.1-0.15 s for it)."""
    for task in tasks:
        drawing.built(task)


def _import_reference(exercise: Exercise) -> None:
    with contextlib.suppress(BaseException):  # a failure shows again, and is reported, where a task needs it
        _ready_tensorflow()
        exercise.reference_module()


def _devices(options: Options, worker: Worker) -> tuple[str, ...]:
    """What the worker's TensorFlow has, resolved against --backend (BackendUnavailable for a missing GPU)."""
    reply = worker.devices(options.timeout)
    present = reply.value if reply.kind == "devices" else ("cpu",)
    return backends.resolve(options.backend, present)


def graded_on(exercise: Exercise, options: Options) -> tuple[str, ...]:
    """The devices an exercise is graded on without asking the worker: by-hand exercises run on numpy, on the
    CPU, whatever --backend; a Keras exercise on the CPU unless a GPU was asked for."""
    if exercise.uses_tensorflow and options.backend == "gpu":
        return ("gpu",)
    return ("cpu",)


def sandbox_warnings(unprotected: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_("sandbox weaker on this platform: {what}").format(what=what) for what in unprotected)
