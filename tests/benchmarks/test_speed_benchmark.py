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
        env=_speed().FLOOR_ENV,
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
        env=_speed().FLOOR_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "test_flatten" in done.stdout


def _phases(speed_bar: float = 0.0) -> dict:
    return {phase: [0.1, 0.1, 0.1] for phase in (*_speed().PHASES, "speed bar")} | {"speed bar": [speed_bar] * 3}


def test_ratios_and_targets_come_from_the_medians(capsys):
    times = {
        "exercise3": {"first": [0.5, 0.4, 9.0], "again": [0.35, 0.3, 0.2], "first phases": _phases()},
        "exercise7": {"first": [1.5, 1.5, 1.5], "again": [1.3, 1.3, 1.3], "first phases": _phases(1.0)},
        "exercise6": {"first": [8.0, 8.0, 8.0], "again": [5.0, 5.0, 5.0], "first phases": _phases()},
        "import numpy, hypothesis": {"first": [0.2, 0.2, 0.3]},
        "import tensorflow": {"first": [4.0, 4.0, 4.0]},
    }
    for row in times.values():
        if "first phases" in row:
            row["again phases"] = row["first phases"]
    figures = _speed().report(times, 0.25, None)
    to_numpy = {"first/import numpy+hyp": 2.5, "again/import numpy+hyp": 1.5}
    assert figures["ratios"]["exercise3"] == pytest.approx(to_numpy)
    assert figures["targets"]["exercise3"] == {"first at most 2x": False, "again at most 1.5x": True}
    # exercise 7's speed bar is counted apart: (1.5 - 1.0) / 0.2 and (1.3 - 1.0) / 0.2
    assert figures["ratios"]["exercise7"] == pytest.approx(to_numpy)
    assert figures["ratios"]["exercise6"] == pytest.approx({"first/import tf": 2.0, "again/import tf": 1.25})
    assert figures["targets"]["exercise6"] == {"first at most 2x": True, "again at most 1.5x": True}
    out = capsys.readouterr().out
    assert "NOT MET" in out and "exercise7 speed bar:   1.00" in out


def test_an_earlier_commit_is_timed_in_the_same_rounds_and_shown_beside(capsys, tmp_path):
    times = {
        "exercise3": {
            "first": [0.5] * 3,
            "again": [0.4] * 3,
            "before first": [4.0, 3.0, 5.0],
            "before again": [1.0] * 3,
        },
        "import numpy, hypothesis": {"first": [0.2] * 3},
    }
    times["exercise3"]["first phases"] = times["exercise3"]["again phases"] = _phases()
    _speed().report(times, 0.25, None)
    header, row = capsys.readouterr().out.splitlines()[1:3]
    assert header.split()[:4] == ["before:", "first", "before", "again"]
    assert row.split()[:5] == ["exercise3", "4.00", "(3.00-5.00)", "1.00", "(1.00-1.00)"]
    env = _speed()._before_env(tmp_path / "old", tmp_path / "cache")
    assert env["PYTHONPATH"] == str(tmp_path / "old") and env["GRADE_CACHE_DIR"] == str(tmp_path / "cache")


def test_the_phases_of_a_graded_process_add_up_to_its_time(tmp_path):
    timings = tmp_path / "timings.json"
    speed = _speed()
    env = speed._env(tmp_path / "empty cache", timings)
    seconds, spawned = speed._run(speed._grade(3), ROOT, env)
    phases = speed._phases(seconds, spawned, timings)
    assert set(phases) == {*speed.PHASES, "speed bar"}
    assert sum(phases.values()) == pytest.approx(seconds)
    assert all(phases[p] > 0 for p in ("interpreter start", "imports", "worker start", "judging", "waiting"))
    assert phases["drawing"] == 0  # the shipped calls: nothing drawn for a right submission


def test_timings_are_off_and_write_nothing_unless_asked(tmp_path):
    env = {k: v for k, v in _speed()._env(tmp_path / "cache").items() if k != "GRADE_TIMINGS"}
    probe = "from grader import timings; print(timings.ON, timings.phase('x') is timings.phase('y'))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
