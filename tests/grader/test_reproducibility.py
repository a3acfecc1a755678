"""The same seed and submission give the same examples and the same smallest failing example, whatever else the
process has imported and however busy the machine is."""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest

from grader import drawing
from grader.api import grade
from grader.sandbox.worker import Worker
from tests.conftest import ROOT, calls_sent, solution_file


def _generated_calls(monkeypatch, seed=0):
    """The calls the learner's worker receives, drawn afresh (nothing kept from an earlier run)."""
    monkeypatch.setenv("GRADE_CACHE_DIR", "")
    drawing.forget()
    seen = calls_sent(monkeypatch, 3, examples=40, seed=seed)
    assert seen
    return seen


def test_examples_do_not_depend_on_the_modules_the_process_has_imported(monkeypatch, tmp_path):
    before = _generated_calls(monkeypatch)
    # Hypothesis >= 6.131 harvests constants from "local" modules; a new one must not change our examples.
    constants = "\n".join(f"C{i} = {v}" for i, v in enumerate([-7.25, 3.125, 9.5, -0.75, 6.0625, 2, 3, 5]))
    module_file = tmp_path / "course_constants.py"
    module_file.write_text(constants + "\n")
    spec = importlib.util.spec_from_file_location("course_constants", module_file)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "course_constants", module)
    spec.loader.exec_module(module)
    after = _generated_calls(monkeypatch)
    assert before == after


def test_another_seed_gives_other_examples(monkeypatch):
    assert _generated_calls(monkeypatch, seed=0) != _generated_calls(monkeypatch, seed=1)


@pytest.mark.slow
def test_a_busy_machine_shows_the_same_smallest_failing_example(monkeypatch, submission):
    """Shrinking stops after a number of calls, not seconds: a worker slowed as on a loaded CI machine (the old
    3 s of shrinking ran out there) still ends on the same smallest call."""
    stride_one = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()
    path = submission(3, solution_file(3).read_text() + "\n\n" + stride_one)

    def smallest():
        result = grade(3, path, examples=20)
        return {t.name: t.counterexample.call for t in result.tasks if not t.passed}

    quiet = smallest()
    assert set(quiet) == {"max_pool2d", "avg_pool2d"}
    real_call = Worker.call

    def slow_call(self, *args, **kwargs):
        time.sleep(0.3)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(Worker, "call", slow_call)
    assert smallest() == quiet
