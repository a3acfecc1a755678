"""The grader's side of the process boundary: a long-lived worker process that runs the learner's code.

One worker serves a whole exercise (about a millisecond per call, where a fresh process would cost a quarter
of a second). A call that hangs past its time limit, or a worker that dies, is reported as a `Reply` and the
worker is killed with its whole process group; the next task starts a fresh one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from grader import codec
from grader.spec import Call

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
OUTPUT_TAIL_BYTES = 2000


@dataclass(frozen=True)
class Reply:
    """What came back from one request. `kind` is one of: loaded, load_failed, ok, raised, not_implemented,
    missing, timeout, crashed."""

    kind: str
    value: Any = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    message: str = ""
    forbidden: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def _crash_message(returncode: int | None) -> str:
    if returncode is None:
        return "your code stopped answering and its process was ended"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown"
        return f"your code crashed the Python interpreter (signal {-returncode}, {name})"
    return f"your code ended its own process (exit code {returncode}), e.g. with os._exit()"


class Worker:
    """A worker process holding one loaded submission. Use as a context manager."""

    def __init__(self, path: Path, banned: tuple[str, ...]):
        self.path = Path(path).resolve()
        self.banned = tuple(banned)
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None
        self._output = None
        self._last_output = ""
        self._call_mark = 0

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float) -> Reply:
        """Start a fresh process and load the submission in it."""
        self.close()
        self._folder = tempfile.mkdtemp(prefix="grade-worker-")
        self._output = open(os.path.join(self._folder, "output.txt"), "w+b")  # noqa: SIM115 - lives with the worker
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", str(request_read), str(reply_write), _PACKAGE_ROOT],
            pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            cwd=self._folder,
            env=env,
            start_new_session=True,
        )
        os.close(request_read)
        os.close(reply_write)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        return self._ask(("load", str(self.path), self.banned), timeout)

    def call(self, name: str, call: Call, timeout: float) -> Reply:
        self._call_mark = self.output_mark()
        return self._ask(("call", name, call.args, call.kwargs), timeout)

    def _ask(self, request: tuple, timeout: float) -> Reply:
        try:
            self._requests.send_bytes(codec.dumps(request))
            ready = self._replies.poll(max(timeout, 0.0))
        except (BrokenPipeError, OSError):
            return self._died()
        if not ready:
            self.close()
            return Reply("timeout")
        try:
            raw = self._replies.recv_bytes(codec.MAX_MESSAGE_BYTES)
            reply = codec.loads_untrusted(raw)
        except (EOFError, OSError):
            return self._died()
        except Exception as exc:  # an oversized or malformed reply is the learner's doing
            self.close()
            return Reply("crashed", message=f"your code sent back something unreadable ({type(exc).__name__})")
        return self._parse(reply)

    def _died(self) -> Reply:
        process = self._process
        try:
            returncode = process.wait(timeout=2) if process else None
        except subprocess.TimeoutExpired:
            returncode = None
        self.close()
        return Reply("crashed", message=_crash_message(returncode))

    @staticmethod
    def _parse(reply: tuple) -> Reply:
        kind, *rest = reply
        forbidden = tuple(rest[-1])
        if kind == "loaded":
            return Reply(kind, names=tuple(rest[0]), forbidden=forbidden)
        if kind == "load_failed":
            return Reply(kind, message=rest[1], forbidden=forbidden)
        if kind == "ok":
            value, args, kwargs = (codec.decode(t) for t in rest[:3])
            return Reply(kind, value=value, args=args, kwargs=dict(kwargs), forbidden=forbidden)
        if kind == "raised":
            return Reply(kind, message=rest[1], forbidden=forbidden)
        if kind == "not_implemented":
            return Reply(kind, message=rest[0], forbidden=forbidden)
        return Reply(kind, forbidden=forbidden)

    def output_mark(self) -> int:
        """A position in the learner's output, for `output_tail(since=...)`."""
        return 0 if self._output is None else self._output.seek(0, os.SEEK_END)

    def output_tail(self, since: int = 0) -> str:
        """The end of what the learner's code printed (stdout and stderr) after `since`; kept after it ended."""
        if self._output is None:
            return self._last_output
        size = self._output.seek(0, os.SEEK_END)
        start = max(size - OUTPUT_TAIL_BYTES, since)
        self._output.seek(start)
        text = self._output.read().decode("utf-8", "replace")
        return ("...\n" if start > since else "") + text

    def last_call_output(self) -> str:
        """What the learner's code printed during the latest call (kept after the worker ended)."""
        return self.output_tail(self._call_mark)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                try:
                    self._requests.send_bytes(codec.dumps(("exit",)))
                    process.wait(timeout=0.5)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the worker and anything it started
            process.wait()
            for connection in (self._requests, self._replies):
                connection.close()
        if self._output is not None:
            self._last_output = self.last_call_output()
            self._output.close()
            self._output = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
