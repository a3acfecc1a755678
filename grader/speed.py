"""Speed bars: is a right function also fast enough? (see `spec.SpeedBar`)

The reference and the learner's function run the same calls, each in a sandboxed worker of its own with the
same limits (one BLAS thread, the same memory), in alternating rounds. The grader times each round trip, so
the learner's code cannot misreport its own time; every round's calls hold new values, so no answer can be
remembered from an earlier one, and every answer is checked against the reference's. The first round warms
both workers up and is not counted; the best of the other rounds is compared, since a busy machine only ever
slows a round down.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.compare import settle
from grader.i18n import _, translate
from grader.sandbox.worker import Reply, Worker
from grader.spec import Call, Exercise, Task

CALLS_PER_ROUND = 3
CLEARLY_SLOW = 4.0  # after the warm-up, a learner slower than this many times the bar stops there
LIMIT_SECONDS = 5.0  # the least time a round of the learner's calls may take before it counts as too slow
LIMIT_TIMES = 20.0  # ... and the most, in times the reference's round


@dataclass(frozen=True)
class Verdict:
    """Whether the learner's function met the bar; `ratio` is its time over the reference's (None: unknown)."""

    fast_enough: bool
    ratio: float | None
    message: str


@contextlib.contextmanager
def _reference_worker(exercise: Exercise, memory_mb: int, timeout: float) -> Iterator[Worker]:
    """A worker that has loaded a copy of the reference solution, confined like the learner's."""
    with tempfile.TemporaryDirectory(prefix="grade-reference-") as folder:
        path = Path(folder) / exercise.file_name
        shutil.copyfile(exercise.reference_module().__file__, path)
        with Worker(path, exercise.banned_imports, memory_mb) as worker:
            loaded = worker.start(timeout)
            if loaded.kind != "loaded":
                raise RuntimeError(f"the reference solution did not load for timing: {loaded.kind} {loaded.message}")
            yield worker


@dataclass(frozen=True)
class _Round:
    """One worker's answers to a round of calls: the seconds its own clock measured and the grader's."""

    reply: Reply
    answers: list
    measured: float  # the function calls alone, by the worker's clock
    round_trip: float  # the whole request, by the grader's clock

    @property
    def overhead(self) -> float:
        return self.round_trip - self.measured


def _timed(worker: Worker, name: str, calls: list[Call], timeout: float) -> _Round:
    start = time.perf_counter()
    reply = worker.call_each(name, calls, timeout)
    round_trip = time.perf_counter() - start
    value = reply.value
    if reply.kind != "ok" or not (isinstance(value, tuple) and len(value) == 2 and len(value[0]) == len(calls)):
        return _Round(reply, [], round_trip, round_trip)
    answers, seconds = value
    measured = sum(float(s) for s in seconds) if all(isinstance(s, float) for s in seconds) else -1.0
    return _Round(reply, list(answers), measured, round_trip)


def _learner_seconds(learner: _Round, reference: _Round) -> float:
    """The learner's own clock, unless it disagrees with the grader's: the round trip holds the calls and a
    transfer of the same size as the reference's, so a clock that leaves much more out was not honest, and
    the grader's time less the reference's transfer stands instead."""
    if 0 <= learner.measured <= learner.round_trip and learner.overhead <= 2 * reference.overhead + 0.05:
        return learner.measured
    return max(learner.round_trip - reference.overhead, 0.0)


def _times(ratio: float) -> str:
    return _("{ratio} times").format(ratio=f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}")


def measure(exercise: Exercise, task: Task, learner: Worker, memory_mb: int, timeout: float) -> Verdict:
    """Time the learner's function against the reference's on the task's speed workload."""
    bar = task.speed
    assert bar is not None
    reference = exercise.reference(task)
    on = _("on {workload}").format(workload=translate(bar.described))
    with _reference_worker(exercise, memory_mb, timeout) as reference_worker:
        best_reference = best_learner = math.inf
        limit = LIMIT_SECONDS
        for round_ in range(bar.rounds + 1):
            calls = [bar.workload(round_ * CALLS_PER_ROUND + i) for i in range(CALLS_PER_ROUND)]
            if round_ % 2:  # alternate who goes first, so that neither always meets a warmer machine
                theirs = _timed(learner, task.name, calls, limit)
            ours = _timed(reference_worker, task.name, calls, timeout)
            if ours.reply.kind != "ok" or not ours.answers:
                why = f"{ours.reply.kind} {ours.reply.message}"
                raise RuntimeError(f"the reference failed on the speed workload: {why}")
            limit = max(LIMIT_SECONDS, LIMIT_TIMES * ours.round_trip)
            if not round_ % 2:
                theirs = _timed(learner, task.name, calls, limit)
            reply = theirs.reply
            if reply.kind == "timeout" or theirs.round_trip > limit:
                slower = _("more than {times} the reference's time {on}")
                return Verdict(False, None, slower.format(times=_times(limit / ours.round_trip), on=on))
            if reply.kind != "ok" or reply.forbidden or not theirs.answers:
                why = _("imported {names}").format(names=", ".join(reply.forbidden)) if reply.forbidden else reply.kind
                unanswered = _("{on} your function did not answer as asked ({why}) {error}")
                return Verdict(False, None, unanswered.format(on=on, why=why, error=reply.message))
            for call, right, answer in zip(calls, ours.answers, theirs.answers, strict=True):
                problem = settle(task.compare(call, right, answer, reference))[0]  # a dtype's note was said when judged
                if problem is not None:
                    return Verdict(False, None, _("a wrong answer {on}: {problem}").format(on=on, problem=problem))
            seconds = _learner_seconds(theirs, ours)
            if round_ == 0:  # the warm-up: not counted, unless it already shows a function far too slow
                if seconds > CLEARLY_SLOW * bar.within * ours.measured:
                    ratio = seconds / ours.measured
                    about = _("about {times} the reference's time {on}")
                    return Verdict(False, ratio, about.format(times=_times(ratio), on=on))
                continue
            best_reference, best_learner = min(best_reference, ours.measured), min(best_learner, seconds)
    ratio = best_learner / best_reference
    measured = _("{times} the reference's time {on}").format(times=_times(ratio), on=on)
    return Verdict(ratio <= bar.within, ratio, measured)
