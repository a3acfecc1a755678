"""`grade show EXERCISE TASK` on the command line: a picture written where it says, a self-contained HTML page,
the grading's statuses and exit codes for a learner's function that hangs or raises (no traceback, nothing
drawn), and exit code 2 with the tasks that can be shown for a task without a picture."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

from tests.cli.conftest import run
from tests.conftest import FIXTURES, SOLUTIONS

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_right_gaussian_filter_writes_its_picture_in_the_current_folder_and_passes(folder):
    result = run("show", "exercise1", "gaussian_filter", "--submission", SOLUTIONS, "--lang", "en")

    assert result.exit_code == 0, result.output
    assert "reference (7, 7), yours (7, 7): matches" in result.output
    assert "wrote show-exercise1-gaussian_filter.png" in result.output
    assert (folder / "show-exercise1-gaussian_filter.png").read_bytes().startswith(PNG)


def test_a_wrong_function_is_drawn_and_exits_1(folder, tmp_path):
    from tests.showing.conftest import mistake

    wrong = mistake(tmp_path, "exercise1_convolution", "kernel_flipped")
    result = run("show", "1", "correlate2d", "--submission", wrong, "--out", folder / "flipped.png", "--lang", "en")

    assert result.exit_code == 1
    assert "correlate2d: failed" in result.output and "differs" in result.output
    assert (folder / "flipped.png").read_bytes().startswith(PNG)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name in ("src", "href", "data", "srcset") and value]


def test_the_html_page_is_self_contained(folder):
    result = run("show", "exercise3", "avg_pool2d", "--submission", SOLUTIONS, "--out", "pooling.html")

    assert result.exit_code == 0, result.output
    page = (folder / "pooling.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(page)
    assert links.links and all(link.startswith("data:image/png;base64,") for link in links.links)
    assert "script" not in links.tags and "link" not in links.tags and "url(" not in page
    assert sorted(p.name for p in folder.iterdir()) == ["pooling.html"]  # no file left behind


def test_a_learner_function_that_hangs_is_a_timeout_with_exit_1_and_nothing_drawn(folder):
    hangs = FIXTURES / "hostile" / "exercise1_long_sleep.py"
    result = run("show", "exercise1", "box_filter", "--submission", hangs, "--timeout", "2", "--lang", "en")

    assert result.exit_code == 1
    assert "box_filter: timeout: ran out of the task's time limit (2 s)" in result.output
    assert "Traceback" not in result.output and list(folder.iterdir()) == []


def test_a_learner_function_that_raises_is_an_error_with_exit_1_and_no_traceback_of_the_grader(folder):
    raises = FIXTURES / "showing" / "exercise1_gaussian_range_of_a_float.py"
    result = run("show", "exercise1", "gaussian_filter", "--submission", raises, "--lang", "en")

    assert result.exit_code == 1
    assert "gaussian_filter: error: your function raised TypeError" in result.output
    assert "grader/" not in result.output and list(folder.iterdir()) == []


def test_a_task_without_a_picture_exits_2_naming_the_tasks_that_have_one(folder):
    result = run("show", "exercise1", "conv1d", "--lang", "en")

    assert result.exit_code == 2
    assert "exercise1 conv1d has no picture" in result.stderr
    assert "correlate2d, convolve2d, filter_image, correlate_channels, box_filter" in result.stderr


def test_an_unknown_task_or_exercise_exits_2_with_a_message(folder):
    task = run("show", "exercise3", "min_pool2d", "--lang", "en")
    exercise = run("show", "exercise9", "conv2d", "--lang", "en")
    none = run("show", "exercise4", "conv_output_length", "--lang", "en")

    assert (task.exit_code, exercise.exit_code, none.exit_code) == (2, 2, 2)
    assert "exercise3 has no task 'min_pool2d'; its tasks: max_pool2d" in task.stderr
    assert "unknown exercise 'exercise9'" in exercise.stderr
    assert "nor does any task of exercise4" in none.stderr


def test_an_out_file_that_is_neither_png_nor_html_exits_2(folder):
    result = run("show", "exercise1", "box_filter", "--out", "picture.jpg", "--lang", "en")

    assert result.exit_code == 2 and "--out must name a .png or an .html file" in result.stderr


def test_the_messages_are_korean_when_asked(folder):
    result = run("show", "exercise1", "conv1d", "--lang", "ko")

    assert result.exit_code == 2 and "그림이 없습니다" in result.stderr


@pytest.mark.slow
@pytest.mark.tensorflow
def test_grade_show_exercise6_draws_each_layers_feature_maps_next_to_the_references(folder):
    from grader.showing.api import drawn, show_task

    result = run("show", "exercise6", "feature_map_model", "--submission", SOLUTIONS, "--lang", "en")

    assert result.exit_code == 0, result.output
    assert "feature maps are the reference's on all 5 layers" in result.output
    assert "cuInit" not in result.output  # TensorFlow's own log is not what the learner's code printed
    assert (folder / "show-exercise6-feature_map_model.png").read_bytes().startswith(PNG)
    shown = show_task("exercise6", "feature_map_model", SOLUTIONS, lang="en")
    assert [row.caption for row in shown.rows] == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    with drawn(shown) as fig:
        layers = [sub for part in fig.subfigs for sub in part.subfigs]  # each layer: yours, the reference's
        pictures = [image.get_array() for sub in layers for ax in sub.axes for image in ax.images]
    # five layers, yours and the reference's each: the mosaics of equal maps are equal
    assert len(pictures) == 10
    assert all(np.array_equal(a, b) for a, b in zip(pictures[::2], pictures[1::2], strict=True))


@pytest.mark.slow
@pytest.mark.tensorflow
def test_grade_show_exercise6_with_the_first_layers_maps_every_time_names_the_layer_and_exits_1(folder):
    wrong = folder / "exercise6_keras_models.py"
    wrong.write_text((FIXTURES / "mutants" / "exercise6_feature_map_first_layer.py").read_text())

    result = run("show", "exercise6", "feature_map_model", "--submission", folder, "--lang", "en")

    assert result.exit_code == 1
    assert "layer pool1" in result.output and "pool1: reference (1, 32, 32, 16), yours (1, 64, 64, 16)" in result.output
    assert (folder / "show-exercise6-feature_map_model.png").read_bytes().startswith(PNG)
