"""The first steps of a marker process: the zygotes of the class's exercises are started before anything heavy
is imported, so that theirs and the marker's own imports overlap (the zygote, not the marker, is what the first
student waits for); then `marking._serve` takes jobs.

A marker starts in one of two ways. The batch forks its first markers from itself (`fork`, on Linux, while it
runs no other thread): it has imported the grader already, so a forked marker imports nothing and begins at
once, sharing those pages with the batch. A marker started later (one that replaces a failed marker, with the
batch's threads running) is a fresh `python -m grader.classroom.marker_process`. Either way it runs the same
`serve`; the grader is the instructor's code, so a marker forked from it holds nothing a marker should not.

The batch, which knows the exercises, computes each shared confinement (`worker.zygote_plans`) and hands them
over (forked: as they are; started fresh: in the environment, `ZYGOTES`); the marker forks every worker from
them, as it would from zygotes it started on its first job (started on first use otherwise, or not at all where
zygotes are off).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback

from grader.sandbox import zygote
from grader.sandbox.confinement import Common

ZYGOTES = "GRADE_MARKER_ZYGOTES"


def serve(plans: list[dict], shared: zygote.Zygote | None = None) -> None:
    """Start the zygotes of `plans` (but the batch's `shared` one), then mark the jobs that come on stdin until
    it ends."""
    with zygote.kept(shared) as kept:
        if zygote.current() is kept:
            for plan in plans:
                kept.prestart(Common.from_plain(plan), plan["environment"])
        from grader.classroom import marking

        marking._serve()


def main() -> None:
    try:
        plans = json.loads(os.environ.pop(ZYGOTES, "") or "[]")
    except ValueError:  # started by hand with something else there: the zygotes start on first use
        plans = []
    serve(plans)


class Forked:
    """A marker forked from the batch, as `marking.Marker` uses a `subprocess.Popen`: text pipes on its stdin
    and stdout, `poll`, `wait` and `kill`. The batch is its parent and reaps it, so its pid stays its own."""

    def __init__(self, pid: int, stdin, stdout):
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"marker {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def fork(plans: list[dict], log_fd: int, folder: str, shared: zygote.Zygote | None = None) -> Forked:
    """A marker forked from this process (which runs no other thread): jobs go to its stdin, reports come from
    its stdout, what it prints goes to `log_fd`; it works in `folder`, as a fresh one would, and forks its
    workers from `shared` (a zygote of this process's) where it is given."""
    keep = shared.descriptors() if shared is not None else ()
    jobs_read, jobs_write = os.pipe()
    reports_read, reports_write = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing of ours is printed twice
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            _become_marker(jobs_read, reports_write, log_fd, folder, keep)
            if shared is not None:
                shared.inherit()
            serve(plans, shared)
            status = 0
        except BaseException:
            with contextlib.suppress(Exception):
                traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os._exit(status)  # never back into the batch's code, nor its atexit handlers
    os.close(jobs_read)
    os.close(reports_write)
    stdin = open(jobs_write, "w", encoding="utf-8")  # noqa: SIM115 (closed by `Marker.close`)
    stdout = open(reports_read, encoding="utf-8")  # noqa: SIM115
    return Forked(pid, stdin, stdout)


def _become_marker(jobs: int, reports: int, log_fd: int, folder: str, keep: tuple[int, ...]) -> None:
    """In the forked child: its stdin, stdout and stderr as a fresh marker's, and no other descriptor of the
    batch's but `keep` (another marker's pipes kept open here would hide that marker's end from the batch)."""
    os.dup2(jobs, 0)
    os.dup2(reports, 1)
    os.dup2(log_fd, 2)
    zygote.close_all_but(keep)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(folder)


if __name__ == "__main__":
    main()
