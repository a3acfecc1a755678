"""Calls are drawn once and kept, and keeping them never changes a grade.

The engine first sweeps a task's calls (kept ones when there are) and only searches with hypothesis, to
shrink, when an answer is wrong. That is only sound if the search meets the same calls in the same order, so
that it finds the sweep's failure again: the first test protects exactly that.
"""

from __future__ import annotations

import pytest

from grader import drawing
from grader.api import grade
from grader.engine import TaskRunner
from grader.results import Status
from tests.conftest import SOLUTIONS, _plain_call, calls_sent, solution_file


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_the_sweep_sends_the_calls_the_search_would_draw_in_the_same_order(monkeypatch, fresh, number):
    swept = calls_sent(monkeypatch, number, examples=30, seed=7)
    monkeypatch.setattr(TaskRunner, "_sweep", lambda self: None)  # the search alone, as before the sweep
    searched = calls_sent(monkeypatch, number, examples=30, seed=7)
    assert swept == searched


def _calls_files(cache) -> list:
    """The files of kept calls in the cache folder (the reference's kept answers are there too)."""
    return [path for path in cache.iterdir() if path.read_bytes().startswith(b"kept-calls/")]


def test_kept_calls_are_the_drawn_ones_in_memory_and_on_disk(monkeypatch, fresh):
    drawn = calls_sent(monkeypatch, 2, examples=25)
    assert len(_calls_files(fresh)) == len(grade(2, submission=SOLUTIONS, examples=25).tasks)
    from_memory = calls_sent(monkeypatch, 2, examples=25)
    drawing.forget()
    from_disk = calls_sent(monkeypatch, 2, examples=25)
    assert drawn == from_memory == from_disk


def test_other_options_draw_other_calls(monkeypatch, fresh):
    first = calls_sent(monkeypatch, 3, examples=20, seed=0)
    assert calls_sent(monkeypatch, 3, examples=20, seed=1) != first
    assert calls_sent(monkeypatch, 3, examples=21, seed=0)[: len(first)] != first


def test_a_damaged_file_is_drawn_again(monkeypatch, fresh):
    drawn = calls_sent(monkeypatch, 3, examples=20)
    for path in _calls_files(fresh):
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    drawing.forget()
    assert calls_sent(monkeypatch, 3, examples=20) == drawn


def _kept(path) -> tuple[int, tuple]:
    """The count a kept file states of itself, and its calls (read as that count)."""
    data = path.read_bytes()
    stated = int(data.split(b" ", 2)[1])
    return stated, drawing._checked(path.name, data, stated)


def _truncated(path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def _byte_altered(path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01  # in the last call's array: the file still reads back as calls, with another value
    _count, calls = _kept(path)
    altered = drawing._parse(bytes(data).partition(b"\n")[2])
    assert [_plain_call(c) for c in altered] != [_plain_call(c) for c in calls]  # so only the digest can tell
    path.write_bytes(bytes(data))


def _fewer_calls_with_a_digest_of_their_own(path) -> None:
    _count, calls = _kept(path)
    drawing._write(path.name, list(calls[:5]))  # as the grader writes a file: count 5, its digest right
    assert _kept(path)[0] == 5


@pytest.mark.parametrize("damage", [_truncated, _byte_altered, _fewer_calls_with_a_digest_of_their_own])
def test_a_damaged_or_shortened_kept_file_never_grades_on_fewer_or_other_calls(monkeypatch, fresh, damage):
    drawn = calls_sent(monkeypatch, 3, examples=20)
    examples = {t.name: t.examples for t in grade(3, submission=SOLUTIONS, examples=20).tasks}
    assert all(count >= 20 for count in examples.values()), examples
    for path in _calls_files(fresh):
        damage(path)
    drawing.forget()
    assert calls_sent(monkeypatch, 3, examples=20) == drawn
    drawing.forget()
    assert {t.name: t.examples for t in grade(3, submission=SOLUTIONS, examples=20).tasks} == examples
    assert all(_kept(path)[0] == 20 for path in _calls_files(fresh))  # drawn again and kept whole


def test_every_kept_file_holds_the_count_asked_and_a_shorter_drawing_is_not_kept(monkeypatch, fresh):
    result = grade(1, submission=SOLUTIONS, examples=20)
    kept = [_kept(path) for path in _calls_files(fresh)]
    assert kept and all(count == len(calls) == 20 for count, calls in kept)
    # box_filter has only 9 inputs and laplacian_filter 1: hypothesis draws them all, keeps them in memory only
    assert len(kept) == len(result.tasks) - 2
    assert result.score == result.max_score


def test_an_empty_cache_dir_keeps_nothing_on_disk(monkeypatch, fresh):
    monkeypatch.setenv("GRADE_CACHE_DIR", "")
    calls_sent(monkeypatch, 3, examples=10)
    assert not fresh.exists()


def test_a_wrong_answer_met_while_sweeping_is_still_shrunk(fresh, submission):
    # Wrong only for inputs longer than 9: the sweep meets such a call, the search shrinks it to length 10.
    source = solution_file(1).read_text() + (
        "\n\n_right_conv1d = conv1d\n\n\ndef conv1d(x, w, b=0.0):\n"
        "    out = _right_conv1d(x, w, b)\n    return out + 1 if len(x) > 9 else out\n"
    )
    for _ in range(2):  # drawn, then kept
        conv1d = grade(1, submission=submission(1, source), examples=100).tasks[0]
        assert conv1d.status is Status.FAILED
        assert conv1d.counterexample.inputs["x"].startswith("array shape=(10,)"), conv1d.counterexample.inputs


def test_a_wrong_answer_the_search_does_not_meet_again_is_still_reported(fresh, submission):
    # Wrong on its first call only: the sweep sees it, the search (same worker, later calls) does not.
    source = solution_file(3).read_text() + (
        "\n\n_calls = []\n\n\ndef flatten(x):\n    _calls.append(1)\n"
        "    out = x.reshape(x.shape[0], -1)\n    return out + 1 if len(_calls) == 1 else out\n"
    )
    flatten = grade(3, submission=submission(3, source)).tasks[-1]
    assert flatten.status is Status.FAILED and flatten.counterexample is not None
    assert "gave a right answer another time" in flatten.message
