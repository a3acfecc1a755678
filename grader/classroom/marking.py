"""Marking one student: their report, and the long-lived marker process that batch marking runs it in.

A marker is a plain `python -m grader.classroom.marking` process that reads one job a line on stdin and answers one
report a line. Learner code never runs in it (each exercise still gets its own sandboxed worker), but the
grader's own state (hypothesis, the references' TensorFlow) lives there and not in the batch process, so a
failure of the grader on one student ends that marker, not the class: the batch gives that student an
`error` row and starts a fresh marker for the next.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from grader import catalog, fingerprint
from grader.classroom import marker_process
from grader.classroom.marker_process import ZYGOTES
from grader.engine import Options
from grader.errors import SubmissionNotFound
from grader.i18n import language
from grader.results import ExerciseResult, RunResult, Status, TaskResult
from grader.spec import Exercise

# A student's status in the gradebook.
GRADED, INCOMPLETE, EMPTY, ERROR = "graded", "incomplete", "empty", "error"
STUDENT_STATUSES = (GRADED, INCOMPLETE, EMPTY, ERROR)
MARKER_COMMAND = (sys.executable, "-m", "grader.classroom.marker_process")  # which then calls `_serve`
FORK = True  # the first markers are forked from the batch where they can be (`marker_process.fork`)
# The grader's own arrays are small: one BLAS thread each (and none to fork: a marker forked from the batch).
GRADER_THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _forkable() -> bool:
    """A marker can be forked from this process: Linux, not turned off (GRADE_MARKER_FORK=off), and no thread
    but this one, Python's or a library's (BLAS, TensorFlow), that could hold a lock the marker then needs."""
    if not sys.platform.startswith("linux") or os.environ.get("GRADE_MARKER_FORK", "").strip().lower() in _OFF:
        return False
    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


_OFF = ("0", "off", "no", "false")


def shared_zygote(plans: list[dict]):
    """The zygote the markers forked from here share, for the first of `plans` (the one `grade batch` launched
    as it started, else one started now), or None where markers are not forked (each starts its own)."""
    from grader.sandbox import early, zygote
    from grader.sandbox.confinement import Common

    launched = early.take_zygote()
    if not plans or not (FORK and _forkable()):
        if launched is not None:
            launched.close()
        return None
    shared = launched or zygote.Zygote()
    shared.prestart(Common.from_plain(plans[0]), plans[0]["environment"])
    return shared


def grader_digest() -> str:
    """sha256 of the grader's and the references' code: a changed grader re-marks everyone on --resume."""
    return fingerprint.code_digest(fingerprint.PACKAGE, *fingerprint.references())


def settings_hash(exercises: tuple[Exercise, ...], options: Options) -> str:
    """What, besides the submission, decides a grade: the exercises, the options and the grader itself."""
    settings = {"exercises": [e.name for e in exercises], "options": dataclasses.asdict(options)}
    text = json.dumps(settings, sort_keys=True) + grader_digest()
    return hashlib.sha256(text.encode()).hexdigest()


def _status(sources: dict) -> str:
    present = sum(source is not None for source in sources.values())
    return EMPTY if present == 0 else GRADED if present == len(sources) else INCOMPLETE


def _grader_failed(exercise: Exercise, options: Options, exc: Exception) -> ExerciseResult:
    message = f"the grader itself failed on this exercise ({type(exc).__name__}: {exc}); please report it"
    tasks = tuple(TaskResult(t.name, Status.ERROR, 0.0, float(t.points), 0, message) for t in exercise.tasks)
    return ExerciseResult(exercise.name, exercise.title, options.seed, ("cpu",), tasks)


def mark_student(
    name: str, root: Path, exercises: tuple[Exercise, ...], options: Options, within: tuple[Path, ...] = ()
) -> dict:
    """Grade every chosen exercise of one student; a failure on one exercise never loses the others. Every
    file is read and checked first (`grader.files`): one that is not a plain file inside the student's folder,
    or a notebook that cannot be read, makes the student an `error` row that says why."""
    from grader.api import grade_handed
    from grader.submission import content_hash, read_submission

    with language(options.lang):
        try:
            handed = read_submission(exercises, root, within)
        except SubmissionNotFound as exc:  # a file that is not a plain file inside the student's folder
            return error_report(name, exercises, str(exc))
    results = []
    for exercise in exercises:
        try:
            results.append(grade_handed(exercise, handed[exercise.name], options))
        except SubmissionNotFound as exc:  # the student's file, not the grader, is wrong (a notebook that is none)
            return error_report(name, exercises, str(exc), content_hash(handed))
        except Exception as exc:
            results.append(_grader_failed(exercise, options, exc))
    return {
        "student": name,
        "status": _status(handed),
        "message": "",
        "submission_sha256": content_hash(handed),
        **RunResult(tuple(results)).to_dict(full=True),  # printed output and grids for the feedback pages
    }


def error_report(name: str, exercises: tuple[Exercise, ...], message: str, content: str = "") -> dict:
    """The report of a student the grader could not finish: no points, and why (`content`: the hash of the
    files when they were read)."""
    return {
        "student": name,
        "status": ERROR,
        "message": message,
        "submission_sha256": content,
        "score": 0.0,
        "max_score": float(sum(e.max_score for e in exercises)),
        "exercises": [],
    }


def _serve() -> None:
    """The marker process: jobs in on stdin, reports out on the real stdout; anything printed goes to stderr."""
    from grader import spare_worker
    from grader.api import keeping_workers
    from grader.sandbox.worker import warm_zygote

    spare_worker.one_worker_each()  # the class's jobs fill the cores: no second worker for a task
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    warmed = False
    with keeping_workers():  # the marker's zygotes fork every worker of the class
        for line in sys.stdin:
            job = json.loads(line)
            exercises = tuple(catalog.find(n) for n in job["exercises"])
            for banned in () if warmed else dict.fromkeys(e.banned_imports for e in exercises):
                warm_zygote(banned)  # each started while the first student's files are read
            warmed = True
            within = tuple(Path(folder) for folder in job["within"])
            report = mark_student(job["student"], Path(job["root"]), exercises, Options(**job["options"]), within)
            replies.write(json.dumps(report) + "\n")  # ASCII: a file name that is not UTF-8 crosses too
            replies.flush()


class Marker:
    """The batch's handle on one marker process (started on first use or by `start`, replaced after a failure).
    `zygotes`: what starts the zygotes of the class's exercises (`worker.zygote_plans`), which the marker
    starts first thing (`marker_process`)."""

    def __init__(self, log: Path | None = None, zygotes: list[dict] | None = None, shared=None):
        self.log = log
        self.zygotes = json.dumps(zygotes or [])
        self.shared = shared  # the batch's zygote, which a forked marker shares (`shared_zygote`)
        self.process: subprocess.Popen | None = None
        self.expired = False  # the last `mark` ran past its ceiling (marking it again would only wait again)

    def start(self) -> None:
        """Start the marker process now, unless it runs: its start overlaps whatever comes before the first job."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()

    def _start(self):
        if FORK and _forkable():
            return self._fork()
        stderr = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            MARKER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            cwd=str(fingerprint.PACKAGE.parent),
            env={**os.environ, **GRADER_THREADS, ZYGOTES: self.zygotes},
        )
        if self.log:
            stderr.close()
        return process

    def _fork(self) -> marker_process.Forked:
        log = os.open(self.log or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            return marker_process.fork(json.loads(self.zygotes), log, str(fingerprint.PACKAGE.parent), self.shared)
        finally:
            os.close(log)

    def mark(self, job: dict, ceiling: float) -> dict | str:
        """The student's report, or why there is none (the marker died, or ran past `ceiling` seconds)."""
        self.start()
        process, expired = self.process, threading.Event()

        def stop() -> None:
            expired.set()
            process.kill()

        timer = threading.Timer(ceiling, stop)
        timer.start()
        try:
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
        except OSError:
            line = ""
        finally:
            timer.cancel()
        self.expired = expired.is_set()
        if line and not self.expired:
            with contextlib.suppress(ValueError):
                return json.loads(line)
        self.close()
        if self.expired:
            return f"marking this student took longer than {ceiling:g} s and was stopped"
        return "the grader's own process failed while marking this student"

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


if __name__ == "__main__":
    _serve()
