"""A report has a bounded size: each text of a task's result, and each cell of exercise 6's side-by-side table,
is cut in the middle to a bounded length, saying how much was cut; what exercise 6 observes of a learner's
Keras object (class names, settings) is bounded as it crosses from the learner's process."""

from __future__ import annotations

import pytest

from grader.compare_models import architecture_table, compare_observations, summary
from grader.engine import REPORT_CELL_CHARS, REPORT_TEXT_CHARS, bounded
from grader.results import Counterexample, ExerciseResult, Status, TaskResult
from grader.sandbox import codec
from grader.sandbox.worker import cut_note
from tests.conftest import observed_layer


def _model(layers: list) -> dict:
    return {
        "kind": "model",
        "layers": layers,
        "input_shapes": [[28, 28, 1]],
        "trainable_params": 330,
        "non_trainable_params": 0,
    }


EXPECTED = _model(
    [observed_layer("Conv2D", (26, 26, 32), 320, filters=32), observed_layer("Dense", (10,), 10, units=10)]
)
# A learner's layer class named a megabyte long, with a hundred settings of its own, each 3,000 characters
STRANGE = observed_layer("Conv2D" + "X" * 2**20, (26, 26, 32), 320, **{f"setting_{i}": "s" * 3000 for i in range(100)})


def _result(message: str, example: Counterexample) -> ExerciseResult:
    task = TaskResult("build", Status.FAILED, 0.0, 2.0, 1, message, example, output="p" * 10**6)
    return ExerciseResult("exercise6", "Keras", 0, ("cpu",), (task,), notes=("n" * 10**6,))


def test_a_keras_observation_is_bounded_as_it_crosses_and_again_in_the_report():
    crossed = codec.unpack_reply(codec.pack_reply(_model([STRANGE, EXPECTED["layers"][1]])), note=cut_note)
    kind = crossed["layers"][0]["class"]
    assert len(kind) <= codec.TEXT_CHARS and kind.startswith("Conv2DXXX") and "(cut: 1,04" in kind
    message = compare_observations(None, EXPECTED, crossed, None)
    table = architecture_table(EXPECTED, crossed)
    assert len(message) > REPORT_TEXT_CHARS and max(len(cell) for row in table.rows for cell in row) > REPORT_CELL_CHARS
    example = Counterexample("build()", {}, summary(EXPECTED), summary(crossed), message, table)

    (task,) = bounded(_result(message, example)).tasks

    shown = task.counterexample
    for text in (task.message, task.output, shown.actual, shown.difference):
        assert len(text) <= REPORT_TEXT_CHARS
    assert "(cut: " in task.message and task.message.startswith(message[:100])
    assert all(len(cell) <= REPORT_CELL_CHARS for row in shown.table.rows for cell in row)
    assert shown.table.rows[0][4].startswith("Conv2DXXX") and "(cut: " in shown.table.rows[0][4]
    assert shown.table.first_difference == table.first_difference


def test_notes_and_printed_output_are_bounded_and_short_texts_are_left_as_they_are():
    example = Counterexample("f(x=1)", {"x": "1"}, "2", "3", "expected 2, got 3")
    result = bounded(_result("expected 2, got 3", example))
    (task,) = result.tasks
    assert task.message == "expected 2, got 3" and task.counterexample == example
    assert len(task.output) <= REPORT_TEXT_CHARS and len(result.notes[0]) <= REPORT_TEXT_CHARS


@pytest.mark.tensorflow
def test_a_keras_layer_class_named_a_megabyte_long_is_observed_and_crosses_bounded():
    import keras

    from grader.keras_observe import Probe, observe

    strange = type("Conv2D" + "X" * 2**20, (keras.layers.Conv2D,), {})
    model = keras.Sequential([keras.Input((8, 8, 1)), strange(4, 3, name="n" * 2**20)])
    observation = observe(model, Probe())
    layer = observation["layers"][0]
    assert layer["class"] == "Conv2D" and len(layer["own_class"]) > 2**20  # as made in the learner's process
    crossed = codec.round_trip(observation)
    own = crossed["layers"][0]["own_class"]
    assert len(own) <= codec.TEXT_CHARS and "Conv2DXXX" in own and "(cut: 1,04" in own
    assert len(codec.pack_reply(observation)) < codec.MAX_TREE_BYTES
