"""The same seed and submission give the same examples, whatever else the process has imported."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np

from grader import drawing
from grader.api import grade
from grader.sandbox import Worker
from tests.conftest import SOLUTIONS


def _generated_calls(monkeypatch, seed=0):
    """The calls the learner's worker receives, drawn afresh (nothing kept from an earlier run)."""
    seen = []
    real_ask = Worker.ask_call

    def recording(self, name, call, timeout, probe=None):
        seen.append((name, [a.tobytes() if isinstance(a, np.ndarray) else a for a in call.args], call.kwargs))
        return real_ask(self, name, call, timeout, probe)

    monkeypatch.setenv("GRADE_CACHE_DIR", "")
    drawing.forget()
    monkeypatch.setattr(Worker, "ask_call", recording)
    grade(3, submission=SOLUTIONS, examples=40, seed=seed)
    monkeypatch.setattr(Worker, "ask_call", real_ask)
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
