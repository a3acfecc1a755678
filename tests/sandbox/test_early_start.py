"""A one-shot `grade exerciseN` starts the learner's interpreter before the grader imports itself (`early`): that
process is confined exactly as one started later, and one that no worker takes never outlives the grader.

The hostile submissions run here again, each through a process started early: an attack that fails against a
process started with its configuration on its command line fails against one told it on its request pipe.
"""

from __future__ import annotations

import os

import pytest

from grader.sandbox import early, process
from grader.sandbox.worker import Worker
from tests.conftest import exercise_number, solution_file
from tests.sandbox import test_hostile_submissions as hostile


@pytest.fixture
def taken(monkeypatch):
    """The processes started early that a worker took, in order."""
    taken = []
    take = early.take

    def recording(gpu: bool):
        started = take(gpu)
        taken.append(started)
        return started

    monkeypatch.setattr(early, "take", recording)
    yield taken
    early.discard()


def _waiting() -> early.Started:
    assert len(early._waiting) == 1, "no process was started early"
    return early._waiting[0]


@pytest.mark.slow
@pytest.mark.parametrize("path", hostile.HOSTILE, ids=[p.stem for p in hostile.HOSTILE])
def test_a_hostile_task_through_a_process_started_early_gets_its_grade_and_changes_nothing_else(
    path, tmp_path, monkeypatch, taken
):
    early.start([f"exercise{exercise_number(path)}"])
    started = _waiting()
    hostile.test_a_hostile_task_gets_its_grade_and_changes_nothing_else(path, tmp_path, monkeypatch)
    assert taken[0] is started  # the first worker was the process started early


def test_the_process_started_early_is_taken_by_the_first_worker_and_loads_the_submission(taken):
    early.start(["3", "--submission", "elsewhere", "--format", "json"])
    started = _waiting()
    with Worker(solution_file(3), ("scipy",)) as worker:
        loaded = worker.start(30)
        assert taken == [started]
        assert loaded.kind == "loaded"
        assert "max_pool2d" in loaded.names
        assert worker.start(30).kind == "loaded"  # a second start is a fresh interpreter
    assert taken[1] is None
    assert not os.path.exists(started.folder)


def test_a_process_started_early_that_no_worker_takes_ends_with_its_folder():
    early.start(["exercise1"])
    started = _waiting()
    early.discard()
    assert started.process.poll() is not None
    assert not os.path.exists(started.folder)
    assert early._waiting == []


def test_a_worker_that_may_use_the_gpu_never_takes_a_process_started_without_it(taken):
    early.start(["exercise6"])
    started = _waiting()
    assert early.take(gpu=True) is None
    assert started.process.poll() is not None  # ended, not left waiting
    assert not os.path.exists(started.folder)


@pytest.mark.parametrize(
    "argv, starts",
    [
        (["exercise3"], True),
        (["3", "--submission", "work/"], True),
        (["--lang", "ko", "pooling"], True),
        (["--lang=en", "ex2", "--format", "json"], True),
        (["exercise7_fast_and_backward"], True),
        (["exercise3", "--help"], False),
        (["-h"], False),
        ([], False),
        (["all"], False),
        (["batch", "class/", "--out", "marked"], False),
        (["list"], False),
        (["exercise99"], False),
    ],
)
def test_only_a_command_that_grades_one_exercise_starts_a_process_early(argv, starts, monkeypatch):
    monkeypatch.delenv("GRADE_ZYGOTE", raising=False)
    assert early.one_exercise(argv) is starts


@pytest.mark.skipif(not process.available(), reason="forking learners from a zygote needs Linux's pidfds")
def test_no_process_is_started_early_where_every_worker_forks_from_a_zygote(monkeypatch):
    monkeypatch.setenv("GRADE_ZYGOTE", "on")
    assert not early.one_exercise(["exercise3"])


@pytest.mark.parametrize(
    ("argv", "launches"),
    [
        (["batch", "class/", "--out", "marked"], True),
        (["--lang", "ko", "batch", "class/", "--out", "marked", "--jobs", "4"], True),
        (["batch", "class/", "--out", "marked", "--resume"], False),  # its markers start later, fresh
        (["batch", "--help"], False),
        (["exercise3"], False),
        (["merge", "a/", "--out", "b"], False),
    ],
)
def test_only_a_command_that_marks_a_class_launches_its_markers_zygote_early(argv, launches):
    assert early._marks_a_class(argv) is launches


@pytest.mark.skipif(not process.available(), reason="forking learners from a zygote needs Linux's pidfds")
def test_a_batch_that_stops_at_a_usage_error_leaves_no_zygote_and_no_folder_behind(tmp_path):
    """The zygote launched as `grade batch` starts is ended when the command ends without marking anyone."""
    import subprocess
    import sys
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "grader", "batch", str(tmp_path / "no-such-class"), "--out", str(tmp_path / "o")]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    deadline = time.monotonic() + 5
    while list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(scratch.iterdir()) == []


def test_the_learners_process_is_launched_before_anything_heavy_is_imported(tmp_path):
    """What runs before the launch is on every one-shot check's path, while the learner's interpreter is not yet
    started: it imports no numpy, no engine, no zygote, and neither `typing` nor `dataclasses` (10 ms)."""
    import subprocess
    import sys

    probe = (
        "import sys; from grader.sandbox import early\n"
        "seen = []\n"
        "launch = early.process.launch\n"
        "early.process.launch = lambda *a: seen.append(set(sys.modules)) or launch(*a)\n"
        "early.start(['exercise3', '--submission', 'x.py'])\n"
        "assert early._waiting and len(seen) == 1\n"
        "heavy = {'numpy', 'typing', 'dataclasses', 'grader.sandbox.zygote', 'grader.engine', 'grader.i18n'}\n"
        "print(sorted(heavy & seen[0]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
