"""`grade show` draws the arrays it says: the sample image as the input, the reference's output, the learner's
(from the sandboxed worker), and their difference, for a right submission and a wrong one; a kernel is also
applied to the sample image by the grader's own correlation."""

from __future__ import annotations

import numpy as np
import pytest

from grader import references
from grader.i18n import language
from grader.results import Status
from grader.showing import api
from tests.conftest import SOLUTIONS
from tests.showing.conftest import SOBEL_X, axes_by_name, correlated, grey, mistake, pictures


def test_a_right_correlate2d_is_drawn_from_the_sample_image_and_matches_the_reference():
    shown = api.show_task("exercise1", "correlate2d", SOLUTIONS, lang="en")
    drawn = pictures(shown)

    assert shown.status is Status.PASSED
    np.testing.assert_allclose(drawn["input:0"], grey())
    np.testing.assert_allclose(drawn["reference:0"], correlated(grey(), SOBEL_X))
    np.testing.assert_allclose(drawn["yours:0"], correlated(grey(), SOBEL_X))
    assert not drawn["difference:0"].any()


def test_a_flipped_kernel_in_correlate2d_is_drawn_as_the_learner_computed_it_and_fails(tmp_path):
    shown = api.show_task("exercise1", "correlate2d", mistake(tmp_path, "exercise1_convolution", "kernel_flipped"))
    drawn = pictures(shown)

    flipped = correlated(grey(), SOBEL_X[::-1, ::-1])
    assert shown.status is Status.FAILED and "values differ" in shown.message
    np.testing.assert_allclose(drawn["reference:0"], correlated(grey(), SOBEL_X))
    np.testing.assert_allclose(drawn["yours:0"], flipped)
    np.testing.assert_allclose(drawn["difference:0"], np.abs(flipped - correlated(grey(), SOBEL_X)))


def test_a_kernel_is_drawn_and_applied_to_the_sample_image_by_the_graders_own_correlation(tmp_path):
    wrong = mistake(tmp_path, "exercise1_convolution", "gaussian_not_normalised")
    shown = api.show_task("exercise1", "gaussian_filter", wrong)
    drawn = pictures(shown)

    reference = references.module("exercise1_convolution").gaussian_filter(7, 1.5)
    unnormalised = reference / reference.max()  # the mistake's kernel: exp(...) without dividing by its sum
    assert shown.status is Status.FAILED
    np.testing.assert_allclose(drawn["reference_kernel:0"], reference)
    np.testing.assert_allclose(drawn["yours_kernel:0"], unnormalised)
    np.testing.assert_allclose(drawn["reference:0"], correlated(grey(), reference))
    np.testing.assert_allclose(drawn["yours:0"], correlated(grey(), unnormalised))


def test_an_rgb_result_within_0_to_255_is_drawn_in_colour_and_other_results_one_channel_at_a_time():
    shown = api.show_task("exercise1", "filter_image", SOLUTIONS)
    drawn = pictures(shown)
    reference = references.module("exercise1_convolution").filter_image
    image = shown.sample.astype(np.float64)

    np.testing.assert_allclose(drawn["input:0"], image / 255)
    np.testing.assert_allclose(drawn["yours:0"], reference(image, np.full((5, 5), 1 / 25)) / 255)
    np.testing.assert_allclose(drawn["yours:1"], reference(image, SOBEL_X)[:, :, 0])  # edges go below 0


def test_padding_grows_and_a_stride_shrinks_the_picture_on_one_pixel_scale():
    shown = api.show_task("exercise2", "conv2d", SOLUTIONS)
    with api.drawn(shown, "en") as fig:
        axes = axes_by_name(fig)
        shapes = {name: ax.get_images()[0].get_array().shape[:2] for name, ax in axes.items()}
        limits = {name: (ax.get_xlim(), ax.get_ylim()) for name, ax in axes.items() if not name.endswith("kernel")}

    assert shapes["yours:0"] == (60, 60) and shapes["yours:1"] == (64, 64) and shapes["yours:2"] == (32, 32)
    assert set(limits.values()) == {((-0.5, 63.5), (63.5, -0.5))}


def test_without_references_the_learners_result_is_drawn_alone_and_said_so(monkeypatch):
    monkeypatch.setattr(references, "available", lambda: False)
    shown = api.show_task("exercise3", "max_pool2d", SOLUTIONS, lang="en")
    drawn = pictures(shown)

    assert shown.status is Status.PASSED and "no reference" in shown.message
    assert sorted(drawn) == ["input:0", "input:1", "yours:0", "yours:1"]
    assert drawn["yours:0"].shape == (32, 32, 3)


@pytest.mark.parametrize("exercise", ["exercise1", "exercise2", "exercise3"])
def test_every_shown_call_is_answered_by_the_reference_with_one_caption_each(exercise):
    from grader import catalog
    from grader.showing import sample
    from grader.showing.kinds import KINDS

    chosen = catalog.find(exercise)
    assert api.showable(chosen)
    for task in chosen.tasks:
        if task.show is None:
            continue
        calls = task.show.calls(sample.load())
        assert task.show.kind in KINDS and len(calls) == len(task.show.captions)
        for call in calls:
            assert np.asarray(chosen.reference(task)(*call.args, **call.kwargs)).size


def test_the_words_in_the_picture_are_english_where_no_korean_font_is_installed(monkeypatch):
    from grader.report import figures

    monkeypatch.setattr(figures, "korean_font", lambda: None)
    shown = api.show_task("exercise3", "max_pool2d", SOLUTIONS, lang="ko")
    with api.drawn(shown, "ko") as fig:  # a missing glyph would warn, and warnings fail the tests
        titles = [ax.get_title() for sub in fig.subfigs for ax in sub.axes]
        captions = [sub._suptitle.get_text() for sub in fig.subfigs]

    assert "yours (1, 32, 32, 3)" in titles and captions[0] == "max pooling 2x2, stride 2"
    with language("ko"):
        assert "최대 풀링 2x2" in "\n".join(api.summary(shown))  # the printed lines stay Korean
