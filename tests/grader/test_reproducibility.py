"""The same seed and submission give the same examples, whatever else the process has imported."""

from __future__ import annotations

import importlib.util
import sys

from grader import drawing
from tests.conftest import calls_sent


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
