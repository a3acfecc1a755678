"""`grade list` shows how far a learner stands: each task's last state and points, kept in `.grade/` of the
project by the learner's own runs and by no one else's."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli.conftest import run
from tests.conftest import ROOT, solution_file

MISTAKE = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "pool_stride_one.py"


@pytest.fixture
def project(project, monkeypatch):
    """The learner's project with exercise 3 done but for one mistake, run from inside exercises/."""
    (project / "exercises" / solution_file(3).name).write_text(solution_file(3).read_text() + MISTAKE.read_text())
    monkeypatch.chdir(project / "exercises")  # anywhere inside the project
    return project


def _rows(output: str) -> dict[str, str]:
    """Task name -> its row of the table."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 2 and cells[2]:
            rows[cells[2]] = line
    return rows


def test_before_any_run_every_task_is_not_started(project):
    rows = _rows(run("list", "--lang", "en").output)
    assert "not started" in rows["max_pool2d"] and "-/3" in rows["max_pool2d"]
    assert not (project / ".grade").exists()


def test_a_learners_run_is_kept_and_listed_with_its_state_and_points(project):
    assert run("exercise3", "--examples", "5").exit_code == 1
    assert run("1", "--examples", "5").exit_code == 1
    kept = json.loads((project / ".grade" / "progress.json").read_text())
    assert set(kept) == {"exercise1", "exercise3"}
    assert kept["exercise3"]["tasks"]["max_pool2d"] == {"state": "failed", "score": 0.0, "max_score": 3.0}

    result = run("list", "--lang", "en")
    assert result.exit_code == 0
    rows = _rows(result.output)
    assert "failed" in rows["max_pool2d"] and "0/3" in rows["max_pool2d"]
    assert "passed" in rows["flatten"] and "2/2" in rows["flatten"]
    assert "not started" in rows["conv1d"] and "0/1" in rows["conv1d"]  # graded, still a stub
    assert "not started" in rows["conv2d"] and "-/4" in rows["conv2d"]  # never graded
    korean = _rows(run("list", "--lang", "ko").output)
    assert "틀림" in korean["max_pool2d"] and "통과" in korean["flatten"] and "시작 전" in korean["conv2d"]


def test_the_last_run_replaces_the_earlier_one(project):
    run("3", "--examples", "5")
    (project / "exercises" / solution_file(3).name).write_text(solution_file(3).read_text())
    run("3", "--examples", "5")
    assert "passed" in _rows(run("list", "--lang", "en").output)["max_pool2d"]


def test_a_submission_outside_the_project_is_not_kept(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("student")
    shutil.copy(solution_file(3), elsewhere)
    assert run("3", "--submission", elsewhere, "--examples", "5").exit_code == 0
    assert not (project / ".grade").exists()


def test_a_damaged_progress_file_reads_as_no_progress(project):
    (project / ".grade").mkdir()
    (project / ".grade" / "progress.json").write_text("{not json")
    result = run("list", "--lang", "en")
    assert result.exit_code == 0 and "not started" in _rows(result.output)["flatten"]
    run("3", "--examples", "5")
    assert "passed" in _rows(run("list", "--lang", "en").output)["flatten"]


def test_checking_the_references_as_the_quick_start_does_marks_nothing_as_done(project, monkeypatch):
    """`grade exercise1 --submission solutions`, run in the course's folder, grades the references, not the
    learner's exercise 1: `grade list` still shows it not started."""
    shutil.copytree(ROOT / "solutions", project / "solutions")
    monkeypatch.chdir(project)
    assert run("exercise1", "--submission", "solutions", "--examples", "2").exit_code == 0
    assert run("exercise1", "--submission", "solutions/" + solution_file(1).name, "--examples", "2").exit_code == 0
    assert not (project / ".grade").exists()
    assert "not started" in _rows(run("list", "--lang", "en").output)["conv2d"]


def test_a_file_named_inside_the_exercises_folder_is_the_learners_own(project, monkeypatch):
    monkeypatch.chdir(project)
    assert run("3", "--submission", "exercises/" + solution_file(3).name, "--examples", "2").exit_code == 1
    assert "failed" in _rows(run("list", "--lang", "en").output)["max_pool2d"]
