"""The calls for seed 0 ship with the grader, exactly as hypothesis draws them, and are trusted only under their key.

A right submission is then graded without drawing and without importing hypothesis; whatever changes what
would be drawn (a strategy, the strategy modules, hypothesis, numpy) makes the shipped calls be ignored and
drawn again. Shipped or drawn, the report is the same.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from dataclasses import replace

import pytest

from grader import catalog, drawing
from grader.api import grade
from grader.drawing import Strategy
from tests.conftest import ROOT, SOLUTIONS, _plain_call, calls_sent, solution_file


@pytest.fixture
def drawings(monkeypatch):
    """How many times hypothesis was asked to draw calls."""
    counted = []
    real = drawing._draw

    def counting(*args):
        counted.append(args[0].name)
        return real(*args)

    monkeypatch.setattr(drawing, "_draw", counting)
    return counted


def _shipped(number: int) -> list:
    """(task, call) for every shipped call of an exercise, in the order a grading sends them."""
    exercise = catalog.find(f"exercise{number}")
    sent = []
    for task in exercise.tasks:
        data = drawing.shipped_path(exercise, task).read_bytes()
        calls = drawing._parse(data.partition(b"\n")[2])
        sent += [(task.name, _plain_call(call)) for call in (*calls, *task.examples)]
    return sent


@pytest.mark.slow
def test_the_shipped_calls_are_exactly_what_hypothesis_draws_now():
    wanted = {name: data for name, data in drawing.shipped_files().items() if data is not None}
    present = {path.name: path.read_bytes() for path in drawing.SHIPPED.iterdir()}
    assert sorted(present) == sorted(wanted), "run: python -m grader.drawing --ship"
    stale = [name for name, data in wanted.items() if present[name] != data]
    assert not stale, f"out of date: {stale}; run: python -m grader.drawing --ship"


def test_ci_checks_the_shipped_calls_next_to_the_stubs():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    stubs = lines.index("python -m grader.stubs --check")
    assert lines[stubs + 1] == "python -m grader.drawing --check"


def test_the_package_data_takes_every_shipped_file():
    section = (ROOT / "pyproject.toml").read_text().split("[tool.setuptools.package-data]\n", 1)[1]
    grader_list = re.search(r"^grader = \[(.*?)\]", section, re.DOTALL | re.MULTILINE).group(1)  # one line or many
    patterns = re.findall(r'"([^"]+)"', grader_list)
    files = [f"calls/{path.name}" for path in drawing.SHIPPED.iterdir()]
    assert len(files) >= 35  # every by-hand task, and exercise 6's tasks whose calls are plain data
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in files)


def test_a_right_submission_is_graded_on_the_shipped_calls_without_drawing(monkeypatch, fresh, drawings):
    assert calls_sent(monkeypatch, 3) == _shipped(3)
    assert drawings == []
    kept = list(fresh.iterdir()) if fresh.exists() else []
    assert not any(path.read_bytes().startswith(b"kept-calls/") for path in kept)  # nothing drawn, none kept


@pytest.mark.parametrize("number", [1, 3])
def test_the_shipped_calls_give_the_same_report_as_drawing_them(monkeypatch, fresh, tmp_path, number):
    wrong = {1: "box_not_averaged", 3: "max_over_zero_padding"}[number]
    folder = next((SOLUTIONS / "mistakes").glob(f"exercise{number}_*"))
    mistake = tmp_path / "mistake" / solution_file(number).name
    mistake.parent.mkdir()
    mistake.write_text(solution_file(number).read_text() + "\n\n" + (folder / f"{wrong}.py").read_text())
    reports = []
    for shipped in (drawing.SHIPPED, tmp_path / "nothing shipped"):
        monkeypatch.setattr(drawing, "SHIPPED", shipped)
        drawing.forget()
        monkeypatch.setenv("GRADE_CACHE_DIR", "")
        reports.append([grade(number, submission=path).to_dict() for path in (SOLUTIONS, mistake.parent)])
    assert reports[0] == reports[1]
    right, wrong_result = reports[0]
    assert right["score"] == right["max_score"] and wrong_result["score"] < wrong_result["max_score"]


def test_a_task_that_has_fewer_calls_than_asked_ships_them_all(monkeypatch, fresh, drawings):
    exercise = catalog.find("exercise1")
    box = exercise.task("box_filter")
    head = drawing.shipped_path(exercise, box).read_bytes().partition(b"\n")[0].split(b" ")
    assert head[1] == b"9" and head[3] == b"all"
    sent = calls_sent(monkeypatch, 1)
    assert sent == _shipped(1) and drawings == []


def test_only_a_shipped_file_may_hold_fewer_calls_than_asked(monkeypatch, fresh):
    exercise = catalog.find("exercise3")
    task = exercise.task("flatten")
    key = drawing.calls_key(exercise, task, 20, 0)
    calls = drawing._draw(task, 20, 0, lambda call: None)
    short = drawing._file(key, calls[:5], every=True)
    with pytest.raises(ValueError, match="not a file of kept calls"):
        drawing._checked(key, short, 20)  # the user's cache never
    assert len(drawing._checked(key, short, 20, shipped=True)) == 5
    unmarked = drawing._file(key, calls[:5])
    with pytest.raises(ValueError, match="5 calls kept where 20 are asked"):
        drawing._checked(key, unmarked, 20, shipped=True)


def _another_strategy_module(monkeypatch):
    real = drawing.deciding_digest
    monkeypatch.setattr(drawing, "deciding_digest", lambda folder: "edited " + real(folder))


@pytest.mark.parametrize(
    "change",
    [
        _another_strategy_module,
        lambda monkeypatch: monkeypatch.setattr(drawing, "_hypothesis_version", lambda: "6.0.0"),
        lambda monkeypatch: monkeypatch.setattr(drawing.np, "__version__", "1.0.0"),
    ],
    ids=["a strategy module edited", "another hypothesis", "another numpy"],
)
def test_shipped_calls_drawn_under_another_key_are_drawn_again(monkeypatch, fresh, drawings, change):
    change(monkeypatch)
    assert calls_sent(monkeypatch, 3) == _shipped(3)  # the same hypothesis draws them, found again
    assert len(drawings) == len(catalog.find("exercise3").tasks)


def test_a_changed_strategy_is_not_graded_on_the_shipped_calls(fresh, drawings):
    exercise = catalog.find("exercise3")
    task = exercise.task("max_pool2d")
    changed = replace(task, strategy=Strategy("strategies.pooling_calls", max_side=4))
    assert drawing.calls_key(exercise, changed, 100, 0) != drawing.calls_key(exercise, task, 100, 0)
    received = []
    drawing.calls(exercise, changed, 100, 0, received.append)
    assert drawings == ["max_pool2d"]
    assert all(max(call.args[0].shape[1:3]) <= 4 for call in received)


def test_the_key_covers_the_strategy_modules_source(tmp_path):
    for name in drawing.DECIDING:
        (tmp_path / name).write_bytes((drawing.PACKAGE / name).read_bytes())
    assert drawing.deciding_digest(tmp_path) == drawing.deciding_digest(drawing.PACKAGE)
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in drawing.DECIDING:
        source = (drawing.PACKAGE / name).read_text()
        if name == "strategies.py":
            source = source.replace("VALUE_BOUND = 10.0", "VALUE_BOUND = 9.0")
        (edited / name).write_text(source)
    assert drawing.deciding_digest(edited) != drawing.deciding_digest(drawing.PACKAGE)


_PROBE = """
import json, sys
from grader.api import grade
right = grade(3, submission={solutions!r})
after_right = "hypothesis" in sys.modules
wrong = grade(3, submission={wrong!r})
print(json.dumps([right.score == right.max_score, after_right, wrong.score < wrong.max_score,
                  "hypothesis" in sys.modules]))
"""


def test_a_right_submission_on_the_shipped_calls_never_imports_hypothesis(tmp_path):
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    mistake = (SOLUTIONS / "mistakes" / "exercise3_pooling" / "pool_stride_one.py").read_text()
    (wrong / solution_file(3).name).write_text(solution_file(3).read_text() + "\n\n" + mistake)
    probe = _PROBE.format(solutions=str(SOLUTIONS), wrong=str(wrong))
    env = {"PATH": "/usr/bin:/bin", "GRADE_CACHE_DIR": str(tmp_path / "empty cache"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    right_passed, hypothesis_after_right, wrong_failed, hypothesis_after_wrong = json.loads(done.stdout)
    assert right_passed and not hypothesis_after_right
    assert wrong_failed and hypothesis_after_wrong  # the search and shrinking import it: the probe can see it
