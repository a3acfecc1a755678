"""The one idle moment of a check (`engine.while_learner_loads`): the grader waits for the learner's process to
load its file, and the command line imports its report's modules then. Such work runs once, and a failure in it
never reaches the grades."""

from __future__ import annotations

import sys

from grader import engine
from grader.api import grade
from tests.conftest import solution_file


def test_work_for_the_wait_runs_once_and_never_costs_a_grade():
    done = []
    engine.while_learner_loads(lambda: done.append("imported"))
    engine.while_learner_loads(lambda: 1 / 0)
    first = grade(4, submission=solution_file(4))
    again = grade(4, submission=solution_file(4))
    assert done == ["imported"]
    assert first.passed and again.passed
    assert first.to_dict() == again.to_dict()


def test_the_command_line_imports_the_report_it_will_print_while_it_waits(monkeypatch):
    from grader import cli

    waiting = []
    monkeypatch.setattr(engine, "_while_loading", waiting)
    monkeypatch.delitem(sys.modules, "grader.report.junit", raising=False)
    cli._report_while_waiting("junit")
    assert len(waiting) == 1 and "grader.report.junit" not in sys.modules
    waiting[0]()
    assert "grader.report.junit" in sys.modules
