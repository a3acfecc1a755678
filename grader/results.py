"""Grading results as plain data. Reporters render these; nothing here judges or draws."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    NOT_IMPLEMENTED = "not_implemented"
    TIMEOUT = "timeout"
    FORBIDDEN = "forbidden"
    MISSING = "missing"


@dataclass(frozen=True)
class Counterexample:
    """The smallest failing call hypothesis found, rendered for people."""

    call: str
    inputs: dict[str, str]
    expected: str | None
    actual: str | None
    difference: str


@dataclass(frozen=True)
class TaskResult:
    name: str
    status: Status
    score: float
    max_score: float
    examples: int
    message: str
    counterexample: Counterexample | None = None
    diagnosis: str | None = None
    output: str = ""  # what the learner's code printed, trimmed

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        del data["output"]
        return data


@dataclass(frozen=True)
class ExerciseResult:
    exercise: str
    title: str
    seed: int
    backends: tuple[str, ...]
    tasks: tuple[TaskResult, ...]
    submission: str = ""

    @property
    def score(self) -> float:
        return float(sum(t.score for t in self.tasks))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tasks))

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tasks)

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "seed": self.seed,
            "backends": list(self.backends),
            "tasks": [t.to_dict() for t in self.tasks],
        }


@dataclass(frozen=True)
class RunResult:
    """Several exercises graded together (`grade all`)."""

    exercises: tuple[ExerciseResult, ...] = field(default_factory=tuple)

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))

    @property
    def passed(self) -> bool:
        return all(e.passed for e in self.exercises)

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [e.to_dict() for e in self.exercises],
        }
