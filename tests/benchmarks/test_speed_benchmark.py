"""The speed benchmark measures what it says: its floor runs the grader's own properties, its ratios and
targets come from the medians it prints. (It is not timed here: numbers live in its output.)"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _speed():
    spec = importlib.util.spec_from_file_location("speed", ROOT / "benchmarks" / "speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_floor_runs_every_task_of_the_exercise_as_a_property(tmp_path):
    floor = tmp_path / "test_floor.py"
    floor.write_text(_speed().FLOOR_TEMPLATE.format(number=3, seed=0, examples=5))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", floor.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout  # exercise 3's five tasks


def test_a_floor_that_fails_is_noticed(tmp_path):
    # The floor must compare: a learner module with a wrong function fails it.
    floor = tmp_path / "test_floor.py"
    text = _speed().FLOOR_TEMPLATE.format(number=3, seed=0, examples=5)
    line = 'LEARNER = importlib.import_module("solutions." + EXERCISE.module_name)\n'
    assert line in text
    wrong = 'import types\nLEARNER = types.SimpleNamespace(**{**vars(LEARNER), "flatten": lambda x: x})\n'
    floor.write_text(text.replace(line, line + wrong))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", floor.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "test_flatten" in done.stdout


def test_ratios_and_targets_come_from_the_medians(capsys):
    times = {
        "exercise3": {"first": [2.5, 2.4, 9.0], "again": [0.9, 1.0, 0.8], "floor": [2.0, 2.0, 2.0]},
        "exercise6": {"first": [8.0, 8.0, 8.0], "again": [7.0, 7.0, 7.0]},
        "import tensorflow": {"first": [4.0, 4.0, 4.0]},
    }
    figures = _speed().report(times, 0.25, None)
    assert figures["ratios"]["exercise3"] == pytest.approx({"first/floor": 1.25, "again/floor": 0.45})
    assert figures["targets"]["exercise3"] == {
        "first under 2 s": False,
        "again under 2 s": True,
        "at most 1.5x floor": True,
    }
    assert figures["ratios"]["exercise6"] == pytest.approx({"first/import tf": 2.0})
    assert figures["targets"]["exercise6"] == {"at most 2x import tensorflow": True}
    assert figures["targets"]["sandbox"] == {"under 2 ms per example": True}
    assert "NOT MET" in capsys.readouterr().out
