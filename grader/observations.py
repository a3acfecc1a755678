"""The references' observations of exercise 6, kept, so that a check imports TensorFlow only in the learner's worker.

Grading a Keras task compares what the learner's function built (observed in the worker) with what the
reference builds for the same call, observed the same way (`keras_observe`). The reference's side needs
TensorFlow in the grader's own process: seconds of importing, and InceptionV3 built for the transfer-learning
case. But an observation depends on nothing but the call (its arguments and probe seed), how the task probes
it, the code that decides it (the reference, `keras_observe`, the task's declaration) and the versions of
TensorFlow, Keras and numpy (whose generator draws the probe's weights and inputs). So it is computed once and
kept:

- in memory for the life of the process (a notebook, `grade watch`, a batch marker grading student after
  student), keyed by the call: InceptionV3 is built once per process, not once per student;
- on disk in the cache folder (`GRADE_CACHE_DIR`, as for the drawn calls, see `drawing`), one file per grading
  run's settings (exercise, seed, example count) with the key's versions and digest in its name;
- for the default seed and example count, shipped with the package (`shipped/`), written by
  `python -m grader.observations` and checked by `--check`. Made with another TensorFlow, Keras or numpy than
  the one installed, or with other deciding code, it is simply not used.

A file is plain data (`codec`, never a pickle) behind a first line stating its format, its count of
observations and a digest of its key, that count and its content: a short, altered, moved or unreadable file
is ignored. What a file holds is what the grader itself computed for calls of the run's own sequence (the
calls hypothesis draws while every answer is right, and the declared corners), never anything from the
learner's process, and each observation is kept as it reads back from its bytes, so the first run and every
later one compare with the very same data. A call whose observation is not kept (a wrong answer being
shrunk, other settings) is observed here as before, importing TensorFlow then.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import astuple, replace
from pathlib import Path

import numpy as np

from grader import fingerprint, references, storage
from grader.keras_observe import ModelRecipe
from grader.sandbox import codec
from grader.spec import Call, Exercise, Task

SHIPPED = fingerprint.PACKAGE / "shipped"
DEFAULT_SEED = 0
DEFAULT_EXAMPLES = 100  # engine.DEFAULT_EXAMPLES (not imported: the engine imports this module)
_FORMAT = b"kept-observations/1"  # a file's first line: this, the count of observations, the digest
_MEMORY: dict[str, dict] = {}  # call key -> observation, for the life of the process


# --------------------------------------------------------------------------------------------- keys


def versions() -> dict[str, str | None]:
    """The installed TensorFlow, Keras and numpy, read from their distributions' metadata: importing
    TensorFlow to ask it is the very cost this module saves."""
    return {
        "tensorflow": _distribution("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
        "keras": _distribution("keras", "keras-nightly"),
        "numpy": np.__version__,
    }


def _distribution(*names: str) -> str | None:
    from importlib import metadata  # 20 ms to import: only exercise 6's keys need it

    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(name)
    return None


def deciding_files(exercise: Exercise) -> tuple[Path, ...]:
    """The code an observation of this exercise's references depends on: the references, the observer, and the
    declarations (how each task probes)."""
    return (
        references.folder() / exercise.file_name,
        fingerprint.PACKAGE / "keras_observe.py",
        fingerprint.PACKAGE / "catalog" / exercise.file_name,
    )


def deciding_digest(exercise: Exercise) -> str:
    digest = hashlib.sha256()
    for path in deciding_files(exercise):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def made_with(exercise: Exercise, random_seed: int, examples: int) -> dict:
    """Everything a kept file's observations were decided by, as it states them."""
    return {
        "exercise": exercise.name,
        "seed": random_seed,
        "examples": examples,
        **versions(),
        "digest": deciding_digest(exercise),
    }


def _file_key(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:32]


def _canonical(value):
    """A call's argument as JSON with its types spelled out, or TypeError for anything else (not kept)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (tuple, list):
        return {type(value).__name__: [_canonical(item) for item in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"dict": [[k, _canonical(v)] for k, v in value.items()]}
    if type(value) is ModelRecipe:
        return {"recipe": [_canonical(value.input_shape), _canonical(value.layers), value.application]}
    raise TypeError(f"{type(value).__name__} is not kept")


def call_key(exercise: Exercise, task: Task, call: Call, probe) -> str | None:
    """What an observation of the reference depends on besides code and versions: the call and the probe (the
    reference is always observed on the CPU). None when the call has an argument of another kind."""
    try:
        probe = astuple(replace(probe, devices=("cpu",)))
        text = json.dumps([exercise.name, task.name, _canonical(call.args), _canonical(call.kwargs), call.seed, probe])
    except TypeError:
        return None
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------------------------- the book


class Book:
    """The reference's observations for one grading run (an exercise, a seed, an example count): those kept in
    memory, on disk and shipped, and those computed during the run, which `keep` writes."""

    def __init__(self, exercise: Exercise, random_seed: int, examples: int):
        self.exercise = exercise
        self.settings = made_with(exercise, random_seed, examples)
        self.key = _file_key(self.settings)
        self.entries: dict[str, dict] = {}
        self.complete: set[str] = set()  # tasks whose whole sequence of calls (and corners) is kept
        for data in (_read_shipped(self.key, self.settings), _read(folder(), self.key)):
            if data is not None:
                self.entries.update(data["entries"])
                self.complete.update(data["complete"])
        self.added: dict[str, dict] = {}
        self.finished: set[str] = set()

    @property
    def warm(self) -> bool:
        """Whether every Keras task of the run can be judged on kept observations while the answers are right."""
        return all(task.name in self.complete for task in self.exercise.observed_tasks)

    def expected(self, task: Task, call: Call, probe, observe: Callable[[], dict], in_sequence: bool) -> dict:
        """The reference's observation for `call`: kept, or made now by `observe()` (which imports TensorFlow, see
        `ready_tensorflow`). One made for a call of the run's own sequence (`in_sequence`) is kept in memory and
        written by `keep`."""
        key = call_key(self.exercise, task, call, probe)
        if key is not None:
            kept = self.entries.get(key) or _MEMORY.get(key)
            if kept is not None:
                return kept
        observation = observe()
        if key is None or not in_sequence:
            return observation
        kept = _plain_copy(observation)
        if kept is None:  # something in it does not read back from its bytes the same: used, not kept
            return observation
        _MEMORY[key] = self.added[key] = kept
        return kept

    def finish(self, task: Task) -> None:
        """Every call of the task's sequence was judged (it passed): its observations are all kept."""
        if task.name not in self.complete:
            self.finished.add(task.name)

    def keep(self) -> None:
        """Write what this run added to its file in the cache folder (merged with what another process wrote)."""
        where = folder()
        if where is None or not (self.added or self.finished):
            return
        data = _read(where, self.key) or {"entries": {}, "complete": []}
        entries = {**data["entries"], **self.added}
        complete = sorted({*data["complete"], *self.complete, *self.finished})
        _write(where / f"observations-{self.key}", self.key, self.settings, entries, complete)


def ready_tensorflow() -> None:
    """TensorFlow and Keras in the grader's process, as the references need them (once)."""
    from grader import backends

    backends.import_tensorflow_for_references()


def forget() -> None:
    """Forget what this process kept in memory (the files stay)."""
    _MEMORY.clear()


# --------------------------------------------------------------------------------------------- files


def folder() -> Path | None:
    """The cache folder (the same as the drawn calls'), or None when `GRADE_CACHE_DIR` is set empty."""
    return storage.cache_folder("observations")


def shipped_path(exercise: Exercise) -> Path:
    return SHIPPED / f"{exercise.name}.observations"


def _read(where: Path | None, key: str) -> dict | None:
    if where is None:
        return None
    try:
        return checked(key, (where / f"observations-{key}").read_bytes())
    except (OSError, ValueError):
        return None


def _read_shipped(key: str, settings: dict) -> dict | None:
    """The shipped observations, when they were made with exactly these settings (else None, silently)."""
    exercise = settings["exercise"]
    if settings["seed"] != DEFAULT_SEED or settings["examples"] != DEFAULT_EXAMPLES:
        return None
    try:
        return checked(key, (SHIPPED / f"{exercise}.observations").read_bytes())
    except (OSError, ValueError):
        return None


def read_statement(path: Path) -> dict | None:
    """What a kept file says it was made with (unchecked: for telling why a shipped file is not used)."""
    try:
        data = path.read_bytes()
        payload = data.partition(b"\n")[2]
        stated = codec.unpack_reply(payload, bounded=False)["made_with"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stated if isinstance(stated, dict) else None


def checked(key: str, data: bytes) -> dict:
    """A kept file's content ({"made_with", "entries", "complete"}), or ValueError unless it is whole and its
    digest matches `key` (a file made with other settings or versions has another key)."""
    count, payload = storage.unsealed(_FORMAT, key, data, "kept observations")
    content = codec.unpack_reply(payload, bounded=False)  # codec.ProtocolError is a ValueError
    if type(content) is not dict or set(content) != {"made_with", "entries", "complete"}:
        raise ValueError("not a file of kept observations")
    entries, complete = content["entries"], content["complete"]
    if type(entries) is not dict or len(entries) != count or not all(type(v) is dict for v in entries.values()):
        raise ValueError(f"not {count} observations")
    if type(complete) is not list or not all(type(name) is str for name in complete):
        raise ValueError("not a list of tasks")
    if codec.holds_foreign(entries):
        raise ValueError("an observation is not plain data")
    return content


def _write(path: Path, key: str, settings: dict, entries: dict, complete: list[str]) -> None:
    payload = codec.pack_reply({"made_with": settings, "entries": entries, "complete": complete}, bounded=False)
    with contextlib.suppress(OSError):  # a cache that cannot be written keeps nothing
        storage.write_atomically(path, storage.sealed(_FORMAT, key, len(entries), payload))


def _plain_copy(observation: dict) -> dict | None:
    """The observation as it reads back from its bytes, or None when that is not the same value (the same
    types, arrays of the same dtype, shape and bits)."""
    copy = codec.unpack_reply(codec.pack_reply(observation, bounded=False), bounded=False)
    return copy if same(observation, copy) else None


def same(a, b) -> bool:
    """Equal values of the same types; arrays with the same dtype, shape and values (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (a != a and b != b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    return a == b


# --------------------------------------------------------------------------------------------- shipping


def sequence(exercise: Exercise, task: Task, random_seed: int, examples: int) -> list[Call]:
    """The calls a run judges while every answer is right: those hypothesis draws, then the declared corners."""
    from grader import drawing

    drawn: list[Call] = []

    @drawing.search(task, examples, random_seed)
    def draw(call: Call) -> None:
        drawn.append(call)

    draw()
    return [*drawn, *task.examples]


def observe_fresh(exercise: Exercise, random_seed: int = DEFAULT_SEED, examples: int = DEFAULT_EXAMPLES) -> dict:
    """The reference's observations for the run's sequence of every Keras task, made now (imports TensorFlow)."""
    from grader.keras_observe import materialise

    ready_tensorflow()
    entries: dict[str, dict] = {}
    for task in exercise.tasks:
        if task.observe is None:
            continue
        reference = exercise.reference(task)
        for call in sequence(exercise, task, random_seed, examples):
            probe = task.observe.probe(call.seed, ("cpu",))
            key = call_key(exercise, task, call, probe)
            if key is None or key in entries:
                continue
            args, kwargs = materialise(call.args, call.kwargs)
            observation = task.observe.expected(reference(*args, **kwargs), probe, args, kwargs)
            kept = _plain_copy(observation)
            if kept is None:
                raise ValueError(f"{task.name}: an observation of {call} does not read back the same")
            entries[key] = kept
    return entries


def agree(shipped: dict, fresh: dict, rtol: float = 1e-6) -> list[str]:
    """Where two sets of observations differ (nothing when they agree): the same calls and the same values, the
    floating-point arrays within `rtol` (another CPU's vector units may round a model's last bits otherwise),
    a Dropout's output in training mode by its shape only (see `_settled`)."""
    problems = [f"{key[:12]}: not shipped" for key in fresh if key not in shipped]
    problems += [f"{key[:12]}: shipped but not drawn" for key in shipped if key not in fresh]
    problems += [
        f"{key[:12]}: differs"
        for key in fresh
        if key in shipped and not _close(_settled(shipped[key]), _settled(fresh[key]), rtol)
    ]
    return problems


def _settled(observation: dict) -> dict:
    """The observation with each Dropout's training-mode output given by its shape: Keras draws the units it
    drops anew in each process, and the grader never compares the learner's with the reference's (it checks the
    learner's against the rate, on an input it draws itself: `compare_models._dropout_seen`)."""
    layers = observation.get("layers")
    if not isinstance(layers, list):
        return observation
    settled = []
    for entry in layers:
        training = entry.get("training") if isinstance(entry, dict) else None
        if entry.get("class") == "Dropout" and isinstance(training, dict) and "output" in training:
            output = training["output"]
            entry = {**entry, "training": {**training, "output": list(getattr(output, "shape", ()))}}
        settled.append(entry)
    return {**observation, "layers": settled}


def _close(a, b, rtol: float) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.kind == "f" and a.dtype == b.dtype:
        return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=rtol * 1e-2, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_close(a[k], b[k], rtol) for k in a)
    if isinstance(a, tuple | list) and type(a) is type(b):
        return len(a) == len(b) and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))
    return same(a, b)


def ship(exercise: Exercise) -> Path:
    """Write the shipped observations for the default seed and example count."""
    settings = made_with(exercise, DEFAULT_SEED, DEFAULT_EXAMPLES)
    entries = observe_fresh(exercise)
    complete = [task.name for task in exercise.observed_tasks]
    path = shipped_path(exercise)
    _write(path, _file_key(settings), settings, entries, complete)
    with contextlib.suppress(OSError):
        path.chmod(0o644)  # a package's data file (the cache's files stay the user's own)
    if checked(_file_key(settings), path.read_bytes())["entries"].keys() != entries.keys():
        raise OSError(f"{path} was not written")
    return path


def check(exercise: Exercise) -> tuple[bool, str]:
    """Whether the shipped observations are those the references give now (checked only with the TensorFlow,
    Keras and numpy they were made with: with others they are not used, and nothing is to be checked)."""
    path = shipped_path(exercise)
    settings = made_with(exercise, DEFAULT_SEED, DEFAULT_EXAMPLES)
    stated = read_statement(path)
    if stated is None:
        return False, f"{path.name}: missing or unreadable"
    other = {k: (stated.get(k), v) for k, v in settings.items() if k != "digest" and stated.get(k) != v}
    if other:
        made = ", ".join(f"{k} {was} (here {now})" for k, (was, now) in other.items())
        return True, f"{path.name}: made with {made}: not used here, not checked"
    if stated.get("digest") != settings["digest"]:
        return False, f"{path.name}: out of date (the references, keras_observe or the catalog changed)"
    try:
        shipped = checked(_file_key(settings), path.read_bytes())
    except ValueError as exc:
        return False, f"{path.name}: {exc}"
    problems = agree(shipped["entries"], observe_fresh(exercise))
    if problems:
        return False, f"{path.name}: out of date: " + "; ".join(problems[:5])
    return True, f"{path.name}: {len(shipped['entries'])} observations, the same as the references give now"


def main(argv: list[str]) -> int:
    from grader import catalog

    exercises = [exercise for exercise in catalog.exercises() if exercise.uses_tensorflow]
    if "--check" in argv:
        results = [check(exercise) for exercise in exercises]
        for _ok, message in results:
            print(message)
        return 0 if all(ok for ok, _message in results) else 1
    for exercise in exercises:
        print(f"written: {ship(exercise)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
