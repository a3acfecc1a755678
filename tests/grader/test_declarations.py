"""One declaration per task drives everything: the stubs stay in step with it and its examples are true."""

from __future__ import annotations

import ast
import doctest
import importlib.util
import inspect
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import catalog, drawing, stubs
from grader.errors import DeclarationError, UnknownExercise
from grader.keras_observe import materialise
from grader.spec import Exercise, Task
from tests.conftest import EXERCISES

TASKS = [pytest.param(e, t, id=f"{e.name}.{t.name}") for e in catalog.exercises() for t in e.tasks]


def _load(path):
    spec = importlib.util.spec_from_file_location(f"_stub_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stubs_are_generated_from_the_declarations():
    """If this fails, run `python -m grader.stubs` and commit the result."""
    assert stubs.main(["--check"]) == 0


@pytest.mark.parametrize(("exercise", "task"), TASKS)
def test_each_stub_has_the_reference_signature_the_task_doc_and_raises_not_implemented(exercise, task):
    stub = getattr(_load(EXERCISES / exercise.file_name), task.name)
    reference = exercise.reference(task)
    assert inspect.signature(stub) == inspect.signature(reference)
    assert inspect.getdoc(stub) == inspect.cleandoc(task.doc)
    body = ast.parse(inspect.getsource(stub)).body[0].body
    assert isinstance(body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(body[-1])


@pytest.mark.parametrize(("exercise", "task"), TASKS)
def test_the_examples_in_each_docstring_are_true_of_the_reference(exercise, task):
    globs = {"np": np, task.name: exercise.reference(task)}
    parser = doctest.DocTestParser()
    test = parser.get_doctest(task.doc, globs, task.name, exercise.file_name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("exercise", catalog.exercises(), ids=lambda e: e.name)
def test_stubs_and_references_import_nothing_but_numpy_and_the_standard_library(exercise):
    """By hand means numpy and math; the Keras exercise adds Keras (and nothing else)."""
    allowed = {"numpy", "math"} | ({"keras"} if exercise.uses_tensorflow else set())
    for source in (EXERCISES / exercise.file_name, exercise.reference_module().__file__):
        tree = ast.parse(Path(source).read_text(encoding="utf-8"))
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imported <= allowed, source


def _call_reference(reference, call):
    """Recipes (exercise 6's model arguments) are built into models, as the grader does."""
    inspect.signature(reference).bind(*call.args, **call.kwargs)
    args, kwargs = materialise(call.args, call.kwargs)
    return reference(*args, **kwargs)


@pytest.mark.parametrize(("exercise", "task"), TASKS)
def test_the_declared_corner_examples_are_calls_the_reference_accepts(exercise, task):
    reference = exercise.reference(task)
    for call in task.examples:
        _call_reference(reference, call)


def test_a_declaration_checks_itself():
    strategy = st.nothing()
    with pytest.raises(DeclarationError, match="points=0 must be positive"):
        Task("f", 0, strategy, lambda *a: None, doc="x")
    with pytest.raises(DeclarationError, match="examples must be Call"):
        Task("f", 1, strategy, lambda *a: None, doc="x", examples=((1, 2),))
    with pytest.raises(DeclarationError, match="must be a Python function name"):
        Task("Not A Name", 1, strategy, lambda *a: None, doc="x")
    with pytest.raises(DeclarationError, match="hints must be 3 sentences"):
        Task("f", 1, strategy, lambda *a: None, doc="x", hints=("the concept", "the approach"))
    task = Task("f", 1, strategy, lambda *a: None, doc="x", hints=("the concept", "the approach", "the code"))
    with pytest.raises(DeclarationError, match="task names repeat"):
        Exercise(9, "x", "x", "x", (task, task))


@pytest.mark.parametrize("name", ["exercise3", "3", "pooling", "Pooling", "ex3", "exercise3_pooling", "풀링"])
def test_an_exercise_has_several_names(name):
    assert catalog.find(name).number == 3


@pytest.mark.parametrize("exercise", catalog.exercises(), ids=lambda e: e.name)
def test_every_name_of_an_exercise_finds_it(exercise):
    # find() reads number and slug from the module's name before importing it: they must agree.
    names = [exercise.name, str(exercise.number), exercise.slug, exercise.module_name, f"ex{exercise.number}"]
    assert all(catalog.find(name) is exercise for name in [*names, *exercise.aliases])


def test_an_unknown_name_lists_the_exercises():
    with pytest.raises(UnknownExercise, match=r"unknown exercise 'exercise99'.*exercise1 \(convolution\)"):
        catalog.find("exercise99")


@pytest.mark.parametrize(("exercise", "task"), TASKS)
def test_each_strategy_draws_valid_calls_efficiently(exercise, task):
    """Health checks on: no filtering, no oversized data; and the reference accepts every call."""
    reference = exercise.reference(task)

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(drawing.built(task))
    def draws(call):
        _call_reference(reference, call)

    draws()
