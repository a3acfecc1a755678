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
    kept = [kept.expected for kept in engine._ANSWERS.values() if isinstance(kept.expected, np.ndarray)]
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


@pytest.fixture
def replies_read(monkeypatch):
    """How many replies the grader reads (unpacks) from the learner's process."""
    from grader.sandbox import worker

    read, unpack = [], worker.codec.unpack_reply

    def counting(*args, **kwargs):
        read.append(1)
        return unpack(*args, **kwargs)

    monkeypatch.setattr(worker.codec, "unpack_reply", counting)
    return read


def test_a_reply_of_the_same_bytes_as_one_judged_right_is_right_without_being_read_again(counted, fresh, replies_read):
    """Exercises 4 and 5 answer in integers, and a class's right answers are often bit for bit the same: the
    judging of a reply depends on the call and its bytes alone, so the bytes of a right one are kept."""
    first = grade(3, solution_file(3), examples=30)
    read_first = len(replies_read)
    second = grade(3, solution_file(3), examples=30)
    assert read_first > 5 * 30
    assert len(replies_read) - read_first < 10  # the loading, not the calls
    assert first.to_dict() == second.to_dict()
    assert (
        _task(second, "max_pool2d").examples
        == _task(first, "max_pool2d").examples
        == 30 + len(catalog.find("3").task("max_pool2d").examples)
    )


def test_a_kept_right_reply_already_read_ahead_is_taken_whole_without_a_copy(counted, fresh, monkeypatch):
    """Most replies of a sweep are in the inbox before they are settled (read ahead with the one before): one of
    a right one's very bytes is taken there (`Worker._take_known`), with the same grade as read one by one."""
    from grader.sandbox.worker import Worker

    first = grade(3, solution_file(3), examples=30)
    taken, take = [], Worker._take_known

    def counting(self, framed):
        found = take(self, framed)
        taken.append(found)
        return found

    monkeypatch.setattr(Worker, "_take_known", counting)
    second = grade(3, solution_file(3), examples=30)
    assert any(taken)
    assert first.to_dict() == second.to_dict()


def test_a_wrong_answer_is_never_taken_for_a_kept_right_one(counted, fresh, tmp_path, replies_read):
    wrong = tmp_path / solution_file(3).name
    wrong.write_text(solution_file(3).read_text() + "\n\n" + MUTANT.read_text(), encoding="utf-8")
    alone = grade(3, wrong, examples=30).to_dict()
    grade(3, solution_file(3), examples=30)
    after = grade(3, wrong, examples=30)
    assert after.to_dict() == alone
    assert _task(after, "global_max_pool2d").status.value == "failed"


def test_a_right_answer_with_a_note_is_judged_again_each_time_and_keeps_its_note(fresh, replies_read):
    """float64 for float32 inputs passes with a note (and fails under --strict-dtype): such a reply is never kept
    as right, so every submission that gives it is read, judged and told, whatever was graded before."""
    wider = FIXTURES / "correct" / "exercise1_float64_zeros.py"
    alone = grade(1, wider, examples=20)
    strict = grade(1, wider, examples=20, strict_dtype=True)
    grade(1, solution_file(1), examples=20)
    read_before = len(replies_read)
    again = grade(1, wider, examples=20)
    assert again.to_dict() == alone.to_dict()
    assert len(replies_read) - read_before > 20
    assert _task(again, "conv1d").note.startswith("dtype float64")
    assert grade(1, wider, examples=20, strict_dtype=True).to_dict() == strict.to_dict()
    assert _task(strict, "conv1d").status.value == "failed"


def test_the_sweeps_requests_are_packed_once_per_process_as_the_same_bytes(fresh, monkeypatch):
    """The next submission is sent the same calls in the same batches: their requests are the bytes packed for
    the one before (pickling a batch of arrays is a marker's largest cost per request)."""
    from grader.sandbox import worker

    packed, pack = [], worker.codec.pack_request
    monkeypatch.setattr(worker, "_PACKED", {})
    monkeypatch.setattr(worker.codec, "pack_request", lambda request: packed.append(request[0]) or pack(request))
    first = grade(3, solution_file(3), examples=30)
    batches = packed.count("calls")
    second = grade(3, solution_file(3), examples=30)
    assert batches > 5 and packed.count("calls") == batches
    assert first.to_dict() == second.to_dict()
    (name, _ids), (calls, kept) = next(iter(worker._PACKED.items()))
    assert kept == pack(("calls", name, [(call.args, call.kwargs) for call in calls]))
