"""The errors real learners hit, explained: a function (or a file) that raises gets one sentence with the
usual fix, in English and in Korean, under the error; so does a wrong answer that came out empty along an axis
(x[pad:-pad] with pad 0); an error no rule knows, and a right submission, get none.

Each learner file under fixtures/learners/ is written the way learners write (course code kept as it was,
NumPy 1 and Keras 2 habits) and names on its first line the tasks it raises on and the rule that explains it:
`# explains: max_pool2d window_past_the_edge, ...`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader import explain
from grader.api import grade
from grader.i18n import language, translate
from grader.results import Status
from grader.sandbox.learner import _learner_traceback
from tests.conftest import FIXTURES, exercise_number

LEARNERS = FIXTURES / "learners"
BY_HAND = sorted(p for p in LEARNERS.glob("exercise*.py") if exercise_number(p) != 6)
KERAS = LEARNERS / "exercise6_keras2_habits.py"
RULES = {rule.name: rule for rule in explain.RULES}


def declared(path: Path) -> list[tuple[str, explain.Explanation]]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# explains:"), f"{path.name} must start with '# explains: task rule, ...'"
    pairs = [item.split() for item in first.removeprefix("# explains:").split(",")]
    return [(task, RULES[rule]) for task, rule in pairs]


def _report(action) -> str:
    """The error `action` raises, as the worker reports a learner's error (this file stands for theirs)."""
    try:
        action()
    except Exception as exc:
        return _learner_traceback(exc, __file__)
    raise AssertionError("the action did not raise")


def _explained_by(action) -> str | None:
    rule = explain.find(_report(action))
    return None if rule is None else rule.name


def test_numpy_2s_own_errors_are_recognised_with_the_words_the_installed_numpy_uses():
    bias, pad = np.ones((1, 1, 1)), 0
    x = np.ones((1, 4, 4, 1))
    assert _explained_by(lambda: float(bias)) == "numpy2_scalar_of_array"
    assert _explained_by(lambda: int(np.array([3]))) == "numpy2_scalar_of_array"
    assert _explained_by(lambda: np.zeros((2, (4 - 2) / 2 + 1))) == "float_size"
    assert _explained_by(lambda: x[0, 0 : (4 - 2) / 2]) == "float_slice_index"
    assert _explained_by(lambda: np.zeros_like(x).__setitem__(0, x[0, pad:-pad])) == "empty_pad_slice"
    assert _explained_by(lambda: np.zeros((2, 2)).__setitem__(np.s_[:], np.ones((0, 2)))) == "empty_slice_broadcast"
    assert _explained_by(lambda: x[:, 4:6].max()) == "window_past_the_edge"
    assert _explained_by(lambda: np.ones((2, 2)) * np.ones((2, 3))) == "window_of_the_wrong_size"
    window = np.lib.stride_tricks.sliding_window_view
    assert _explained_by(lambda: window(np.ones(2), 3)) == "window_larger_than_input"
    assert _explained_by(lambda: 4 - (2, 2)) == "pair_taken_as_int"


def test_only_an_answer_emptied_along_an_axis_gets_the_empty_slice_sentence():
    sentence = translate(RULES["empty_slice_broadcast"].text, "en")
    right, empty = np.ones((1, 3, 3, 1)), np.ones((1, 0, 0, 1))
    with language("en"):
        assert explain.empty_result(right, empty) == "\n" + sentence
        assert explain.empty_result((right, np.ones(2)), (empty, np.ones(2))) == "\n" + sentence  # dx, dbias
        assert explain.empty_result(right, np.ones((1, 2, 2, 1))) == ""
        assert explain.empty_result(np.ones((0, 2)), np.ones((0, 2))) == ""  # empty where it should be
        assert explain.empty_result(3, None) == ""


def test_an_error_no_rule_knows_gets_no_sentence():
    x = np.ones(5)
    assert _explained_by(lambda: 1 / 0) is None
    assert _explained_by(lambda: x[0 : (1, 2)]) is None  # not a float: no division on the line shown
    assert _explained_by(lambda: x[7]) is None
    assert explain.find("") is None and explain.find("not a report") is None
    message = "your function raised KeyError: 'a'"
    assert explain.explained(message, "KeyError: 'a'") == message


def test_every_rule_has_a_learner_file_that_produces_it_when_graded():
    graded = {rule.name for path in [*BY_HAND, KERAS] for _task, rule in declared(path)}
    unit_only = {"window_larger_than_input", "float_slice_index", "pair_taken_as_int"}
    assert graded | unit_only == set(RULES)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", BY_HAND, ids=lambda p: p.stem)
def test_learner_code_that_raises_gets_the_sentence_with_its_fix(path, lang):
    result = grade(exercise_number(path), submission=path, lang=lang)
    outcomes = {t.name: t for t in result.tasks}
    for task, rule in declared(path):
        # An error gets the sentence last; a wrong answer that is empty (no error) gets it before the hint.
        assert outcomes[task].status in (Status.ERROR, Status.FAILED), outcomes[task].message
        assert translate(rule.text, lang) in outcomes[task].message.splitlines()[1:]
    if lang == "ko":
        assert all(t.message.startswith(("함수에서", "파일을")) for t in result.tasks if t.status is Status.ERROR)


@pytest.mark.slow
def test_keras_2_habits_that_keras_3_refuses_are_explained_in_korean_and_english():
    """Exercise 6 imports TensorFlow: graded once, in Korean; the English sentences are the msgids."""
    result = grade(6, submission=KERAS, lang="ko", examples=1, timeout=120)
    outcomes = {t.name: t for t in result.tasks}
    for task, rule in declared(KERAS):
        assert outcomes[task].status is Status.ERROR, outcomes[task].message
        assert outcomes[task].message.endswith("\n" + translate(rule.text, "ko"))
        assert explain.find(outcomes[task].message.partition(": ")[2]) == rule


@pytest.mark.slow
def test_a_right_submission_gets_no_explanation():
    result = grade(3, submission=FIXTURES / "correct" / "exercise3_loops.py", lang="en")
    assert result.passed
    sentences = [translate(rule.text, "en") for rule in explain.RULES]
    assert not any(sentence in t.message for t in result.tasks for sentence in sentences)
