"""The feedback page handed back to a student (feedback/<student>.html): the terminal report's content from the
JSON report alone, in the course's language, everything from the learner shown as text, and nothing fetched."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from grader import pictures
from grader.classroom.marking import mark_student
from grader.engine import Options
from grader.report.html import Picture, render_html
from grader.results import Counterexample, ExerciseResult, RunResult, Status, Table, TaskResult
from tests.conftest import FIXTURES, solution_file


def _counterexample() -> Counterexample:
    x = np.array([[[[7.0], [3.0]]]], dtype=np.float32)
    expected, yours = np.array([[[[7.0]]]], np.float32), np.array([[[[5.0]]]], np.float32)
    return Counterexample(
        call="max_pool2d(x=<float32 array (1, 1, 2, 1)>, pool_size=(1, 2))",
        inputs={"x": "array shape=(1, 1, 2, 1)", "pool_size": "(1, 2)"},
        expected="array [[[[7.]]]]",
        actual="array [[[[5.]]]]",
        difference="1 of 1 values differ",
        grids=pictures.grids({"x": x}, expected, yours),
    )


def _report(student: str = "kim", **changes) -> dict:
    """A student's batch report holding every status, a grid, a comparison table, a note and printed output."""
    counterexample = _counterexample()
    tasks = (
        TaskResult(
            "max_pool2d",
            Status.FAILED,
            0.0,
            3.0,
            5,
            "1 of 1 values differ\nPad with -inf, not 0.",
            counterexample,
            diagnosis="the window moved one cell at a time",
            output="debug: window 0\n",
        ),
        TaskResult("avg_pool2d", Status.PASSED, 3.0, 3.0, 50, "matched", note="float64 where float32 was given"),
        TaskResult("global_avg_pool2d", Status.ERROR, 0.0, 1.0, 1, "ZeroDivisionError: division by zero"),
        TaskResult("global_max_pool2d", Status.TIMEOUT, 0.0, 1.0, 1, "took longer than 2 s"),
        TaskResult("flatten", Status.NOT_IMPLEMENTED, 0.0, 2.0, 0, "flatten still raises NotImplementedError"),
        TaskResult("keepdims", Status.MISSING, 0.0, 1.0, 0, "there is no function keepdims"),
        TaskResult("reshape", Status.FORBIDDEN, 0.0, 1.0, 0, "imports tensorflow, which this exercise bans"),
    )
    table = Table(("#", "expected", "yours"), (("1", "Conv2D 32", "Conv2D 32"), ("2", "MaxPool", "Dense")), 1)
    keras = TaskResult(
        "build_model",
        Status.FAILED,
        0.0,
        4.0,
        1,
        "layer 2 differs",
        Counterexample("build_model()", {}, None, None, "layer 2", table),
    )
    exercises = (
        ExerciseResult("exercise3", "pooling", 3, ("cpu",), tasks, notes=("1 statement of the notebook was left out",)),
        ExerciseResult("exercise6", "Keras models", 3, ("cpu",), (keras,)),
    )
    return {"student": student, "status": "graded", "message": "", **RunResult(exercises).to_dict(full=True), **changes}


class _Reader(HTMLParser):
    """The page as a browser reads it: its text, and whatever would make the browser fetch or run something."""

    FETCHING_TAGS = ("script", "link", "iframe", "object", "embed", "base", "frame", "audio", "video", "source")
    FETCHING_ATTRIBUTES = ("src", "href", "action", "srcset", "formaction", "poster", "background")

    def __init__(self, page: str):
        super().__init__()
        self.text: list[str] = []
        self.fetched: list[str] = []
        self.style = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.style = tag == "style"
        if tag in self.FETCHING_TAGS or (tag == "meta" and any(name == "http-equiv" for name, _ in attrs)):
            self.fetched.append(f"<{tag}>")
        for name, value in attrs:
            runs = name.startswith("on")
            fetches = name in self.FETCHING_ATTRIBUTES and not (value or "").startswith(("#", "data:image/"))
            if runs or fetches:
                self.fetched.append(f"{name}={value}")

    def handle_endtag(self, tag):
        self.style = False

    def handle_data(self, data):
        if self.style:
            self.fetched += re.findall(r"@import|url\(", data)
        else:
            self.text.append(data)


def _text(page: str) -> str:
    """What a reader of the page sees: its text without markup, entities read."""
    return "".join(_Reader(page).text)


def _fetched(page: str) -> list[str]:
    """Whatever in the page would make a browser fetch something or run code."""
    return _Reader(page).fetched


def _section(page: str, task: str) -> str:
    """A task's details: from its box to the next task's box or the end of its exercise."""
    start = re.search(rf'<div class="task \w+" id="[\w.]*\.{task}">', page)
    assert start, f"no details for {task}"
    rest = page[start.end() :]
    return rest[: min(i for i in (rest.find('<div class="task '), rest.find("</section>")) if i >= 0)]


def test_the_page_has_every_task_with_its_status_and_points_and_the_total():
    page = render_html(_report(), "en")
    seen = _text(page)
    assert "Feedback for kim" in seen and "total: 3/16" in seen
    for name, status, points in [
        ("max_pool2d", "✗ failed", "0/3"),
        ("avg_pool2d", "✓ passed", "3/3"),
        ("global_avg_pool2d", "! error", "0/1"),
        ("global_max_pool2d", "⏱ timeout", "0/1"),
        ("flatten", "· not implemented", "0/2"),
        ("keepdims", "? missing", "0/1"),
        ("reshape", "⊘ forbidden", "0/1"),
    ]:
        row = re.search(rf"<tr><td><code>{name}</code></td>(.*?)</tr>", page).group(1)
        assert status in _text(row) and points in row, name


def test_a_failed_task_shows_message_hint_diagnosis_smallest_example_grids_and_printed_output():
    details = _section(render_html(_report(), "en"), "max_pool2d")
    seen = _text(details)
    assert "1 of 1 values differ" in seen and "Pad with -inf, not 0." in seen
    assert "diagnosis: the window moved one cell at a time" in seen
    assert (
        "smallest failing example:" in seen and "max_pool2d(x=<float32 array (1, 1, 2, 1)>, pool_size=(1, 2))" in seen
    )
    assert "pool_size = (1, 2)" in seen and "x = array" not in seen  # x is drawn as a grid instead
    assert '<table class="grid input"><caption>x (1, 1, 2, 1)' in details
    assert re.search(r'<table class="grid expected">.*<td class="differs">7\*</td>', details, re.S)
    assert re.search(r'<table class="grid yours">.*<td class="differs">5\*</td>', details, re.S)
    assert "* = differs" in seen
    assert "your code printed:" in seen and "debug: window 0" in seen


def test_errors_timeouts_and_forbidden_tasks_have_details_and_unfinished_ones_a_line():
    page = render_html(_report(), "en")
    for task, says in [
        ("global_avg_pool2d", "ZeroDivisionError"),
        ("global_max_pool2d", "longer than 2 s"),
        ("reshape", "bans"),
    ]:
        assert says in _text(_section(page, task))
    unfinished = _text(re.search(r'<ul class="unfinished">(.*?)</ul>', page, re.S).group(1))
    assert "flatten: flatten still raises NotImplementedError" in unfinished
    assert "keepdims: there is no function keepdims" in unfinished
    assert "Fix it and run again: grade exercise3" in _text(page)


def test_notes_and_a_comparison_table_are_shown_with_the_first_difference_marked():
    page = render_html(_report(), "en")
    assert "note (avg_pool2d): float64 where float32 was given" in _text(page)
    assert "1 statement of the notebook was left out" in _text(page)
    keras = _section(page, "build_model")
    assert '<tr class="differs"><td>&gt;</td><td>2</td><td>MaxPool</td><td>Dense</td></tr>' in keras
    assert "smallest failing example" not in _text(keras)  # a call without arguments has none


def test_a_student_who_passed_everything_is_told_so():
    report = _report()
    report["exercises"] = [
        {**e, "tasks": [t for t in e["tasks"] if t["status"] == "passed"]} for e in report["exercises"][:1]
    ]
    page = render_html(report, "en")
    assert "Every task passed!" in _text(page) and '<div class="task' not in page


def test_a_student_the_grader_could_not_mark_is_told_why():
    report = {
        "student": "lee",
        "status": "error",
        "message": "marking took longer than 60 s",
        "score": 0.0,
        "max_score": 21.0,
        "exercises": [],
    }
    assert "marking took longer than 60 s" in _text(render_html(report, "en"))


def test_the_page_speaks_the_course_language():
    korean = _text(render_html(_report(), "ko"))
    assert "kim의 채점 피드백" in korean and "합계: 3/16" in korean
    assert all(word in korean for word in ("틀림", "통과", "진단", "가장 작은 반례", "정답", "제출한 답"))
    english = _text(render_html(_report(), "en"))
    assert "틀림" not in english and "failed" in english
    assert '<html lang="ko">' in render_html(_report(), "ko")


def test_the_page_is_self_contained():
    page = render_html(_report(), "en")
    assert _fetched(page) == []
    assert page.count("<style>") == 1 and page.rstrip().endswith("</html>")


def test_pictures_are_shown_in_their_task_inlined_and_a_linked_one_is_refused():
    dot = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    page = render_html(_report(), "en", pictures={("exercise3", "max_pool2d"): [Picture("expected − yours", dot)]})
    assert '<div class="pictures">' in _section(page, "max_pool2d") and f'src="{dot}"' in page
    assert _fetched(page) == []
    with pytest.raises(ValueError, match="data:image"):
        Picture("a heatmap", "https://example.invalid/heatmap.png")


MARKUP = "</html><script>alert(1)</script><img src=x onerror=alert(2)>"


def test_everything_from_the_learner_is_escaped():
    report = _report(student=MARKUP)
    task = report["exercises"][0]["tasks"][0]
    task["message"] = task["output"] = task["diagnosis"] = MARKUP
    task["counterexample"]["call"] = task["counterexample"]["inputs"]["pool_size"] = MARKUP
    table = report["exercises"][1]["tasks"][0]["counterexample"]["table"]
    table["rows"] = [("1", MARKUP, "Conv2D 32"), *table["rows"][1:]]
    page = render_html(report, "en")
    assert _fetched(page) == [] and page.count("</html>") == 1 and "<img" not in page
    assert _text(page).count(MARKUP) >= 6  # shown, as text


@pytest.mark.slow
def test_a_submission_that_prints_markup_and_names_its_answer_in_markup_gets_a_page_that_shows_them(tmp_path):
    attack = FIXTURES / "hostile" / "exercise3_writes_markup_into_its_report.py"
    folder = tmp_path / "<script>alert('folder')<"
    folder.mkdir()
    (folder / solution_file(3).name).write_text(solution_file(3).read_text() + "\n\n" + attack.read_text())
    from grader import catalog

    options = Options(examples=5, timeout=3, seed=0, lang="en")
    report = mark_student(folder.name, folder, (catalog.find("exercise3"),), options)
    page = render_html(report, "en")
    assert _fetched(page) == [] and page.count("</html>") == 1 and "<script" not in page
    seen = _text(page)
    assert "<script>alert('printed')</script></html>" in seen  # what it printed
    assert "</html><script>alert('named')</script>" in seen  # its answer's name
    assert "Feedback for <script>alert('folder')<" in seen
