"""The calls hypothesis draws for a task, drawn once and kept.

For a given task, seed and example count, hypothesis draws the same calls in the same order for every
submission that answers them all correctly (generation depends on the seed and on earlier verdicts only).
Drawing costs more than checking (a few milliseconds a call against well under one), so the calls are kept:
in memory for the life of the process (a notebook, a batch marker grading one student after another) and on
disk in the user's cache folder (a learner running `grade exercise3` again and again). A key covers
everything that decides them: the task, the seed, the count, the grader's code and the versions of
hypothesis and numpy. The cache holds inputs only, never expected answers, and is read back as plain data
(`codec`, no pickle).

A kept file can never shorten grading: it opens with the count of calls it holds and a digest of its key,
that count and its content, and it is used only when the digest matches and the count is the one asked
(`examples`, or the task's own cap), never merely the one it states. A short, altered, moved or unreadable
file is ignored and drawn again. A drawing that gave fewer calls than asked (hypothesis has drawn every
input a small task has, such as exercise 1's box_filter) is kept in memory only, and drawn again in each
process: so every file on disk holds exactly the count asked.

`GRADE_CACHE_DIR` chooses the folder; set it empty to keep nothing on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from grader import fingerprint
from grader.sandbox import codec
from grader.spec import Call, Exercise, Task

_KEPT: dict[str, tuple[Call, ...]] = {}
_FORMAT = b"kept-calls/1"  # a file's first line: this, the count of calls, the digest (see `_digest`)


class _GraderFailed(BaseException):
    """Carries an exception of the grader's own out of hypothesis, which would otherwise shrink it."""


def _examples_independent_of_process() -> None:
    """Make generated examples depend on the seed only.

    Since 6.131 hypothesis also draws constants harvested from whatever "local" modules the process has
    imported, so the same seed would give other examples in a notebook, a CLI run or a long batch. Grades
    must not depend on that: we give it an empty pool. (A private API: if it moves, this does nothing and
    tests/grader/test_reproducibility.py says so.)
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        return
    if getattr(providers, "_grader_frozen", False) or not hasattr(providers, "_get_local_constants"):
        return
    empty = type(providers._local_constants)()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()
    providers._grader_frozen = True


def search(task: Task, examples: int, random_seed: int):
    """Decorate `test(call)` into the hypothesis search over the task's calls. The same settings serve the
    search that finds and shrinks a failure and the drawing of the calls kept here, so both see the same calls."""
    _examples_independent_of_process()

    def decorate(test):
        return seed(random_seed)(
            settings(
                max_examples=asked(task, examples),
                database=None,
                deadline=None,
                derandomize=False,
                report_multiple_bugs=False,
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
                phases=(Phase.generate, Phase.shrink),
                print_blob=False,
            )(given(task.strategy)(test))
        )

    return decorate


def asked(task: Task, examples: int) -> int:
    """How many calls hypothesis is asked to draw for a task: `examples`, or fewer where the task caps it."""
    return min(examples, task.max_examples or examples)


def calls(exercise: Exercise, task: Task, examples: int, random_seed: int, each: Callable[[Call], None]) -> None:
    """Give `each` the task's generated calls in order: kept ones when there are, else drawn now.

    `each` may stop the drawing by raising a BaseException (a wrong answer needs no more calls); nothing is
    kept then.
    """
    key = _key(exercise, task, examples, random_seed)
    kept = _KEPT.get(key) or _read(key, asked(task, examples))
    if kept is not None:
        _KEPT[key] = kept
        for call in kept:
            each(call)
        return
    drawn: list[Call] = []

    @search(task, examples, random_seed)
    def draw(call: Call) -> None:
        drawn.append(call)
        try:
            each(call)
        except Exception as exc:  # a failure of the grader: not for hypothesis to shrink
            raise _GraderFailed from exc

    try:
        draw()
    except _GraderFailed as failed:
        raise failed.__cause__ from None
    _KEPT[key] = tuple(drawn)
    if len(drawn) == asked(task, examples):
        _write(key, drawn)


def forget() -> None:
    """Forget what this process kept (the files stay)."""
    _KEPT.clear()


def _key(exercise: Exercise, task: Task, examples: int, random_seed: int) -> str:
    import hypothesis

    text = "|".join(
        (
            exercise.name,
            task.name,
            str(random_seed),
            str(examples),
            fingerprint.code_digest(fingerprint.PACKAGE),
            hypothesis.__version__,
            np.__version__,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def folder() -> Path | None:
    """Where drawn calls are kept on disk, or None when `GRADE_CACHE_DIR` is set empty."""
    chosen = os.environ.get("GRADE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cnn-grader" / "calls"


def _digest(key: str, count: int, payload: bytes) -> bytes:
    return hashlib.sha256(b"%s\0%d\0%s" % (key.encode(), count, payload)).hexdigest().encode()


def _read(key: str, count: int) -> tuple[Call, ...] | None:
    """The `count` calls kept under `key`, or None when there is no such file or it is not whole."""
    where = folder()
    if where is None:
        return None
    try:
        return _checked(key, (where / key).read_bytes(), count)
    except (OSError, ValueError):
        return None


def _checked(key: str, data: bytes, count: int) -> tuple[Call, ...]:
    """The calls of a kept file, or ValueError unless it holds `count` calls (the count asked, whatever the file
    states) and its digest matches."""
    first, newline, payload = data.partition(b"\n")
    fields = first.split(b" ")
    if not newline or len(fields) != 3 or fields[0] != _FORMAT:
        raise ValueError("not a file of kept calls")
    if int(fields[1]) != count:
        raise ValueError(f"{int(fields[1])} calls kept where {count} are asked")
    if not hmac.compare_digest(fields[2], _digest(key, count, payload)):
        raise ValueError("the digest does not match")
    kept = _parse(payload)
    if len(kept) != count:
        raise ValueError(f"{len(kept)} calls kept where {count} are asked")
    return kept


def _parse(payload: bytes) -> tuple[Call, ...]:
    """Kept calls from their bytes, or ValueError (codec.ProtocolError is one) when they are not plain calls."""
    try:
        return tuple(_call(row) for row in codec.unpack_reply(payload, bounded=False))
    except TypeError as exc:  # not a list of three-item rows
        raise ValueError("not a list of calls") from exc


def _call(row) -> Call:
    args, kwargs, call_seed = row
    if type(args) is not tuple or type(kwargs) is not dict or type(call_seed) is not int or _foreign(row):
        raise ValueError("not a call")
    return Call(args, kwargs, call_seed)


def _foreign(value) -> bool:
    if isinstance(value, codec.Foreign):
        return True
    if isinstance(value, tuple | list):
        return any(_foreign(item) for item in value)
    if isinstance(value, dict):
        return any(_foreign(item) for item in value.values())
    return False


def plain(calls) -> tuple[Call, ...]:
    """`calls` as they read back from plain data (`codec`), or ValueError when one is not a plain call."""
    return _parse(codec.pack_reply([(call.args, call.kwargs, call.seed) for call in calls], bounded=False))


def _write(key: str, drawn: list[Call]) -> None:
    where = folder()
    if where is None:
        return
    payload = codec.pack_reply([(call.args, call.kwargs, call.seed) for call in drawn], bounded=False)
    try:
        _parse(payload)  # kept only when every call reads back as a plain call
    except ValueError:
        return
    with contextlib.suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{key}.")
        with os.fdopen(handle, "wb") as file:
            file.write(b"%s %d %s\n" % (_FORMAT, len(drawn), _digest(key, len(drawn), payload)))
            file.write(payload)
        os.replace(temporary, where / key)
