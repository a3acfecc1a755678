"""Grading results as plain data. Reporters render these; nothing here judges or draws."""

from __future__ import annotations

import math
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
class Table:
    """Expected and actual side by side (exercise 6's architectures); `first_difference` indexes `rows`."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    first_difference: int | None


@dataclass(frozen=True)
class Grid:
    """A small array to draw as grids (values flat, C order); `differs` flags the cells to highlight."""

    name: str  # the argument's name, or "expected" / "yours"
    shape: tuple[int, ...]
    values: tuple[float, ...]
    differs: tuple[bool, ...] = ()
    layout: str = "NHWC"  # which axes make the rows and columns of a 4-D array: "NHWC", or "HWIO" for a kernel


@dataclass(frozen=True)
class Counterexample:
    """The smallest failing call hypothesis found, rendered for people."""

    call: str
    inputs: dict[str, str]
    expected: str | None
    actual: str | None
    difference: str
    table: Table | None = None
    grids: tuple[Grid, ...] = ()  # small arrays of the call, drawn by the text report (not in the JSON report)


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
    note: str | None = None  # a remark that costs no points (a result in a wider dtype), said once per task

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def to_dict(self, *, full: bool = False) -> dict:
        """The task's JSON form; `full` (a batch's reports, which feedback pages are drawn from) also keeps what
        the learner's code printed, as `output` when it printed anything, and the counterexample's `grids`."""
        data = asdict(self)
        data["status"] = self.status.value
        output = data.pop("output")
        if full and output.strip():
            data["output"] = output
        if data["note"] is None:  # the key is there only when there is a note (older reports have none)
            del data["note"]
        if data["counterexample"] is not None:
            grids = data["counterexample"].pop("grids")
            if full and grids:
                data["counterexample"]["grids"] = [_grid_dict(grid) for grid in grids]
        return data


def _grid_dict(grid: dict) -> dict:
    """A grid as JSON can hold it: a value that is not finite (a learner's NaN) as its name, "nan" or "inf"."""
    values = [v if math.isfinite(v) else str(v) for v in grid["values"]]
    return {**grid, "shape": list(grid["shape"]), "values": values, "differs": list(grid["differs"])}


class _Totals:
    """Score, maximum and pass/fail of a result made of parts (tasks, or exercises)."""

    def _parts(self) -> tuple:
        raise NotImplementedError

    @property
    def score(self) -> float:
        return float(sum(part.score for part in self._parts()))

    @property
    def max_score(self) -> float:
        return float(sum(part.max_score for part in self._parts()))

    @property
    def passed(self) -> bool:
        return all(part.passed for part in self._parts())


@dataclass(frozen=True)
class ExerciseResult(_Totals):
    exercise: str
    title: str
    seed: int
    backends: tuple[str, ...]
    tasks: tuple[TaskResult, ...]
    # About the grading itself (a sandbox weaker on this platform): in the text report and on stderr, never in
    # the JSON report, whose keys are a contract.
    warnings: tuple[str, ...] = ()
    source: str | None = None  # the learner's file (CI annotations point at it); not in the JSON report either
    # About what was graded (a notebook's cells left out, a cell that raised while loading): shown like the
    # warnings, never in the JSON report.
    notes: tuple[str, ...] = ()

    def _parts(self) -> tuple:
        return self.tasks

    def to_dict(self, *, full: bool = False) -> dict:
        """The JSON report's exercise; `full` also keeps the tasks' printed output and grids and, when there
        are any, the `notes` about what was graded (see `TaskResult.to_dict`)."""
        data = {
            "exercise": self.exercise,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "seed": self.seed,
            "backends": list(self.backends),
            "tasks": [t.to_dict(full=full) for t in self.tasks],
        }
        if full and self.notes:
            data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True)
class RunResult(_Totals):
    """Several exercises graded together (`grade all`)."""

    exercises: tuple[ExerciseResult, ...] = field(default_factory=tuple)

    def _parts(self) -> tuple:
        return self.exercises

    def to_dict(self, *, full: bool = False) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [e.to_dict(full=full) for e in self.exercises],
        }
