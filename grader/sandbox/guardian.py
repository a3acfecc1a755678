"""The guardian: the first process of every worker, which forks the learner's process and outlives it.

It is trusted (no learner code ever runs in it) and sits between the grader and the learner's process:
- it is a child subreaper (Linux), so every process the learner's code starts, even one that double-forks
  into a new session, stays in its tree; when the learner's process ends or the grader asks (SIGTERM), it
  kills that whole tree, so nothing is left behind;
- it watches the memory of the whole tree and ends it at the limit (a per-process limit alone lets many
  children add up);
- it exits the way the learner's process did (the same exit code or signal), so the grader can say how.

Outside Linux there is no subreaper: a process that starts its own session can outlive the worker there.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys

MEMORY_EXIT = 86  # the guardian's exit code when it ended the tree for using too much memory
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_TICK_SECONDS = 0.2


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def split(memory_bytes: int, close_in_guardian: tuple[int, ...]) -> list[str]:
    """Fork. The guardian never returns from here; the learner's process returns what is not guaranteed."""
    missing = []
    if not _prctl(_PR_SET_CHILD_SUBREAPER, 1):
        missing.append("processes: one that starts its own session may outlive grading (needs Linux)")
    # The grader gone (strictly: the grader's thread that started us): clean up and go.
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    guardian = os.getpid()
    stopping: list[int] = []  # a flag, not an exception: library code (psutil) must not be able to swallow it
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)  # a SIGTERM wakes the guardian's select at once
    child = os.fork()
    if child == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in (wake_read, wake_write):
            os.close(fd)
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != guardian:  # the guardian died before the line above
            os._exit(1)
        return missing
    for fd in close_in_guardian:
        os.close(fd)
    _guard(child, memory_bytes, stopping, wake_read)
    raise AssertionError("unreachable")  # pragma: no cover


def _guard(child: int, memory_bytes: int, stopping: list[int], wake: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = None
    try:
        waiter = os.pidfd_open(child) if hasattr(os, "pidfd_open") else None
    except OSError:
        waiter = None
    watched = [wake] if waiter is None else [wake, waiter]
    tick = _TICK_SECONDS if waiter is not None else _TICK_SECONDS / 4
    alone = False  # no process left in the tree but this one
    while status is None and not stopping:
        select.select(watched, [], [], tick)
        status, alone = _reap(child)
        if status is None and not stopping and _tree_memory() > memory_bytes:
            _end_tree()
            os._exit(MEMORY_EXIT)
    if not alone:  # as a rule the learner's process ended alone: no need to look through every process
        _end_tree()
    if status is None:
        os._exit(0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _reap(child: int) -> tuple[int | None, bool]:
    """Reap every ended process in the tree (orphans come to us): the learner's process's status once it ends,
    and whether no child is left. A process of the tree whose parent ended is already ours when its parent is
    reaped (it is re-parented as its parent exits), so no child left means no process left in the tree."""
    status = None
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status, True
        if pid == 0:
            return status, False
        if pid == child:
            status = code


def _tree_memory() -> int:
    """The memory of every process in the tree. psutil is imported here, at the first tick, not as the guardian
    starts: a check shorter than a tick never imports it, and one longer pays its 10-15 ms of CPU while the
    learner's process runs its calls, not while it confines itself and loads the file."""
    import psutil

    total = 0
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def _end_tree() -> None:
    """Kill every descendant, again and again until none is left (a dying parent's children come to us)."""
    import psutil

    me = psutil.Process()
    for _ in range(100):
        try:
            descendants = me.children(recursive=True)
        except psutil.Error:
            return
        if not descendants:
            return
        for process in descendants:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(descendants, timeout=0.05)
        _reap(-1)
