"""The recorded answers a student release judges by: they answer exactly the calls they were recorded on, a
damaged file is refused with a message (never a traceback of ours), and "smallest" means fewest numbers first."""

from __future__ import annotations

import numpy as np
import pytest

from grader import answers, catalog
from grader.spec import Call

EXERCISE = catalog.find("exercise3")
TASK = next(task for task in EXERCISE.tasks if task.name == "max_pool2d")


@pytest.fixture(scope="module")
def recorded():
    return answers.record(EXERCISE, TASK, seed=0, examples=5)


@pytest.fixture
def written(recorded, tmp_path):
    return answers.write(tmp_path, EXERCISE, TASK, recorded)


def test_a_recorded_call_is_answered_as_the_reference_answered_it(written):
    task = answers.load(EXERCISE, TASK, written.parent)
    call = task.generated[0]
    expected = EXERCISE.reference(TASK)(*call.args, **call.kwargs)
    np.testing.assert_array_equal(task.reference(*call.args, **call.kwargs), expected)
    assert set(task.mistakes) == {m.name for m in TASK.misconceptions}


def test_a_call_that_was_never_recorded_is_refused_not_made_up(written):
    task = answers.load(EXERCISE, TASK, written.parent)
    call = task.generated[0]
    changed = (call.args[0] + 1.0, *call.args[1:])
    with pytest.raises(answers.Unanswered):
        task.reference(*changed, **call.kwargs)


def test_an_answer_is_a_copy_that_the_judging_cannot_change_for_the_next_call(written):
    task = answers.load(EXERCISE, TASK, written.parent)
    call = task.generated[0]
    first = task.reference(*call.args, **call.kwargs)
    first[...] = 12345
    assert not np.all(task.reference(*call.args, **call.kwargs) == 12345)


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "empty"])
def test_a_damaged_file_is_refused_with_a_message_naming_the_task(written, damage):
    data = written.read_bytes()
    damaged = {
        "flip a byte": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
        "cut short": data[: len(data) // 2],
        "empty": b"",
    }[damage]
    folder = written.parent / "damaged"
    folder.mkdir()
    (folder / written.name).write_bytes(damaged)
    with pytest.raises(answers.NotRecorded, match=r"exercise3\.max_pool2d"):
        answers.load(EXERCISE, TASK, folder)


def test_a_missing_file_is_refused_with_a_message(tmp_path):
    with pytest.raises(answers.NotRecorded, match=r"exercise3\.max_pool2d"):
        answers.load(EXERCISE, TASK, tmp_path)


def test_the_smallest_call_holds_the_fewest_numbers_then_the_smallest_ones():
    small = Call((np.zeros((1, 2, 2, 1)), 2))
    large = Call((np.zeros((1, 4, 4, 1)), 2))
    same_size_bigger = Call((np.full((1, 2, 2, 1), 3.0), 2))
    assert answers.smallest(small) < answers.smallest(same_size_bigger) < answers.smallest(large)
