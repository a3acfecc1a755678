"""The speed bar (exercise 7's conv2d_fast): a right function gets the correctness points, and the speed
points only when it runs within the bar's times the reference's time on the speed workload.

Right and fast in another style passes; right and slow (a loop over pixels, ~9 times here) keeps its
correctness points and is told its ratio; a clock that lies does not help; a wrong function is never timed.
"""

from __future__ import annotations

import re

import pytest

from grader import catalog
from grader.api import grade
from grader.results import Status
from grader.sandbox.worker import Reply
from grader.speed import _learner_seconds, _Round
from tests.conftest import FIXTURES, solution_file

pytestmark = pytest.mark.slow

TASK = catalog.find("exercise7").task("conv2d_fast")
LOOPS = (FIXTURES / "slow" / "exercise7_conv2d_fast_loops_over_pixels.py").read_text()


def _conv2d_fast(path):
    return next(t for t in grade(7, submission=path).tasks if t.name == "conv2d_fast")


def _ratio(message: str) -> float:
    return float(re.search(r"([0-9.]+) times the reference's time", message).group(1))


def test_a_fast_right_function_in_another_style_gets_every_point():
    task = _conv2d_fast(FIXTURES / "correct" / "exercise7_offsets.py")
    assert task.status is Status.PASSED and task.score == TASK.points
    assert _ratio(task.message) <= TASK.speed.within


def test_a_right_loop_over_pixels_keeps_its_correctness_points_and_is_told_its_ratio(submission):
    task = _conv2d_fast(submission(7, solution_file(7).read_text() + "\n\n" + LOOPS))
    assert task.status is Status.FAILED
    assert task.score == TASK.points - TASK.speed.points > 0
    assert "right on" in task.message and "speed point(s) are not given" in task.message
    assert _ratio(task.message) > TASK.speed.within
    assert task.counterexample is None and task.diagnosis is None


def test_a_clock_that_lies_in_the_learners_process_does_not_buy_the_speed_points(submission):
    cheat = (FIXTURES / "hostile" / "exercise7_fakes_the_clock.py").read_text()
    task = _conv2d_fast(submission(7, solution_file(7).read_text() + "\n\n" + cheat))
    assert task.status is Status.FAILED and task.score == TASK.points - TASK.speed.points
    assert _ratio(task.message) > TASK.speed.within


def test_a_wrong_function_is_not_timed_and_gets_no_points(submission):
    mistake = "\n\ndef conv2d_fast(x, kernel, bias=None, strides=1, padding='valid'):\n    return x[..., :1] * 0\n"
    task = _conv2d_fast(submission(7, solution_file(7).read_text() + mistake))
    assert task.status is Status.FAILED and task.score == 0
    assert "reference's time" not in task.message


def _round(measured: float, round_trip: float) -> _Round:
    return _Round(Reply("ok"), [None], measured, round_trip)


def test_the_learners_clock_counts_when_it_agrees_with_the_graders():
    reference = _round(0.030, 0.040)
    assert _learner_seconds(_round(0.090, 0.101), reference) == 0.090


@pytest.mark.parametrize("claimed", [0.0, -1.0, 0.5])
def test_a_clock_that_leaves_out_time_or_exceeds_the_round_trip_is_replaced_by_the_graders(claimed):
    reference = _round(0.030, 0.040)  # 10 ms of transfer
    assert _learner_seconds(_round(claimed, 0.300), reference) == pytest.approx(0.290)
