"""The one idle moment of a check (`engine.while_learner_loads`): the grader waits for the learner's process to
load its file, and the command line imports its report's modules then. Such work runs once, and a failure in it
never reaches the grades."""

from __future__ import annotations

import subprocess
import sys

from grader import engine
from grader.api import grade
from tests.conftest import ROOT, solution_file


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


def test_a_keras_exercise_readies_its_search_while_the_learner_loads_without_importing_tensorflow():
    """Exercise 6's tasks are searched by hypothesis from their first call: hypothesis and the tasks' strategies
    are made during the wait, and none of it imports TensorFlow into the grader."""
    probe = (
        "import sys\n"
        "from grader import engine\n"
        "from grader.catalog import find\n"
        "exercise = find('exercise6')\n"
        "assert 'hypothesis' not in sys.modules\n"
        "searched = exercise.observed_tasks\n"
        "engine._ready_search(searched)\n"
        "print(len(searched), 'hypothesis' in sys.modules, 'tensorflow' in sys.modules,\n"
        "      all(getattr(t.strategy, '_built', None) is not None for t in searched))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    searched, hypothesis, tensorflow, built = done.stdout.split()
    assert int(searched) >= 8 and (hypothesis, tensorflow, built) == ("True", "False", "True")


def test_a_numpy_exercise_asks_nothing_of_the_wait_for_a_search(monkeypatch):
    asked = []
    monkeypatch.setattr(engine, "while_learner_loads", asked.append)
    assert grade(4, submission=solution_file(4)).passed
    assert asked == []
