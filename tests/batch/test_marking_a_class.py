"""`grade batch`: a class of mixed submissions marked into a gradebook, reports and a summary; the same bytes
every time; --resume re-marks only what changed; shards merged equal the whole; a grader failure on one
student never costs the others their grades."""

from __future__ import annotations

import csv
import dataclasses
import difflib
import json
import os
import shutil
import sys

import pytest
from click.testing import CliRunner

from grader.classroom import marking
from grader.cli import main
from grader.sandbox import process
from tests.batch.conftest import EXERCISES, OPTIONS, write_class
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

EXPECTED = {  # student: (exercise1, exercise3, status)
    "ahn": ("11", "10", "graded"),
    "baek": ("11", "10", "graded"),
    "choi": ("11", "4", "graded"),
    "do": ("10", "0", "incomplete"),
    "eun": ("0", "0", "empty"),
    "fu": ("11", "0", "graded"),
    "gim": ("0", "10", "incomplete"),
}


def batch(submissions, out, *extra):
    args = ["batch", str(submissions), "--out", str(out), "--exercises", EXERCISES, *OPTIONS, *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def gradebook(out) -> str:
    return (out / "gradebook.csv").read_text(encoding="utf-8")


def reports(out) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((out / "reports").glob("*.json"))}


def differences(one: dict[str, str], other: dict[str, str]) -> list[str]:
    """The lines that differ between two sets of reports (empty when they are the same bytes)."""
    lines = []
    for name in sorted(set(one) | set(other)):
        a, b = one.get(name, "").splitlines(), other.get(name, "").splitlines()
        lines += [f"{name}: {line}" for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-"]
    return lines


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """The class marked once with two jobs: (submissions, out, command result)."""
    root = tmp_path_factory.mktemp("class")
    submissions = write_class(root / "submissions")
    out = root / "out"
    return submissions, out, batch(submissions, out, "--jobs", "2")


def test_the_gradebook_has_a_row_per_student_with_points_total_max_and_status(marked):
    _, out, result = marked
    rows = list(csv.reader(gradebook(out).splitlines()))
    assert rows[0] == ["student", "exercise1", "exercise3", "total", "max", "status"]
    got = {row[0]: (row[1], row[2], row[5]) for row in rows[1:]}
    assert got == EXPECTED
    for row in rows[1:]:
        assert float(row[3]) == float(row[1]) + float(row[2]) and row[4] == "21"
    assert result.exit_code == 1  # some task did not pass


def test_each_student_has_a_json_report_in_the_grade_all_schema(marked):
    _, out, _ = marked
    assert set(reports(out)) == {f"{name}.json" for name in EXPECTED}
    choi = json.loads((out / "reports" / "choi.json").read_text())
    assert set(choi) >= {"student", "status", "score", "max_score", "exercises", "submission_sha256"}
    lost = [t["name"] for e in choi["exercises"] for t in e["tasks"] if t["status"] != "passed"]
    assert lost == ["max_pool2d", "avg_pool2d"]
    assert choi["files"] == {"exercise1": "choi/exercise1_convolution.py", "exercise3": "choi/exercise3_pooling.py"}
    do = json.loads((out / "reports" / "do.json").read_text())
    statuses = [t["status"] for t in do["exercises"][0]["tasks"]]
    assert statuses == ["timeout"] + ["passed"] * (len(statuses) - 1)
    gim = json.loads((out / "reports" / "gim.json").read_text())
    assert gim["files"] == {"exercise3": "gim/exercises/exercise3.ipynb"}


def test_the_summary_shows_the_class_the_pass_rates_and_a_histogram(marked):
    _, _, result = marked
    text = result.output
    assert "gradebook" in text and "pass rate per task" in text and "scores (% of the maximum)" in text
    assert "max_pool2d" in text and "3/7" in text  # ahn, baek and gim
    assert "5/7" in text  # apply_filter: the five with an exercise 1 file
    assert "7 students: 7 marked, 0 kept" in text


def test_marking_again_gives_the_same_bytes_whatever_the_jobs(marked, tmp_path):
    submissions, out, _ = marked
    again = tmp_path / "again"
    batch(submissions, again, "--jobs", "1")
    assert gradebook(again) == gradebook(out)
    assert differences(reports(again), reports(out)) == []


def test_resume_marks_only_the_students_whose_submission_changed(marked, tmp_path):
    submissions, out, _ = marked
    copy = tmp_path / "submissions"
    shutil.copytree(submissions, copy)
    resumed = tmp_path / "out"
    shutil.copytree(out, resumed)
    choi = copy / "choi" / "exercise3_pooling.py"
    choi.write_text((FIXTURES.parent.parent / "solutions" / "exercise3_pooling.py").read_text())
    result = batch(copy, resumed, "--resume", "--jobs", "2")
    assert "7 students: 1 marked, 6 kept" in result.output
    rows = {row[0]: row for row in csv.reader(gradebook(resumed).splitlines())}
    assert rows["choi"][2] == "10"
    assert gradebook(resumed).replace("choi,11,10,21", "choi,11,4,15") == gradebook(out)


def test_other_options_are_not_resumed_but_marked_again(marked, tmp_path):
    submissions, out, _ = marked
    resumed = tmp_path / "out"
    shutil.copytree(out, resumed)
    result = batch(submissions, resumed, "--resume", "--seed", "4", "--exercises", "exercise1")
    assert "0 kept" in result.output


def test_shards_merged_equal_the_whole_class(marked, tmp_path):
    submissions, out, _ = marked
    shards = []
    for k in (1, 2, 3):
        folder = tmp_path / f"shard{k}"
        result = batch(submissions, folder, "--shard", f"{k}/3", "--jobs", "1")
        assert result.exit_code == 1, result.output
        shards.append(folder)
    sizes = [len(json.loads((s / "batch.json").read_text())["students"]) for s in shards]
    assert sorted(sizes) == [2, 2, 3]
    merged = tmp_path / "merged"
    result = CliRunner().invoke(main, ["merge", *map(str, shards), "--out", str(merged)])
    assert result.exit_code == 1, result.output
    assert gradebook(merged) == gradebook(out)
    assert differences(reports(merged), reports(out)) == []


@pytest.fixture
def breaking_marker(monkeypatch):
    script = FIXTURES / "markers" / "breaks_on_request.py"
    monkeypatch.setattr(marking, "MARKER_COMMAND", (sys.executable, str(script)))
    monkeypatch.setattr(marking, "FORK", False)  # every marker is this script, the first ones too


def test_a_grader_failure_on_one_student_gives_an_error_row_and_the_others_their_grades(tmp_path, breaking_marker):
    submissions = tmp_path / "submissions"
    for name in ("ahn", "zz_breaks_the_grader", "kim"):
        (submissions / name).mkdir(parents=True)
        shutil.copy(FIXTURES.parent.parent / "solutions" / "exercise1_convolution.py", submissions / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(submissions), "--out", str(out), "--exercises", "1", "--examples", "3", "--jobs", "1"]
    )
    rows = {row[0]: row for row in csv.reader(gradebook(out).splitlines())}
    assert rows["ahn"][1:] == ["11", "11", "11", "graded"]
    assert rows["kim"][1:] == ["11", "11", "11", "graded"]
    assert rows["zz_breaks_the_grader"][1:] == ["", "", "11", "error"]
    report = json.loads((out / "reports" / "zz_breaks_the_grader.json").read_text())
    assert "failed" in report["message"] and "twice" in report["message"]
    assert "the grader could not mark" in result.output
    assert result.exit_code == 1


def test_a_student_whose_marking_hangs_is_stopped_at_the_ceiling(tmp_path, breaking_marker, monkeypatch):
    from grader.classroom import batch as batch_module

    monkeypatch.setattr(batch_module, "ceiling", lambda exercises, options: 15.0)
    submissions = tmp_path / "submissions"
    for name in ("ahn", "hangs_the_grader"):
        (submissions / name).mkdir(parents=True)
        shutil.copy(FIXTURES.parent.parent / "solutions" / "exercise1_convolution.py", submissions / name)
    out = tmp_path / "out"
    CliRunner().invoke(
        main, ["batch", str(submissions), "--out", str(out), "--exercises", "1", "--examples", "3", "--jobs", "2"]
    )
    rows = {row[0]: row for row in csv.reader(gradebook(out).splitlines())}
    assert rows["ahn"][-1] == "graded" and rows["hangs_the_grader"][-1] == "error"
    report = json.loads((out / "reports" / "hangs_the_grader.json").read_text())
    assert "longer than 15 s" in report["message"]


@pytest.mark.skipif(not process.available(), reason="zygotes need Linux's pidfds")
def test_a_marker_starts_its_classs_zygotes_before_its_first_student_and_forks_every_worker_from_them(tmp_path):
    """The batch hands the marker its exercises' zygotes with the process, so that they import while the marker
    does; the first student's workers are forked from them, not from zygotes started for that student."""
    import time

    import psutil

    from grader import catalog
    from grader.engine import Options
    from grader.sandbox.worker import zygote_plans

    exercises = (catalog.find("1"), catalog.find("3"))
    marker = marking.Marker(tmp_path / "marking.log", zygote_plans(e.banned_imports for e in exercises))
    try:
        marker.start()

        def zygotes() -> list[int]:
            return [p.pid for p in psutil.Process(marker.process.pid).children() if "zygote" in " ".join(p.cmdline())]

        deadline, started = time.monotonic() + 30, []
        while not started and time.monotonic() < deadline:
            started = zygotes()
            time.sleep(0.05)
        assert len(started) == 1  # exercises 1 and 3 share one confinement: one zygote, before any job
        student = tmp_path / "ahn"
        student.mkdir()
        shutil.copy(FIXTURES.parent.parent / "solutions" / "exercise1_convolution.py", student)
        job = {"student": "ahn", "root": str(student), "within": [], "exercises": ["exercise1", "exercise3"]}
        report = marker.mark({**job, "options": dataclasses.asdict(Options(examples=5))}, 120)
        assert report["status"] == "incomplete" and report["exercises"][0]["score"] == 11
        assert zygotes() == started
    finally:
        marker.close()


def _batch_without_threads(tmp_path, script: str) -> dict:
    """What `script` prints (JSON), run as a batch process is (one BLAS thread: no thread but its own) with a
    job for one correct student of exercise 1 and a log file as its arguments."""
    import subprocess

    from grader.engine import Options

    student = tmp_path / "ahn"
    student.mkdir()
    shutil.copy(FIXTURES.parent.parent / "solutions" / "exercise1_convolution.py", student)
    options = dataclasses.asdict(Options(examples=8, timeout=5.0))
    job = {"student": "ahn", "root": str(student), "within": [], "exercises": ["exercise1"], "options": options}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(job), str(tmp_path / "marking.log")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        cwd=FIXTURES.parent.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


_FORKED_AND_FRESH = """
import json, os, sys
from pathlib import Path
from grader import catalog
from grader.classroom import marking
from grader.sandbox.worker import zygote_plans

job, log = json.loads(sys.argv[1]), Path(sys.argv[2])
plans = zygote_plans([catalog.find("1").banned_imports])
seen = {}
for fork in (True, False):
    marking.FORK = fork
    marker = marking.Marker(log, plans)
    marker.start()
    process = marker.process
    report = marker.mark(job, 120)
    marker.close()
    tasks = [(t["name"], t["status"], t["score"]) for e in report["exercises"] for t in e["tasks"]]
    seen[type(process).__name__] = {"tasks": tasks, "status": report["status"], "ended": process.poll()}
seen["descriptors"] = sorted(os.listdir("/proc/self/fd"))
print(json.dumps(seen))
"""


@pytest.mark.skipif(not process.available(), reason="forked markers need Linux")
def test_a_marker_forked_from_a_batch_without_threads_marks_as_a_fresh_marker_process_does(tmp_path):
    """The batch forks its first markers from itself when it runs no other thread (the `grade` command sets
    one BLAS thread, so numpy starts none); a marker started later is a fresh interpreter. Both mark alike,
    and a forked one ends with its pipes, leaving nothing open in the batch."""
    seen = _batch_without_threads(tmp_path, _FORKED_AND_FRESH)
    forked, fresh = seen["Forked"], seen["Popen"]
    assert forked["tasks"] == fresh["tasks"] and forked["status"] == fresh["status"] == "graded"
    assert all(status == "passed" for _, status, _ in forked["tasks"])
    assert forked["ended"] == 0 and fresh["ended"] == 0
    assert seen["descriptors"] == ["0", "1", "2", "3"]  # stdio and the listing's own: no marker's pipe left


def test_a_batch_with_a_thread_running_starts_its_markers_fresh(monkeypatch):
    """Forking while another thread holds a lock could leave the marker stuck on it: never then."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert not marking._forkable()
    finally:
        stop.set()
        thread.join()
    monkeypatch.setenv("GRADE_MARKER_FORK", "off")
    assert not marking._forkable()


_SHARING = """
import json, os, sys, time
from pathlib import Path
import psutil
from grader import catalog
from grader.classroom import marking
from grader.sandbox.worker import zygote_plans

job, log = json.loads(sys.argv[1]), Path(sys.argv[2])
plans = zygote_plans([catalog.find("1").banned_imports])
shared = marking.shared_zygote(plans)
markers = [marking.Marker(log, plans, shared) for _ in range(2)]
for marker in markers:
    marker.start()
shared.hand_over()
me = psutil.Process()
def zygotes():
    return [p for p in me.children(recursive=True) if p.cmdline()[1:3] == ["-m", "grader.sandbox.zygote"]]
before = [(z.pid, z.ppid()) for z in zygotes()]
reports = [marker.mark(job, 120) for marker in markers]
after = [(z.pid, z.ppid()) for z in zygotes()]
markers[0].close()
alive_with_one = shared.alive
markers[1].close()
deadline = time.monotonic() + 10
while shared.alive and time.monotonic() < deadline:
    time.sleep(0.05)
print(json.dumps({
    "before": before, "after": after, "me": os.getpid(),
    "scores": [r["score"] for r in reports], "alive_with_one": alive_with_one, "ended": not shared.alive,
}))
"""


@pytest.mark.skipif(not process.available(), reason="forked markers need Linux")
def test_forked_markers_share_the_batchs_zygote_which_ends_with_the_last_of_them(tmp_path):
    """One zygote, the batch's, forks the workers of both markers (one start, one import of numpy, for the
    class); it serves until the last marker lets go of it."""
    seen = _batch_without_threads(tmp_path, _SHARING)
    assert len(seen["before"]) == 1 and seen["before"][0][1] == seen["me"]  # the batch's child, no marker's
    assert seen["after"] == seen["before"]  # both markers' workers forked from it: no other zygote started
    assert seen["scores"] == [11, 11]
    assert seen["alive_with_one"] and seen["ended"]
