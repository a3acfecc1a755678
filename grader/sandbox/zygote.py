"""The zygote: one confined process that has imported numpy and the learner's side, and forks each learner's
process on request, so that a worker starts in milliseconds instead of a fresh interpreter's quarter second.

`python -m grader.sandbox.zygote CONFIG_JSON`. It never runs learner code itself and never reads a submission:
it imports what every learner's process imports, confines itself to what all of them share
(`confinement.apply_common`: no core files, the file size limit, a Landlock layer that hides the references and
allows writing only in the temporary folder, no TCP, no signals out of its tree, no capabilities, and the
seccomp filter), then waits for requests on a Unix socket it shares with the grader. A request carries the
worker's configuration, its environment and working folder as JSON, and three descriptors (SCM_RIGHTS): the
learner's request and reply pipes and its output pipe, plus a socket of its own for the zygote's news of it.

The forked child keeps none of the zygote's descriptors (only its three pipes and /dev/null on stdin), starts a
new session, takes the worker's folder and environment, a fresh numpy random state (Python's `random` reseeds
itself after a fork), and then does exactly what a fresh interpreter does (`learner.serve`): the guardian
splits off and the learner's process applies its own confinement on top of the zygote's. Every learner's
process is forked from the zygote as it was before the first: no earlier child's modules, globals, files or
environment reach it.

The zygote sends each child's pid and a pidfd (for signals that cannot reach a recycled pid) on the child's
socket, reaps the child when it ends and sends its exit status there. It exits when the grader closes the
control socket (or dies); its children's guardians then end their trees (PR_SET_PDEATHSIG). On the grader's
side, `Zygote` starts it on first use and `Forked` stands for one child where a `subprocess.Popen` would;
a zygote that cannot answer is closed and the worker starts a fresh interpreter instead (`ZygoteGone`).
TensorFlow is not imported here (docs/threat-model.md says why): exercise 6's learner imports it, as before.
"""

from __future__ import annotations

import array
import contextlib
import gc
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict

from grader.sandbox.confinement import Common
from grader.sandbox.process import wanted  # with `available`: there, a one-shot run reads them before any import

_MESSAGE_BYTES = 1 << 20  # a request: the worker's configuration (its hidden folders make most of it)
_SPAWN_SECONDS = 20.0  # for the first child's pid, the zygote's own start included; else a fresh interpreter
_FDS = 4  # requests, replies, output, the child's news socket


class ZygoteGone(Exception):
    """The zygote did not fork the child: the caller starts a fresh interpreter instead."""


# The grader's side ----------------------------------------------------------------------------------------


class Forked:
    """A learner's process forked by the zygote, as a worker sees it (what it uses of `subprocess.Popen`)."""

    def __init__(self, pid: int, pidfd: int, news: socket.socket):
        self.pid = pid
        self.returncode: int | None = None
        self.lost = False  # the zygote went away before it could say how this process ended
        self._pidfd = pidfd
        self._news: socket.socket | None = news

    def _hear(self, timeout: float | None) -> bool:
        """Wait up to `timeout` seconds (None: no limit) for the exit status; True once it is known."""
        if self._news is None:
            return True
        ready, _, _ = select.select([self._news], [], [], timeout)
        if not ready:
            return False
        try:
            data = self._news.recv(64)
        except OSError:
            data = b""
        if data:
            self.returncode = int(json.loads(data)["status"])
        else:  # the zygote died first: its death ended this process too (PR_SET_PDEATHSIG of its guardian)
            self.lost = True
            self.returncode = -signal.SIGKILL
            with contextlib.suppress(OSError):
                select.select([self._pidfd], [], [], 3)
        self._forget()
        return True

    def _forget(self) -> None:
        news, self._news = self._news, None
        if news is not None:
            news.close()
        if self._pidfd >= 0:
            os.close(self._pidfd)
            self._pidfd = -1

    def poll(self) -> int | None:
        if self.returncode is None:
            self._hear(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not self._hear(timeout):
            raise subprocess.TimeoutExpired(f"forked learner {self.pid}", timeout)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self._pidfd >= 0:  # never a recycled pid: the zygote has not reaped it while the pidfd is open here
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self):
        with contextlib.suppress(Exception):
            self._forget()


class _Elsewhere:
    """A zygote started by the process this one was forked from: alive until its pidfd reads as ended."""

    def __init__(self, pidfd: int):
        self.pidfd = pidfd

    def alive(self) -> bool:
        if self.pidfd < 0:
            return False
        ready, _, _ = select.select([self.pidfd], [], [], 0)
        return not ready

    def close(self) -> None:
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


class Zygote:
    """The grader's handle on one zygote process: started on the first `spawn`, started again after it died;
    `close` ends it. A learner's process of another shared confinement (another exercise's banned packages:
    exercise 6 may read TensorFlow, exercises 1-5 may not) is forked by a zygote of its own, kept beside this
    one (at most `_OTHERS` of them), so that a class graded on every exercise never restarts one."""

    _OTHERS = 3

    def __init__(self):
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._common: Common | None = None
        self._environment: dict[str, str] | None = None
        self._folder: str | None = None
        self._elsewhere: _Elsewhere | None = None  # inherited by a forked marker (`inherit`)
        self._pidfd = -1  # opened for the processes that share it (`descriptors`)
        self._others: dict[Common, Zygote] = {}  # for other shared confinements, oldest first
        self.started = 0  # zygote processes started (a restart after one died counts)
        self.forked = 0  # learner processes it forked (those its others forked too)

    @property
    def alive(self) -> bool:
        if self._elsewhere is not None:
            return self._elsewhere.alive()
        return self._process is not None and self._process.poll() is None

    # Shared by forked markers: the batch starts one zygote (`launch`, configured by `prestart`), forks its
    # markers with it (`descriptors` kept open in each), and lets go of it (`hand_over`); each marker then
    # forks its workers from it (`inherit`). It serves their requests one at a time, each on its own socket.

    def descriptors(self) -> tuple[int, ...]:
        """What a forked process needs open to use this zygote (`inherit`): its control socket and a pidfd."""
        with self._lock:
            if not self.alive or self._control is None:
                return ()
            if self._pidfd < 0:
                self._pidfd = os.pidfd_open(self._process.pid)
            return (self._control.fileno(), self._pidfd)

    def inherit(self) -> None:
        """In a process forked with `descriptors` open: use the zygote as it is, its liveness by its pidfd (it is
        not this process's child), and never end it, only let go of it."""
        if self._process is not None and self._pidfd >= 0:
            self._elsewhere = _Elsewhere(self._pidfd)
            self._pidfd = -1
            return
        if self._control is not None:  # forked without it (it had ended): its number is no longer its own
            self._control.detach()
        self._control = self._process = self._common = self._folder = None

    def hand_over(self) -> None:
        """In the process that started it, once the processes that share it are forked: let go of it (it ends
        when the last of them does); `close` then reaps it."""
        with self._lock:
            control, self._control = self._control, None
            if control is not None:
                control.close()
            if self._pidfd >= 0:
                os.close(self._pidfd)
                self._pidfd = -1

    def _start(self, common: Common | None, environment: dict[str, str]) -> None:
        self._stop()
        self._folder = tempfile.mkdtemp(prefix="grade-zygote-")
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for end in (mine, theirs):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _MESSAGE_BYTES + 4096)
        config = {"control": theirs.fileno(), "common": None if common is None else asdict(common)}
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote", json.dumps(config)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=self._folder,
                env={**environment, "HOME": self._folder, "TMPDIR": self._folder},
                start_new_session=True,  # the terminal's Ctrl-C reaches the grader, which ends workers itself
            )
        finally:
            theirs.close()
        self._control, self._common, self._environment = mine, common, environment
        self.started += 1

    def launch(self, environment: dict[str, str]) -> None:
        """Start the zygote before its shared confinement is known (`grade batch`, first thing): it imports, and
        then waits for the confinement, which its first use sends (`prestart` or `spawn`); nothing is forked
        before it has applied it."""
        with self._lock:
            if self._process is None:
                self._start(None, environment)

    def _configure(self, common: Common, environment: dict[str, str]) -> None:
        """A launched zygote's shared confinement, as its first message (the lock held). Launched with another
        environment, it is started again: its interpreter's (PYTHONHASHSEED, the path) is every child's."""
        if environment != self._environment:
            self._start(common, environment)
            return
        try:
            self._control.send(json.dumps(asdict(common)).encode())
        except OSError:
            self._start(common, environment)
            return
        self._common = common

    def spawn(
        self, common: Common, environment: dict[str, str], folder: str, config: dict, fds: tuple[int, int, int]
    ) -> Forked:
        """Fork a learner's process that runs `learner.serve(config)` with `fds` (requests, replies, output;
        the numbers in `config` are replaced by the child's). Raises ZygoteGone when the zygote cannot."""
        other = self._other(common)
        if other is not None:
            forked = other.spawn(common, environment, folder, config, fds)
            self.forked += 1
            return forked
        with self._lock:
            try:
                if not self.alive:
                    self._start(common, environment)
                elif self._common is None:
                    self._configure(common, environment)
                news, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            except OSError as exc:  # out of descriptors or processes: a fresh interpreter may still start
                self._stop()
                raise ZygoteGone(str(exc)) from exc
            request = json.dumps({"config": config, "environment": environment, "folder": folder}).encode()
            try:
                self._control.sendmsg(
                    [request], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [*fds, theirs.fileno()]))]
                )
            except OSError as exc:
                news.close()
                self._stop()
                raise ZygoteGone(str(exc)) from exc
            finally:
                theirs.close()
            try:
                forked = self._forked(news)
            except ZygoteGone:
                news.close()
                self._stop()
                raise
            self.forked += 1
            return forked

    def prestart(self, common: Common, environment: dict[str, str]) -> None:
        """Start the zygote for `common` now (this one, or the one beside it), unless one runs: the first `spawn`
        for `common` then finds it importing, or ready."""
        with self._lock:
            if self._process is None:
                self._start(common, environment)
                return
            if self._common is None:
                self._configure(common, environment)
                return
        other = self._other(common)
        if other is not None:
            other.prestart(common, environment)

    def _other(self, common: Common) -> Zygote | None:
        """The zygote beside this one for `common` (started on first use), or None: this one forks for it."""
        with self._lock:
            if self._common is None or common == self._common:
                return None
            other = self._others.pop(common, None) or Zygote()
            self._others[common] = other  # the most recently used last
            retired = [self._others.pop(key) for key in list(self._others)[: -self._OTHERS]]
        for old in retired:
            old.close()
        return other

    @staticmethod
    def _forked(news: socket.socket) -> Forked:
        ready, _, _ = select.select([news], [], [], _SPAWN_SECONDS)
        if not ready:
            raise ZygoteGone("the zygote did not fork in time")
        try:
            data, ancillary, _flags, _address = news.recvmsg(256, socket.CMSG_SPACE(array.array("i").itemsize))
        except OSError as exc:
            raise ZygoteGone(str(exc)) from exc
        received = _descriptors(ancillary)
        if not data or len(received) != 1:
            for fd in received:
                os.close(fd)
            raise ZygoteGone("the zygote ended")
        return Forked(int(json.loads(data)["pid"]), received[0], news)

    def _stop(self) -> None:
        control, self._control = self._control, None
        process, self._process = self._process, None
        if control is not None:
            control.close()  # the zygote's cue to exit (once every process sharing it has closed it)
        if self._elsewhere is not None:  # another process's child: it ends when its last user lets it go
            self._elsewhere.close()
            self._elsewhere = process = None
            self._folder = None
        if process is not None:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._folder is not None:
            with contextlib.suppress(OSError):
                os.rmdir(self._folder)
            self._folder = None
        self._common = None

    def close(self) -> None:
        with self._lock:
            self._stop()
            others, self._others = list(self._others.values()), {}
        for other in others:
            other.close()


_kept: list[Zygote] = []  # the zygote that workers started now use, innermost `kept` last
_kept_lock = threading.Lock()


def current() -> Zygote | None:
    """The zygote a worker started now forks from, if one is kept and wanted; None: a fresh interpreter."""
    with _kept_lock:
        kept = _kept[-1] if _kept else None
    if kept is not None:
        return kept if wanted(default=True) else None
    if wanted(default=False):  # GRADE_ZYGOTE=on: one for the whole process, even for one-shot grading
        return keep_for_process()
    return None


@contextlib.contextmanager
def kept(given: Zygote | None = None):
    """Workers started inside fork from one zygote (`given`, else one started on first use), ended on leaving
    (inside another `kept`, that one's)."""
    with _kept_lock:
        outer = _kept[-1] if _kept else None
        zygote = outer or given or Zygote()
        _kept.append(zygote)
    try:
        yield zygote
    finally:
        with _kept_lock:
            _kept.pop()
        if outer is None and zygote not in _kept:
            zygote.close()


_process_zygote: list[Zygote] = []


def keep_for_process() -> Zygote:
    """One zygote kept until this process exits (a notebook's kernel between checks)."""
    with _kept_lock:
        if not _process_zygote:
            import atexit

            zygote = Zygote()
            _process_zygote.append(zygote)
            _kept.insert(0, zygote)
            atexit.register(zygote.close)
        return _process_zygote[0]


def _descriptors(ancillary) -> list[int]:
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return list(fds)


# The zygote's side ----------------------------------------------------------------------------------------


def _prepare() -> None:
    """Import once what every learner's process imports before it loads a submission."""
    import numpy.random  # noqa: F401  (its global state is reseeded in each child)
    import psutil  # noqa: F401  (the guardian's)

    from grader.sandbox import confinement, learner, syscalls  # noqa: F401

    with contextlib.suppress(ImportError, OSError):
        syscalls.binding()
    with contextlib.suppress(ImportError):
        import landlockpy  # noqa: F401


def close_all_but(keep) -> None:
    """Close every descriptor of this process above stdin, stdout and stderr but those in `keep`."""
    start = 3
    for fd in sorted({fd for fd in keep if fd >= 3}):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)


def _become_learner(request: dict, fds: list[int], devnull: int) -> None:
    """In the forked child: nothing of the zygote's but the interpreter, then what a fresh worker does."""
    requests, replies, output, _news = fds
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    close_all_but((requests, replies))  # the control socket, other children's sockets and pidfds go
    os.setsid()
    os.chdir(request["folder"])
    # `python -m` put the zygote's working folder first on the path; a fresh worker has its own folder there.
    sys.path[:] = [request["folder"] if p == _STARTED_IN else p for p in sys.path]
    os.environ.clear()
    os.environ.update(request["environment"])
    import numpy as np

    np.random.seed()  # numpy's global state from the system's entropy, as a fresh interpreter's would be
    from grader.sandbox import learner

    config = dict(request["config"], requests=requests, replies=replies)
    sys.argv[:] = [learner.__file__, json.dumps(config)]  # as `python -m grader.sandbox.learner CONFIG` has it
    learner.serve(config)


def _receive(control: socket.socket) -> tuple[dict, list[int]] | None:
    """One request, or None when the grader closed the socket."""
    data, ancillary, _flags, _address = control.recvmsg(
        _MESSAGE_BYTES, socket.CMSG_SPACE(_FDS * array.array("i").itemsize)
    )
    fds = _descriptors(ancillary)
    if not data:
        for fd in fds:
            os.close(fd)
        return None
    if len(fds) != _FDS:
        for fd in fds:
            os.close(fd)
        return {}, []
    return json.loads(data), fds


def _serve(control: socket.socket, devnull: int) -> None:
    from grader.sandbox import confinement

    children: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, the child's news socket)
    while True:
        ready, _, _ = select.select([control, *children], [], [])
        for pidfd in [fd for fd in ready if fd in children]:
            pid, news = children.pop(pidfd)
            try:
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                code = -signal.SIGKILL
            with contextlib.suppress(OSError):
                news.send(json.dumps({"status": code}).encode())
            news.close()
            os.close(pidfd)
        if control not in ready:
            continue
        try:
            received = _receive(control)
        except OSError:
            received = None
        if received is None:
            return
        request, fds = received
        if not fds:
            continue
        news = socket.socket(fileno=fds[3])
        with contextlib.suppress(Exception):  # a plan not made here is made by the child, as a fresh one would
            confinement.prepare(confinement.Confinement(**request["config"]["confinement"]))
        pid = os.fork()
        if pid == 0:
            try:
                _become_learner(request, fds, devnull)
            finally:
                os._exit(70)
        for fd in fds[:3]:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        try:
            news.sendmsg(
                [json.dumps({"pid": pid}).encode()],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [pidfd]))],
            )
        except OSError:  # the grader gave up on this child: end it
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        children[pidfd] = (pid, news)


_STARTED_IN = os.getcwd()


def _first_common(control: socket.socket) -> dict | None:
    """A launched zygote's shared confinement: the first message (`Zygote._configure`)."""
    try:
        data = control.recv(_MESSAGE_BYTES)
        return json.loads(data) if data else None
    except (OSError, ValueError):
        return None


def main(argv=None) -> None:
    argv = sys.argv if argv is None else argv
    config = json.loads(argv[1])
    control = socket.socket(fileno=config["control"])
    _prepare()
    devnull = os.open(os.devnull, os.O_RDWR)  # opened before Landlock: a learner's stdin, as a fresh one's
    from grader.sandbox import confinement, syscalls

    plain = config["common"] if config["common"] is not None else _first_common(control)
    if plain is None:  # the grader ended (or sent nothing usable) before it said how to confine
        with contextlib.suppress(OSError):
            os.rmdir(_STARTED_IN)
        os._exit(0)
    common = confinement.Common.from_plain(plain)
    confinement.apply_common(common)
    syscalls.restrict()
    # Every object so far is the children's too, shared until written: a collection in a child that visited
    # them would copy most of the zygote's memory (20 ms of a child's start), so collections leave them be.
    gc.freeze()
    try:
        _serve(control, devnull)
    finally:
        with contextlib.suppress(OSError):  # its empty folder, also when the grader died without closing it
            os.rmdir(_STARTED_IN)
        os._exit(0)  # the guardians of any children still running end their trees (PR_SET_PDEATHSIG)


if __name__ == "__main__":
    main()
