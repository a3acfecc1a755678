"""A worker of its own for the tasks declared `own_worker` (exercise 6's transfer learning, given InceptionV3).

A check of exercise 6 is mostly the learner's process: importing TensorFlow (4-5 s), then the calls one after
another, of which building InceptionV3 for the transfer-learning task is half (1.5-2 s). Where a second core is
free, a second worker starts beside the first: it imports the learner's file (and TensorFlow with it) at the same
time, then builds the task's declared argument models (`keras_observe.prepare`) while the first worker answers
the other tasks; the task is graded last, in it. No learner function runs ahead of its turn: what the second
worker does early is load the file, as the first does, and run the grader's own code.

The report is the same bytes whichever worker grades the task: every Keras call starts from the layer names as
they were when the file was loaded (`keras_observe.name_layers_from`), a prepared model is the one the call
would have built (its kernels zeros, its names counted from there), and the results keep the tasks' order. A
marker of a class (whose jobs fill the cores already), a GPU backend (each TensorFlow process takes the GPU's
memory), a one-core machine and one whose available memory would not hold both workers at their limit (each
TensorFlow worker takes 0.6-0.8 GB) grade every task in the one worker. `GRADE_SPARE_WORKER=off` never starts one;
`on` does even on one core. When the second worker cannot load or dies before its task, the first grades it.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.backends import usable_cores
from grader.keras_observe import ModelRecipe
from grader.sandbox.worker import Worker
from grader.spec import Exercise, Task

_in_this_process = True  # False in a class's marker: one worker per exercise


def one_worker_each() -> None:
    """For the rest of this process, every task is graded in the exercise's one worker (a class's marker)."""
    global _in_this_process
    _in_this_process = False


def wanted(gpu: bool, memory_mb: int) -> bool:
    """Whether a check starts a spare worker: GRADE_SPARE_WORKER=off never, =on always; else where a second core
    is free (not in a marker, not on one core) and the memory available now holds both workers at their limit."""
    setting = os.environ.get("GRADE_SPARE_WORKER", "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return False
    if setting in ("1", "on", "yes", "true"):
        return True
    if not _in_this_process or gpu or usable_cores() < 2:
        return False
    import psutil

    return psutil.virtual_memory().available >= 2 * memory_mb * 1024 * 1024


class SpareWorker:
    """The second worker of one exercise's check (see the module): `begin`, then `take` for each task."""

    def __init__(self, exercise: Exercise, path: Path, timeout: float, memory_mb: int, gpu: bool):
        self.tasks = tuple(t.name for t in exercise.tasks if t.own_worker)
        self.recipes = tuple(r for t in exercise.tasks if t.own_worker for r in _recipes(t))
        self.worker = Worker(path, exercise.banned_imports, memory_mb, gpu=gpu)
        self.timeout = timeout
        self.loading = self.preparing = None

    def holds(self, task: Task) -> bool:
        return task.name in self.tasks

    def begin(self) -> None:
        """Start the worker and ask it to load the file and build the models; nothing waits for it here."""
        self.loading = self.worker.begin(self.timeout)
        if self.recipes:  # built after the load: its time limit and the task's own
            self.preparing = self.worker.prepare(self.recipes, 2 * self.timeout)

    def take(self, task: Task) -> Worker | None:
        """The worker to grade `task` in, once it has loaded the file and built the models; None when it could
        not (the exercise's first worker grades the task then)."""
        if not self.holds(task):
            return None
        if self.loading is not None:
            loaded, self.loading = self.worker.answer(self.loading), None
            if loaded.kind != "loaded" or loaded.forbidden or task.name not in loaded.names:
                self.close()  # still building, if it loaded
                return None
        if self.preparing is not None:
            self.worker.answer(self.preparing)  # a model it could not build is built by the call, as anywhere
            self.preparing = None
        return self.worker if self.worker.alive else None

    def close(self) -> None:
        busy = self.loading is not None or self.preparing is not None  # not taken: mid-load or mid-build
        self.loading = self.preparing = None
        self.worker.close(busy=busy)


def _recipes(task: Task) -> tuple[ModelRecipe, ...]:
    """The models the task's declared examples are given."""
    values = (v for call in task.examples for v in (*call.args, *call.kwargs.values()))
    return tuple(v for v in values if isinstance(v, ModelRecipe))


def begin(exercise: Exercise, path: Path, timeout: float, memory_mb: int, gpu: bool) -> SpareWorker | None:
    """The exercise's spare worker, started, when it has a task of its own and a core is free for it."""
    if not any(t.own_worker for t in exercise.tasks) or not wanted(gpu, memory_mb):
        return None
    spare = SpareWorker(exercise, path, timeout, memory_mb, gpu)
    spare.begin()
    return spare
