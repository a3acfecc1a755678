"""The counterexample as a picture: small arrays drawn as grids side by side, shapes in the titles, the cells
that differ flagged; large arrays left to the message's summary; the JSON report unchanged."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from grader import pictures
from grader.api import grade
from grader.report import render
from grader.results import ExerciseResult
from tests.conftest import ROOT, solution_file

MISTAKES = ROOT / "solutions" / "mistakes"


def _graded(number: int, mistake: str, submission, **options) -> ExerciseResult:
    folder = next(MISTAKES.glob(f"exercise{number}_*"))
    return grade(
        number, submission(number, solution_file(number).read_text() + (folder / mistake).read_text()), **options
    )


def test_the_grids_flag_exactly_the_cells_that_differ():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    actual = np.array([[1.0, 2.5], [3.0, 4.0000005]], dtype=np.float32)  # one real difference, one rounding
    x = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    image, wanted, yours = pictures.grids({"image": x, "size": 3}, expected, actual)
    assert (image.name, image.shape, image.differs) == ("image", (3, 3), ())
    assert wanted.differs == yours.differs == (False, True, False, False)
    assert yours.values == (1.0, 2.5, 3.0, 4.000000476837158)


def test_answers_of_another_shape_are_drawn_without_flags():
    *_, wanted, yours = pictures.grids({}, np.zeros((1, 1, 1, 1)), np.zeros((1, 2, 1, 1)))
    assert (wanted.shape, yours.shape, wanted.differs, yours.differs) == ((1, 1, 1, 1), (1, 2, 1, 1), (), ())


@pytest.mark.parametrize(
    ("expected", "why"),
    [
        (np.zeros((9, 9)), "more than 8 rows"),
        (np.zeros((1, 4, 4, 5)), "more than 4 slices"),
        (np.zeros(()), "a scalar"),
        (np.array(["a"]), "not numbers"),
    ],
)
def test_large_or_odd_arrays_are_not_drawn(expected, why):
    assert pictures.grids({}, expected, expected) == (), why


def test_a_kernel_is_drawn_per_input_and_output_channel():
    kernel = np.arange(8.0).reshape(2, 2, 1, 2)
    drawn = pictures.grids({"kernel": kernel}, np.zeros((1, 1, 1, 2)), np.ones((1, 1, 1, 2)))
    assert drawn[0].layout == "HWIO"
    assert [label for _, label in pictures.slices(kernel.shape, "HWIO")] == ["in=0, out=0", "in=0, out=1"]


@pytest.mark.slow
def test_a_flipped_kernel_is_shown_as_grids_with_the_wrong_cell_marked(submission):
    result = _graded(1, "kernel_flipped.py", submission)
    task = next(t for t in result.tasks if t.name == "correlate2d")
    names = [g.name for g in task.counterexample.grids]
    assert names == ["image", "kernel", "expected", "yours"]
    text = render(result, "text", lang="en", width=100)
    panel = text[text.index("correlate2d — failed") :]
    assert "image (1, 2)" in panel and "kernel (1, 2)" in panel
    assert "expected (1, 1)" in panel and "yours (1, 1)" in panel
    yours = task.counterexample.grids[-1]
    assert f"{yours.values[0]:g}*" in panel and "* = differs" in panel
    assert "expected: array" not in panel  # drawn, not printed as text
    korean = render(result, "text", lang="ko", width=100)
    assert "정답 (1, 1)" in korean and "제출한 답 (1, 1)" in korean and "* = 다른 칸" in korean


@pytest.mark.slow
def test_a_wrong_shape_is_said_in_words_before_the_grids(submission):
    result = _graded(3, "pool_stride_one.py", submission)
    task = result.tasks[0]
    # The window of 2 along the height or the width: which axis the shrinker keeps depends on its version.
    shape = re.match(r"shape (\(1, \d, \d, 1\)), expected \(1, 1, 1, 1\)", task.message)
    assert shape is not None and shape.group(1) in ("(1, 2, 1, 1)", "(1, 1, 2, 1)"), task.message
    text = render(result, "text", lang="en", width=100)
    assert "expected (1, 1, 1, 1)" in text and f"yours {shape.group(1)}" in text and "n=0, c=0" in text


@pytest.mark.slow
def test_the_json_report_carries_no_pictures(submission):
    result = _graded(3, "pool_stride_one.py", submission)
    report = json.loads(render(result, "json", lang="en"))
    assert all("grids" not in (t["counterexample"] or {}) for t in report["tasks"])
