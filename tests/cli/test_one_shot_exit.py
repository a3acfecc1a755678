"""A one-shot `grade exerciseN` ends without tearing its interpreter down (`grader.__main__`): its report is
whole, its exit code the grade's, and neither its learner's process nor that process's folder outlives it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, SOLUTIONS

pytestmark = pytest.mark.slow


def _grade(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


def test_a_right_submission_exits_0_with_its_whole_report():
    done = _grade("exercise3", "--submission", str(SOLUTIONS), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == json.loads(done.stdout)["max_score"]


def test_untouched_stubs_exit_1_with_their_whole_report():
    done = _grade("3", "--submission", str(ROOT / "exercises"), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert {t["status"] for t in json.loads(done.stdout)["tasks"]} == {"not_implemented"}


def test_a_usage_error_exits_2_and_leaves_no_folder_of_the_process_started_early():
    before = set(Path(tempfile.gettempdir()).glob("grade-worker-*"))
    done = _grade("exercise3", "--submission", "no/such/folder")
    assert done.returncode == 2
    assert done.stderr.startswith("Error:")
    assert done.stdout == ""
    left = set(Path(tempfile.gettempdir()).glob("grade-worker-*")) - before
    mine = [folder for folder in left if folder.stat().st_uid == psutil.Process().uids().real]
    time.sleep(1)  # another test's worker folder, made before its process moved in, is in use or gone by now
    assert not [folder for folder in mine if _stale(folder)]


def _stale(folder: Path) -> bool:
    """A folder still there that no running process works in (other tests' workers come and go meanwhile)."""
    return folder.exists() and not any(folder == Path(p.info["cwd"] or "/") for p in psutil.process_iter(["cwd"]))
