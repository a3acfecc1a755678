"""The reference's answers to a task's sweep, kept on disk beside the kept calls (`drawing`): a check run again
answers the sweep's calls from there instead of running the reference on each one (exercise 7's backward
passes: 0.1 s of a 0.5 s check; exercise 1's filters: 0.04 s).

A file holds the answers to the task's generated calls and then to its declared corners, in the order the sweep
judges them, as plain data (`sandbox.codec`, never a pickle) after a first line with the count and a digest.
It is keyed by the calls' key (`drawing.calls_key`: exercise, task, seed, count, the deciding code,
hypothesis's and numpy's versions), the reference's name, the references' code, the machine and the corners,
so an answer made by other code, numpy or hardware is never read. A file that is not whole or not plain data
is ignored and made again; the answers read are read-only, like those the process keeps (`engine`). Like the
kept calls, they are the grader's own cache: learner code never runs where it could write them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import platform
from pathlib import Path

import numpy as np

from grader import drawing, fingerprint, storage
from grader.sandbox import codec
from grader.spec import Exercise, Task

_FORMAT = b"kept-answers/1"  # a file's first line: this, the count of answers, the digest


@functools.cache
def _references_digest() -> str:
    return fingerprint.code_digest(*fingerprint.references())


_KEYS: dict[tuple, tuple[Task, object, str | None]] = {}  # made in this process: a marker's next student's


def key(exercise: Exercise, task: Task, examples: int, random_seed: int, reference) -> str | None:
    """The key of `reference`'s answers to a task's sweep, or None when its calls are not kept (nor its answers
    then) or there are no references (a student release). Made once a process for each task and reference."""
    asked = (exercise.name, id(task), examples, random_seed, id(reference))
    found = _KEYS.get(asked)
    if found is not None and found[0] is task and found[1] is reference:
        return found[2]
    made = _key(exercise, task, examples, random_seed, reference)
    _KEYS[asked] = (task, reference, made)  # holding both keeps their ids from being reused
    return made


def _key(exercise: Exercise, task: Task, examples: int, random_seed: int, reference) -> str | None:
    calls = drawing.calls_key(exercise, task, examples, random_seed)
    if calls is None or not fingerprint.references():
        return None
    named = f"{getattr(reference, '__module__', '')}.{getattr(reference, '__qualname__', type(reference).__name__)}"
    corners = hashlib.sha256(codec.pack_reply([(c.args, c.kwargs) for c in task.examples], bounded=False))
    text = "|".join((calls, named, _references_digest(), platform.machine(), corners.hexdigest()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def folder() -> Path | None:
    """Where kept answers are, or None when `GRADE_CACHE_DIR` is set empty."""
    return storage.cache_folder("answers")


_READ: dict[str, list] = {}  # what this process read or wrote, by key: a marker reads each file once a class


def read(key: str) -> list | None:
    """The answers kept under `key`, each made read-only, or None (no such file, or not a whole one)."""
    if key in _READ:
        return _READ[key]
    where = folder()
    if where is None:
        return None
    try:
        count, payload = storage.unsealed(_FORMAT, key, (where / key).read_bytes(), "kept answers")
        answers = codec.unpack_reply(payload, bounded=False)
    except (OSError, ValueError):  # codec.ProtocolError is a ValueError
        return None
    if type(answers) is not list or len(answers) != count or codec.holds_foreign(answers):
        return None
    _READ[key] = [read_only(answer) for answer in answers]
    return _READ[key]


def write(key: str, answers: list) -> None:
    """Keep `answers` under `key`, when every one of them is plain data (else nothing is kept)."""
    where = folder()
    if where is None:
        return
    payload = codec.pack_reply(answers, bounded=False)
    if codec.holds_foreign(codec.unpack_reply(payload, bounded=False)):
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written keeps nothing
        storage.write_atomically(where / key, storage.sealed(_FORMAT, key, len(answers), payload))
        _READ[key] = list(answers)


def forget() -> None:
    """Forget what this process read or wrote, and the keys it made (the files stay)."""
    _READ.clear()
    _KEYS.clear()


def read_only(value):
    """`value` with every array in it made read-only: a kept answer that something tried to change would raise,
    never judge the next submission against another answer."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif type(value) in (tuple, list):
        for item in value:
            read_only(item)
    elif type(value) is dict:
        for item in value.values():
            read_only(item)
    return value
