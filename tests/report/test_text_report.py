"""The terminal report, rendered at a fixed width: key lines, in Korean and English."""

from __future__ import annotations

import re

from grader.report import render
from grader.results import Counterexample, ExerciseResult, RunResult, Status, Table, TaskResult

FAILED = TaskResult(
    name="max_pool2d",
    status=Status.FAILED,
    score=0.0,
    max_score=3.0,
    examples=12,
    message="1 of 1 values differ (largest difference 1 at index (0, 0, 0, 0))",
    counterexample=Counterexample(
        call="max_pool2d(x=<float32 array (1, 1, 2, 1)>)",
        inputs={"x": "array shape=(1, 1, 2, 1) dtype=float32\n[[[[-1.], [-2.]]]]"},
        expected="array shape=(1, 1, 1, 1) dtype=float32\n[[[[-1.]]]]",
        actual="array shape=(1, 1, 1, 1) dtype=float32\n[[[[0.]]]]",
        difference="",
    ),
    output="debug print\n",
)
PASSED = TaskResult("flatten", Status.PASSED, 2.0, 2.0, 100, "matched the reference on 100 examples")
STUB = TaskResult("avg_pool2d", Status.NOT_IMPLEMENTED, 0.0, 3.0, 0, "not implemented yet")
RESULT = ExerciseResult("exercise3", "풀링 (pooling)", 0, ("cpu",), (FAILED, PASSED, STUB))


def test_the_report_has_a_line_per_task_with_status_and_points():
    text = render(RESULT, "text", lang="en", width=100)
    assert "exercise3 — 풀링 (pooling)   2/8" in text
    assert any("max_pool2d" in line and "✗ failed" in line and "0/3" in line for line in text.splitlines())
    assert any("flatten" in line and "✓ passed" in line and "2/2" in line for line in text.splitlines())
    assert "Fix it and run again: grade exercise3" in text


def test_a_failed_task_shows_the_smallest_example_expected_yours_and_what_it_printed():
    text = render(RESULT, "text", lang="en", width=100)
    assert "smallest failing example: max_pool2d(x=<float32 array (1, 1, 2, 1)>)" in text
    assert "expected: array shape=(1, 1, 1, 1)" in text and "yours: array shape=(1, 1, 1, 1)" in text
    assert "your code printed:" in text and "debug print" in text


def test_a_stub_is_one_quiet_line_not_a_panel():
    text = render(RESULT, "text", lang="en", width=100)
    assert "· avg_pool2d: not implemented yet" in text
    assert "avg_pool2d — not implemented" not in text


def test_the_report_speaks_korean():
    text = render(RESULT, "text", lang="ko", width=100)
    assert "문제" in text and "✗ 틀림" in text and "가장 작은 반례" in text and "정답" in text
    assert "고친 뒤 다시 실행하세요: grade exercise3" in text


def test_a_run_report_ends_with_the_total():
    text = render(RunResult((RESULT, RESULT)), "text", lang="en", width=100)
    assert text.count("exercise3 —") == 2 and text.rstrip().endswith("total: 4/16")


def test_no_colour_codes_unless_asked():
    assert "\x1b[" not in render(RESULT, "text", lang="en")
    assert "\x1b[" in render(RESULT, "text", lang="en", color=True)


def test_the_default_language_follows_the_locale(monkeypatch):
    from grader.i18n import default_language

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert default_language() == "ko"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert default_language() == "en"


def test_every_label_exists_in_both_languages():
    from grader.i18n import LABELS, label

    fields = {"name": "x", "file": "x", "where": "x", "command": "x", "student": "x"}
    for key in LABELS:
        assert label(key, "ko", **fields) != label(key, "en", **fields), key
    for status in Status:
        assert status.value in LABELS


def test_a_weaker_sandbox_is_said_in_the_report():
    warned = ExerciseResult("exercise3", "풀링 (pooling)", 0, ("cpu",), (PASSED,), ("sandbox weaker: files",))
    assert "⚠ sandbox weaker: files" in render(warned, "text", lang="en", width=100)
    assert "sandbox" not in render(warned, "json", lang="en")


def test_a_diagnosed_task_names_the_misconception_in_the_panel_and_in_the_plain_details():
    from dataclasses import replace

    from grader.report.plain import task_details

    named = "Your pooling moved one cell at a time: a window moves by its own size unless strides says otherwise."
    result = replace(RESULT, tasks=(replace(FAILED, diagnosis=named), PASSED, STUB))
    text = render(result, "text", lang="en", width=200)
    assert f"diagnosis: {named}" in text
    assert "진단:" in render(result, "text", lang="ko", width=200)
    assert f"diagnosis: {named}" in task_details(result.tasks[0].to_dict(), "en")
    assert "diagnosis" not in render(RESULT, "text", lang="en", width=200)


def test_the_first_differing_row_of_an_architecture_table_is_marked_with_and_without_colour():
    table = Table(
        ("#", "expected", "output", "params", "yours", "output", "params"),
        (
            ("1", "Conv2D(64, (3, 3))", "(26, 26, 64)", "640", "Conv2D(64, (3, 3))", "(26, 26, 64)", "640"),
            ("2", "MaxPooling2D((2, 2))", "(13, 13, 64)", "0", "AveragePooling2D((2, 2))", "(13, 13, 64)", "0"),
            ("3", "Flatten()", "(10816,)", "0", "Flatten()", "(10816,)", "0"),
        ),
        first_difference=1,
    )
    wrong = TaskResult(
        "build_fashion_cnn",
        Status.FAILED,
        0.0,
        3.0,
        1,
        "layer 2: expected MaxPooling2D",
        Counterexample("build_fashion_cnn()", {}, None, None, "", table=table),
    )
    exercise = ExerciseResult("exercise6", "케라스 모델 (Keras models)", 0, ("cpu",), (wrong,))
    for color in (False, True):
        lines = re.sub(r"\x1b\[[0-9;]*m", "", render(exercise, "text", lang="en", width=120, color=color)).splitlines()
        rows = [line.strip("│ ") for line in lines if "(13, 13, 64)" in line]
        rows += [line.strip("│ ") for line in lines if "(26, 26, 64)" in line or "(10816,)" in line]
        assert [row[0] for row in rows] == [">", "1", "3"], rows


def test_a_long_layer_description_wraps_instead_of_being_cut_in_korean_too():
    layer = "Conv2D(64, (3, 3), strides=(2, 2), padding='same', dilation_rate=(1, 1), activation='relu')"
    for lang, columns in (("en", ("expected", "yours")), ("ko", ("정답", "제출한 답"))):
        table = Table(
            ("#", columns[0], "output", "params", columns[1], "output", "params"),
            (("1", layer, "(14, 14, 64)", "640", layer, "(14, 14, 64)", "640"),),
            None,
        )
        wrong = TaskResult(
            "make_conv_layer",
            Status.FAILED,
            0.0,
            1.0,
            1,
            "differs",
            Counterexample("make_conv_layer()", {}, None, None, "", table=table),
        )
        text = render(ExerciseResult("exercise6", "Keras", 0, ("cpu",), (wrong,)), "text", lang=lang, width=100)
        assert "…" not in text and "activation='relu')" in text, lang
