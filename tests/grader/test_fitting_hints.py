"""Hints that fit the failure: a task's hint tied to what the smallest failing call has ('same' padding whose
amount a stride changes, an odd 'same' total, dilation, tied maxima, float64 inputs) is shown in place of its
general hint, in English and in Korean; `grade hint`'s three levels are unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from grader import catalog
from grader.api import grade
from grader.catalog import features
from grader.catalog.exercise7_fast_and_backward import _TIED_MAXIMA_HINT
from grader.errors import DeclarationError
from grader.hints import reveal
from grader.i18n import translate
from grader.results import Status
from grader.spec import FittingHint
from tests.conftest import FIXTURES, SOLUTIONS, solution_file

DECLARED_FOR = {
    2: ("padding_amounts", "conv1d_padded", "conv2d"),
    3: ("max_pool2d", "avg_pool2d"),
    7: ("conv2d_fast", "conv2d_backward", "max_pool2d_backward"),
}


def test_the_padding_and_pooling_tasks_declare_hints_that_fit_the_failing_call():
    for number, names in DECLARED_FOR.items():
        exercise = catalog.find(str(number))
        for name in names:
            task = exercise.task(name)
            assert task.fitting_hints, name
            assert all(h.text != task.hint for h in task.fitting_hints)


def test_a_fitting_hint_is_declared_with_a_feature_and_words():
    with pytest.raises(DeclarationError, match="must be a CallFeature"):
        FittingHint(lambda arguments: True, "a hint")
    with pytest.raises(DeclarationError, match="must say what to do"):
        FittingHint(features.DILATED, " ")


def test_same_with_stride_is_a_stride_that_changes_the_same_padding():
    same = {"padding": "same", "dilation": 1}
    assert features.SAME_WITH_STRIDE({"n": 2, "k": 2, "stride": 2, **same})  # 0 in all, not k - 1 = 1
    assert not features.SAME_WITH_STRIDE({"n": 5, "k": 3, "stride": 2, **same})  # 2 in all, as for stride 1
    assert not features.SAME_WITH_STRIDE({"n": 2, "k": 2, "stride": 2, "padding": "valid", "dilation": 1})
    x, kernel = np.zeros((1, 6, 6, 1)), np.zeros((3, 3, 1, 1))
    assert features.SAME_WITH_STRIDE({"x": x, "kernel": kernel, "strides": (1, 2), "padding": "same"})
    assert features.SAME_WITH_STRIDE({"x": x, "pool_size": 3, "strides": None, "padding": "same"})  # the pool's


def test_an_odd_same_total_comes_from_an_even_window_or_a_stride():
    same = {"padding": "same", "stride": 1}
    assert features.SAME_WITH_ODD_TOTAL({"n": 4, "k": 2, "dilation": 1, **same})
    assert not features.SAME_WITH_ODD_TOTAL({"n": 4, "k": 3, "dilation": 1, **same})
    assert not features.SAME_WITH_ODD_TOTAL({"n": 4, "k": 2, "dilation": 2, **same})  # it spans 3 cells: 2 in all
    assert features.SAME_WITH_ODD_TOTAL({"x": np.zeros(4), "w": np.zeros(3), "padding": "same", "stride": 2})


def test_tied_maxima_dilation_and_float64_are_read_from_the_call():
    ramp = np.arange(16.0).reshape(1, 4, 4, 1)
    assert not features.TIED_MAXIMA({"x": ramp, "pool_size": 2, "strides": None, "padding": "valid"})
    assert features.TIED_MAXIMA({"x": np.ones((1, 2, 2, 1)), "pool_size": 2, "strides": None, "padding": "valid"})
    assert not features.TIED_MAXIMA({"x": ramp, "pool_size": 3, "strides": 1, "padding": "same"})  # pads never tie
    assert features.DILATED({"dilation_rate": (1, 2)}) and not features.DILATED({"dilation_rate": 1})
    assert features.FLOAT64_INPUTS({"x": ramp}) and not features.FLOAT64_INPUTS({"x": ramp.astype(np.float32)})
    assert not features.TIED_MAXIMA({"x": "not an array", "pool_size": 2})  # a call it cannot read has nothing


def test_a_task_with_fitting_hints_still_walks_its_three_levels_in_grade_hint():
    exercise = catalog.find("7")
    task = exercise.task("conv2d_fast")
    shown = reveal(exercise, task, level=3)
    assert shown.texts == tuple(translate(text) for text in task.hints)


def _graded_with_mistake(number: int, mistake: str, lang: str, submission):
    module = solution_file(number).stem
    wrong = (SOLUTIONS / "mistakes" / module / f"{mistake}.py").read_text(encoding="utf-8")
    source = solution_file(number).read_text(encoding="utf-8") + "\n\n" + wrong
    return {t.name: t for t in grade(number, submission=submission(number, source), lang=lang).tasks}


def _shows(outcome, hint: FittingHint | str, lang: str) -> bool:
    text = hint.text if isinstance(hint, FittingHint) else hint
    return outcome.status is Status.FAILED and outcome.message.endswith("\n" + translate(text, lang))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_same_padding_that_ignores_the_stride_shows_the_stride_hint(lang, submission):
    outcomes = _graded_with_mistake(2, "same_ignores_stride", lang, submission)
    for name in ("padding_amounts", "conv1d_padded", "conv2d"):
        assert _shows(outcomes[name], features.SAME_STRIDE_HINT, lang), outcomes[name].message


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_tie_broken_the_wrong_way_shows_the_tied_maxima_hint(lang, submission):
    outcome = _graded_with_mistake(7, "gradient_to_every_tied_max", lang, submission)["max_pool2d_backward"]
    assert _shows(outcome, _TIED_MAXIMA_HINT, lang), outcome.message


@pytest.mark.slow
def test_the_hint_follows_the_failing_call_not_the_task(submission):
    """A symmetric 'same' padding fails where the total is odd, whatever the stride: the odd-total hint."""
    outcome = _graded_with_mistake(2, "symmetric_same", "en", submission)["padding_amounts"]
    assert _shows(outcome, features.ODD_TOTAL_HINT, "en"), outcome.message


@pytest.mark.slow
def test_conv2d_fast_with_a_same_padding_bug_shows_the_stride_hint_not_the_im2col_recipe(submission):
    """The issue's case: under a 'same'-padding bug in conv2d_fast the generic im2col recipe was shown."""
    mutant = (FIXTURES / "mutants" / "exercise7_conv2d_fast_same_ignores_stride.py").read_text(encoding="utf-8")
    path = submission(7, solution_file(7).read_text(encoding="utf-8") + "\n\n" + mutant)
    outcome = next(t for t in grade(7, submission=path, lang="en").tasks if t.name == "conv2d_fast")
    task = catalog.find("7").task("conv2d_fast")
    assert _shows(outcome, features.SAME_STRIDE_HINT, "en"), outcome.message
    assert translate(task.hint, "en") not in outcome.message
