"""The learner's process of a one-shot `grade exerciseN`, started before the grader has imported itself.

A fresh interpreter takes about 0.15 s to start and import numpy, and the grader's own imports take as long:
started first thing (`grader.__main__`), the learner's interpreter starts on another core while the grader
imports itself. It then waits, unconfined but having run nothing but the grader's own modules, for its
configuration: the first message on its request pipe, which the worker sends when it starts (`take`). From
there it does exactly what a process started with that configuration on its command line does
(`learner.serve`): the guardian splits off and the process confines itself before the learner's file is read.

Only a command that grades one exercise starts one (`grade exercise3`, `grade 3 --submission x`); one that is
never taken (a usage error, a missing file, a worker that wants a GPU) is ended when the grader exits, and its
folder removed. Light on purpose: what runs before the launch imports only `process` (subprocess) and the
exercises' names (`catalog.module_named`), about 10 ms, so the learner's interpreter starts ~30 ms into the run.
"""

from __future__ import annotations

import os

from grader.sandbox import process

TYPE_CHECKING = False  # typing's, without importing typing
if TYPE_CHECKING:
    import subprocess


class Started:
    """A learner's process waiting for its configuration, and the grader's ends of its pipes. (Not a dataclass:
    `dataclasses` costs 10 ms to import, before the launch.)"""

    __slots__ = ("folder", "gpu", "output", "passed", "process", "replies", "requests")

    def __init__(self, process, folder, requests, replies, output, passed, gpu):
        self.process: subprocess.Popen = process
        self.folder: str = folder  # its working folder (the worker's scratch folder)
        self.requests: int = requests  # the grader's end of the request pipe
        self.replies: int = replies  # the grader's end of the reply pipe
        self.output: int = output  # the grader's end of its stdout and stderr
        self.passed: tuple[int, int] = passed  # the request and reply pipes' numbers in the learner's process
        self.gpu: bool = gpu  # its environment lets TensorFlow see the caller's GPU


_waiting: list[Started] = []


def start(argv: list[str]) -> None:
    """Start the learner's process when `argv` (the command line after `grade`) grades one exercise, or the
    zygote its markers share when it marks a class."""
    if _marks_a_class(argv):
        _launch_zygote()
        return
    if _waiting or not one_exercise(argv):
        return
    import tempfile

    folder = tempfile.mkdtemp(prefix="grade-worker-")
    request_read, requests = os.pipe()
    replies, reply_write = os.pipe()
    output, output_write = os.pipe()
    for fd in (request_read, replies):
        process.widen(fd)
    try:
        started = process.launch(
            ["--early", str(request_read)], folder, False, (request_read, reply_write), output_write
        )
    except OSError:
        for fd in (requests, replies, output):
            os.close(fd)
        os.rmdir(folder)
        return
    finally:
        for fd in (request_read, reply_write, output_write):
            os.close(fd)
    _waiting.append(Started(started, folder, requests, replies, output, (request_read, reply_write), False))
    import atexit

    atexit.register(discard)


def take(gpu: bool) -> Started | None:
    """The process started early, for a worker starting now whose environment lets TensorFlow see the GPU or
    not (`gpu`); None when there is none, or it does not fit (it is ended then)."""
    if not _waiting:
        return None
    started = _waiting.pop()
    if started.gpu != gpu or started.process.poll() is not None:
        _end(started)
        return None
    return started


def discard() -> None:
    """End the process started early if no worker took it."""
    while _waiting:
        _end(_waiting.pop())


def _end(started: Started) -> None:
    import contextlib
    import shutil
    import signal

    for fd in (started.requests, started.replies, started.output):
        os.close(fd)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(started.process.pid, signal.SIGKILL)  # it has run only the grader's code: nothing to keep
    started.process.wait()
    shutil.rmtree(started.folder, ignore_errors=True)


_zygotes: list = []  # the zygote launched for a class's markers, until the batch takes it


def _command(argv: list[str]) -> list[str]:
    """The command line after `grade`, from its command on: `--lang L` before it left out."""
    if argv[:1] == ["--lang"]:
        return list(argv[2:])
    return list(argv[1:] if argv and argv[0].startswith("--lang=") else argv)


def _marks_a_class(argv: list[str]) -> bool:
    """`grade [--lang L] batch ...`, not with --help nor --resume (whose markers start later, fresh)."""
    words = _command(argv)
    return words[:1] == ["batch"] and not {"-h", "--help", "--resume"} & set(words)


def _launch_zygote() -> None:
    """Start the zygote of a class's markers: it imports numpy while the grader imports itself, and learns its
    shared confinement when the batch knows the exercises (`take_zygote`)."""
    import atexit
    import tempfile

    from grader.sandbox import zygote

    if _zygotes or not zygote.wanted(default=True):
        return
    launched = zygote.Zygote()
    try:
        launched.launch(process.environment(tempfile.gettempdir(), False))
    except OSError:
        return
    _zygotes.append(launched)
    atexit.register(launched.close)


def take_zygote():
    """The zygote launched for this batch's markers (`zygote.Zygote`, still to be configured), or None."""
    return _zygotes.pop() if _zygotes else None


def one_exercise(argv: list[str]) -> bool:
    """`grade [--lang L] EXERCISE [options]`, EXERCISE spelt as `catalog.find` knows it without importing every
    declaration; not with --help, and not where a zygote is wanted for every worker (GRADE_ZYGOTE=on)."""
    from grader import catalog

    words = _command(argv)
    if not words or words[0].startswith("-") or {"-h", "--help"} & set(words):
        return False
    return catalog.module_named(words[0]) is not None and not process.wanted(default=False)
