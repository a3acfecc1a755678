"""The learner's side of the process boundary: `python -m grader.sandbox.learner CONFIG_JSON`, or a process
forked by the zygote (`zygote`), which calls `serve` with the same configuration.

The process first splits into the guardian (see `guardian`) and the learner's process. The learner's process
confines itself (see `confinement`), loads one submission file under a private module name and answers calls
from the grader over a pipe: requests are pickles from the grader (trusted); replies are plain data (see
`codec`). It never sees a reference solution or an expected output, and imports nothing heavy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback

import numpy as np

from grader import keras_feature_maps, keras_observe  # imported before confinement: its probes are unpickled here
from grader.sandbox import codec, confinement, guardian, syscalls

_PRIVATE_MODULE = "_learner_submission"
_clock = time.perf_counter  # taken before any learner code runs (the grader checks it against its own clock)
_forbidden_attempts: list[str] = []


class _BannedImports:
    """Refuses imports of banned top-level packages, however they are spelled, and remembers each attempt. (A
    meta path finder needs only `find_spec`: importlib.abc, its base class, costs 5 ms to import.)"""

    def __init__(self, banned):
        self.banned = frozenset(banned)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.banned:
            if top not in _forbidden_attempts:
                _forbidden_attempts.append(top)
            raise ImportError(f"importing {top!r} is not allowed in this exercise")
        return None


_IMMUTABLE = frozenset((type(None), bool, int, float, complex, str, bytes))


def _fingerprint(value):
    """What a call could change of an argument, to tell afterwards whether it did (echoing the arguments back
    for the grader to compare costs more than most calls): an array's dtype, shape and bytes, and the exact
    type of everything inside a list or a dict (where an item can be replaced). A tuple of numbers and texts
    cannot change: it stands for itself, as a number (numpy's too) does. The grader sends plain data; anything
    else gets a fingerprint equal to no other, so it always goes back to be compared."""
    kind = type(value)
    if kind is np.ndarray:
        return (value.dtype.str, value.shape, value.tobytes()) if value.dtype.kind in "biufc" else object()
    if kind is tuple:
        for item in value:
            if type(item) not in _IMMUTABLE:
                return tuple(map(_fingerprint, value))
        return value
    if kind is list:
        return [(type(item), _fingerprint(item)) for item in value]
    if kind is dict:
        return {key: (type(item), _fingerprint(item)) for key, item in value.items()}
    if kind in _IMMUTABLE or (isinstance(value, np.generic) and kind.__module__ == "numpy"):  # cannot change
        return value
    return object()


def _is_cell(filename: str) -> bool:
    """A notebook cell's code, run by the module `grader.notebook` makes ("work.ipynb [cell 3]", "In [4]")."""
    return filename.endswith("]") and (" [cell " in filename or filename.startswith("In ["))


def _cell_of(filename: str) -> str:
    return f"{filename}, " if _is_cell(filename) else ""


def _learner_traceback(exc: BaseException, path: str) -> str:
    """The exception and the frames of the learner's own file (never the worker's)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path or _is_cell(f.filename)]
    lines = [f"  {_cell_of(f.filename)}line {f.lineno}, in {f.name}: {f.line}" for f in frames[-5:]]
    head = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return "\n".join([head, *lines])


class _Session:
    def __init__(self, unprotected: list[str], replies: int = -1):
        self.module = None
        self.path = ""
        self.unprotected = unprotected
        self.replies = replies
        self.committed: list[bytes] = []  # results of timed calls, packed, until the grader fetches them
        self.layer_names = None  # Keras' name counters once the submission is loaded (`keras_observe.layer_names`)

    def _cell(self, where, exc: BaseException | None) -> None:
        """Heard from a notebook's module (`grader.notebook`) before each cell it runs and when a cell raised:
        the grader names the cell that was running when loading ran out of time, or that raised."""
        told = None if exc is None else _learner_traceback(exc, path="")  # the cell's frames, not the runner's
        _flush_output()
        _write_frame(self.replies, codec.pack_reply(("cell", str(where)[:200], told)))

    def load(self, path: str, banned) -> tuple:
        self.path = path
        sys.meta_path.insert(0, _BannedImports(banned))
        for name in list(sys.modules):
            if name.partition(".")[0] in banned:
                del sys.modules[name]
        try:
            spec = importlib.util.spec_from_file_location(_PRIVATE_MODULE, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[_PRIVATE_MODULE] = module
            module._grader_cell = self._cell  # a notebook's module takes it out of its namespace first
            spec.loader.exec_module(module)
            vars(module).pop("_grader_cell", None)
        except MemoryError as exc:
            return ("memory", _learner_traceback(exc, path), self._drain())
        except BaseException as exc:  # SyntaxError, SystemExit, KeyboardInterrupt: all are the learner's
            return ("load_failed", type(exc).__name__, _learner_traceback(exc, path), self._drain())
        self.module = module
        self.layer_names = keras_observe.layer_names()
        names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
        return ("loaded", names, self.unprotected, self._drain())

    def call(self, name: str, args: tuple, kwargs: dict, probe=None, echo: bool = True) -> tuple:
        """The learner's function called on the arguments: its result and, with `echo`, the arguments as they
        are after the call, but only when they changed (None, None when the call left them as they came)."""
        function = getattr(self.module, name, None)
        if not callable(function):
            return ("missing", self._drain())
        before = _fingerprint((args, kwargs)) if echo and probe is None else None
        try:
            if probe is None:
                result = function(*args, **kwargs)
            else:  # exercise 6: what the learner built goes back described, as plain data
                keras_observe.name_layers_from(self.layer_names)  # each call as if it were the first
                args, kwargs = keras_observe.materialise(args, kwargs)
                returned = function(*args, **kwargs)
                if isinstance(probe, keras_feature_maps.FeatureMapProbe):  # `grade show`: the maps it shows
                    result = probe.observe(returned, args, kwargs)
                else:
                    result = keras_observe.observe(returned, probe, args, kwargs)
                args, kwargs = (), {}
        except NotImplementedError as exc:
            return ("not_implemented", _learner_traceback(exc, self.path), self._drain())
        except MemoryError as exc:
            return ("memory", _learner_traceback(exc, self.path), self._drain())
        except BaseException as exc:  # their SystemExit or KeyboardInterrupt is an error in their code too
            return ("raised", type(exc).__name__, _learner_traceback(exc, self.path), self._drain())
        if before is not None and _fingerprint((args, kwargs)) == before:
            args = kwargs = None  # the grader reads this as "unchanged": nothing to send back and compare
        return ("ok", result, args, kwargs, self._drain())

    def call_each(self, name: str, calls: list, commit: bool = False) -> tuple:
        """Call the function on each (args, kwargs) in turn and send back every result with the seconds each
        call took: a timing round for a speed bar (the grader also times the whole request). Nothing is
        echoed back. With `commit`, each result stays here, packed, and only its SHA-256 goes back: the reply
        is small whatever the results' size, and `committed` then sends the results, which must have those
        digests, so they were ready when the timed reply left."""
        results, seconds, attempts = [], [], []
        for args, kwargs in calls:
            start = _clock()
            reply = self.call(name, args, kwargs, echo=False)
            seconds.append(_clock() - start)
            attempts += reply[-1]  # banned imports tried during any call count
            if reply[0] != "ok":
                return (*reply[:-1], attempts)
            results.append(reply[1])
        if commit:
            packed = [codec.pack_reply(result) for result in results]
            self.committed += packed
            import hashlib  # a speed bar's only (OpenSSL's library loads with it)

            results = [hashlib.sha256(p).hexdigest() for p in packed]
        return ("ok", (results, seconds), (), {}, attempts)

    def send_committed(self) -> tuple:
        """The results `call_each` kept, each its packed bytes, and forgets them."""
        packed, self.committed = self.committed, []
        return ("ok", [np.frombuffer(p, dtype=np.uint8) for p in packed], (), {}, [])

    def prepare(self, recipes) -> tuple:
        """Build these argument models now, for the calls that will be given them (`keras_observe.prepare`)."""
        try:
            held = keras_observe.prepare(recipes, self.layer_names)
        except BaseException as exc:  # the call that needs the model builds it then, and meets this again
            return ("raised", type(exc).__name__, str(exc), self._drain())
        return ("ok", held, None, None, self._drain())

    def devices(self) -> tuple:
        try:
            import tensorflow as tf

            found = sorted({d.device_type.lower() for d in tf.config.list_physical_devices()})
        except BaseException as exc:  # TensorFlow missing or broken here: the learner's file said so already
            return ("raised", type(exc).__name__, str(exc), self._drain())
        return ("devices", found, self._drain())

    @staticmethod
    def _drain() -> list[str]:
        attempts = list(_forbidden_attempts)
        _forbidden_attempts.clear()
        return attempts


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, payload: bytes) -> None:
    data = codec.frame(payload)
    written = os.write(fd, data)  # as a rule the whole reply at once
    if written < len(data):
        rest = memoryview(data)[written:]
        while rest:
            rest = rest[os.write(fd, rest) :]


def _flush_output() -> None:
    """What the learner printed goes down the output pipe before the reply, so the grader sees it in time."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib.suppress costs more, and this runs after every call)
            stream.flush()
        except Exception:  # a stream the learner's code replaced or closed: nothing to flush
            pass


def main(argv=None) -> None:
    """`learner CONFIG_JSON`, or `learner --early REQUESTS`: started before the grader knew the configuration
    (see `early`), which then comes as the first message on the request pipe."""
    argv = sys.argv if argv is None else argv
    if argv[1] != "--early":
        serve(json.loads(argv[1]))
        return
    confinement.load_libraries()  # while the grader imports itself: only the rules are left once it says
    config = _first_message(int(argv[2]))
    sys.argv[:] = [__file__, json.dumps(config)]  # as `python -m grader.sandbox.learner CONFIG` has it
    serve(config)


def _first_message(requests: int) -> dict:
    """The configuration, sent by the grader; a grader that ended without sending it ends this process."""
    try:
        (size,) = codec.FRAME_HEADER.unpack(_read_exactly(requests, codec.FRAME_HEADER.size))
        return codec.unpack_request(_read_exactly(requests, size))
    except EOFError:
        os._exit(0)


def serve(config: dict) -> None:
    """Split off the guardian, confine this process, then answer the grader's requests until told to exit.
    A fresh interpreter (`main`) and a process forked by the zygote (`zygote`) both come here."""
    requests, replies = config["requests"], config["replies"]
    # The grader's own folder was on the path only to import this module; learner code does not need it. An
    # installed grader's folder is site-packages, which numpy needs too: the worker sends None, and it stays.
    hidden = {config["package_root"] or "", ""}
    sys.path[:] = [p for p in sys.path if p not in hidden]
    rules = confinement.Confinement(**config["confinement"])
    unprotected = guardian.split(rules.memory_bytes, close_in_guardian=(requests, replies))
    unprotected += confinement.apply(rules)
    unprotected += syscalls.restrict()  # last: building the rules needs nothing it refuses
    session = _Session(unprotected, replies)
    while True:
        try:
            (size,) = codec.FRAME_HEADER.unpack(_read_exactly(requests, codec.FRAME_HEADER.size))
            request = codec.unpack_request(_read_exactly(requests, size))
        except EOFError:
            request = ("exit",)
        op = request[0]
        if op == "exit":
            _flush_output()
            os._exit(0)  # no interpreter shutdown: nothing of the learner's (atexit, __del__) runs after grading
        if op == "load":
            reply = session.load(*request[1:])
        elif op == "devices":
            reply = session.devices()
        elif op == "prepare":
            reply = session.prepare(*request[1:])
        elif op == "call_each":
            reply = session.call_each(*request[1:])
        elif op == "committed":
            reply = session.send_committed()
        elif op == "calls":  # several calls in one request, each answered as it ends, as if asked one by one
            _, name, calls = request
            for args, kwargs in calls[:-1]:
                reply = session.call(name, args, kwargs)
                _flush_output()
                _write_frame(replies, codec.pack_reply(reply))
            reply = session.call(name, *calls[-1])
        else:
            reply = session.call(*request[1:])
        _flush_output()
        _write_frame(replies, codec.pack_reply(reply))


if __name__ == "__main__":
    main()
