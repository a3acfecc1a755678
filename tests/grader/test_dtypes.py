"""Fair to how learners write numpy: a right result in a wider dtype (np.zeros(shape) is float64) passes with a
note, a narrower one is judged at the inputs' precision, and --strict-dtype fails any dtype difference.

The float64 submissions are `tests/fixtures/correct/*_float64_zeros.py`; their docstring's `strict-dtype
breaks:` line names the tasks they lose under --strict-dtype (those with float32 inputs).
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET

import pytest

from grader import catalog, diagnosis
from grader.api import grade, make_options
from grader.classroom.marking import settings_hash
from grader.report import render
from grader.report.github import exercises_markdown
from grader.results import ExerciseResult, Status
from tests.cli.conftest import run
from tests.conftest import FIXTURES, exercise_number, solution_file

pytestmark = pytest.mark.slow

FLOAT64 = sorted((FIXTURES / "correct").glob("exercise*_float64_zeros.py"))


def strict_breaks(path) -> set[str]:
    line = next(line for line in path.read_text().splitlines() if line.startswith("strict-dtype breaks:"))
    return {name.strip() for name in line.removeprefix("strict-dtype breaks:").split(",")}


@pytest.mark.parametrize("path", FLOAT64, ids=lambda p: p.stem)
def test_a_right_float64_submission_gets_full_marks_with_a_note_on_each_task_it_concerns(path):
    result = grade(exercise_number(path), submission=path, lang="en")
    assert {t.name: t.status for t in result.tasks if not t.passed} == {}
    assert result.score == result.max_score
    noted = {t.name for t in result.tasks if t.note}
    assert noted == strict_breaks(path)
    assert all("no points are lost" in t.note for t in result.tasks if t.note)


@pytest.mark.parametrize("path", FLOAT64, ids=lambda p: p.stem)
def test_with_strict_dtype_the_same_submission_loses_exactly_those_tasks(path):
    result = grade(exercise_number(path), submission=path, lang="en", strict_dtype=True)
    lost = {t.name for t in result.tasks if not t.passed}
    assert lost == strict_breaks(path)
    for task in result.tasks:
        assert task.note is None
        if not task.passed:
            assert task.status is Status.FAILED and re.search(r"dtype \w+, expected float", task.message), task.message


def _learner(number: int, source: str, submission):
    return grade(number, submission=submission(number, solution_file(number).read_text() + "\n\n" + source))


def test_float32_arithmetic_on_float64_inputs_still_fails_and_says_why(submission):
    mutant = (FIXTURES / "mutants" / "exercise1_float32_arithmetic.py").read_text()
    task = _learner(1, mutant.replace("astype(dtype)", "astype(np.float32)"), submission).tasks[2]
    assert task.name == "correlate2d" and task.status is Status.FAILED
    assert "values differ" in task.message and "your result is float32" in task.message


def test_wrong_values_in_float64_still_fail_and_the_mistake_is_still_named(submission):
    """The float64 pooling of the fixture with strides=None taken as 1: the classic mistake, named as ever."""
    right = (FIXTURES / "correct" / "exercise3_float64_zeros.py").read_text()
    wrong = right.replace("if strides is None:\n        strides = (ph, pw)", "if strides is None:\n        strides = 1")
    assert wrong != right
    result = grade(3, submission=submission(3, wrong))
    exercise = catalog.find("exercise3")
    for task in result.tasks[:2]:
        assert task.status is Status.FAILED and task.score == 0
        stride_one = next(m for m in exercise.task(task.name).misconceptions if m.name == "pool_stride_one")
        assert task.diagnosis == diagnosis.explain(stride_one)


def test_a_conv1d_that_flips_its_kernel_is_named_as_correlate2d_is(submission):
    flips = "def conv1d(x, w, b=0.0):\n    return np.convolve(x, w, mode='valid') + b\n"
    task = _learner(1, flips, submission).tasks[0]
    assert task.name == "conv1d" and task.status is Status.FAILED
    assert task.diagnosis == diagnosis.explain(catalog.find("exercise1").task("correlate2d").misconceptions[0])
    slides = "def conv1d(x, w, b=0.0):\n    return np.convolve(x, w[::-1], mode='valid') + b\n"
    right = _learner(1, slides, submission).tasks[0]
    assert right.passed and right.diagnosis is None


@pytest.fixture(scope="module")
def noted() -> ExerciseResult:
    return grade(1, submission=FLOAT64[0], lang="en", examples=10)


def test_every_report_carries_the_note_without_counting_it_as_a_failure(noted):
    assert FLOAT64[0].stem == "exercise1_float64_zeros"
    text = render(noted, "text", width=200)
    assert "note (conv1d): dtype float64 where float32 is expected" in text and "dtype=x.dtype" in text
    assert "note (correlate2d, convolve2d, filter_image, correlate_channels): dtype float64" in text  # said once
    assert "note (laplacian_filter): dtype int64 where float64 is expected" in text
    assert "Every task passed!" in text
    tasks = {t["name"]: t for t in json.loads(render(noted, "json"))["tasks"]}
    assert tasks["conv1d"]["note"].startswith("dtype float64 where float32") and "note" not in tasks["box_filter"]
    gradescope = {t["name"]: t for t in json.loads(render(noted, "gradescope"))["tests"]}
    assert "note: dtype float64" in gradescope["exercise1 conv1d"]["output"]
    assert gradescope["exercise1 conv1d"]["status"] == "passed"
    suite = ET.fromstring(render(noted, "junit")).find("testsuite")
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    conv1d = next(case for case in suite if case.get("name") == "conv1d")
    assert "note: dtype float64" in conv1d.find("system-out").text
    assert "> note (conv1d): dtype float64" in exercises_markdown(noted.to_dict())


def test_a_function_without_arguments_shows_no_smallest_call(submission):
    source = "def laplacian_filter():\n    return np.array([[0.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 0.0]])\n"
    result = _learner(1, source, submission)
    assert result.tasks[-1].status is Status.FAILED
    for fmt in ("text", "gradescope", "junit"):
        shown = render(result, fmt, width=200)
        assert "laplacian_filter()" not in shown and "1 of 9 values differ" in shown, fmt


def test_strict_dtype_changes_a_marking_runs_fingerprint():
    exercises = (catalog.find("exercise1"),)
    lenient, strict = make_options(lang="en"), make_options(lang="en", strict_dtype=True)
    assert dataclasses.asdict(strict)["strict_dtype"] is True
    assert settings_hash(exercises, lenient) != settings_hash(exercises, strict)


def test_the_command_line_takes_strict_dtype_for_grading_and_marking(tmp_path):
    path = FLOAT64[0]
    assert run("exercise1", "--submission", path, "--examples", "5", "--lang", "en").exit_code == 0
    strict = run("exercise1", "--submission", path, "--examples", "5", "--lang", "en", "--strict-dtype")
    assert strict.exit_code == 1 and "dtype float64, expected float32" in strict.output
    student = tmp_path / "class" / "kim"
    student.mkdir(parents=True)
    (student / solution_file(1).name).write_text(path.read_text())

    def mark(*strict: str) -> dict:
        out = tmp_path / f"out{len(strict)}"
        marked = run("batch", tmp_path / "class", "--out", out, "--exercises", "1", "--examples", "5", *strict)
        assert marked.exit_code == (1 if strict else 0), marked.output
        tasks = json.loads((out / "reports" / "kim.json").read_text())["exercises"][0]["tasks"]
        return {t["name"]: t for t in tasks}

    lenient, strict = mark(), mark("--strict-dtype")
    assert lenient["conv1d"]["status"] == "passed" and lenient["conv1d"]["note"].startswith("dtype float64")
    assert strict["conv1d"]["status"] == "failed" and "note" not in strict["conv1d"]
