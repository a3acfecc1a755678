"""Judging by recorded answers: the engine's path in a student release, which carries no reference code.

The learner's function answers every recorded call (the generated ones, then the declared corners), in the
sandboxed worker as always; each answer is judged by the task's own comparator against the reference's
recorded output (`answers.Recorded` stands in for the reference, so a tolerance is scaled exactly as the full
grader scales it). Nothing is drawn and nothing is shrunk: a new call would need the reference. So every recorded
call is judged, and the one shown is the smallest recorded call that fails (`answers.smallest`). The diagnosis
matches the learner's answers against the classic mistakes' recorded answers, on that call, the corners and the
confirmation calls, as `engine.TaskRunner._diagnose` does.

What cannot be recorded faithfully is said, never passed: a task whose speed bar times the reference is marked
here for being right only, its speed points left out of the maximum with a sentence that says so; an exercise
whose tasks probe Keras models is refused before grading (`answers.check`).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace

from grader import answers
from grader.compare import agrees
from grader.diagnosis import RAISES
from grader.engine import _NOTHING, SWEEP_WINDOW, Options, TaskRunner, _Failure, _Outcome
from grader.i18n import _
from grader.results import Status, TaskResult
from grader.sandbox.worker import Worker
from grader.spec import Call, Exercise, Task


def run(exercise: Exercise, task: Task, worker: Worker, options: Options, devices: tuple[str, ...]) -> TaskResult:
    recorded = answers.load(exercise, task)
    return RecordedRunner(exercise, task, worker, options, devices, recorded).run()


class RecordedRunner(TaskRunner):
    """A `TaskRunner` whose reference, mistakes and calls are recorded answers."""

    def __init__(self, exercise, task, worker, options, devices, recorded: answers.RecordedTask):
        super().__init__(exercise, task, worker, options, devices, reference=recorded.reference)
        self.recorded = recorded

    def run(self) -> TaskResult:
        self.deadline = time.monotonic() + self.options.timeout
        result = self._every_recorded_call()
        if self.task.speed is None:
            return result
        return self._without_speed(result)

    def _every_recorded_call(self) -> TaskResult:
        failures: list[_Failure] = []
        window: deque[tuple[Call, object]] = deque()

        def settle(call: Call, pending) -> None:
            try:
                self._judge(call, self.worker.answer(pending))
            except _Failure as failure:
                failures.append(failure)

        try:
            for call in (*self.recorded.generated, *self.task.examples):
                if len(window) >= SWEEP_WINDOW:
                    settle(*window.popleft())
                remaining = self.deadline - time.monotonic()
                window.append((call, self.worker.ask_call(self.task.name, call, remaining)))
            while window:
                settle(*window.popleft())
        except _Outcome as outcome:
            self._discard_pending(window)
            if failures and outcome.status in (Status.TIMEOUT, Status.ERROR) and outcome.failure is None:
                return self._failed(self._smallest(failures))  # a wrong answer was seen before it hung or crashed
            if outcome.failure is not None:
                return self._failed(outcome.failure)
            return self._result(outcome.status, outcome.message, outcome.call)
        if failures:
            self.first_failure = failures[0]  # drawn when the smallest is too small to be a picture (engine)
            return self._failed(self._smallest(failures))
        return self._result(
            Status.PASSED, _("matched the reference on {examples} examples").format(examples=self.examples)
        )

    def _discard_pending(self, window: deque) -> None:
        while window and self.worker.alive:
            self.worker.answer(window.popleft()[1])

    @staticmethod
    def _smallest(failures: list[_Failure]) -> _Failure:
        return min(enumerate(failures), key=lambda item: (answers.smallest(item[1].call), item[0]))[1]

    def _fail(self, status, call, message, expected=_NOTHING, actual=_NOTHING):
        """Every wrong answer is kept (the smallest is shown), none shortens the time: nothing is shrunk here."""
        raise _Failure(status, call, message, expected, actual, self.worker.last_call_output())

    def _matching(self, found, call: Call, answer) -> list:
        return [m for m in found if self._agrees(m.name, call, answer)]

    def _agrees(self, name: str, call: Call, answer) -> bool:
        wrong = self.recorded.mistakes.get(name)
        if wrong is None:
            return False
        try:
            value = wrong(*call.args, **call.kwargs)
        except answers.RecordedRaise:
            return answer is RAISES
        except answers.Unanswered:
            return False  # never recorded: no diagnosis rather than a guessed one
        if answer is RAISES:
            return False
        try:
            return agrees(self.task.compare(call, value, answer, wrong))
        except answers.Unanswered:
            return False

    def _confirmations(self) -> list[Call]:
        return list(self.recorded.confirmations)

    def _without_speed(self, result: TaskResult) -> TaskResult:
        """The speed bar times the reference, which a release does not carry: its points are out of this
        maximum, and the report says that only the instructor's grader gives them."""
        bar = self.task.speed
        points = float(self.task.points - bar.points)
        said = _(
            "the speed bar ({points:g} point(s)) times the reference solution, so only the instructor's grader "
            "measures it: this student edition leaves those points out of the score and the maximum"
        ).format(points=bar.points)
        score = points if result.status is Status.PASSED else 0.0
        return replace(result, score=score, max_score=points, message=f"{result.message}; {said}")
