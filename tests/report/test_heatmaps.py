"""Mismatches as heatmaps (issue 21): a failing call whose answers are images is kept as the data of one picture
(input, expected, yours, the differing cells) and drawn, where a report has pictures, from exactly those arrays:
read back from the matplotlib figure (its images' data and its outlines), not compared as pixels. A right answer
has no picture; the ordinary JSON report has no heatmap; the feedback page stays self-contained; a terminal
grading never imports matplotlib."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from grader import heatmap_data
from grader.api import grade
from grader.notebook import CheckResult
from grader.report import figures, heatmaps, render
from grader.report.html import render_html
from grader.results import Counterexample, ExerciseResult, Heatmap, Status, TaskResult
from solutions.exercise1_convolution import convolve2d, correlate2d, gaussian_filter
from tests.conftest import FIXTURES, ROOT, solution_file
from tests.report.test_feedback_page import _fetched

KERNEL_FLIPPED = ROOT / "solutions" / "mistakes" / "exercise1_convolution" / "kernel_flipped.py"
PNG = b"\x89PNG\r\n\x1a\n"


def _flipped_call():
    """A flipped kernel on a 6x7 image of one bright pixel: the learner convolves where the task correlates, so
    the pixel lands two columns off, and two cells differ."""
    image = np.zeros((6, 7))
    image[3, 3] = 5.0
    kernel = np.zeros((3, 3))
    kernel[1, 0] = 1.0
    return {"image": image, "kernel": kernel}, correlate2d(image, kernel), convolve2d(image, kernel)


def _drawn(heatmap: Heatmap, lang: str = "en"):
    """(images' data, outlines per panel, colour limits, axes count) of the drawn figure."""
    with heatmaps.figure_of(heatmap, lang) as fig:
        panels = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
        arrays = [ax.images[0].get_array() for ax in panels]
        outlines = [heatmaps.outlines(ax) for ax in panels]
        limits = {ax.images[0].get_clim() for ax in panels}
        titles = [ax.get_title() for ax in panels]
        return arrays, outlines, limits, len(fig.axes), titles


def _cells(mask: np.ndarray) -> list[tuple[float, float]]:
    """Where a mask's cells are outlined: the lower corner (x, y) of each cell's unit square, sorted."""
    return sorted((column - 0.5, row - 0.5) for row, column in np.argwhere(mask))


# -- the picture is made of the right arrays ------------------------------------------------------------------


def test_a_flipped_kernel_is_drawn_as_four_panels_outlined_exactly_where_expected_and_yours_differ():
    inputs, expected, yours = _flipped_call()
    heatmap = heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)
    arrays, outlines, limits, axes, titles = _drawn(heatmap)
    assert len(arrays) == 4 and axes == 5  # input, expected, yours, difference, and one colorbar
    np.testing.assert_array_equal(arrays[0], inputs["image"])
    np.testing.assert_array_equal(arrays[1], expected)
    np.testing.assert_array_equal(arrays[2], yours)
    np.testing.assert_array_equal(arrays[3], yours - expected)
    differs = expected != yours
    assert _cells(differs) == [(0.5, 1.5), (2.5, 1.5)]  # row 2, columns 1 and 3
    assert outlines[0] == [] and outlines[1] == outlines[2] == outlines[3] == _cells(differs)
    assert len(limits) == 1  # one colour scale for every panel
    (low, high) = limits.pop()
    largest = max(np.abs(a).max() for a in arrays)
    assert low == -high == pytest.approx(-largest)
    assert titles[:3] == ["input image (6, 7)", "expected (4, 5)", "yours (4, 5)"]


def test_a_batch_shows_its_first_image_and_channel_with_a_difference():
    x = np.arange(3 * 5 * 5 * 2, dtype=np.float64).reshape(3, 5, 5, 2)
    yours = x.copy()
    yours[1, 2, 3, 1] += 10  # the first differing (n, c) in order: image 1, channel 1
    yours[2, 0, 0, 0] -= 10
    heatmap = heatmap_data.heatmap("zero_pad(...)", {"x": x, "pad": 0}, x, yours)
    assert heatmap.expected.label == heatmap.yours.label == heatmap.input.label == "n=1, c=1"
    arrays, outlines, *_ = _drawn(heatmap)
    np.testing.assert_array_equal(arrays[0], x[1, :, :, 1])
    np.testing.assert_array_equal(arrays[2], yours[1, :, :, 1])
    assert outlines[1] == [(2.5, 1.5)]  # row 2, column 3


def test_an_input_without_the_differing_channel_is_drawn_at_channel_zero_and_says_so():
    image = np.arange(25.0).reshape(5, 5, 1)
    expected = np.zeros((4, 4, 2))
    yours = expected.copy()
    yours[0, 0, 1] = 1.0
    heatmap = heatmap_data.heatmap("f(...)", {"image": image}, expected, yours)
    assert (heatmap.expected.label, heatmap.input.label) == ("c=1", "c=0")
    assert "c=0" in _drawn(heatmap)[4][0]


def test_a_large_answer_is_cropped_to_a_window_around_its_first_difference():
    expected = np.zeros((100, 90))
    yours = expected.copy()
    yours[70, 5] = 1.0
    heatmap = heatmap_data.heatmap("f(...)", {"image": np.ones((102, 92))}, expected, yours)
    side = heatmap_data.MAX_SIDE
    assert (heatmap.expected.rows, heatmap.expected.columns, heatmap.expected.origin) == (side, side, (54, 0))
    assert heatmap.input.origin == (54, 0) and len(heatmap.input.values) == side * side
    assert [i for i, d in enumerate(heatmap.differs) if d] == [16 * side + 5]
    titles = _drawn(heatmap)[4]
    assert "rows 54-85, columns 0-31" in titles[1]


@pytest.mark.parametrize(
    ("expected", "yours", "inputs", "why"),
    [
        (np.zeros(5), np.ones(5), {}, "1-D (conv1d) is not drawn"),
        (np.zeros((3, 3)), np.zeros((3, 3)), {}, "nothing differs (a dtype, a changed input)"),
        (np.zeros((2, 4)), np.ones((2, 4)), {"x": np.zeros((2, 3, 3, 4))}, "a batch's (N, C) is a table"),
        (np.zeros((1, 1)), np.ones((1, 1)), {}, "one cell is a number, not a picture"),
        (np.zeros((3, 3)), np.ones((3, 3, 1)), {}, "another number of dimensions"),
        (np.array([["a", "b"], ["c", "d"]]), np.array([["a", "b"], ["c", "e"]]), {}, "not numbers"),
        (np.zeros((3, 3)), [[0, 0, 0]] * 3, {}, "not an array"),
    ],
)
def test_answers_that_are_not_images_that_differ_have_no_heatmap(expected, yours, inputs, why):
    assert heatmap_data.heatmap("f()", inputs, expected, yours) is None, why


def test_an_answer_one_cell_wide_is_still_a_picture_with_its_input():
    """(Found by the lowest allowed versions: hypothesis 6.100's first wrong filter_image answered (2, 1).)"""
    image = np.arange(12.0).reshape(4, 3)
    heatmap = heatmap_data.heatmap("filter_image(...)", {"image": image}, np.zeros((2, 1)), np.ones((2, 1)))
    assert heatmap is not None and heatmap.input.name == "image" and heatmap.differs == (True, True)
    arrays, outlines, *_ = _drawn(heatmap)
    assert [a.shape for a in arrays] == [(4, 3), (2, 1), (2, 1), (2, 1)] and outlines[1] == [(-0.5, -0.5), (-0.5, 0.5)]


def test_answers_of_another_shape_are_drawn_side_by_side_without_a_difference():
    inputs = {"image": np.ones((5, 5))}
    heatmap = heatmap_data.heatmap("f(...)", inputs, np.ones((4, 4)), np.ones((5, 5)))
    arrays, outlines, *_ = _drawn(heatmap)
    assert [a.shape for a in arrays] == [(5, 5), (4, 4), (5, 5)] and not any(outlines)
    assert "The shapes differ ((4, 4) expected, (5, 5) yours): no difference is drawn." in heatmaps.caption(
        heatmap, "en"
    )


def test_a_kernel_made_from_sizes_is_drawn_without_an_input_panel():
    expected = gaussian_filter(5, 1.0)
    yours = np.roll(expected, 1, axis=1)  # the centre one cell off
    heatmap = heatmap_data.heatmap("gaussian_filter(size=5, sigma=1.0)", {"size": 5, "sigma": 1.0}, expected, yours)
    arrays, outlines, _, _, titles = _drawn(heatmap)
    assert heatmap.input is None and len(arrays) == 3
    assert titles[0].startswith("expected") and titles[2].startswith("difference")
    assert outlines[0] == _cells(~np.isclose(expected, yours, rtol=0, atol=1e-12))


def test_nan_and_infinite_answers_are_drawn_grey_and_the_caption_says_so():
    expected = np.ones((4, 4))
    yours = expected.copy()
    yours[0, 1], yours[2, 2] = np.nan, np.inf
    heatmap = heatmap_data.heatmap("f(...)", {}, expected, yours)
    assert heatmap.differs[1] and heatmap.differs[10]  # NaN and inf differ from 1
    arrays, *_ = _drawn(heatmap)
    assert arrays[1].mask[0, 1] and arrays[1].mask[2, 2] and arrays[1].mask.sum() == 2
    assert heatmaps.png(heatmap, "ko").startswith(PNG)
    assert "NaN and infinite values are drawn grey." in heatmaps.caption(heatmap, "en")
    assert "회색" in heatmaps.caption(heatmap, "ko")


def test_answers_at_the_edge_of_float64_draw_on_a_scale_that_stays_finite():
    expected = np.ones((4, 4))
    yours = expected.copy()
    yours[0, 1], yours[2, 2] = np.finfo(np.float64).max, -np.finfo(np.float64).max  # the scale's width overflows
    heatmap = heatmap_data.heatmap("f(...)", {}, expected, yours)
    arrays, _outlines, limits, *_ = _drawn(heatmap)
    ((low, high),) = limits
    assert np.isfinite(high - low) and low < 0 < high
    assert arrays[1][0, 1] == high and arrays[1][2, 2] == low and arrays[1][0, 0] == 1.0  # drawn at the scale's ends
    assert heatmaps.png(heatmap, "en").startswith(PNG)


def test_the_titles_inside_the_image_are_korean_only_where_a_korean_font_is_installed(monkeypatch):
    inputs, expected, yours = _flipped_call()
    heatmap = heatmap_data.heatmap("f(...)", inputs, expected, yours)
    monkeypatch.setattr(figures, "korean_font", lambda: None)
    assert _drawn(heatmap, "ko")[4][1] == "expected (4, 5)"  # DejaVu Sans has no Hangul: no empty boxes
    monkeypatch.setattr(figures, "korean_font", lambda: "DejaVu Sans")  # stands for one
    assert _drawn(heatmap, "ko")[4][1] == "정답 (4, 5)"


# -- where the data goes --------------------------------------------------------------------------------------


def _result(heatmap: Heatmap | None) -> ExerciseResult:
    example = Counterexample("correlate2d(...)", {"image": "array"}, "array", "array", "2 of 4 differ", heatmap=heatmap)
    failed = TaskResult("correlate2d", Status.FAILED, 0.0, 2.0, 3, "2 of 4 values differ", example)
    passed = TaskResult("box_filter", Status.PASSED, 1.0, 1.0, 30, "matched")
    return ExerciseResult("exercise1", "convolution", 0, ("cpu",), (failed, passed))


def test_a_full_report_keeps_the_heatmap_and_reads_it_back_whole():
    inputs, expected, yours = _flipped_call()
    yours[0, 0] = np.nan
    assert yours.dtype == np.float64
    heatmap = heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)
    kept = json.loads(json.dumps(_result(heatmap).to_dict(full=True), allow_nan=False))
    back = Heatmap.from_dict(kept["tasks"][0]["counterexample"]["heatmap"])
    assert np.isnan(back.yours.values[0]) and back.yours.values[1:] == heatmap.yours.values[1:]
    assert (back.input, back.expected, back.differs) == (heatmap.input, heatmap.expected, heatmap.differs)


def test_the_json_report_is_unchanged_by_a_heatmap():
    inputs, expected, yours = _flipped_call()
    heatmap = heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)
    with_picture, without = (json.loads(render(_result(h), "json", lang="en")) for h in (heatmap, None))
    assert with_picture == without
    assert "heatmap" not in json.dumps(with_picture)


def test_the_feedback_page_with_heatmaps_fetches_and_runs_nothing():
    inputs, expected, yours = _flipped_call()
    report = _result(heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)).to_dict(full=True)
    pictures = heatmaps.pictures_of(report, "en")
    assert list(pictures) == [("exercise1", "correlate2d")]
    page = render_html(report, "en", pictures=pictures)
    assert _fetched(page) == [] and "<script" not in page
    sources = re.findall(r'<img src="([^"]*)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/png;base64,")
    assert base64.b64decode(sources[0].removeprefix("data:image/png;base64,")).startswith(PNG)
    assert "The cells that differ are outlined." in page


@pytest.mark.parametrize(
    "damage",
    [
        {"values": ["a", "b"]},  # strings
        {"values": [0.0] * 3},  # fewer values than rows x columns
        {"rows": 10**9, "columns": 10**9},  # a huge shape
        {"shape": "huge"},
        {"origin": None},
    ],
    ids=["strings", "wrong_length", "huge_rows", "shape_not_a_list", "origin_none"],
)
def test_a_damaged_heatmap_in_a_report_leaves_out_that_picture_only(damage):
    inputs, expected, yours = _flipped_call()
    heatmap = heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)
    report = _result(heatmap).to_dict(full=True)
    good = json.loads(json.dumps(report["tasks"][0]))
    good["name"] = "convolve2d"
    report["tasks"][0]["counterexample"]["heatmap"]["yours"].update(damage)
    report["tasks"].append(good)
    pictures = heatmaps.pictures_of(report, "en")
    assert list(pictures) == [("exercise1", "convolve2d")]
    page = render_html(report, "en", pictures=pictures)
    assert page.count('<img src="data:image/png;base64,') == 1 and "correlate2d" in page


def test_a_notebook_displays_the_pictures_under_the_report_and_a_terminal_nothing(monkeypatch):
    from grader import notebook

    inputs, expected, yours = _flipped_call()
    result = _result(heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours))
    checked = CheckResult(**{name: getattr(result, name) for name in result.__dataclass_fields__}, lang="en")
    shown = []
    monkeypatch.setattr(notebook, "_displayer", lambda: shown.append)
    checked.show_pictures()
    assert len(shown) == 1 and '<img src="data:image/png;base64,' in shown[0].data
    assert "correlate2d: correlate2d(...) The cells that differ are outlined." in shown[0].data
    monkeypatch.undo()
    assert notebook._displayer() is None  # outside IPython: no display, nothing drawn


# -- grading ----------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_wrong_filter_image_gets_four_heatmaps_and_a_right_one_none(submission):
    wrong = grade(1, submission(1, solution_file(1).read_text() + KERNEL_FLIPPED.read_text()), examples=30)
    task = next(t for t in wrong.tasks if t.name == "filter_image")
    heatmap = task.counterexample.heatmap
    assert heatmap is not None and heatmap.input.name == "image"
    arrays, outlines, *_ = _drawn(heatmap)
    expected, yours = arrays[1], arrays[2]
    assert len(arrays) == 4 and outlines[2] == _cells(~np.isclose(expected, yours, rtol=1e-6, atol=1e-9))
    assert outlines[2] != []
    # The smallest call shrank to a 1x1 answer: the picture is of the first wrong answer met, and says so.
    picture = heatmaps.pictures_of(wrong.to_dict(full=True), "en")[("exercise1", "filter_image")][0]
    assert picture.caption.startswith("The first wrong answer found, before it was made smaller: filter_image(")
    right = grade(1, solution_file(1), examples=30)
    assert right.passed and heatmaps.pictures_of(right.to_dict(full=True), "en") == {}


@pytest.mark.slow
def test_grade_html_writes_the_page_with_the_heatmaps_and_still_prints_the_report(submission, tmp_path):
    from click.testing import CliRunner

    from grader.cli import main

    wrong = submission(1, solution_file(1).read_text() + KERNEL_FLIPPED.read_text())
    page = tmp_path / "feedback" / "exercise1.html"
    args = ["exercise1", "--submission", wrong, "--html", page, "--format", "json", "--examples", "30", "--lang", "en"]
    ran = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert ran.exit_code == 1
    printed = json.loads(ran.stdout)
    assert printed["tasks"][4]["name"] == "filter_image" and "heatmap" not in ran.stdout
    written = page.read_text(encoding="utf-8")
    assert written.count('<img src="data:image/png;base64,') == 3  # correlate2d, convolve2d, filter_image
    assert _fetched(written) == []
    right = CliRunner().invoke(
        main, ["exercise1", "--submission", str(solution_file(1)), "--html", str(page), "--examples", "10"]
    )
    assert right.exit_code == 0 and "<img" not in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_huge_answer_of_nan_keeps_a_small_heatmap_that_draws(submission):
    attack = (FIXTURES / "hostile" / "exercise1_answers_a_huge_image_of_nan.py").read_text()
    source = f"{solution_file(1).read_text()}\n_reference_filter_image = filter_image\n{attack}"
    result = grade(1, submission(1, source), examples=20)
    task = next(t for t in result.tasks if t.name == "filter_image")
    heatmap = task.counterexample.heatmap
    assert task.status is Status.FAILED and heatmap is not None
    assert heatmap.yours.shape[:2] == (1000, 1000) and len(heatmap.yours.values) == heatmap_data.MAX_SIDE**2
    assert len(json.dumps(task.to_dict(full=True))) < 60_000
    caption = heatmaps.caption(heatmap, "en")
    assert "no difference is drawn" in caption and "drawn grey" in caption
    assert heatmaps.png(heatmap, "en").startswith(PNG)


def test_grading_in_a_terminal_never_imports_matplotlib(submission):
    wrong = submission(1, solution_file(1).read_text() + KERNEL_FLIPPED.read_text())
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('matplotlib' in sys.modules, file=sys.stderr))\n"
        f"sys.argv = ['grade', 'exercise1', '--submission', {str(wrong)!r}, '--examples', '10']\n"
        "from grader.cli import main\n"
        "main()\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert ran.returncode == 1, ran.stderr
    assert "filter_image" in ran.stdout
    assert ran.stderr.strip().splitlines()[-1] == "False"
