"""Recorded answers: what a student release judges by, in place of the reference solutions it does not carry.

For the public seed and the default example count, `record` keeps for each task:

- the calls the grader draws (`drawing.calls`, the same path the full grader sweeps with, never a second one),
  the first `engine.CONFIRMATIONS` calls the diagnosis confirms with, and the signature of the reference;
- every answer of the reference the judging asks for: its outputs on those calls and on the declared corners,
  and the calls a comparator makes of it to scale a tolerance (the reference on |inputs|, `compare`);
- every answer of each classic mistake (`solutions/mistakes/`) on the same calls, for the diagnosis.

A recorded function (`Recorded`) answers exactly the calls it was asked when recording, looked up by a digest of
their arguments, and raises `NotRecorded` for any other: a release can never make up an answer. Everything is
plain data (`sandbox.codec`, never a pickle), one file per task under `grader/recorded/`, each opening with a
digest of its content; a manifest says the seed, the example count and which tasks only the instructor's grader
marks (exercise 6's Keras probes, exercise 7's speed bar: both need the reference itself).

The reader (`load`, `Recorded`) is what the engine uses in a release (`grader.replay`); `record` and `write` are
the instructor's side (`grader.classroom.release`). Another format that ships drawn calls (issue 20) can read the
`generated` rows of these files: they are the kept calls of `drawing`, as plain rows (args, kwargs, seed).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import GraderError
from grader.i18n import _
from grader.sandbox import codec
from grader.spec import Call, Exercise, Task

FORMAT = "recorded-answers/1"
FOLDER = Path(__file__).resolve().parent / "recorded"
MANIFEST = "manifest.json"
KERAS = "keras"  # why a task is marked only by the instructor: it probes a Keras model against the reference's
SPEED = "speed"  # its speed bar times the reference


class NotRecorded(GraderError):
    """A grading that the recorded answers cannot judge (another seed or example count, an exercise left out)."""


class Unanswered(Exception):
    """A call the recorded function was never asked while recording: no answer is made up."""


class RecordedRaise(Exception):
    """The recorded function raised on this call when it was recorded."""


def key(args: tuple, kwargs: dict) -> str:
    """The digest a call's arguments are recorded under."""
    return hashlib.sha256(codec.pack_reply((tuple(args), dict(kwargs)), bounded=False)).hexdigest()[:32]


class Recorded:
    """A function that answers, from a table, only the calls it was asked when it was recorded."""

    def __init__(self, name: str, table: dict, signature: inspect.Signature):
        self.__name__ = self.__qualname__ = name
        self.__signature__ = signature
        self._table = table

    def __call__(self, *args, **kwargs):
        row = self._table.get(key(args, kwargs))
        if row is None:
            raise Unanswered(f"{self.__name__}: no recorded answer for this call")
        raised, value = row
        if raised:
            raise RecordedRaise(value)
        return copy.deepcopy(value)


class _Recorder:
    """Wraps a real function and keeps each call's answer (or that it raised) by the digest of its arguments."""

    def __init__(self, function):
        self.function, self.table = function, {}
        self.__signature__ = inspect.signature(function)
        self.__globals__ = getattr(function, "__globals__", {})

    def __call__(self, *args, **kwargs):
        name = key(args, kwargs)
        try:
            value = self.function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception as exc:
            self.table[name] = (True, f"{type(exc).__name__}: {exc}")
            raise
        self.table[name] = (False, value)
        return value


def _perturbed(value):
    """A wrong answer of the same form, so that a comparator takes its tolerance path (and asks the reference
    on |inputs|, which is then recorded too)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return value + value.dtype.type(1)
    if isinstance(value, float | np.floating):
        return value + 1.0
    if isinstance(value, tuple | list):
        return type(value)(_perturbed(item) for item in value)
    return value


def _answer(recorder: _Recorder, call: Call, task: Task) -> None:
    """Ask the recorder `call` and prime the tolerance path of the task's comparator with it."""
    try:
        value = recorder(*call.args, **call.kwargs)
    except Exception:
        return
    try:
        task.compare(call, value, _perturbed(value), recorder)
    except Exception:  # a comparator that cannot judge the made-up answer asks nothing more
        return


def _signature_rows(signature: inspect.Signature) -> list:
    rows = []
    for parameter in signature.parameters.values():
        has = parameter.default is not inspect.Parameter.empty
        rows.append([parameter.name, int(parameter.kind), has, parameter.default if has else None])
    return rows


def _signature(rows) -> inspect.Signature:
    parameters = [
        inspect.Parameter(name, inspect._ParameterKind(kind), default=default if has else inspect.Parameter.empty)
        for name, kind, has, default in rows
    ]
    return inspect.Signature(parameters)


def _rows(calls) -> list:
    return [[call.args, call.kwargs, call.seed] for call in calls]


def record(exercise: Exercise, task: Task, seed: int, examples: int) -> dict:
    """Everything a release needs to judge `task` for this seed and example count (see the module's doc)."""
    from grader import diagnosis, drawing
    from grader.engine import CONFIRMATIONS

    generated: list[Call] = []
    drawing.calls(exercise, task, examples, seed, generated.append)
    confirmations: list[Call] = []
    drawing.calls(exercise, task, CONFIRMATIONS, seed, confirmations.append)
    every = [*generated, *confirmations, *task.examples]
    drawing.plain(every)  # ValueError for a call that plain data cannot carry
    reference = _Recorder(exercise.reference(task))
    for call in every:
        _answer(reference, call, task)
    mistakes = {}
    for misconception in task.misconceptions:
        wrong = _Recorder(diagnosis.wrong_version(exercise, task, misconception))
        for call in every:
            _answer(wrong, call, task)
        mistakes[misconception.name] = wrong.table
    return {
        "task": task.name,
        "signature": _signature_rows(reference.__signature__),
        "generated": _rows(generated),
        "confirmations": _rows(confirmations),
        "reference": reference.table,
        "mistakes": mistakes,
    }


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(FORMAT.encode() + b"\0" + payload).hexdigest().encode()


def file_name(exercise: Exercise, task: Task) -> str:
    return f"{exercise.module_name}.{task.name}.answers"


def write(folder: Path, exercise: Exercise, task: Task, recorded: dict) -> Path:
    payload = codec.pack_reply(_tables_as_lists(recorded), bounded=False)
    path = folder / file_name(exercise, task)
    path.write_bytes(b"%s %s\n" % (FORMAT.encode(), _digest(payload)) + payload)
    return path


def _tables_as_lists(recorded: dict) -> dict:
    """Tables as str-keyed dicts of [raised, value] rows (what the codec carries)."""

    def rows(table):
        return {name: [raised, value] for name, (raised, value) in table.items()}

    return {
        **recorded,
        "reference": rows(recorded["reference"]),
        "mistakes": {name: rows(table) for name, table in recorded["mistakes"].items()},
    }


def write_manifest(folder: Path, seed: int, examples: int, recorded: dict, instructor_only: dict) -> Path:
    """`recorded`: exercise name -> [task names]; `instructor_only`: exercise name -> {task name: why}."""
    manifest = {
        "format": FORMAT,
        "seed": seed,
        "examples": examples,
        "recorded": recorded,
        "instructor_only": instructor_only,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@functools.cache
def manifest(folder: Path = FOLDER) -> dict | None:
    """The release's manifest, or None where there is none (the instructor's grader)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


@dataclass(frozen=True)
class RecordedTask:
    """A task's recorded answers, read back."""

    signature: inspect.Signature
    generated: tuple[Call, ...]
    confirmations: tuple[Call, ...]
    reference: Recorded
    mistakes: dict[str, Recorded]


def _calls(rows) -> tuple[Call, ...]:
    return tuple(Call(args, kwargs, seed) for args, kwargs, seed in rows)


def _table(rows: dict) -> dict:
    return {name: (raised, value) for name, (raised, value) in rows.items()}


def load(exercise: Exercise, task: Task, folder: Path = FOLDER) -> RecordedTask:
    """A task's recorded answers; NotRecorded when the release does not hold them whole."""
    return _load(folder / file_name(exercise, task), exercise.name, task.name)


@functools.cache
def _load(path: Path, exercise: str, task: str) -> RecordedTask:
    try:
        data = path.read_bytes()
        first, _newline, payload = data.partition(b"\n")
        fields = first.split(b" ")
        if len(fields) != 2 or fields[0] != FORMAT.encode() or not hmac.compare_digest(fields[1], _digest(payload)):
            raise ValueError("the digest does not match")
        raw = codec.unpack_reply(payload, bounded=False)
    except (OSError, ValueError) as exc:
        raise NotRecorded(
            _(
                "the recorded answers for {exercise}.{task} are missing or damaged ({error}): reinstall the release"
            ).format(exercise=exercise, task=task, error=exc)
        ) from None
    signature = _signature(raw["signature"])
    reference = Recorded(task, _table(raw["reference"]), signature)
    mistakes = {name: Recorded(name, _table(rows), signature) for name, rows in raw["mistakes"].items()}
    return RecordedTask(signature, _calls(raw["generated"]), _calls(raw["confirmations"]), reference, mistakes)


def instructor_only(exercise: Exercise, task: Task) -> str | None:
    """Why the release cannot mark `task` (KERAS, SPEED), or None."""
    found = manifest() or {}
    return found.get("instructor_only", {}).get(exercise.name, {}).get(task.name)


def gradable(exercise: Exercise) -> bool:
    """Whether the release grades this exercise (it recorded some of its tasks)."""
    found = manifest() or {}
    return bool(found.get("recorded", {}).get(exercise.name))


def check(exercise: Exercise, seed: int, examples: int) -> None:
    """NotRecorded unless the release can grade `exercise` with this seed and example count."""
    found = manifest()
    if found is None:
        raise NotRecorded(_("this grader has neither the reference solutions nor recorded answers: reinstall it"))
    if seed != found["seed"]:
        raise NotRecorded(
            _(
                "--seed {seed}: this student edition holds the recorded answers for seed {recorded} only, so it "
                "grades with that seed (leave --seed out); other seeds are the instructor's grader's"
            ).format(seed=seed, recorded=found["seed"])
        )
    if examples != found["examples"]:
        raise NotRecorded(
            _(
                "--examples {examples}: this student edition holds recorded answers for {recorded} examples per "
                "task only (leave --examples out)"
            ).format(examples=examples, recorded=found["examples"])
        )
    if not gradable(exercise):
        if all(instructor_only(exercise, t) == KERAS for t in exercise.tasks):
            raise NotRecorded(
                _(
                    "{exercise} is marked only by the instructor's grader: its tasks build Keras models and "
                    "compare them with the reference models, which this student edition does not carry"
                ).format(exercise=exercise.name)
            )
        raise NotRecorded(_("{exercise} is not part of this student edition").format(exercise=exercise.name))


def smallest(call: Call) -> tuple[int, float]:
    """How big a call is, for "the smallest recorded call that fails": first the count of numbers it holds (each
    array element and each scalar argument counts one), then the sum of their magnitudes (|x| over finite
    numbers); ties go to the call recorded first. Hypothesis shrinks towards fewer and smaller numbers in the
    same way, so where the full grader's shrunk example is among the recorded calls, this picks it."""
    count, total = 0, 0.0

    def visit(value) -> None:
        nonlocal count, total
        if isinstance(value, np.ndarray):
            count += value.size
            if value.dtype.kind in "biuf" and value.size:
                finite = np.abs(value[np.isfinite(value)].astype(np.float64))
                total += float(finite.sum())
        elif isinstance(value, bool | int | float | np.generic):
            count += 1
            number = float(value) if not isinstance(value, np.generic) or value.dtype.kind in "biuf" else 0.0
            total += abs(number) if np.isfinite(number) else 0.0
        elif isinstance(value, tuple | list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(call.args)
    visit(call.kwargs)
    return count, total
