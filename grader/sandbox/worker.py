"""The grader's side of the process boundary: a long-lived worker process that runs the learner's code.

One worker serves a whole exercise (about a millisecond per call, where a fresh process would cost a quarter
of a second). A worker is a fresh interpreter or, where a `zygote` is kept (a marker's class, `grade watch`, a
notebook's checks), forked from it in a few hundredths of a second, confined the same. The worker is confined
(`confinement`) and guarded (`guardian`); this side never blocks on it: every read and write has a deadline,
what it prints is read as it comes and only a bounded tail is kept, and what it sends back is parsed as plain
data (`codec`), within bounds: a reply too large is refused before it is read, and every text of the
learner's is cut to a bounded length, saying so (`cut`). A call that hangs past its limit, or a worker that
dies, is reported as a `Reply`; the worker's whole tree is then ended and the next task starts a fresh one.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from grader import references
from grader.i18n import _
from grader.sandbox import codec, early, home, zygote
from grader.sandbox.confinement import Common, Confinement
from grader.sandbox.guardian import MEMORY_EXIT
from grader.sandbox.process import PACKAGE_ROOT as _PACKAGE_ROOT  # noqa: F401  (where it was first)
from grader.sandbox.process import environment as _environment
from grader.sandbox.process import launch as _launch
from grader.sandbox.process import learner_package_root as _learner_package_root
from grader.sandbox.process import widen as _widen
from grader.spec import Call

OUTPUT_TAIL_BYTES = 2000  # what a report shows of the learner's output
_OUTPUT_KEPT_BYTES = 64 * 1024  # what is kept of it at all, however much it prints
DEFAULT_MEMORY_MB = 2048
FILE_LIMIT_BYTES = 64 * 1024 * 1024
_CELL_ERRORS_KEPT = 20
# Parts of a reply smaller than this are read with whatever follows them in the pipe, kept in the inbox: most
# replies are a few hundred bytes, and a window of them then takes one read instead of three each.
_READ_AHEAD = 1 << 16
_INBOX_BYTES = codec.MAX_MESSAGE_BYTES  # replies read early, at most (a window of calls' replies: a few KB)


@dataclass(frozen=True)
class _Pending:
    """A request on its way: the deadline of its reply, or the reply already settled (a dead or stuck worker)."""

    deadline: float
    settled: Reply | None


@dataclass(frozen=True)
class Reply:
    """What came back from one request. `kind` is one of: loaded, load_failed, ok, raised, not_implemented,
    missing, memory, timeout, crashed."""

    kind: str
    value: Any = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    message: str = ""
    forbidden: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    unprotected: tuple[str, ...] = ()  # what this platform's sandbox could not enforce
    cell: str = ""  # a timeout while loading a notebook: the cell that was running ("In [7]")
    cell_errors: tuple[tuple[str, str], ...] = ()  # loaded: a notebook's cells that raised, (cell, traceback)
    echoed: bool = True  # ok: `args` and `kwargs` are the arguments after the call; False: the call left them
    raw: bytes | bytearray | None = None  # ok, arguments unchanged: its bytes, for `answer(known=...)` next time
    known: bool = False  # ok: the reply's bytes were exactly `answer`'s `known` (so it was not read: no value)


_KNOWN = Reply("ok", echoed=False, known=True)


def cut_note(count: int) -> str:
    """What stands where the middle of a learner's text was cut."""
    return _(" … (cut: {count} characters) … ").format(count=f"{count:,}")


def cut(text: str, limit: int = codec.TEXT_CHARS) -> str:
    """A learner's text (or one holding it) bounded to `limit` characters, saying how much was cut."""
    return codec.cut(text, limit, cut_note)


def _too_large(error: codec.TooLarge) -> str:
    if error.part == "tree":
        said = _(
            "your code sent back something unreadable: a reply whose description takes {size} bytes, where "
            "the grader reads at most {limit}"
        )
    else:
        said = _(
            "your code sent back something unreadable: a reply of {size} bytes, where the grader reads at most {limit}"
        )
    return said.format(size=f"{error.size:,}", limit=f"{error.limit:,}")


def memory_message(limit_mb: int) -> str:
    return _("your code used more memory than the grader allows ({limit} MiB) and was stopped").format(limit=limit_mb)


def _crash_message(returncode: int | None, limit_mb: int) -> str:
    if returncode is None:
        return _("your code stopped answering and its process was ended")
    if returncode == MEMORY_EXIT:
        return memory_message(limit_mb)
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown"
        return _("your code crashed the Python interpreter (signal {number}, {name})").format(
            number=-returncode, name=name
        )
    return _("your code ended its own process (exit code {code}), e.g. with os._exit()").format(code=returncode)


@functools.cache
def hidden_folders() -> tuple[str, ...]:
    """Folders the learner's process must never read: the reference solutions, wherever they are installed."""
    return references.every_folder()


@functools.cache
def banned_folders(banned: tuple[str, ...]) -> tuple[str, ...]:
    """Every installed copy of the banned packages (folders and module files, on the path or in a site folder),
    which the learner's process must not read at all: the import hook in that process only gives the clear
    `forbidden` message, and learner code can remove it, but not read what Landlock hides."""
    places = {p for p in sys.path if p}
    with contextlib.suppress(AttributeError):  # site.getsitepackages is missing in some old virtualenvs
        places.update(site.getsitepackages())
    # Every other Python's packages that the learner's process can read: the base interpreter under a venv,
    # the system's (Debian's dist-packages, Fedora's lib64), /usr/local's.
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, "/usr", "/usr/local", "/"}
    for prefix in prefixes:
        for pattern in (
            "lib*/python3*/site-packages",
            "lib*/python3*/dist-packages",
            "lib/python3/dist-packages",
            "local/lib*/python3*/*-packages",
        ):
            places.update(str(p) for p in Path(prefix).glob(pattern))
    found = set()
    for place in places:
        try:
            entries = os.listdir(place)
        except OSError:
            continue
        for entry in entries:
            if entry.partition(".")[0] in banned and not entry.endswith((".dist-info", ".egg-info", ".pth")):
                found.add(os.path.join(place, entry))
    return tuple(sorted(found))


def hidden_from_learner(banned: tuple[str, ...]) -> tuple[str, ...]:
    """What a learner's process of an exercise banning `banned` must never read (with what only root may, which
    it finds itself: `confinement.root_secrets`)."""
    return hidden_folders() + banned_folders(banned)


def _common(banned: tuple[str, ...]) -> Common:
    """What every learner's process of an exercise banning `banned` shares (see `zygote`): as its own hidden."""
    return Common(tempfile.gettempdir(), hidden_from_learner(banned), FILE_LIMIT_BYTES)


# The requests of the sweep's batches, packed once per process: (task, ids of its calls) -> (the calls, the
# request's bytes). Every submission a process grades gets the same calls (the same objects, see `drawing`), in
# the same batches; holding the calls keeps their ids, the key, from being reused.
_PACKED: dict[tuple[str, tuple[int, ...]], tuple[tuple[Call, ...], bytes]] = {}
_PACKED_KEPT = 20_000


def _packed_calls(name: str, calls: list[Call]) -> bytes:
    """The request that asks for `calls` of the function `name`, packed (kept for the next submission)."""
    key = (name, tuple(map(id, calls)))
    found = _PACKED.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], calls, strict=True)):
        return found[1]
    packed = codec.pack_request(("calls", name, [(call.args, call.kwargs) for call in calls]))
    if len(_PACKED) >= _PACKED_KEPT:
        _PACKED.clear()
    _PACKED[key] = (tuple(calls), packed)
    return packed


def zygote_plans(banned_sets) -> list[dict]:
    """What starts a zygote for each of `banned_sets` (its shared confinement and environment) as plain data, for
    a process that starts them before it imports this module (`classroom.marker_process`)."""
    if not zygote.wanted(default=True):
        return []
    environment = _environment(tempfile.gettempdir(), False)
    return [{**asdict(_common(banned)), "environment": environment} for banned in dict.fromkeys(banned_sets)]


def warm_zygote(banned: tuple[str, ...]) -> None:
    """Start the kept zygote for exercises banning `banned` now, if one is kept and not started yet: its start (a
    Python importing numpy, its Landlock layer) then overlaps what the caller does before its first worker."""
    kept = zygote.current()
    if kept is not None:
        with contextlib.suppress(OSError):
            kept.prestart(_common(banned), _environment(tempfile.gettempdir(), False))


def _wait_for_exit(process: subprocess.Popen | zygote.Forked, timeout: float) -> None:
    """Wait up to `timeout` seconds for the process to end. A Popen waits by polling with sleeps that double
    (0.5 ms, 1, 2, 4, ...), which finds a process that took 3 ms to end at 7.5 ms: on Linux, a pidfd says
    when it ends (the process is not reaped yet, so its pid is still its own)."""
    if isinstance(process, subprocess.Popen) and hasattr(os, "pidfd_open") and process.returncode is None:
        try:
            pidfd = os.pidfd_open(process.pid)
        except OSError:  # reaped meanwhile, or pidfds refused: as a Popen waits
            pass
        else:
            try:
                select.select([pidfd], [], [], timeout)
            finally:
                os.close(pidfd)
            timeout = 0.0 if process.poll() is None else timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def _within(path: str, folder: str) -> bool:
    inner, outer = os.path.realpath(path), os.path.realpath(folder)
    return inner.startswith(outer.rstrip(os.sep) + os.sep)


def _remove_tree(folder: str) -> None:
    """Remove the scratch folder, also what the learner's code locked (mode 000) to leave litter behind."""
    for root, folders, _files in os.walk(folder):  # the learner's processes are gone by now: nothing can swap paths
        for name in folders:
            path = os.path.join(root, name)
            if not os.path.islink(path):  # a link may point outside: never change what it points to
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o700)
    shutil.rmtree(folder, ignore_errors=True)


class _OutputTap:
    """Reads what the learner's process prints as it comes, keeping a bounded tail and a running count."""

    def __init__(self, fd: int):
        self.fd: int | None = fd
        self.total = 0
        self.tail = bytearray()
        os.set_blocking(fd, False)

    def read_available(self) -> None:
        while self.fd is not None:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                os.close(self.fd)
                self.fd = None
                return
            self.total += len(chunk)
            self.tail += chunk
            del self.tail[:-_OUTPUT_KEPT_BYTES]

    def since(self, mark: int) -> str:
        new = self.total - mark
        shown = min(new, OUTPUT_TAIL_BYTES, len(self.tail))
        text = bytes(self.tail[len(self.tail) - shown :]).decode("utf-8", "replace") if shown else ""
        return ("...\n" if new > shown else "") + codec.printable(text)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Worker:
    """A worker process holding one loaded submission. Use as a context manager."""

    def __init__(
        self,
        path: Path,
        banned: tuple[str, ...],
        memory_mb: int = DEFAULT_MEMORY_MB,
        *,
        gpu: bool = False,
    ):
        self.path = Path(path).resolve()
        self.banned = tuple(banned)
        self.memory_mb = memory_mb
        self.gpu = gpu  # the worker may use the GPU (exercise 6 on --backend gpu or auto)
        self._process: subprocess.Popen | zygote.Forked | None = None
        self._folder: str | None = None
        self._tap: _OutputTap | None = None
        self._last_output = ""
        self._call_mark = 0
        self._requests = self._replies = -1
        self._inbox = bytearray()  # replies read early, while a request waited to be written
        self._replies_ended = False
        self._last_crash = ""
        self._cell = ""  # the notebook cell the worker said it started last, during the current request
        self._cell_errors: list[tuple[str, str]] = []
        self._batch: list[tuple[tuple, dict]] | None = None  # the calls of the request `ask_calls` is making

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float) -> Reply:
        """Start a fresh process (or take the one `early` started) and load the submission in it."""
        return self.answer(self.begin(timeout))

    def begin(self, timeout: float) -> _Pending:
        """`start` without waiting: the load is asked, and `answer` waits for its reply."""
        self.close()
        self._last_crash = ""
        self._inbox, self._replies_ended = bytearray(), False
        started = early.take(self.gpu) if zygote.current() is None else None
        if started is not None:
            return self._adopt(started, timeout)
        self._folder = tempfile.mkdtemp(prefix="grade-worker-")
        home.furnish(self._folder)
        request_read, self._requests = os.pipe()
        self._replies, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        for fd in (request_read, self._replies):
            _widen(fd)
        config = self._config(request_read, reply_write)
        try:
            self._process = self._forked(config, (request_read, reply_write, output_write)) or _launch(
                [json.dumps(config)], self._folder, self.gpu, (request_read, reply_write), output_write
            )
        finally:
            for fd in (request_read, reply_write, output_write):
                os.close(fd)
        self._listen(output_read)
        return self._send_request(("load", str(self.path), self.banned), timeout)

    def _config(self, requests: int, replies: int) -> dict:
        """What the learner's process is told before anything else: its pipes (their numbers there) and its
        confinement."""
        confinement = Confinement(
            scratch=self._folder,
            submission=str(self.path),
            hidden=hidden_from_learner(self.banned),
            memory_bytes=self.memory_mb * 1024 * 1024,
            file_bytes=FILE_LIMIT_BYTES,
            gpu=self.gpu,
        )
        return {
            "requests": requests,
            "replies": replies,
            "package_root": _learner_package_root(),
            "confinement": asdict(confinement),
        }

    def _listen(self, output: int) -> None:
        self._tap = _OutputTap(output)
        for fd in (self._requests, self._replies):
            os.set_blocking(fd, False)

    def _adopt(self, started: early.Started, timeout: float) -> _Pending:
        """Take the learner's process `early` started: it is sent its configuration as its first message (it
        confines itself on reading it, as one started now would from its command line), then the load."""
        self._process, self._folder = started.process, started.folder
        home.furnish(self._folder)  # before its configuration: it reads nothing of its home until then
        self._requests, self._replies = started.requests, started.replies
        self._listen(started.output)
        pending = self._send_request(self._config(*started.passed), timeout)
        if pending.settled is not None:
            return pending
        return self._send_request(("load", str(self.path), self.banned), pending.deadline - time.monotonic())

    def _forked(self, config: dict, fds: tuple[int, int, int]) -> zygote.Forked | None:
        """The learner's process forked by the kept zygote (see `zygote`), or None: a fresh interpreter then."""
        kept = zygote.current()
        if kept is None or not _within(self._folder, tempfile.gettempdir()):
            return None
        try:
            return kept.spawn(_common(self.banned), _environment(self._folder, self.gpu), self._folder, config, fds)
        except zygote.ZygoteGone:
            return None

    def call(self, name: str, call: Call, timeout: float, probe=None) -> Reply:
        """Call the learner's function; with a `probe` (exercise 6), the reply is the observation of what it
        returned (see `keras_observe`)."""
        return self.answer(self.ask_call(name, call, timeout, probe))

    def ask_call(self, name: str, call: Call, timeout: float, probe=None) -> _Pending | None:
        """Send a call and return at once, so the grader can work while the learner's code runs; `answer`
        waits for the reply within the same time limit. (Inside `ask_calls`, the call joins its request.)"""
        self._call_mark = self.output_mark()
        if self._batch is not None and probe is None:
            self._batch.append((call.args, call.kwargs))
            return None
        return self._send_request(("call", name, call.args, call.kwargs, probe), timeout)

    def ask_calls(self, name: str, calls: list[Call], timeout: float) -> list[_Pending]:
        """Send several calls in one request and return at once: the worker answers each as it ends, in order,
        as it answers calls sent one by one (`ask_call`), so each reply is read with `answer` (one round trip
        instead of one per call; a hang or a crash is the reply of the call it happened in)."""
        self._batch = []
        try:
            for call in calls:
                self.ask_call(name, call, timeout)
            batch = self._batch
        finally:
            self._batch = None
        if len(batch) == 1:
            return [self._send_request(("call", name, *batch[0], None), timeout)]
        return [self._send_request(("calls", name, batch), timeout, _packed_calls(name, calls))] * len(batch)

    def call_each(self, name: str, calls: list[Call], timeout: float, *, commit: bool = False) -> Reply:
        """Call the learner's function on each call in turn, in one request; the reply's value is the list of
        results (no arguments echoed) and the seconds each call took by the worker's clock. For timing: the
        request's round trip holds every call. With `commit`, the results are SHA-256 digests (hex) of the
        results, which stay in the worker until `committed` fetches them."""
        self._call_mark = self.output_mark()
        return self._ask(("call_each", name, [(c.args, c.kwargs) for c in calls], commit), timeout)

    def committed(self, timeout: float) -> Reply:
        """The results that `call_each(commit=True)` kept, as their packed bytes (uint8 arrays), oldest first:
        `codec.unpack_reply` reads each, once its SHA-256 is checked against the digest the call sent."""
        return self._ask(("committed",), timeout)

    def prepare(self, recipes: tuple, timeout: float) -> _Pending:
        """Ask the worker to build these models (`keras_observe.ModelRecipe`) now, for the calls that will be
        given them (see `keras_observe.prepare`); `answer` reads the reply, whose value is how many it holds."""
        return self._send_request(("prepare", recipes), timeout)

    def devices(self, timeout: float) -> Reply:
        """The device types the worker's TensorFlow has, e.g. ("cpu", "gpu"), as the reply's value."""
        return self._ask(("devices",), timeout)

    def _wait(self, fd: int, deadline: float, *, write: bool = False) -> bool:
        """Wait until `fd` is ready, reading the learner's output meanwhile; False at the deadline.

        While a request waits to be written, replies already sent are read into the inbox: with several
        requests on their way (`ask_call`), a worker blocked on a full reply pipe would otherwise wait for a
        grader blocked on a full request pipe.
        """
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            output = [self._tap.fd] if self._tap is not None and self._tap.fd is not None else []
            early = [self._replies] if write and self._replies >= 0 and not self._replies_ended else []
            if len(self._inbox) >= _INBOX_BYTES:  # a worker that floods its reply pipe: it waits, or times out
                early = []
            readable, writable, _ = select.select(
                output + early + ([] if write else [fd]), [fd] if write else [], [], remaining
            )
            if output and output[0] in readable:
                self._tap.read_available()
            if early and early[0] in readable:
                self._read_early_replies()
            if fd in readable or fd in writable:
                return True

    def _read_early_replies(self) -> None:
        try:
            chunk = os.read(self._replies, 1 << 20)
        except BlockingIOError:
            return
        if chunk:
            self._inbox += chunk
        else:
            self._replies_ended = True

    def _send(self, payload: bytes, deadline: float) -> bool:
        data = memoryview(codec.frame(payload))
        while data:
            if not self._wait(self._requests, deadline, write=True):
                return False
            try:
                data = data[os.write(self._requests, data) :]
            except BlockingIOError:
                continue
        return True

    def _receive(self, into: memoryview, deadline: float) -> bool:
        """Fill `into` from the replies (those read early first); False at the deadline."""
        early = min(len(into), len(self._inbox))
        into[:early] = self._inbox[:early]
        del self._inbox[:early]
        done = early
        while done < len(into):
            if self._replies_ended:
                raise EOFError
            if not self._wait(self._replies, deadline):
                return False
            left = len(into) - done
            try:
                if left < _READ_AHEAD:  # a small part: read what else is there too (the next replies, as a rule)
                    chunk = os.read(self._replies, _READ_AHEAD)
                    count = min(len(chunk), left)
                    into[done : done + count] = chunk[:count]
                    self._inbox += chunk[count:]
                else:
                    count = os.readv(self._replies, [into[done : done + (1 << 20)]])
            except BlockingIOError:
                continue
            if not count:
                raise EOFError
            done += count
        return True

    def _ask(self, request: tuple, timeout: float) -> Reply:
        return self.answer(self._send_request(request, timeout))

    def _send_request(self, request: tuple, timeout: float, packed: bytes | None = None) -> _Pending:
        if self._process is None:
            return _Pending(0.0, self._ended())
        deadline = time.monotonic() + max(timeout, 0.0)
        self._cell, self._cell_errors = "", []
        try:
            sent = self._send(packed or codec.pack_request(request), deadline)
        except OSError:
            return _Pending(deadline, self._died())
        return _Pending(deadline, None if sent else self._timed_out())

    def _timed_out(self) -> Reply:
        self.close()
        return Reply("timeout", cell=self._cell)

    def answer(self, pending: _Pending, known: bytes | None = None) -> Reply:
        """The reply to a request sent with `ask_call` (a timeout once its deadline passes). When its bytes are
        exactly `known` (an earlier reply's `raw` as it came down the pipe, `codec.frame`), it is not read: the
        reply says so (`known`) and has no value."""
        if pending.settled is not None:
            return pending.settled
        if self._process is None:  # sent before the worker ended
            return self._ended()
        if known is not None and self._take_known(known):
            return _KNOWN
        deadline = pending.deadline
        try:
            while True:
                payload = self._receive_frame(deadline)
                if payload is None:
                    return self._timed_out()
                if known is not None and payload == memoryview(known)[codec.FRAME_HEADER.size :]:
                    if self._tap is not None:
                        self._tap.read_available()
                    return _KNOWN
                reply = codec.unpack_reply(payload, note=cut_note)
                if not self._heard_cell(reply):
                    break
            if self._tap is not None:
                self._tap.read_available()  # printed before the reply was sent
            parsed = self._parse(reply, payload)
            return replace(parsed, cell_errors=tuple(self._cell_errors)) if parsed.kind == "loaded" else parsed
        except (EOFError, OSError):
            return self._died()
        except codec.TooLarge as exc:
            self.close()
            return Reply("crashed", message=_too_large(exc))
        except (codec.ProtocolError, TypeError, ValueError, IndexError) as exc:  # oversized or malformed
            self.close()
            return Reply("crashed", message=_("your code sent back something unreadable ({error})").format(error=exc))

    def _take_known(self, framed: bytes) -> bool:
        """Whether the next reply is already read ahead, whole, and is exactly `framed`: then it is taken, with
        one comparison and no copy; else nothing is taken (it is read as any reply, and compared then)."""
        if not self._inbox.startswith(framed):
            return False
        del self._inbox[: len(framed)]
        if self._tap is not None:
            self._tap.read_available()
        return True

    def _heard_cell(self, reply) -> bool:
        """A notebook's cell starting or raising (`("cell", label, traceback or None)`), heard while loading."""
        if not (type(reply) is tuple and len(reply) == 3 and reply[0] == "cell" and type(reply[1]) is str):
            return False
        self._cell = cut(codec.printable(reply[1]), 200)
        if type(reply[2]) is str and len(self._cell_errors) < _CELL_ERRORS_KEPT:
            self._cell_errors.append((self._cell, cut(codec.error_text(reply[2]))))
        return True

    def _receive_frame(self, deadline: float) -> bytearray | None:
        """One framed reply, or None at the deadline. Its size, and the size of its JSON part, are checked
        before the rest of it is read (`codec.TooLarge`): a huge reply is never held."""
        whole = self._whole_frame_read()
        if whole is not None:
            return whole
        header = bytearray(codec.FRAME_HEADER.size)
        if not self._receive(memoryview(header), deadline):
            return None
        (size,) = codec.FRAME_HEADER.unpack(header)
        codec.check_reply_size(size)
        start = bytearray(min(codec.TREE_START, size))
        if not self._receive(memoryview(start), deadline):
            return None
        codec.check_tree_size(bytes(start), size)
        payload = bytearray(size)
        payload[: len(start)] = start
        if not self._receive(memoryview(payload)[len(start) :], deadline):
            return None
        return payload

    def _whole_frame_read(self) -> bytearray | None:
        """The next reply when the inbox holds all of it already (as a rule, read ahead with the one before), its
        sizes checked as `_receive_frame` checks them; else None, and nothing taken."""
        inbox, header = self._inbox, codec.FRAME_HEADER.size
        if len(inbox) < header + codec.TREE_START:
            return None
        (size,) = codec.FRAME_HEADER.unpack_from(inbox)
        codec.check_reply_size(size)
        if size < codec.TREE_START or len(inbox) < header + size:
            return None
        codec.check_tree_size(bytes(inbox[header : header + codec.TREE_START]), size)
        payload = inbox[header : header + size]
        del inbox[: header + size]
        return payload

    def _ended(self) -> Reply:
        return Reply("crashed", message=self._last_crash or _("your code's process had already ended"))

    def _died(self) -> Reply:
        process = self._process
        try:
            returncode = process.wait(timeout=3) if process else None
        except subprocess.TimeoutExpired:
            returncode = None
        if getattr(process, "lost", False):  # its zygote died first and cannot say how it ended
            returncode = None
        self.close()
        self._last_crash = _crash_message(returncode, self.memory_mb)
        return Reply("crashed", message=self._last_crash)

    def _parse(self, reply, payload: bytearray) -> Reply:
        """A reply as the worker's protocol allows it (`payload`: its bytes); anything else is a ProtocolError."""
        if type(reply) is not tuple or not reply or type(reply[0]) is not str:
            raise codec.ProtocolError("not a reply")
        kind, *rest = reply
        forbidden = tuple(str(name) for name in rest[-1]) if rest and isinstance(rest[-1], list) else ()
        if kind == "loaded":
            return Reply(kind, names=tuple(rest[0]), forbidden=forbidden, unprotected=tuple(rest[1]))
        if kind == "ok":
            value, args, kwargs = rest[:3]
            if args is None and kwargs is None:  # the arguments were left as they came (see `learner.call`)
                return Reply(kind, value=value, forbidden=forbidden, echoed=False, raw=payload)
            return Reply(kind, value=value, args=tuple(args), kwargs=dict(kwargs), forbidden=forbidden)
        if kind in ("load_failed", "raised"):
            return Reply(kind, message=cut(codec.error_text(str(rest[1]))), forbidden=forbidden)
        if kind == "not_implemented":
            return Reply(kind, message=cut(codec.error_text(str(rest[0]))), forbidden=forbidden)
        if kind == "memory":
            text = cut(codec.error_text(str(rest[0])))
            return Reply(kind, message=f"{memory_message(self.memory_mb)}:\n{text}", forbidden=forbidden)
        if kind == "missing":
            return Reply(kind, forbidden=forbidden)
        if kind == "devices":
            return Reply(kind, value=tuple(str(d) for d in rest[0]), forbidden=forbidden)
        raise codec.ProtocolError(f"unknown reply {kind!r}")

    def output_mark(self) -> int:
        """A position in the learner's output, for `output_tail(since=...)`."""
        return 0 if self._tap is None else self._tap.total

    def output_tail(self, since: int = 0) -> str:
        """The end of what the learner's code printed (stdout and stderr) after `since`; kept after it ended."""
        return self._last_output if self._tap is None else self._tap.since(since)

    def last_call_output(self) -> str:
        """What the learner's code printed during the latest call (kept after the worker ended)."""
        return self.output_tail(self._call_mark)

    def ask_to_exit(self) -> None:
        """Ask the worker's process to exit now, without waiting for it (a TensorFlow process takes ~70 ms to
        tear down): `close` then finds it ended. For a worker with nothing left to do."""
        if self._process is not None and self._process.poll() is None:
            self._send_exit()

    def _send_exit(self) -> None:
        with contextlib.suppress(OSError):
            self._send(codec.pack_request(("exit",)), time.monotonic() + 0.2)

    def close(self, *, busy: bool = False) -> None:
        """End the worker's process and forget it; `busy`: it is still working on a request, so it is not asked
        to exit (it would read the request only when done) but ended at once."""
        process, self._process = self._process, None
        if process is not None:
            self._end(process, ask=not busy)
        for fd in (self._requests, self._replies):
            if fd >= 0:
                os.close(fd)
        self._requests = self._replies = -1
        if self._tap is not None:
            self._tap.read_available()
            self._last_output = self.last_call_output()
            self._tap.close()
            self._tap = None
        if self._folder is not None:
            _remove_tree(self._folder)
            self._folder = None

    def _end(self, process: subprocess.Popen | zygote.Forked, ask: bool = True) -> None:
        """Ask the worker to exit; else the guardian ends the whole tree; else everything in its group dies."""
        if ask and process.poll() is None:
            self._send_exit()
            _wait_for_exit(process, 0.5)
        if process.poll() is None:
            with contextlib.suppress(OSError):
                process.terminate()  # the guardian kills the learner's process and everything it started
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=3)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # in case the guardian itself was stopped
        process.wait()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
