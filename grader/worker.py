"""The learner's side of the process boundary: `python -m grader.worker FD_IN FD_OUT`.

It loads one submission file under a private module name and answers calls from the grader over a pipe.
Requests are pickles from the grader (trusted); replies are builtins-only trees (see `codec`). It never sees
a reference solution or an expected output. It imports nothing heavy so that it starts fast.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import traceback
from multiprocessing.connection import Connection

from grader import codec

_PRIVATE_MODULE = "_learner_submission"
_forbidden_attempts: list[str] = []


class _BannedImports(importlib.abc.MetaPathFinder):
    """Refuses imports of banned top-level packages, however they are spelled, and remembers each attempt."""

    def __init__(self, banned):
        self.banned = frozenset(banned)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.banned:
            if top not in _forbidden_attempts:
                _forbidden_attempts.append(top)
            raise ImportError(f"importing {top!r} is not allowed in this exercise")
        return None


def _learner_traceback(exc: BaseException, path: str) -> str:
    """The exception and the frames of the learner's own file (never the worker's)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    lines = [f"  line {f.lineno}, in {f.name}: {f.line}" for f in frames[-5:]]
    head = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return "\n".join([head, *lines])


class _Session:
    def __init__(self):
        self.module = None
        self.path = ""

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
            spec.loader.exec_module(module)
        except BaseException as exc:  # SyntaxError, SystemExit, KeyboardInterrupt: all are the learner's
            return ("load_failed", type(exc).__name__, _learner_traceback(exc, path), self._drain())
        self.module = module
        names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
        return ("loaded", names, self._drain())

    def call(self, name: str, args: tuple, kwargs: dict) -> tuple:
        function = getattr(self.module, name, None)
        if not callable(function):
            return ("missing", self._drain())
        try:
            result = function(*args, **kwargs)
        except NotImplementedError as exc:
            return ("not_implemented", _learner_traceback(exc, self.path), self._drain())
        except BaseException as exc:  # their SystemExit or KeyboardInterrupt is an error in their code too
            return ("raised", type(exc).__name__, _learner_traceback(exc, self.path), self._drain())
        return ("ok", codec.encode(result), codec.encode(args), codec.encode(kwargs), self._drain())

    @staticmethod
    def _drain() -> list[str]:
        attempts = list(_forbidden_attempts)
        _forbidden_attempts.clear()
        return attempts


def main(argv=None) -> None:
    argv = sys.argv if argv is None else argv
    requests = Connection(int(argv[1]), writable=False)
    replies = Connection(int(argv[2]), readable=False)
    # The grader's own folder was on the path only to import this module; learner code does not need it.
    hidden = set(argv[3:4]) | {""}
    sys.path[:] = [p for p in sys.path if p not in hidden]
    session = _Session()
    while True:
        try:
            request = codec.loads_trusted(requests.recv_bytes())
        except EOFError:
            return
        op = request[0]
        if op == "exit":
            return
        reply = session.load(*request[1:]) if op == "load" else session.call(*request[1:])
        replies.send_bytes(codec.dumps(reply))


if __name__ == "__main__":
    main()
