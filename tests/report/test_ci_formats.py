"""`--format gradescope` and `--format junit`, validated by Gradescope's published results format (as a JSON
schema), JUnit's XSD (as Jenkins validates it) and a real JUnit parser, not only by our own expectations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner
from junitparser import Error, Failure, JUnitXml

from grader.cli import main
from grader.report import render
from grader.report.gradescope import results_json
from grader.report.junit import render_junit
from grader.results import Counterexample, ExerciseResult, RunResult, Status, TaskResult
from grader.results import Table as ComparisonTable
from tests.conftest import SOLUTIONS

SCHEMAS = Path(__file__).parent / "schemas"
GRADESCOPE = json.loads((SCHEMAS / "gradescope_results.schema.json").read_text())
JUNIT = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))

FAILED = TaskResult(
    "max_pool2d",
    Status.FAILED,
    0.0,
    3.0,
    12,
    '1 of 1 values differ <&> "quoted"',
    Counterexample(
        call="max_pool2d(x=<float32 array (1, 1, 2, 1)>)",
        inputs={"x": "[[[[-1.], [-2.]]]]"},
        expected="[[[[-1.]]]]",
        actual="[[[[0.]]]]",
        difference="",
    ),
)
CRASHED = TaskResult("avg_pool2d", Status.ERROR, 0.0, 3.0, 1, "your function raised 풀링 오류\x00\x1b[31m: boom")
SLOW = TaskResult("flatten", Status.TIMEOUT, 0.0, 1.0, 0, "ran out of the task's time limit")
STUB = TaskResult("global_max_pool2d", Status.NOT_IMPLEMENTED, 0.0, 1.0, 0, "not implemented yet")
PASSED = TaskResult("global_avg_pool2d", Status.PASSED, 2.0, 2.0, 100, "matched the reference")
TABLED = TaskResult(
    "build_lenet",
    Status.FAILED,
    0.0,
    2.0,
    1,
    "layer 2: expected MaxPooling2D, got AveragePooling2D",
    Counterexample(
        "build_lenet()",
        {},
        "Sequential",
        "Sequential",
        "",
        ComparisonTable(("#", "expected", "yours"), (("1", "Conv2D", "Conv2D"), ("2", "MaxPool", "AvgPool")), 1),
    ),
)
EXERCISE = ExerciseResult("exercise3", "풀링 (pooling)", 7, ("cpu",), (FAILED, CRASHED, SLOW, STUB, PASSED))
KERAS = ExerciseResult("exercise6", "케라스 모델", 7, ("cpu",), (TABLED,))
RUN = RunResult((EXERCISE, KERAS))


@pytest.mark.parametrize("result", [EXERCISE, RUN], ids=["one exercise", "grade all"])
def test_gradescope_results_follow_the_published_format(result):
    data = json.loads(render(result, "gradescope"))
    jsonschema.validate(data, GRADESCOPE)
    assert data["score"] == result.score == sum(t["score"] for t in data["tests"])
    assert [t["status"] for t in data["tests"][:5]] == ["passed" if t.passed else "failed" for t in EXERCISE.tasks]
    assert data["tests"][0]["number"] == "3.1" and data["tests"][0]["name"] == "exercise3 max_pool2d"
    assert "expected: [[[[-1.]]]]" in data["tests"][0]["output"]
    assert "seed" not in json.dumps(data)  # students read it; the marking seed may be secret


def test_the_gradescope_schema_refuses_what_gradescope_refuses():
    """Our transcription of the format can fail: a status other than passed/failed, an unknown key."""
    good = json.loads(render(EXERCISE, "gradescope"))
    for broken in (
        {**good, "tests": [{**good["tests"][0], "status": "error"}]},
        {**good, "visibility": "public"},
        {**good, "grade": 3},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, GRADESCOPE)


@pytest.mark.parametrize("visibility", ["visible", "hidden", "after_due_date", "after_published"])
def test_each_gradescope_visibility_is_every_tests_and_only_visible_tests_show_the_score_above_them(visibility):
    data = results_json(RUN.to_dict(), "en", visibility, notes=("exercise3: graded hw.py",))
    jsonschema.validate(data, GRADESCOPE)
    assert {test["visibility"] for test in data["tests"]} == {visibility} and data["visibility"] == visibility
    assert data["output"].startswith("exercise3: graded hw.py")
    assert (f"{RUN.score:g}/" in data["output"]) == (visibility == "visible")
    with pytest.raises(ValueError, match="public"):
        results_json(RUN.to_dict(), "en", "public")


@pytest.mark.parametrize("result", [EXERCISE, RUN], ids=["one exercise", "grade all"])
def test_junit_xml_is_valid_and_a_junit_parser_reads_the_verdicts(result, tmp_path):
    text = render(result, "junit", lang="ko")
    JUNIT.validate(text)
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    suites = list(JUnitXml.fromfile(str(path)))
    assert [s.name for s in suites] == [e.exercise for e in getattr(result, "exercises", (result,))]
    cases = {case.name: case for suite in suites for case in suite}
    assert cases["global_avg_pool2d"].is_passed
    assert isinstance(cases["max_pool2d"].result[0], Failure)
    assert isinstance(cases["avg_pool2d"].result[0], Error) and isinstance(cases["flatten"].result[0], Error)
    assert isinstance(cases["global_max_pool2d"].result[0], Failure)
    crashed = cases["avg_pool2d"].result[0]
    assert crashed.message == "your function raised 풀링 오류[31m: boom"  # control characters dropped
    assert "틀림" in cases["max_pool2d"].result[0].text  # the status in the report's language
    assert suites[0].failures == 2 and suites[0].errors == 2 and suites[0].tests == 5


def test_a_class_is_one_junit_file_with_a_suite_per_student_and_exercise():
    reports = [("ahn", RUN.to_dict()), ("baek", EXERCISE.to_dict())]
    text = render_junit(reports)
    JUNIT.validate(text)
    assert 'name="ahn/exercise3"' in text and 'classname="baek.exercise3"' in text
    assert '<testsuites name="cnn-exercises" tests="11" failures="5" errors="4">' in text


@pytest.mark.parametrize("fmt", ["junit", "gradescope"])
def test_the_command_writes_each_format_for_real_grading(fmt, tmp_path):
    output = tmp_path / "report"
    args = ["3", "--submission", str(SOLUTIONS), "--examples", "5", "--format", fmt, "--output", str(output)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    if fmt == "junit":
        JUNIT.validate(text)
        assert 'failures="0" errors="0"' in text
    else:
        data = json.loads(text)
        jsonschema.validate(data, GRADESCOPE)
        assert data["score"] == 10 and all(t["status"] == "passed" for t in data["tests"])
