"""The calls hypothesis draws for a task, drawn once and kept, and for the default seed shipped with the grader.

For a given task, seed and example count, hypothesis draws the same calls in the same order for every
submission that answers them all correctly (generation depends on the seed and on earlier verdicts only).
Drawing costs more than checking (a few milliseconds a call against well under one), and importing hypothesis
costs as much as starting numpy, so the calls are drawn ahead of time where they can be:

- shipped: the calls for seed 0 and the default example count (`SHIPPED_EXAMPLES`), drawn by this same code
  when the grader is built (`python -m grader.drawing --ship`; `--check` says whether they are still what
  hypothesis draws) and installed with it in `grader/calls/`, one file per task;
- kept: in memory for the life of the process (a notebook, a batch marker grading one student after another)
  and on disk in the user's cache folder (a learner running `grade exercise3 --seed 5` again and again).

A right submission is then graded without importing hypothesis at all: it is imported, and a task's strategy
built (`Strategy.build`), only when calls must be drawn, or searched and shrunk after a wrong answer.

A key covers exactly what decides the calls: the task, its strategy as declared (function and options), the
seed, the count asked, the source of this module and of the strategy modules (`DECIDING`), and the versions of
hypothesis and numpy. It does not cover the rest of the grader, so that editing a message or the engine does
not make the shipped calls stale. A file holds inputs only, never expected answers, and is read back as plain
data (`codec`, no pickle).

A kept or shipped file can never shorten grading: it opens with the count of calls it holds and a digest of
its key, that count and its content, and it is used only when the digest matches and the count is the one
asked (`examples`, or the task's own cap), never merely the one it states. A short, altered, moved, stale
or unreadable file is ignored and drawn again. A drawing that gave fewer calls than asked (hypothesis has drawn
every input a small task has, such as exercise 1's box_filter) is kept in memory only, and drawn again in each
process: so every file in the cache holds exactly the count asked. Only a shipped file may hold fewer, and
then says so (`all` after the digest, itself covered by the digest); `--check` and a test keep the shipped
files exactly what hypothesis draws.

`GRADE_CACHE_DIR` chooses the cache folder; set it empty to keep nothing on disk (the shipped calls stay).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from grader import storage, timings
from grader.errors import DeclarationError
from grader.sandbox import codec
from grader.spec import Call, Exercise, Task

_KEPT: dict[str, tuple[Call, ...]] = {}
_FORMAT = b"kept-calls/1"  # a file's first line: this, the count of calls, the digest (see `_digest`)
_ALL = b"all"  # after the digest, in a shipped file only: hypothesis drew every call there is, fewer than asked
PACKAGE = Path(__file__).resolve().parent
SHIPPED = PACKAGE / "calls"  # the shipped calls: `<exercise>.<task>` for SHIPPED_SEED and SHIPPED_EXAMPLES
SHIPPED_SEED = 0
SHIPPED_EXAMPLES = 100  # the engine's default example count (engine.DEFAULT_EXAMPLES)
# What decides the calls besides a task's declared strategy and the versions: this module (the settings of the
# search), the modules strategies are declared in (`Strategy`) and the one arithmetic module they use.
STRATEGY_MODULES = ("strategies", "layer_strategies", "keras_strategies")
DECIDING = ("drawing.py", "shapes.py", *(f"{module}.py" for module in STRATEGY_MODULES))
_PLAIN_OPTIONS = (bool, int, float, str, type(None))


class Strategy:
    """A task's calls as declared: a strategy function of one of the strategy modules, by name, and its options,
    `Strategy("strategies.pooling_calls", max_side=5)`. Declaring one imports nothing; `build()` imports
    hypothesis and the module and builds the strategy, once per process, when calls must be drawn. Its `name`
    says exactly which strategy draws the calls: it is part of their key."""

    __slots__ = ("_built", "function", "options")

    def __init__(self, function: str, **options):
        module, _, name = function.partition(".")
        if module not in STRATEGY_MODULES or not name.isidentifier():
            raise DeclarationError(
                f"strategy {function!r} must be a function of {', '.join(STRATEGY_MODULES)}, e.g. 'strategies.name'"
            )
        if not all(type(value) in _PLAIN_OPTIONS for value in options.values()):
            raise DeclarationError(f"strategy {function}: options must be plain values (bool, int, float, str)")
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "options", tuple(sorted(options.items())))
        object.__setattr__(self, "_built", None)

    def __setattr__(self, name, value):
        raise AttributeError(f"a Strategy is frozen: {name} cannot be set")

    @property
    def name(self) -> str:
        """`strategies.pooling_calls(max_side=5)`: the function and its options, the same in every process."""
        options = ", ".join(f"{key}={value!r}" for key, value in self.options)
        return f"{self.function}({options})"

    def build(self):
        """The hypothesis strategy (imported and built on first use)."""
        if self._built is None:
            module, _, name = self.function.partition(".")
            function = getattr(importlib.import_module(f"grader.{module}"), name)
            object.__setattr__(self, "_built", function(**dict(self.options)))
        return self._built

    def __eq__(self, other):
        return isinstance(other, Strategy) and (self.function, self.options) == (other.function, other.options)

    def __hash__(self):
        return hash((self.function, self.options))

    def __repr__(self):
        return f"Strategy({self.name})"


def built(task: Task):
    """The hypothesis strategy of a task's calls (a task may also declare one directly, as tests do)."""
    return task.strategy.build() if isinstance(task.strategy, Strategy) else task.strategy


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
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

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
            )(given(built(task))(test))
        )

    return decorate


def asked(task: Task, examples: int) -> int:
    """How many calls hypothesis is asked to draw for a task: `examples`, or fewer where the task caps it."""
    return min(examples, task.max_examples or examples)


def calls(exercise: Exercise, task: Task, examples: int, random_seed: int, each: Callable[[Call], None]) -> None:
    """Give `each` the task's generated calls in order: kept or shipped ones when there are, else drawn now.

    `each` may stop the drawing by raising a BaseException (a wrong answer needs no more calls); nothing is
    kept then.
    """
    key = calls_key(exercise, task, examples, random_seed)
    kept = None
    if key is not None:
        kept = _KEPT.get(key) or _shipped(exercise, task, key, examples, random_seed)
        kept = kept or _read(key, asked(task, examples))
    if kept is not None:
        _KEPT[key] = kept
        for call in kept:
            each(call)
        return
    drawn = _draw(task, examples, random_seed, each)
    if key is None:
        return
    _KEPT[key] = tuple(drawn)
    if len(drawn) == asked(task, examples):
        _write(key, drawn)


def _draw(task: Task, examples: int, random_seed: int, each: Callable[[Call], None]) -> list[Call]:
    """The calls hypothesis draws now, each given to `each` as it is drawn."""
    drawn: list[Call] = []

    with timings.phase("drawing"):

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
    return drawn


def forget() -> None:
    """Forget what this process kept (the files stay)."""
    _KEPT.clear()


def calls_key(exercise: Exercise, task: Task, examples: int, random_seed: int) -> str | None:
    """The key of a task's calls, or None when its strategy is not declared by name (nothing is kept then)."""
    if not isinstance(task.strategy, Strategy):
        return None
    text = "|".join(
        (
            exercise.name,
            task.name,
            task.strategy.name,
            str(random_seed),
            str(asked(task, examples)),
            deciding_digest(PACKAGE),
            _hypothesis_version(),
            np.__version__,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@functools.cache
def deciding_digest(folder: Path) -> str:
    """sha256 of the modules that decide the calls besides the declarations (`DECIDING`), read once a process."""
    digest = hashlib.sha256()
    for name in DECIDING:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _hypothesis_version() -> str:
    """The version of the hypothesis that `import hypothesis` gives, without importing it when it is not yet:
    from the name of the installed distribution's metadata folder beside the package (importlib.metadata
    would cost as much as 40 ms of imports), else from the module."""
    if "hypothesis" not in sys.modules:
        spec = importlib.util.find_spec("hypothesis")
        if spec is not None and spec.origin is not None:
            found = list(Path(spec.origin).parent.parent.glob("hypothesis-*.dist-info"))
            if len(found) == 1:
                return found[0].name.removeprefix("hypothesis-").removesuffix(".dist-info")
    import hypothesis  # imported anyway, or installed in a way that the folder does not say

    return hypothesis.__version__


def folder() -> Path | None:
    """Where drawn calls are kept on disk, or None when `GRADE_CACHE_DIR` is set empty."""
    return storage.cache_folder("calls")


def _digest(key: str, count: int, payload: bytes, every: bool = False) -> bytes:
    every_part = b"\0" + _ALL if every else b""
    return hashlib.sha256(b"%s\0%d%s\0%s" % (key.encode(), count, every_part, payload)).hexdigest().encode()


def _read(key: str, count: int) -> tuple[Call, ...] | None:
    """The `count` calls kept under `key`, or None when there is no such file or it is not whole."""
    where = folder()
    if where is None:
        return None
    try:
        return _checked(key, (where / key).read_bytes(), count)
    except (OSError, ValueError):
        return None


def shipped_path(exercise: Exercise, task: Task) -> Path:
    return SHIPPED / f"{exercise.name}.{task.name}"


def _shipped(exercise: Exercise, task: Task, key: str, examples: int, random_seed: int) -> tuple[Call, ...] | None:
    """The shipped calls of a task, when they are the ones asked for (seed, count and key), else None."""
    if random_seed != SHIPPED_SEED or asked(task, examples) != asked(task, SHIPPED_EXAMPLES):
        return None
    try:
        return _checked(key, shipped_path(exercise, task).read_bytes(), asked(task, examples), shipped=True)
    except (OSError, ValueError):
        return None


def _checked(key: str, data: bytes, count: int, shipped: bool = False) -> tuple[Call, ...]:
    """The calls of a kept file, or ValueError unless it holds `count` calls (the count asked, whatever the file
    states) and its digest matches. A shipped file may hold fewer when it says that they are all there are."""
    first, newline, payload = data.partition(b"\n")
    fields = first.split(b" ")
    every = shipped and len(fields) == 4 and fields[3] == _ALL
    if not newline or len(fields) != 3 + every or fields[0] != _FORMAT:
        raise ValueError("not a file of kept calls")
    stated = int(fields[1])
    if stated != count and not (every and stated < count):
        raise ValueError(f"{stated} calls kept where {count} are asked")
    if not hmac.compare_digest(fields[2], _digest(key, stated, payload, every)):
        raise ValueError("the digest does not match")
    kept = _parse(payload)
    if len(kept) != stated:
        raise ValueError(f"{len(kept)} calls kept where {stated} are stated")
    return kept


def _parse(payload: bytes) -> tuple[Call, ...]:
    """Kept calls from their bytes, or ValueError (codec.ProtocolError is one) when they are not plain calls."""
    try:
        return tuple(_call(row) for row in codec.unpack_reply(payload, bounded=False))
    except TypeError as exc:  # not a list of three-item rows
        raise ValueError("not a list of calls") from exc


def _call(row) -> Call:
    args, kwargs, call_seed = row
    if type(args) is not tuple or type(kwargs) is not dict or type(call_seed) is not int or codec.holds_foreign(row):
        raise ValueError("not a call")
    return Call(args, kwargs, call_seed)


def plain(calls) -> tuple[Call, ...]:
    """`calls` as they read back from plain data (`codec`), or ValueError when one is not a plain call."""
    return _parse(codec.pack_reply([(call.args, call.kwargs, call.seed) for call in calls], bounded=False))


def _file(key: str, drawn: list[Call], every: bool = False) -> bytes | None:
    """The bytes of a file of kept calls, or None when a call does not read back as a plain call."""
    payload = codec.pack_reply([(call.args, call.kwargs, call.seed) for call in drawn], bounded=False)
    try:
        _parse(payload)  # kept only when every call reads back as a plain call
    except ValueError:
        return None
    digest = _digest(key, len(drawn), payload, every)
    return b" ".join((_FORMAT, b"%d" % len(drawn), digest, *([_ALL] if every else []))) + b"\n" + payload


def _write(key: str, drawn: list[Call]) -> None:
    where = folder()
    data = None if where is None else _file(key, drawn)
    if data is None:
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written keeps nothing
        storage.write_atomically(where / key, data)


# -- shipping: `python -m grader.drawing --ship | --check` ---------------------------------------------------


def shipped_files() -> dict[str, bytes | None]:
    """What `grader/calls/` should hold, drawn now: each task's file name and bytes (None for a task whose
    calls are not plain data, such as exercise 6's model recipes: those are drawn when graded)."""
    from grader import catalog

    files: dict[str, bytes | None] = {}
    for exercise in catalog.exercises():
        for task in exercise.tasks:
            key = calls_key(exercise, task, SHIPPED_EXAMPLES, SHIPPED_SEED)
            drawn = _draw(task, SHIPPED_EXAMPLES, SHIPPED_SEED, lambda call: None)
            every = len(drawn) < asked(task, SHIPPED_EXAMPLES)
            data = None if key is None else _file(key, drawn, every)
            files[shipped_path(exercise, task).name] = data
    return files


def main(argv: list[str]) -> int:
    if argv not in (["--ship"], ["--check"]):
        print("usage: python -m grader.drawing --ship | --check", file=sys.stderr)
        return 2
    check = argv == ["--check"]
    wanted = {name: data for name, data in shipped_files().items() if data is not None}
    present = {path.name for path in SHIPPED.glob("*")} if SHIPPED.is_dir() else set()
    stale = sorted(n for n, data in wanted.items() if n not in present or (SHIPPED / n).read_bytes() != data)
    extra = sorted(present - set(wanted))
    if not check:
        SHIPPED.mkdir(exist_ok=True)
        for name in stale:
            (SHIPPED / name).write_bytes(wanted[name])
        for name in extra:
            (SHIPPED / name).unlink()
    size = sum(len(data) for data in wanted.values())
    if stale or extra:
        verb = "out of date" if check else "written"
        print(f"{verb}: {', '.join([*stale, *(f'{name} (removed)' for name in extra)])}")
    print(f"{len(wanted)} tasks' calls for seed {SHIPPED_SEED}, {size / 1024:.0f} KiB")
    return 1 if check and (stale or extra) else 0


if __name__ == "__main__":  # through the package's module, whose `Strategy` the declarations use
    from grader.drawing import main as _main

    sys.exit(_main(sys.argv[1:]))
