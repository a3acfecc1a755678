"""Several calls in one request (`Worker.ask_calls`, the sweep's batches): each is answered on its own, in
order, as if sent alone, so a call that raises, hangs or ends the process is the reply of that very call and
the calls before it keep their answers."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox.worker import Worker
from grader.spec import Call

pytestmark = pytest.mark.slow

SOURCE = """\
import os, time

def step(x):
    if x == 3:
        raise ValueError("three")
    if x == 5:
        time.sleep(60)
    if x == 6:
        os._exit(4)
    return x * 2
"""


@pytest.fixture
def worker(tmp_path):
    path = tmp_path / "steps.py"
    path.write_text(SOURCE)
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        yield worker


def _answers(worker: Worker, values, timeout: float = 30):
    pending = worker.ask_calls("step", [Call((v,)) for v in values], timeout)
    return [worker.answer(p) for p in pending]


def test_each_call_of_a_request_gets_its_own_answer_in_order(worker):
    replies = _answers(worker, [0, 1, 2, 4, 7])
    assert [r.kind for r in replies] == ["ok"] * 5
    assert [r.value for r in replies] == [0, 2, 4, 8, 14]
    assert not any(r.echoed for r in replies)  # the calls left their arguments as they came: none sent back


def test_a_call_that_raises_is_that_calls_reply_and_the_next_ones_are_still_answered(worker):
    replies = _answers(worker, [1, 3, 4])
    assert [r.kind for r in replies] == ["ok", "raised", "ok"]
    assert "three" in replies[1].message


def test_a_call_that_hangs_times_out_after_the_calls_before_it_were_answered(worker):
    replies = _answers(worker, [1, 2, 5, 7], timeout=2)
    assert [r.kind for r in replies[:2]] == ["ok", "ok"]
    assert replies[2].kind == "timeout"
    assert not worker.alive


def test_a_call_that_ends_the_process_is_a_crash_after_the_calls_before_it(worker):
    replies = _answers(worker, [1, 6, 7])
    assert replies[0].kind == "ok"
    assert [r.kind for r in replies[1:]] == ["crashed", "crashed"]
    assert "exit code 4" in replies[1].message


def test_a_request_of_large_arrays_outruns_the_pipes_without_deadlock(worker, tmp_path):
    big = np.arange(16 * 32 * 32 * 16, dtype=np.float64).reshape(16, 32, 32, 16)
    path = tmp_path / "double.py"
    path.write_text("def step(x):\n    return x * 2\n")
    with Worker(path, ()) as doubling:
        assert doubling.start(30).kind == "loaded"
        replies = _answers(doubling, [big + i for i in range(8)])
    assert all(r.kind == "ok" and np.array_equal(r.value, (big + i) * 2) for i, r in enumerate(replies))
