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
from tests.conftest import SOLUTIONS, calls_sent, solution_file


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """Nothing kept in memory; on disk, this test's own folder."""
    monkeypatch.setenv("GRADE_CACHE_DIR", str(tmp_path / "calls"))
    drawing.forget()
    yield tmp_path / "calls"
    drawing.forget()


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_the_sweep_sends_the_calls_the_search_would_draw_in_the_same_order(monkeypatch, fresh, number):
    swept = calls_sent(monkeypatch, number, examples=30, seed=7)
    monkeypatch.setattr(TaskRunner, "_sweep", lambda self: None)  # the search alone, as before the sweep
    searched = calls_sent(monkeypatch, number, examples=30, seed=7)
    assert swept == searched


def test_kept_calls_are_the_drawn_ones_in_memory_and_on_disk(monkeypatch, fresh):
    drawn = calls_sent(monkeypatch, 2, examples=25)
    assert len(list(fresh.iterdir())) == len(grade(2, submission=SOLUTIONS, examples=25).tasks)
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
    for path in fresh.iterdir():
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    drawing.forget()
    assert calls_sent(monkeypatch, 3, examples=20) == drawn


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
