"""Declarations: an exercise is a tuple of tasks, and a task says everything the grader needs to mark one function.

Each task is declared once (in `grader/catalog/`), and that declaration drives the stub's docstring, the input
strategy, the comparison, the points and the message a learner sees.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader import references
from grader.errors import DeclarationError

BY_HAND_BANNED = ("tensorflow", "keras", "scipy", "torch", "jax", *references.NAMES)


@dataclass(frozen=True)
class Call:
    """One generated call: positional and keyword arguments for the function under test, and for a task that
    probes what the function returns (exercise 6), the seed of the probe's random weights and inputs."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    seed: int = 0

    def bound(self, signature: inspect.Signature) -> dict[str, Any]:
        """The arguments by parameter name, as the reference's signature names them."""
        try:
            return dict(signature.bind(*self.args, **self.kwargs).arguments)
        except TypeError:
            names = [f"arg{i}" for i in range(len(self.args))]
            return {**dict(zip(names, self.args, strict=True)), **self.kwargs}

    def arguments(self, signature: inspect.Signature) -> dict[str, Any]:
        """Every argument by name, the defaults of those left out included ({} when the call does not fit)."""
        try:
            bound = signature.bind(*self.args, **self.kwargs)
        except TypeError:
            return {}
        bound.apply_defaults()
        return dict(bound.arguments)


# A comparator tells whether a learner's value agrees with the expected one: None when it does, otherwise a
# sentence saying what differs, or a `compare.Remark` when it agrees with a note that costs no points (a wider
# dtype). It receives the call and the reference so that it can scale tolerances.
Comparator = Callable[[Call, Any, Any, Callable], Any]


HINT_LEVELS = 3


@dataclass(frozen=True)
class Misconception:
    """A classic wrong version of a task (기존 오개념): when a learner's answers match it, the report names it.

    The wrong version is code written next to the reference, in `solutions/mistakes/<exercise module>/<name>.py`:
    lines appended to the reference solution that replace what the mistake changes. The same file is a wrong
    submission in the tests, which check that the diagnosis fires on it and never on a right submission.
    """

    name: str  # the mistake's file name, e.g. "kernel_not_flipped_in_dx"
    message: str  # one or two sentences: what the learner's code does, and the rule it misses
    concept: str = ""  # where to read about the concept

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise DeclarationError(f"misconception {self.name!r} must be a file name in snake_case")
        if not self.message.strip():
            raise DeclarationError(f"misconception {self.name}: message must say what the mistake is")


@dataclass(frozen=True)
class CallFeature:
    """Something a call may have ('same' padding with a stride above 1, tied maxima): a test on the call's
    arguments by name, defaults included. Declared once and shared by the tasks (`grader/catalog/features.py`)."""

    name: str
    test: Callable[[dict[str, Any]], bool]

    def __call__(self, arguments: dict[str, Any]) -> bool:
        """Whether a call has the feature; a call it cannot read (a value of an unexpected kind) has not."""
        try:
            return bool(self.test(arguments))
        except Exception:  # a feature only picks a hint: it must never fail a grading
            return False


@dataclass(frozen=True)
class FittingHint:
    """A hint for failures on calls that have `feature`: the report shows it in place of the task's hint when
    the smallest failing call has the feature (the first such hint a task declares wins)."""

    feature: CallFeature
    text: str

    def __post_init__(self):
        if not isinstance(self.feature, CallFeature):
            raise DeclarationError(f"fitting hint {self.text!r}: feature must be a CallFeature")
        if not self.text.strip():
            raise DeclarationError(f"fitting hint for {self.feature.name}: text must say what to do")


@dataclass(frozen=True)
class SpeedBar:
    """Part of a task's points for speed: on `workload` calls the learner's function must run within `within`
    times the reference's time, both measured the same way in a sandboxed worker (see `grader.speed`)."""

    points: float
    # One timed call, every value drawn from the generator the grader gives it (seeded from a secret nonce, new
    # for each call), the shapes always the same: `workload(numpy.random.Generator) -> Call`.
    workload: Callable[[Any], Call]
    described: str  # the workload in words, for the report: "a 16x32x32x16 batch and a 3x3x16x32 kernel"
    within: float = 3.0
    rounds: int = 5

    def __post_init__(self):
        if not self.points > 0:
            raise DeclarationError(f"speed bar: points={self.points} must be positive")
        if not self.within >= 1 or self.rounds < 1:
            raise DeclarationError(f"speed bar: within={self.within} and rounds={self.rounds} must be at least 1")


@dataclass(frozen=True)
class Showing:
    """What `grade show EXERCISE TASK` draws for a task (그림): the calls made on the bundled sample image, which
    the learner's function answers in the sandbox and the reference here, and the kind of picture, which says how
    they are run and drawn (a key of `grader.showing.kinds.KINDS`: "image", "kernel", later "feature_maps")."""

    kind: str
    # The calls, from the sample image (an (H, W, 3) uint8 array, `grader.showing.sample`): made when shown, so
    # that declaring a task never loads the image.
    calls: Callable[[Any], tuple[Call, ...]]
    captions: tuple[str, ...]  # one per call, marked N_() and translated when drawn: "box filter 5x5"

    def __post_init__(self):
        if not re.fullmatch(r"[a-z_]+", self.kind):
            raise DeclarationError(f"showing: kind {self.kind!r} must be a name such as 'image'")
        if not callable(self.calls):
            raise DeclarationError(f"showing {self.kind}: calls must be a function of the sample image")
        if not self.captions or not all(isinstance(c, str) and c.strip() for c in self.captions):
            raise DeclarationError(f"showing {self.kind}: captions must name each call")


@dataclass(frozen=True)
class Task:
    """One function a learner writes, and how it is marked."""

    name: str
    points: float
    strategy: Any  # a hypothesis SearchStrategy of Call
    compare: Comparator
    doc: str  # the stub's docstring: contract, shapes, a tiny example, Korean terms
    hint: str = ""  # one sentence shown when the task fails
    # Hand-picked calls that run whatever the seed (after the generated ones): where the classic mistakes show.
    examples: tuple[Call, ...] = ()
    # For a function that returns a Keras object: how the worker probes it (a `keras_observe.KerasCheck`); the
    # comparator then receives two observations instead of two return values.
    observe: Any = None
    # At most this many generated examples whatever --examples says, where each one builds models.
    max_examples: int | None = None
    # Classic wrong versions, in the order they are tried: the first one the learner's answers match is named.
    misconceptions: tuple[Misconception, ...] = ()
    # Part of `points` given only when the function is also fast enough (it must be right first).
    speed: SpeedBar | None = None
    # `grade hint`'s three levels (힌트): the concept, then the approach, then close to code.
    hints: tuple[str, ...] = ()
    # Hints that fit a failing call better than `hint`: the first whose feature the smallest failing call has.
    fitting_hints: tuple[FittingHint, ...] = ()
    # What `grade show` draws for this task on the sample image (None: the task has no picture).
    show: Showing | None = None
    # A Keras task whose declared examples give the learner a large model (InceptionV3): graded, where a core is
    # free, in a worker of its own that loads the file and builds those models while the other tasks are graded.
    own_worker: bool = False

    def __post_init__(self):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.name):
            raise DeclarationError(f"task name {self.name!r} must be a Python function name")
        if not self.points > 0:
            raise DeclarationError(f"task {self.name}: points={self.points} must be positive")
        if not self.doc.strip():
            raise DeclarationError(f"task {self.name}: doc must describe the contract")
        if not all(isinstance(call, Call) for call in self.examples):
            raise DeclarationError(f"task {self.name}: examples must be Call(...) objects")
        if not all(isinstance(m, Misconception) for m in self.misconceptions):
            raise DeclarationError(f"task {self.name}: misconceptions must be Misconception(...) objects")
        if self.speed is not None and not self.speed.points < self.points:
            raise DeclarationError(f"task {self.name}: speed points must be a part of points={self.points}")
        if len(self.hints) != HINT_LEVELS or not all(isinstance(h, str) and h.strip() for h in self.hints):
            raise DeclarationError(f"task {self.name}: hints must be {HINT_LEVELS} sentences (concept, approach, code)")
        if not all(isinstance(h, FittingHint) for h in self.fitting_hints):
            raise DeclarationError(f"task {self.name}: fitting_hints must be FittingHint(...) objects")
        if self.show is not None and not isinstance(self.show, Showing):
            raise DeclarationError(f"task {self.name}: show must be a Showing(...)")
        if self.own_worker and self.observe is None:
            raise DeclarationError(f"task {self.name}: only a Keras task (observe=...) has a worker of its own")

    def hint_for(self, arguments: dict[str, Any]) -> str:
        """The hint that fits a failing call's arguments (by name, defaults included): the first fitting hint
        whose feature the call has, else the task's one hint ("" when it has none)."""
        return next((h.text for h in self.fitting_hints if h.feature(arguments)), self.hint)


@dataclass(frozen=True)
class Exercise:
    """A module of tasks that a learner fills in, e.g. `exercises/exercise3_pooling.py`."""

    number: int
    slug: str  # "pooling": a name learners may type
    title: str  # "풀링 (pooling)"
    doc: str  # the stub module's docstring
    tasks: tuple[Task, ...]
    banned_imports: tuple[str, ...] = BY_HAND_BANNED
    aliases: tuple[str, ...] = ()
    stub_imports: tuple[str, ...] = ("import numpy as np",)

    def __post_init__(self):
        names = [t.name for t in self.tasks]
        if len(set(names)) != len(names):
            raise DeclarationError(f"exercise{self.number}: task names repeat: {names}")
        if not self.tasks:
            raise DeclarationError(f"exercise{self.number} declares no task")

    @property
    def name(self) -> str:
        return f"exercise{self.number}"

    @property
    def module_name(self) -> str:
        return f"exercise{self.number}_{self.slug}"

    @property
    def file_name(self) -> str:
        return f"{self.module_name}.py"

    @property
    def observed_tasks(self) -> tuple[Task, ...]:
        """The Keras tasks: judged on what is observed of the models they build, not on returned values."""
        return tuple(t for t in self.tasks if t.observe is not None)

    @property
    def uses_tensorflow(self) -> bool:
        """Graded on TensorFlow devices (`--backend`); by-hand exercises run on numpy, on the CPU."""
        return bool(self.observed_tasks)

    @property
    def max_score(self) -> float:
        return float(sum(t.points for t in self.tasks))

    def reference_module(self):
        if self.uses_tensorflow and references.available():  # Keras as the references need it: CPU, quiet
            from grader import backends

            backends.import_tensorflow_for_references()
        return references.module(self.module_name)

    def reference(self, task: Task):
        return getattr(self.reference_module(), task.name)

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(name)
