"""Misconception diagnosis: each declared mistake is named when a learner makes it, and never otherwise.

Every misconception a task declares has its wrong version in `solutions/mistakes/`; graded as a submission
(the reference with the mistake appended), each task that declares it must name it, and no task may name
another. Right submissions, and answers that match a mistake only on the failing input, get no diagnosis.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader import catalog, diagnosis, drawing
from grader.api import grade
from grader.engine import TaskRunner
from grader.results import Status
from tests.conftest import FIXTURES, SOLUTIONS, exercise_number, solution_file

pytestmark = pytest.mark.slow

DECLARED = sorted(
    {(e.number, m.name) for e in catalog.exercises() for t in e.tasks for m in t.misconceptions},
)


def _graded_with(number: int, mistake: str, submission):
    exercise = catalog.find(str(number))
    declared = next(m for t in exercise.tasks for m in t.misconceptions if m.name == mistake)
    source = solution_file(number).read_text() + "\n\n" + diagnosis.mistake_file(exercise, declared).read_text()
    return exercise, grade(number, submission=submission(number, source))


def _same_function_on(exercise, task, mistake: str, other) -> bool:
    """Whether the mistake's version of `task` and the `other` misconception's give the same answers on the
    task's corners and 30 drawn inputs: two mistakes that are one function there cannot be told apart."""
    declared = next(m for t in exercise.tasks for m in t.misconceptions if m.name == mistake)
    calls = list(task.examples)
    drawing.calls(exercise, task, 30, 0, calls.append)
    mine = diagnosis.wrong_version(exercise, task, declared)
    return all(diagnosis.matching(exercise, task, [other], call, mine(*call.args, **call.kwargs)) for call in calls)


@pytest.mark.parametrize(("number", "mistake"), DECLARED, ids=[f"exercise{n}-{m}" for n, m in DECLARED])
def test_each_mistake_is_named_by_every_task_that_declares_it_and_by_no_other(number, mistake, submission):
    """A task that does not declare the mistake may name another one only if the two are the same function
    there (exercise 1's correlate2d that flips makes convolve2d, built on it, the unflipped convolution)."""
    exercise, result = _graded_with(number, mistake, submission)
    for task, outcome in zip(exercise.tasks, result.tasks, strict=True):
        named = {m.name: diagnosis.explain(m) for m in task.misconceptions}
        if mistake in named:
            assert outcome.status in (Status.FAILED, Status.ERROR), outcome.message
            assert outcome.diagnosis == named[mistake]
        elif outcome.diagnosis is not None:
            other = next(m for m in task.misconceptions if diagnosis.explain(m) == outcome.diagnosis)
            assert _same_function_on(exercise, task, mistake, other), f"{task.name} named {other.name}"


def test_every_declared_mistake_has_its_file_and_every_file_is_declared():
    for exercise in catalog.exercises():
        declared = {m.name for t in exercise.tasks for m in t.misconceptions}
        folder = SOLUTIONS / "mistakes" / exercise.module_name
        files = {p.stem for p in folder.glob("*.py") if p.name != "__init__.py"}
        assert declared == files, exercise.name
        for task in exercise.tasks:
            for misconception in task.misconceptions:
                first = diagnosis.mistake_file(exercise, misconception).read_text().splitlines()[0]
                assert task.name in first.removeprefix("# breaks:").replace(" ", "").split(","), misconception.name


def test_right_submissions_get_no_diagnosis():
    for number in sorted({n for n, _ in DECLARED}):
        right = [solution_file(number).parent, *(FIXTURES / "correct").glob(f"exercise{number}_*.py")]
        for path in right:
            assert all(t.diagnosis is None for t in grade(number, submission=path).tasks), path


def test_answers_that_match_a_mistake_only_on_the_failing_input_get_no_diagnosis(submission):
    """This dx is the flipped-kernel mistake on one-image batches only: wrong otherwise in another way.
    The smallest failing input is a one-image batch, where it matches; the other inputs tried rule it out."""
    source = (
        solution_file(7).read_text()
        + """

_reference_conv2d_backward = conv2d_backward


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    dx, dkernel, dbias = _reference_conv2d_backward(dout, x, kernel, strides, padding)
    if x.shape[0] == 1:
        dx = _reference_conv2d_backward(dout, x, kernel[::-1, ::-1], strides, padding)[0]
    else:
        dx = 2 * dx
    return dx, dkernel, dbias
"""
    )
    result = grade(7, submission=submission(7, source))
    task = next(t for t in result.tasks if t.name == "conv2d_backward")
    assert task.status is Status.FAILED
    assert task.counterexample is not None and "(1, " in task.counterexample.inputs["x"]  # the failing input
    assert task.diagnosis is None


def test_a_mistake_file_runs_as_its_wrong_version_in_the_grader():
    exercise = catalog.find("exercise7")
    task = exercise.task("conv2d_backward")
    wrong = diagnosis.wrong_version(exercise, task, task.misconceptions[1])  # dbias averaged
    dout = np.arange(8.0).reshape(2, 2, 2, 1)
    _, _, dbias = wrong(dout, np.zeros((2, 2, 2, 1)), np.zeros((1, 1, 1, 1)))
    assert dbias.tolist() == [3.5]
    assert exercise_number(diagnosis.mistake_file(exercise, task.misconceptions[1])) == 7


def test_a_diagnosis_is_still_made_when_the_worker_was_stopped_before_it(submission, monkeypatch):
    """When the time to shrink runs out during a call, the worker is stopped; the diagnosis starts a new one."""
    diagnose = TaskRunner._diagnose

    def after_a_stop(runner, failure):
        runner.worker.close()
        return diagnose(runner, failure)

    monkeypatch.setattr(TaskRunner, "_diagnose", after_a_stop)
    exercise, result = _graded_with(3, "pool_stride_one", submission)
    assert result.tasks[0].diagnosis == diagnosis.explain(exercise.tasks[0].misconceptions[0])
