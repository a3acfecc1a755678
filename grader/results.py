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
class Plane:
    """One 2-D slice of an array, to draw as a heatmap (values flat, C order, a learner's NaN or inf kept)."""

    name: str  # the argument's name, or "expected" / "yours"
    shape: tuple[int, ...]  # the whole array's
    label: str  # which slice: "n=0, c=1", "c=2", or "" for a 2-D array
    rows: int
    columns: int
    values: tuple[float, ...]
    origin: tuple[int, int] = (0, 0)  # the first row and column drawn, when the slice is cropped to a window

    @property
    def cropped(self) -> bool:
        height, width = self.shape[1:3] if len(self.shape) == 4 else self.shape[:2]
        return (self.rows, self.columns) != (height, width)


@dataclass(frozen=True)
class Heatmap:
    """An image-like failing call as the data of one picture: the input, the expected answer and the learner's,
    one slice each, and the cells that differ (over `expected`'s cells; none when the shapes differ)."""

    call: str  # the call drawn, as shown (it may be larger than the smallest failing call)
    expected: Plane
    yours: Plane
    input: Plane | None = None  # the call's first image-like argument, when it has one
    differs: tuple[bool, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> Heatmap:
        """A heatmap read back from a full report (`TaskResult.to_dict(full=True)`)."""
        planes = {key: _plane(data[key]) for key in ("expected", "yours", "input") if data.get(key)}
        return cls(data["call"], differs=tuple(bool(d) for d in data.get("differs", ())), **planes)


def _plane(data: dict) -> Plane:
    values = tuple(float(v) for v in data["values"])  # "nan", "inf" and "-inf" read back as floats
    fields = {"shape": tuple(data["shape"]), "origin": tuple(data.get("origin", (0, 0))), "values": values}
    return Plane(**{**data, **fields})


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
    heatmap: Heatmap | None = None  # an image-like call, drawn where the report has pictures (not in the JSON report)


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
        the learner's code printed, as `output` when it printed anything, and the counterexample's `grids` and
        `heatmap` (when it has them)."""
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
            heatmap = data["counterexample"].pop("heatmap")
            if full and heatmap is not None:
                data["counterexample"]["heatmap"] = _heatmap_dict(heatmap)
        return data


def _grid_dict(grid: dict) -> dict:
    """A grid as JSON can hold it: a value that is not finite (a learner's NaN) as its name, "nan" or "inf"."""
    return {**grid, "shape": list(grid["shape"]), "values": _finite(grid["values"]), "differs": list(grid["differs"])}


def _heatmap_dict(heatmap: dict) -> dict:
    """A heatmap as JSON can hold it (values not finite as their names, as in a grid)."""
    planes = {
        key: {
            **plane,
            "shape": list(plane["shape"]),
            "origin": list(plane["origin"]),
            "values": _finite(plane["values"]),
        }
        for key in ("expected", "yours", "input")
        if (plane := heatmap[key]) is not None
    }
    return {**heatmap, **planes, "differs": list(heatmap["differs"])}


def _finite(values) -> list:
    return [v if math.isfinite(v) else str(v) for v in values]


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
