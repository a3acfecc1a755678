"""Where a grading process spends its time, for `benchmarks/speed.py`: off unless `GRADE_TIMINGS` names a file.

The engine marks its phases (`with timings.phase("judging"):`); each phase counts its own time only, not the
time of the phases inside it, so the phases add up to the process's time. When `GRADE_TIMINGS` is set, the
process writes, as it exits, a JSON object to that file: the wall-clock time it entered the grader (`entered`,
`time.time()`, so that the benchmark can tell the interpreter's start from the grader's imports), the time it
began to grade (`grading`), the time it exited (`exited`), and the seconds of each phase. Off, `phase` hands
back one shared do-nothing context, and nothing is measured or written. Timings never reach a report.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import time

_FILE = os.environ.get("GRADE_TIMINGS") or None
ON = _FILE is not None
_OFF = contextlib.nullcontext()
_spent: dict[str, float] = {}
_stack: list[list] = []  # [name, started, seconds spent in the phases inside it]
_marks: dict[str, float] = {}


class _Phase:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        _stack.append([self.name, time.perf_counter(), 0.0])

    def __exit__(self, *exc_info):
        name, started, inner = _stack.pop()
        elapsed = time.perf_counter() - started
        _spent[name] = _spent.get(name, 0.0) + elapsed - inner
        if _stack:
            _stack[-1][2] += elapsed


def phase(name: str):
    """A context that counts its time under `name` (nothing at all when timings are off)."""
    return _Phase(name) if ON else _OFF


def mark(name: str) -> None:
    """Note the wall-clock time of a moment (the first one of each name counts)."""
    if ON:
        _marks.setdefault(name, time.time())


def _write() -> None:
    import grader

    figures = {"entered": grader.ENTERED, **_marks, "exited": time.time(), "phases": _spent}
    with contextlib.suppress(OSError), open(_FILE, "w", encoding="utf-8") as file:
        json.dump(figures, file)


if ON:
    atexit.register(_write)
