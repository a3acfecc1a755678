"""Speed bars: is a right function also fast enough? (see `spec.SpeedBar`)

The reference and the learner's function run the same calls, each in a sandboxed worker of its own with the
same limits (one BLAS thread, the same memory), in alternating rounds, and every answer is checked against the
reference's.

What the learner's process cannot know: the calls. They are drawn from a nonce made here for each measurement
and never sent anywhere (see `_Workload`), so no public formula gives them and none repeats; each goes in a
request of its own, so the learner's process sees a call's values only when the call is made. Nothing can be
computed ahead or remembered.

What it cannot fake: the time. A timed reply holds the result's digest, not the result (which comes afterwards,
untimed, and must match it), so a request's round trip by the grader's clock is the call and a small transfer,
whatever the result's size. The worker also reads its own clock around each call, which leaves out the
transfer's delays; the learner's clock is believed only as far as it agrees with the grader's, judged against
the reference's transfers in the same rounds (see `_Reading`).

The first round warms both workers up and is not counted. Of the others the best round of each is compared,
since a busy machine only ever slows a round down: the reference's by its own clock, the learner's chosen by
the grader's clock (no lie picks it). A ratio far below 1 is measured again on new calls before it is believed.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import pickle
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median, quantiles

import numpy as np

from grader.compare import settle
from grader.i18n import _, translate
from grader.sandbox import codec
from grader.sandbox.worker import Reply, Worker
from grader.spec import Call, Exercise, SpeedBar, Task

CALLS_PER_ROUND = 3
CLEARLY_SLOW = 4.0  # after the warm-up, a learner slower than this many times the bar stops there
LIMIT_SECONDS = 5.0  # the least time a round of the learner's calls may take before it counts as too slow
LIMIT_TIMES = 20.0  # ... and the most, in times the reference's round
FAR_BELOW = 0.5  # a ratio under this is measured again, on calls of a new nonce, before it is believed
SETTLE = 0.02  # the grader rests this long before each worker's round, so that its own work delays neither


@dataclass(frozen=True)
class Verdict:
    """Whether the learner's function met the bar; `ratio` is its time over the reference's (None: unknown)."""

    fast_enough: bool
    ratio: float | None
    message: str


def _generator(nonce: bytes, index: int) -> np.random.Generator:
    """The generator of a measurement's call `index`: seeded by a keyed hash of the index, the nonce the key,
    so that one call's values, even the generator's whole state, tell nothing of the nonce or of another call."""
    seed = hashlib.blake2b(index.to_bytes(8, "little"), key=nonce, digest_size=16).digest()
    return np.random.default_rng(int.from_bytes(seed, "little"))


def _digest(call: Call) -> bytes:
    return hashlib.blake2b(pickle.dumps((call.args, sorted(call.kwargs.items())), protocol=5)).digest()


class _Workload:
    """The timed calls of one measurement: `bar.workload` fed a generator of the grader's (see `_generator`)
    for each call, from a nonce made here by `secrets` and never sent to any worker. A call that repeats one
    already drawn in this grading (`seen`) is a defect of the declaration: its workload ignored the generator."""

    def __init__(self, bar: SpeedBar, seen: set[bytes]):
        self._bar = bar
        self._nonce = secrets.token_bytes(32)
        self._drawn = 0
        self._seen = seen

    def draw(self, count: int) -> list[Call]:
        calls = []
        for _i in range(count):
            call = self._bar.workload(_generator(self._nonce, self._drawn))
            self._drawn += 1
            digest = _digest(call)
            if digest in self._seen:
                raise RuntimeError("the speed workload repeated a call: it must draw its values from the generator")
            self._seen.add(digest)
            calls.append(call)
        return calls


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
    """One worker's answers to a round of calls, and each call's seconds by its own clock (`measured`, whatever
    the worker sent) and by the grader's (`round_trips`); each answer's size packed, and the grader's own time to
    pack and hash it, as the worker had to before replying (`commits`)."""

    reply: Reply
    answers: list = field(default_factory=list)
    measured: tuple = ()
    round_trips: tuple[float, ...] = ()
    sizes: tuple[int, ...] = ()
    commits: tuple[float, ...] = ()

    @property
    def round_trip(self) -> float:
        return sum(self.round_trips)

    def transfers(self) -> list[float]:
        """Each call's round trip beyond the worker's clock, where that clock gave a usable reading."""
        return [trip - s for s, trip in zip(self.measured, self.round_trips, strict=True) if _usable(s, trip)]


def _usable(seconds, round_trip: float) -> bool:
    return isinstance(seconds, float) and 0 <= seconds <= round_trip


def _timed(worker: Worker, name: str, calls: list[Call], timeout: float) -> _Round:
    """Each call in a request of its own, so that the worker sees a call's values only when it is made; its
    reply holds the digest of the result, not the result, so that the round trip is the call and a small
    transfer whatever the result's size. The results come afterwards, untimed, and must match the digests."""
    digests, readings, round_trips = [], [], []
    time.sleep(SETTLE)
    worker.committed(timeout)  # asks for nothing (none is kept yet): wakes the worker, so that its first call
    # does not pay for a process gone idle while the other worker ran (5-10 ms more, measured)
    for call in calls:
        start = time.perf_counter()
        reply = worker.call_each(name, [call], timeout - sum(round_trips), commit=True)
        round_trips.append(time.perf_counter() - start)
        if reply.kind != "ok" or reply.forbidden:
            return _Round(reply, round_trips=tuple(round_trips))
        value = reply.value
        if not (isinstance(value, tuple) and len(value) == 2 and len(value[0]) == len(value[1]) == 1):
            unreadable = _("your code sent back something unreadable ({error})").format(error="call_each")
            return _Round(Reply("crashed", message=unreadable), round_trips=tuple(round_trips))
        digests += value[0]
        readings += value[1]
    fetched = worker.committed(timeout)
    opened = _opened(fetched.value, digests) if fetched.kind == "ok" else None
    if opened is None:
        kept = _("your code's process sent back results other than the ones it reported")
        return _Round(
            fetched if fetched.kind != "ok" else Reply("crashed", message=kept), round_trips=tuple(round_trips)
        )
    answers, sizes, commits = opened
    return _Round(reply, answers, tuple(readings), tuple(round_trips), tuple(sizes), tuple(commits))


def _opened(packed, digests: list) -> tuple[list, list[int], list[float]] | None:
    """The results whose packed bytes have the digests the timed replies sent, their sizes, and how long packing
    and hashing each took here; None if any has not its digest."""
    if not (isinstance(packed, list) and len(packed) == len(digests)):
        return None
    answers, sizes, commits = [], [], []
    for data, digest in zip(packed, digests, strict=True):
        if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 1):
            return None
        raw = data.tobytes()
        start = time.perf_counter()
        if hashlib.sha256(raw).hexdigest() != digest:
            return None
        hashed = time.perf_counter() - start
        try:
            answer = codec.unpack_reply(raw)
        except (codec.ProtocolError, TypeError, ValueError, IndexError):
            return None
        start = time.perf_counter()
        codec.pack_reply(answer)
        commits.append(hashed + time.perf_counter() - start)
        sizes.append(len(raw))
        answers.append(answer)
    return answers, sizes, commits


@dataclass(frozen=True)
class _Reading:
    """How the grader reads the learner's calls, from the reference's transfers (what each call took beyond the
    worker's clock: the same inputs in, a digest back) in the same rounds.

    `floor`: the least of them, plus the time that packing and hashing the learner's larger answers takes
    more. `allowance`: how much more than the least an honest transfer took (the reference's upper quartile).
    `shift`: how much more, by the median, the learner's calls left out of its clock than the reference's did,
    beyond that: a clock that leaves out more at every call is not honest, and the shift puts the time back."""

    floor: float
    allowance: float = 0.0
    shift: float = 0.0

    def seconds(self, measured, round_trip: float) -> float:
        """One of the learner's calls. By the grader's clock, its round trip less the floor: never much less
        than the call took. The learner's own clock, raised by the shift, stands instead when it agrees: within
        the round trip, and leaving out of the grader's reading no more than the allowance."""
        by_grader = max(round_trip - self.floor, 0.0)
        if not _usable(measured, round_trip):
            return by_grader
        corrected = measured + self.shift
        return min(corrected, by_grader) if by_grader - corrected <= self.allowance else by_grader


def _reading(counted: list[tuple[_Round, _Round]], transfer: float) -> _Reading:
    """The reading of the learner's clock from the counted rounds, (learner's, reference's) each, and the least
    transfer of the reference's calls. The learner's larger answers (float64 for float32) are allowed what the
    reference's answers took here to pack and hash, per byte (the median), for the bytes they have more."""
    theirs = [r for r, _ours in counted]
    ours = [r for _theirs, r in counted]
    per_byte = median(c / n for r in ours for c, n in zip(r.commits, r.sizes, strict=True))
    larger = median(n for r in theirs for n in r.sizes) - median(n for r in ours for n in r.sizes)
    extra = per_byte * max(larger, 0)
    honest = [t for r in ours for t in r.transfers()]
    allowance = quantiles(honest, n=4)[2] - transfer
    claimed = [t for r in theirs for t in r.transfers()]
    shift = median(claimed) - median(honest) - extra if claimed else 0.0
    return _Reading(transfer + extra, max(allowance, 0.0), max(shift, 0.0))


def _times(ratio: float) -> str:
    return _("{ratio} times").format(ratio=f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}")


def measure(exercise: Exercise, task: Task, learner: Worker, memory_mb: int, timeout: float) -> Verdict:
    """Time the learner's function against the reference's on the task's speed workload; a ratio far below 1
    is measured again on new calls (a new nonce), and the second measurement stands."""
    assert task.speed is not None
    seen: set[bytes] = set()
    with _reference_worker(exercise, memory_mb, timeout) as reference_worker:
        verdict = _measure(exercise, task, learner, reference_worker, _Workload(task.speed, seen), timeout)
        if verdict.ratio is not None and verdict.ratio < FAR_BELOW:
            verdict = _measure(exercise, task, learner, reference_worker, _Workload(task.speed, seen), timeout)
    return verdict


def _measure(
    exercise: Exercise, task: Task, learner: Worker, reference_worker: Worker, workload: _Workload, timeout: float
) -> Verdict:
    bar = task.speed
    assert bar is not None
    reference = exercise.reference(task)
    on = _("on {workload}").format(workload=translate(bar.described))
    counted: list[tuple[_Round, _Round]] = []  # (the learner's, the reference's) of each round after the warm-up
    transfer, limit = math.inf, LIMIT_SECONDS
    for round_ in range(bar.rounds + 1):
        calls = workload.draw(CALLS_PER_ROUND)
        if round_ % 2:  # alternate who goes first, so that neither always meets a warmer machine
            theirs = _timed(learner, task.name, calls, limit)
        ours = _timed(reference_worker, task.name, calls, timeout)
        if ours.reply.kind != "ok" or not ours.answers or len(ours.transfers()) != len(calls):
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
        transfer = min(transfer, *ours.transfers())
        if round_ == 0:  # the warm-up: not counted, unless it already shows a function far too slow
            seconds = _round_seconds(theirs, _Reading(transfer))
            if seconds > CLEARLY_SLOW * bar.within * sum(ours.measured):
                ratio = seconds / sum(ours.measured)
                about = _("about {times} the reference's time {on}")
                return Verdict(False, ratio, about.format(times=_times(ratio), on=on))
            continue
        counted.append((theirs, ours))
    # The best round of each, since a busy machine only ever slows a round down: the reference's by its own
    # clock; the learner's chosen by the grader's clock (so that no lie picks it), then read by the learner's
    # clock where that agrees with the grader's.
    reading = _reading(counted, transfer)
    fastest = min((theirs for theirs, _ours in counted), key=lambda theirs: _round_seconds(theirs, reading, own=False))
    ratio = _round_seconds(fastest, reading) / min(sum(ours.measured) for _theirs, ours in counted)
    measured = _("{times} the reference's time {on}").format(times=_times(ratio), on=on)
    return Verdict(ratio <= bar.within, ratio, measured)


def _round_seconds(theirs: _Round, reading: _Reading, *, own: bool = True) -> float:
    """A round of the learner's calls as `reading` reads them; with `own=False`, by the grader's clock alone."""
    if not own:
        return sum(max(trip - reading.floor, 0.0) for trip in theirs.round_trips)
    return sum(map(reading.seconds, theirs.measured, theirs.round_trips))
