"""The GitHub Classroom template, run step by step as the runner runs it (`bash -eo pipefail`, GITHUB_ACTIONS
set): it grades once; the JSON report, the JUnit report and the summary are there whether the student passed
or not; the check fails (exit 1) only after they are written, and a broken setup (exit 2) fails it at the
grading step; annotations stop at what GitHub shows, the rest are in the summary."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.i18n import label, translate
from grader.report.github import _MORE_THAN_SHOWN, _NOT_ANNOTATED, ANNOTATION_LIMIT
from tests.conftest import EXERCISES, ROOT, SOLUTIONS, solution_file
from tests.templates.conftest import grading_commands, run_job, summaries, workflow

pytestmark = pytest.mark.slow  # the passing student is graded on every exercise, TensorFlow's among them

TEMPLATE = workflow(ROOT / "templates" / "github" / "student-repository.yml")
STRIDE_ONE = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()
QUICK = {"GRADE_EXAMPLES": "3"}  # the template's commands as they are; fewer examples keep the test short


def _repository(tmp_path: Path, files: dict[str, str] | None) -> Path:
    """A student's clone: `exercises/` holding `files` (None: no exercises/ folder at all)."""
    workspace = tmp_path / "repo"
    workspace.mkdir()
    if files is not None:
        (workspace / "exercises").mkdir()
        for name, text in files.items():
            (workspace / "exercises" / name).write_text(text, encoding="utf-8")
    return workspace


def _stubs_with_wrong_pooling() -> dict[str, str]:
    """Exercise 3 done with pooling's classic mistake (stride 1), the other exercises not started."""
    files = {path.name: path.read_text() for path in sorted(EXERCISES.glob("exercise*.py"))}
    files[solution_file(3).name] = solution_file(3).read_text() + "\n\n" + STRIDE_ONE
    return files


def _every_exercise_right() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(SOLUTIONS.glob("exercise*.py"))}


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    workspace = _repository(tmp_path_factory.mktemp("failing"), _stubs_with_wrong_pooling())
    return workspace, run_job(TEMPLATE, "grade", workspace, extra_env=QUICK)


@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    workspace = _repository(tmp_path_factory.mktemp("passing"), _every_exercise_right())
    return workspace, run_job(TEMPLATE, "grade", workspace, extra_env=QUICK)


def _exit_codes(runs) -> dict[str, int]:
    return {run.step: run.exit_code for run in runs}


def test_a_failing_student_gets_every_report_and_then_a_red_check(failing):
    workspace, runs = failing
    assert _exit_codes(runs) == {"grade": 0, "verdict": 1}, [run.stderr[-2000:] for run in runs]
    report = json.loads((workspace / "reports" / "grade.json").read_text())
    pooling = next(e for e in report["exercises"] if e["exercise"] == "exercise3")
    assert {t["name"]: t["status"] for t in pooling["tasks"]}["max_pool2d"] == "failed"
    suites = ET.parse(workspace / "reports" / "junit.xml").getroot()
    cases = {f"{s.get('name')}.{c.get('name')}": c for s in suites for c in s.iter("testcase")}
    assert len(cases) == sum(len(e["tasks"]) for e in report["exercises"])
    assert cases["exercise3.max_pool2d"].find("failure") is not None
    assert cases["exercise3.global_max_pool2d"].find("failure") is None
    assert f"| max_pool2d | ❌ {label('failed', 'ko')} | 0/3 |" in summaries(workspace)  # the template's --lang ko


def test_a_passing_student_gets_the_same_reports_and_a_green_check(passing):
    workspace, runs = passing
    report = json.loads((workspace / "reports" / "grade.json").read_text())
    lost = [
        (e["exercise"], t["name"], t["status"], t["message"][:200]) for e in report["exercises"] for t in e["tasks"]
    ]
    lost = [task for task in lost if task[2] != "passed"]  # under heavy load, exercise 7's speed bar may say why
    assert _exit_codes(runs) == {"grade": 0, "verdict": 0}, (lost, [run.stderr[-2000:] for run in runs])
    assert report["score"] == report["max_score"] > 0
    suites = ET.parse(workspace / "reports" / "junit.xml").getroot()
    assert suites.get("failures") == "0" and suites.get("errors") == "0" and int(suites.get("tests")) > 30
    summary = summaries(workspace)
    assert f"{report['max_score']:g}/{report['max_score']:g}" in summary
    assert "::error" not in "".join(run.stdout for run in runs)


@pytest.mark.parametrize("student", ["failing", "passing"])
def test_everything_is_graded_once(student, request):
    workspace, _ = request.getfixturevalue(student)
    assert grading_commands(workspace) == [
        "all --submission exercises --format json --output reports/grade.json --lang ko"
    ]


def test_annotations_stop_at_what_github_shows_and_the_summary_lists_the_rest(failing):
    workspace, runs = failing
    report = json.loads((workspace / "reports" / "grade.json").read_text())
    not_passed = sum(t["status"] != "passed" for e in report["exercises"] for t in e["tasks"])
    assert not_passed > ANNOTATION_LIMIT == 10  # the stubs: enough to go past the limit
    for run in runs:
        assert sum(line.startswith("::error") for line in run.stdout.splitlines()) <= ANNOTATION_LIMIT
    grading = next(run for run in runs if run.step == "grade").stdout.splitlines()
    errors = [line for line in grading if line.startswith("::error ")]
    notices = [line for line in grading if line.startswith("::notice::")]
    assert len(errors) == ANNOTATION_LIMIT and len(notices) == 1
    more = not_passed - ANNOTATION_LIMIT
    assert notices[0] == "::notice::" + translate(_MORE_THAN_SHOWN, "ko").format(count=more)
    heading = "### " + translate(_NOT_ANNOTATED, "ko").format(count=more)
    rest = summaries(workspace).split(heading)[1]
    listed = {line.split(" | ")[0].removeprefix("| ") for line in rest.splitlines()[4:] if line.startswith("| ")}
    annotated = {line.split("title=")[1].split("%3A")[0] for line in errors}
    assert len(listed) == more and len(annotated) == ANNOTATION_LIMIT and not listed & annotated


def test_a_broken_setup_fails_at_the_grading_step_with_exit_2_and_says_why(tmp_path):
    workspace = _repository(tmp_path, None)  # the student deleted exercises/
    runs = run_job(TEMPLATE, "grade", workspace, extra_env=QUICK)
    assert _exit_codes(runs) == {"grade": 2}
    assert "::error title=" in runs[0].stdout and "exercises" in runs[0].stderr
    assert "exercises" in summaries(workspace)
    assert not (workspace / "reports" / "grade.json").exists()


def test_the_reports_are_kept_whatever_the_outcome():
    (upload,) = [s for s in TEMPLATE["jobs"]["grade"]["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"


def test_a_stale_report_in_the_repository_is_never_taken_for_this_run(tmp_path):
    files = _stubs_with_wrong_pooling()
    workspace = _repository(tmp_path, files)
    (workspace / "reports").mkdir()
    (workspace / "reports" / "grade.json").write_text('{"score": 1, "max_score": 1, "exercises": []}')
    shutil.rmtree(workspace / "exercises")  # and nothing to grade: exit 2, the old report gone
    runs = run_job(TEMPLATE, "grade", workspace, extra_env=QUICK)
    assert _exit_codes(runs) == {"grade": 2}
    assert not (workspace / "reports").exists()
