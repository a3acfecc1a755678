"""`grade hint exercise3 max_pool2d`: one level more each time (the concept, the approach, close to code),
the level reached kept in the project, in Korean or English."""

from __future__ import annotations

import json

import pytest

from grader import catalog
from grader.spec import HINT_LEVELS, DeclarationError, Task
from tests.cli.conftest import run

FIRST, SECOND, THIRD = "Hint 1/3, the concept", "Hint 2/3, the approach", "Hint 3/3, close to code"


def test_every_task_has_three_hints_and_a_task_without_them_is_refused():
    for exercise in catalog.exercises():
        for task in exercise.tasks:
            assert len(task.hints) == HINT_LEVELS and len(set(task.hints)) == HINT_LEVELS, task.name
    with pytest.raises(DeclarationError, match="hints must be 3 sentences"):
        Task(name="f", points=1, strategy=None, compare=None, doc="f", hints=("only one",))


def test_each_request_shows_one_level_more_and_the_level_is_kept(project):
    first = run("hint", "exercise3", "max_pool2d", "--lang", "en").output
    assert FIRST in first and SECOND not in first and "The next hint: grade hint exercise3 max_pool2d" in first
    second = run("hint", "3", "max_pool2d", "--lang", "en").output
    assert FIRST in second and SECOND in second and THIRD not in second
    third = run("hint", "pooling", "max_pool2d", "--lang", "en").output
    assert THIRD in third and "That was the last hint" in third
    assert THIRD in run("hint", "3", "max_pool2d", "--lang", "en").output  # stays at the last level
    assert json.loads((project / ".grade" / "hints.json").read_text()) == {"exercise3.max_pool2d": 3}
    assert SECOND not in run("hint", "3", "avg_pool2d", "--lang", "en").output  # each task on its own


def test_reset_starts_over_and_level_shows_one_level(project):
    run("hint", "3", "flatten")
    run("hint", "3", "flatten")
    assert SECOND not in run("hint", "3", "flatten", "--reset", "--lang", "en").output
    shown = run("hint", "3", "flatten", "--level", "3", "--lang", "en").output
    assert FIRST in shown and THIRD in shown


def test_outside_a_project_each_request_starts_at_the_concept(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADE_STATE_DIR")
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        shown = run("hint", "3", "flatten", "--lang", "en").output
        assert FIRST in shown and SECOND not in shown and "not kept" in shown


def test_hints_in_korean(project):
    shown = run("hint", "3", "max_pool2d", "--level", "3", "--lang", "ko").output
    assert "힌트 1/3, 개념" in shown and "최대 풀링" in shown and "힌트 3/3, 코드에 가깝게" in shown


def test_an_unknown_task_is_a_usage_error_that_lists_the_tasks(project):
    result = run("hint", "3", "maxpool", "--lang", "en")
    assert result.exit_code == 2
    assert "exercise3 has no task 'maxpool'; its tasks: max_pool2d, avg_pool2d" in result.output
