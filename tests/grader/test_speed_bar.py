"""The speed bar (exercise 7's conv2d_fast): a right function gets the correctness points, and the speed
points only when it runs within the bar's times the reference's time on the speed workload.

Right and fast in another style passes; right and slow (a loop over pixels, ~9 times here) keeps its
correctness points and is told its ratio; a wrong function is never timed. The timed calls come from a
secret nonce and never repeat, so answers computed ahead from a public formula, or remembered by input, are
never used; a clock that lies in the learner's process is read against the grader's. Each student's trick in
fixtures/hostile/ is shown to win where its loophole is opened again, and to lose its speed point, and only
that, as things are.
"""

from __future__ import annotations

import contextlib
import math
import re
import secrets

import numpy as np
import pytest

from grader import catalog, speed
from grader.api import grade
from grader.results import Status
from grader.sandbox.worker import Reply, Worker
from grader.spec import Call, SpeedBar
from tests.conftest import FIXTURES, solution_file

EXERCISE = catalog.find("exercise7")
TASK = EXERCISE.task("conv2d_fast")
LOOPS = (FIXTURES / "slow" / "exercise7_conv2d_fast_loops_over_pixels.py").read_text()
TRICKS = ("precomputes_the_public_workload", "remembers_answers_by_input", "shaves_its_clock", "fakes_the_clock")


def _conv2d_fast(path):
    return next(t for t in grade(7, submission=path).tasks if t.name == "conv2d_fast")


def _ratio(message: str) -> float:
    return float(re.search(r"([0-9.]+) times the reference's time", message).group(1))


def _trick(name: str) -> str:
    """A right submission whose conv2d_fast is the student's trick (it wraps the right one)."""
    return solution_file(7).read_text() + "\n\n" + (FIXTURES / "hostile" / f"exercise7_{name}.py").read_text()


def _measure(source: str, submission) -> speed.Verdict:
    """The speed bar alone, on a worker that has loaded `source`."""
    with Worker(submission(7, source), EXERCISE.banned_imports) as worker:
        assert worker.start(30).kind == "loaded"
        return speed.measure(EXERCISE, TASK, worker, 2048, 30)


@pytest.mark.slow
def test_a_fast_right_function_in_another_style_gets_every_point():
    task = _conv2d_fast(FIXTURES / "correct" / "exercise7_offsets.py")
    assert task.status is Status.PASSED and task.score == TASK.points
    assert _ratio(task.message) <= TASK.speed.within


@pytest.mark.slow
def test_a_right_loop_over_pixels_keeps_its_correctness_points_and_is_told_its_ratio(submission):
    task = _conv2d_fast(submission(7, solution_file(7).read_text() + "\n\n" + LOOPS))
    assert task.status is Status.FAILED
    assert task.score == TASK.points - TASK.speed.points > 0
    assert "right on" in task.message and "speed point(s) are not given" in task.message
    assert _ratio(task.message) > TASK.speed.within
    assert task.counterexample is None and task.diagnosis is None


@pytest.mark.slow
@pytest.mark.parametrize("trick", TRICKS)
def test_a_students_trick_on_the_timing_loses_the_speed_point_and_nothing_else(trick, submission):
    result = grade(7, submission=submission(7, _trick(trick)), examples=20)
    for task in result.tasks:
        if task.name != "conv2d_fast":
            assert task.status is Status.PASSED, f"{task.name}: {task.message}"
            continue
        assert task.status is Status.FAILED and task.score == TASK.points - TASK.speed.points, task.message
        assert "right on" in task.message and "speed point(s) are not given" in task.message
        assert _ratio(task.message) > TASK.speed.within


@pytest.mark.slow
def test_answers_computed_at_import_from_a_public_formula_would_win_against_a_public_workload(submission, monkeypatch):
    """The loophole as it was: the timed calls of round i were numpy's default_rng(i)'s."""
    monkeypatch.setattr(speed, "_generator", lambda nonce, index: np.random.default_rng(index))
    monkeypatch.setattr(speed, "FAR_BELOW", 0.0)  # the same calls again would be refused as repeated
    verdict = _measure(_trick("precomputes_the_public_workload"), submission)
    assert verdict.fast_enough and verdict.ratio < 1


@pytest.mark.slow
def test_answers_remembered_by_input_would_win_if_the_timed_calls_repeated(submission, monkeypatch):
    monkeypatch.setattr(speed, "_generator", lambda nonce, index: np.random.default_rng(index % speed.CALLS_PER_ROUND))
    monkeypatch.setattr(speed, "_digest", lambda call: secrets.token_bytes(16))  # let the repeats through
    verdict = _measure(_trick("remembers_answers_by_input"), submission)
    assert verdict.fast_enough and verdict.ratio < 1


@pytest.mark.slow
def test_a_clock_that_shaves_16_ms_a_call_would_win_if_its_readings_were_believed(submission, monkeypatch):
    believed = speed._Reading(floor=0.0, allowance=math.inf)  # no shift, and never the grader's reading instead
    monkeypatch.setattr(speed, "_reading", lambda counted, transfer: believed)
    verdict = _measure(_trick("shaves_its_clock"), submission)
    assert verdict.fast_enough


@pytest.mark.slow
def test_each_timed_call_reaches_the_learners_process_alone_and_only_its_digest_comes_back(submission, monkeypatch):
    sent = []
    real = Worker.call_each

    def call_each(self, name, calls, timeout, *, commit=False):
        reply = real(self, name, calls, timeout, commit=commit)
        if "grade-reference-" not in str(self.path):
            sent.append((len(calls), commit, reply.value[0]))
        return reply

    monkeypatch.setattr(Worker, "call_each", call_each)
    assert _measure(solution_file(7).read_text(), submission).fast_enough
    assert len(sent) == (TASK.speed.rounds + 1) * speed.CALLS_PER_ROUND
    assert all(count == 1 and commit and re.fullmatch("[0-9a-f]{64}", digest) for count, commit, (digest,) in sent)


@pytest.mark.slow
def test_a_wrong_function_is_not_timed_and_gets_no_points(submission):
    mistake = "\n\ndef conv2d_fast(x, kernel, bias=None, strides=1, padding='valid'):\n    return x[..., :1] * 0\n"
    task = _conv2d_fast(submission(7, solution_file(7).read_text() + mistake))
    assert task.status is Status.FAILED and task.score == 0
    assert "reference's time" not in task.message


def _workload_calls(workload: speed._Workload, count: int) -> list[bytes]:
    return [speed._digest(call) for call in workload.draw(count)]


def test_each_measurement_draws_new_calls_from_a_secret_nonce_and_none_repeats():
    first, second = speed._Workload(TASK.speed, set()), speed._Workload(TASK.speed, set())
    drawn = _workload_calls(first, 6) + _workload_calls(second, 6)
    assert len(set(drawn)) == len(drawn)
    assert first._nonce != second._nonce and len(first._nonce) == 32
    public = {speed._digest(TASK.speed.workload(np.random.default_rng(i))) for i in range(30)}
    assert public.isdisjoint(drawn)  # not the formula of rounds 0, 1, 2...


def test_a_calls_values_depend_on_the_nonce_and_on_the_calls_number_alone():
    nonce = secrets.token_bytes(32)
    again = [speed._generator(nonce, i).standard_normal(4) for i in range(3)]
    assert all(np.array_equal(a, speed._generator(nonce, i).standard_normal(4)) for i, a in enumerate(again))
    assert not np.array_equal(again[0], speed._generator(secrets.token_bytes(32), 0).standard_normal(4))
    assert not np.array_equal(again[0], again[1])


def test_a_workload_that_ignores_the_graders_generator_is_refused():
    constant = SpeedBar(points=1, workload=lambda rng: Call((np.ones(3),)), described="three ones")
    with pytest.raises(RuntimeError, match="repeated a call"):
        speed._Workload(constant, set()).draw(2)


def _round(measured, round_trips, size=2_000_000) -> speed._Round:
    """A round of 3 calls whose answers take `size` bytes packed, packed and hashed here at 1 ns a byte."""
    n = len(round_trips)
    return speed._Round(Reply("ok"), [None] * n, tuple(measured), tuple(round_trips), (size,) * n, (size * 1e-9,) * n)


def _reading(learner: speed._Round, reference: speed._Round) -> speed._Reading:
    return speed._reading([(learner, reference)] * 5, min(reference.transfers()))


REFERENCE = _round([0.010, 0.011, 0.010], [0.015, 0.017, 0.014])  # 4-6 ms of transfer a call


def test_the_allowance_is_how_much_more_than_its_least_the_references_transfer_took():
    reading = _reading(REFERENCE, REFERENCE)
    assert reading.floor == pytest.approx(0.004) and reading.allowance == pytest.approx(0.002)


def test_the_learners_clock_counts_when_it_agrees_with_the_graders():
    learner = _round([0.030, 0.031, 0.029], [0.035, 0.037, 0.034])
    reading = _reading(learner, REFERENCE)
    assert reading.shift == pytest.approx(0.0, abs=1e-9)
    assert speed._round_seconds(learner, reading) == pytest.approx(0.090)


def test_a_clock_that_shaves_16_ms_from_every_call_is_raised_by_what_it_left_out():
    honest = [0.030, 0.031, 0.029]
    learner = _round([s - 0.016 for s in honest], [0.035, 0.037, 0.034])
    reading = _reading(learner, REFERENCE)
    assert reading.shift == pytest.approx(0.016)
    assert speed._round_seconds(learner, reading) == pytest.approx(0.090, abs=0.002)


def test_a_clock_that_shaves_one_call_beyond_the_allowance_is_replaced_there_by_the_graders():
    learner = _round([0.030 - 0.016, 0.031, 0.029], [0.035, 0.037, 0.034])
    reading = _reading(learner, REFERENCE)
    assert reading.seconds(0.030 - 0.016, 0.035) == pytest.approx(0.031)  # the grader's reading of that call
    assert speed._round_seconds(learner, reading) == pytest.approx(0.031 + 0.031 + 0.029 + 2 * reading.shift)


def test_larger_answers_are_allowed_the_time_their_packing_and_hashing_takes_here():
    learner = _round([0.030, 0.031, 0.029], [0.037, 0.039, 0.036], size=4_000_000)  # 2 ms more to pack and hash
    reading = _reading(learner, REFERENCE)
    assert reading.shift == pytest.approx(0.0, abs=1e-9) and reading.floor == pytest.approx(0.006)
    assert speed._round_seconds(learner, reading) == pytest.approx(0.090)


@pytest.mark.parametrize("claimed", [0.0, -1.0, 0.5, float("nan"), "0.01", None])
def test_a_call_whose_clock_leaves_out_too_much_or_exceeds_the_round_trip_takes_the_graders_reading(claimed):
    reading = speed._Reading(floor=0.004, allowance=0.010)
    assert reading.seconds(claimed, 0.300) == pytest.approx(0.296)


def test_a_call_whose_clock_leaves_out_at_most_the_allowance_is_believed():
    reading = speed._Reading(floor=0.004, allowance=0.010)
    assert reading.seconds(0.290, 0.300) == 0.290  # the grader reads 0.296 s: 6 ms left out
    assert reading.seconds(0.280, 0.300) == pytest.approx(0.296)  # 16 ms


def test_the_learners_best_round_is_the_one_the_graders_clock_finds_fastest():
    reading = speed._Reading(floor=0.004, allowance=0.010)
    lying, honest = _round([0.001] * 3, [0.040] * 3), _round([0.030] * 3, [0.035] * 3)
    fastest = min((lying, honest), key=lambda r: speed._round_seconds(r, reading, own=False))
    assert fastest is honest


def test_a_ratio_far_below_one_is_measured_again_on_calls_of_a_new_nonce(monkeypatch):
    nonces, verdicts = [], [speed.Verdict(True, 0.1, "first"), speed.Verdict(True, 1.2, "again")]

    def measured(exercise, task, learner, reference_worker, workload, timeout):
        nonces.append(workload._nonce)
        return verdicts[len(nonces) - 1]

    monkeypatch.setattr(speed, "_measure", measured)
    monkeypatch.setattr(speed, "_reference_worker", lambda *args: contextlib.nullcontext())
    assert speed.measure(EXERCISE, TASK, None, 2048, 30).message == "again"
    assert len(nonces) == 2 and nonces[0] != nonces[1]


def test_a_ratio_near_one_is_believed_at_once(monkeypatch):
    calls = []
    monkeypatch.setattr(speed, "_measure", lambda *args: calls.append(args) or speed.Verdict(True, 0.8, "once"))
    monkeypatch.setattr(speed, "_reference_worker", lambda *args: contextlib.nullcontext())
    assert speed.measure(EXERCISE, TASK, None, 2048, 30).message == "once" and len(calls) == 1
