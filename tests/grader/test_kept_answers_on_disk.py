"""The reference's answers to a task's sweep are kept on disk (`kept_answers`): a check run again in a new
process judges by them without running the reference on the sweep's calls, and gives the grade it gives
without them; a damaged or foreign file is never believed."""

from __future__ import annotations

import numpy as np
import pytest

from grader import catalog, engine, kept_answers, references
from grader.api import grade
from tests.conftest import FIXTURES, solution_file

LOOPS = FIXTURES / "correct" / "exercise3_loops.py"
MUTANT = FIXTURES / "mutants" / "exercise3_global_max_wrong_axes.py"


@pytest.fixture
def counted(monkeypatch, fresh):
    """Exercise 3's reference max_pool2d counting its calls, nothing kept in this process between grades."""
    module = references.module(catalog.find("3").module_name)
    original, calls = module.max_pool2d, []

    def max_pool2d(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "max_pool2d", max_pool2d)

    def new_process():  # what a new `grade` process starts without
        monkeypatch.setattr(engine, "_ANSWERS", {})
        kept_answers.forget()

    new_process()
    return calls, new_process, fresh


def _task(result, name: str):
    return next(task for task in result.tasks if task.name == name)


@pytest.mark.parametrize("path", [solution_file(3), LOOPS], ids=["reference", "loops"])
def test_a_check_run_again_judges_the_sweep_by_the_kept_answers_and_grades_the_same(counted, path):
    calls, new_process, _cache = counted
    first = grade(3, path, examples=30)
    asked = len(calls)
    new_process()
    second = grade(3, path, examples=30)
    assert asked >= 30 and len(calls) == asked  # the second sweep called the reference not once
    assert first.to_dict() == second.to_dict() and _task(second, "max_pool2d").status.value == "passed"


def test_a_wrong_submission_is_judged_the_same_with_kept_answers(counted, tmp_path):
    _calls, new_process, _cache = counted
    wrong = tmp_path / solution_file(3).name
    wrong.write_text(solution_file(3).read_text() + "\n\n" + MUTANT.read_text(), encoding="utf-8")
    alone = grade(3, wrong, examples=30).to_dict()
    new_process()
    grade(3, solution_file(3), examples=30)  # keeps every task's answers
    new_process()
    assert grade(3, wrong, examples=30).to_dict() == alone


def test_a_damaged_file_is_not_believed_but_made_again(counted):
    calls, new_process, cache = counted
    first = grade(3, solution_file(3), examples=30).to_dict()
    files = sorted(cache.iterdir())
    for path in files:
        data = bytearray(path.read_bytes())
        if data.startswith(b"kept-answers/1 "):
            data[-3] ^= 0x01
            path.write_bytes(bytes(data))
    new_process()
    asked = len(calls)
    assert grade(3, solution_file(3), examples=30).to_dict() == first
    assert len(calls) > asked  # the damaged file was not read: the reference answered again


def test_kept_answers_are_read_only_and_keyed_by_the_reference_and_its_code(counted, monkeypatch):
    grade(3, solution_file(3), examples=10)
    exercise = catalog.find("3")
    task = next(t for t in exercise.tasks if t.name == "max_pool2d")
    reference = exercise.reference(task)
    key = kept_answers.key(exercise, task, 10, 0, reference)
    kept = kept_answers.read(key)
    assert kept and all(not a.flags.writeable for a in kept if isinstance(a, np.ndarray))
    assert kept_answers.key(exercise, task, 10, 0, np.maximum) != key
    assert kept_answers.key(exercise, task, 10, 1, reference) != key
    assert kept_answers.key(exercise, task, 10, 0, reference) == key  # made once a process
    monkeypatch.setattr(kept_answers, "_references_digest", lambda: "other references")  # as a new process reads
    kept_answers.forget()
    assert kept_answers.key(exercise, task, 10, 0, reference) != key


def test_nothing_is_kept_when_the_cache_is_off(counted, monkeypatch):
    cache = counted[2]
    monkeypatch.setenv("GRADE_CACHE_DIR", "")
    grade(3, solution_file(3), examples=10)
    assert not cache.exists() or not any(p.read_bytes().startswith(b"kept-answers/") for p in cache.iterdir())
