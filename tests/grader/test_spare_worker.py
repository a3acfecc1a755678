"""Exercise 6's transfer-learning task in a worker of its own (`grader.spare_worker`): the report is the same bytes
whether a second worker grades it or the exercise's one worker does, and every Keras call names its layers as if it
were the first call after loading, whatever ran before it and in whichever worker.
"""

from __future__ import annotations

import pytest

from grader import keras_observe, spare_worker
from grader.api import grade
from grader.catalog import find
from grader.keras_observe import ModelRecipe
from grader.results import Status
from tests.conftest import solution_file

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

# Every failing call says the name Keras gave a layer it made: counted on from the one made at load ("dense").
NAMES_LAYERS = """
import keras
from keras import layers

_made_at_load = layers.Dense(1)


def _fail_naming(layer):
    raise RuntimeError(f"made {layer.name}")


def make_conv_layer():
    _fail_naming(layers.Dense(2))


def build_lenet5():
    layers.Dense(3)
    _fail_naming(layers.Dense(2))


def transfer_model(base_model, cut_layer_name, num_classes):
    _fail_naming(layers.Dense(num_classes))
"""

EXITS_IN_TRANSFER = """

import os


def transfer_model(base_model, cut_layer_name, num_classes):
    os._exit(3)
"""

SUBMISSIONS = {
    "right": "",
    "names its layers": NAMES_LAYERS,
    "exits in the transfer task": EXITS_IN_TRANSFER,
}


def _graded(monkeypatch, path, spare: str) -> dict:
    monkeypatch.setenv("GRADE_SPARE_WORKER", spare)
    return grade(6, submission=path, lang="en").to_dict(full=True)


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_the_report_is_the_same_bytes_with_or_without_the_spare_worker(name, submission, monkeypatch):
    source = SUBMISSIONS[name]
    if name != "names its layers":
        source = solution_file(6).read_text(encoding="utf-8") + source
    path = submission(6, source)
    alone, beside = _graded(monkeypatch, path, "off"), _graded(monkeypatch, path, "on")
    assert beside == alone
    transfer = next(t for t in beside["tasks"] if t["name"] == "transfer_model")
    expected = {"right": "passed", "names its layers": "error", "exits in the transfer task": "error"}[name]
    assert transfer["status"] == expected, transfer["message"]


def test_each_keras_call_names_its_layers_as_if_it_were_the_first(submission, monkeypatch):
    monkeypatch.setenv("GRADE_SPARE_WORKER", "on")
    result = grade(6, submission=submission(6, NAMES_LAYERS), lang="en")
    said = {task.name: task.message for task in result.tasks if task.status is not Status.MISSING}
    assert set(said) == {"make_conv_layer", "build_lenet5", "transfer_model"}
    assert "made dense_1" in said["make_conv_layer"]  # the file made "dense" while loading
    assert "made dense_2" in said["build_lenet5"]  # its own first layer was "dense_1"
    assert "made dense_1" in said["transfer_model"]  # graded last, in the other worker: still from the load


def test_a_prepared_model_is_the_one_the_call_would_have_built():
    import keras

    recipe = find("exercise6").tasks[-1].examples[0].args[0]  # the feature-map task's small CNN
    assert isinstance(recipe, ModelRecipe)
    keras.layers.Dense(1)  # names counted before, as a learner's file may have
    loaded = keras_observe.layer_names()
    assert keras_observe.prepare([recipe], loaded) == 1
    keras.layers.Dense(1)  # what ran in between does not count
    keras_observe.name_layers_from(loaded)
    (prepared,), _ = keras_observe.materialise((recipe,), {})
    after_prepared = keras_observe.layer_names()
    assert keras_observe.prepare([], loaded) == 0  # taken: held no longer
    keras_observe.name_layers_from(loaded)
    (built,), _ = keras_observe.materialise((recipe,), {})
    assert keras_observe.layer_names() == after_prepared
    assert [layer.name for layer in prepared.layers] == [layer.name for layer in built.layers]
    for ours, fresh in zip(prepared.get_weights(), built.get_weights(), strict=True):
        assert ours.shape == fresh.shape and not ours.any() and not fresh.any()  # kernels and biases: zeros


def test_a_recipe_is_built_with_zero_kernels_and_nothing_else_is():
    import keras

    drawn = keras.initializers.VarianceScaling.__call__
    ModelRecipe((8, 8, 1), ({"class_name": "Conv2D", "filters": 2, "kernel_size": 3, "name": "c"},)).build()
    assert keras.initializers.VarianceScaling.__call__ is drawn
    learner_layer = keras.layers.Dense(4)
    learner_layer.build((None, 3))
    assert learner_layer.kernel.numpy().any()  # a learner's own layer still starts from drawn weights


def test_a_marker_a_gpu_one_core_and_little_memory_grade_in_one_worker(monkeypatch):
    import psutil

    limit = 2048  # MiB, a worker's
    free = {"bytes": 8 * 1024**3}
    monkeypatch.delenv("GRADE_SPARE_WORKER", raising=False)
    monkeypatch.setattr(spare_worker, "_in_this_process", True)
    monkeypatch.setattr(spare_worker.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(psutil, "virtual_memory", lambda: type("Memory", (), {"available": free["bytes"]}))
    assert spare_worker.wanted(gpu=False, memory_mb=limit)
    assert not spare_worker.wanted(gpu=True, memory_mb=limit)
    free["bytes"] = 3 * 1024**3  # both workers at their limit would not fit
    assert not spare_worker.wanted(gpu=False, memory_mb=limit)
    free["bytes"] = 8 * 1024**3
    monkeypatch.setattr(spare_worker.os, "sched_getaffinity", lambda pid: {0})
    assert not spare_worker.wanted(gpu=False, memory_mb=limit)
    monkeypatch.setenv("GRADE_SPARE_WORKER", "on")
    assert spare_worker.wanted(gpu=False, memory_mb=limit)
    monkeypatch.setenv("GRADE_SPARE_WORKER", "off")
    monkeypatch.setattr(spare_worker.os, "sched_getaffinity", lambda pid: {0, 1})
    assert not spare_worker.wanted(gpu=False, memory_mb=limit)
    monkeypatch.delenv("GRADE_SPARE_WORKER")
    spare_worker.one_worker_each()  # what a class's marker says first
    assert not spare_worker.wanted(gpu=False, memory_mb=limit)
