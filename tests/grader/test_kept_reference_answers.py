"""The reference answers each call of the sweep once per process (a marker's class, `grade watch`, `grade all`):
the next submission is judged against the same answers, which nothing can change, and gets the grade it would
get alone."""

from __future__ import annotations

import numpy as np
import pytest

from grader import catalog, engine, references
from grader.api import grade
from tests.conftest import FIXTURES, solution_file

MUTANT = FIXTURES / "mutants" / "exercise3_global_max_wrong_axes.py"


def _counting(monkeypatch, name: str) -> tuple[list, object]:
    """Exercise 3's reference `name`, replaced by one that counts its calls (the list), and that function; no
    answers kept from earlier tests."""
    module = references.module(catalog.find("3").module_name)
    original, calls = getattr(module, name), []

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    monkeypatch.setattr(engine, "_ANSWERS", {})
    return calls, counting


@pytest.fixture
def counted(monkeypatch):
    """The reference's max_pool2d, counting its calls."""
    return _counting(monkeypatch, "max_pool2d")[0]


def _task(result, name: str):
    return next(task for task in result.tasks if task.name == name)


def test_the_second_submission_is_judged_without_calling_the_reference_again(counted, fresh):
    first = grade(3, solution_file(3), examples=30)
    answered = len(counted)
    second = grade(3, solution_file(3), examples=30)
    assert answered > 30
    assert len(counted) == answered
    assert first.to_dict() == second.to_dict()
    assert _task(second, "max_pool2d").examples == _task(first, "max_pool2d").examples


def test_a_kept_answer_is_read_only(counted, fresh):
    grade(3, solution_file(3), examples=10)
    kept = [answer for _call, _reference, answer in engine._ANSWERS.values() if isinstance(answer, np.ndarray)]
    assert kept
    assert not any(answer.flags.writeable for answer in kept)


def test_a_wrong_submission_between_two_right_ones_changes_neither_grade(counted, fresh, tmp_path):
    wrong = tmp_path / solution_file(3).name
    wrong.write_text(solution_file(3).read_text() + "\n\n" + MUTANT.read_text(), encoding="utf-8")
    alone = grade(3, wrong, examples=30).to_dict()
    right = grade(3, solution_file(3), examples=30).to_dict()
    assert grade(3, wrong, examples=30).to_dict() == alone
    assert grade(3, solution_file(3), examples=30).to_dict() == right
    assert _task(grade(3, wrong, examples=30), "global_max_pool2d").status.value == "failed"


def test_the_tolerance_of_a_learner_whose_floats_differ_in_the_last_bits_is_scaled_once_per_call(monkeypatch, fresh):
    """Loops sum in another order than the reference: most answers differ from it in the last bits, and each
    such answer's tolerance asks the reference on |inputs| (`compare.magnitude_of_terms`), once per process."""
    from grader import compare

    calls, avg_pool2d = _counting(monkeypatch, "avg_pool2d")
    monkeypatch.setattr(compare, "_MAGNITUDES", {})
    loops = FIXTURES / "correct" / "exercise3_loops.py"
    first = grade(3, loops, examples=30)
    scaled = sum(reference is avg_pool2d for reference, _call, _result in compare._MAGNITUDES.values())
    asked = len(calls)
    second = grade(3, loops, examples=30)
    assert scaled > 0 and asked > 30 + scaled - 1  # the answers, and the tolerances of answers that differ
    assert len(calls) == asked and first.to_dict() == second.to_dict()
    assert _task(second, "avg_pool2d").status.value == "passed"
