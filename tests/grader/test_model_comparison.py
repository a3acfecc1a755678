"""Exercise 6's comparison on plain observations (no TensorFlow): the architecture table and the messages."""

from __future__ import annotations

import numpy as np

from grader.compare_models import architecture_table, compare_observations
from grader.keras_observe import training_input
from tests.conftest import observed_layer

CONV = observed_layer("Conv2D", (28, 28, 32), 320, filters=32, kernel_size=[3, 3], padding="same")
POOL = observed_layer("MaxPooling2D", (14, 14, 32), pool_size=[2, 2], strides=[2, 2])
FLAT = observed_layer("Flatten", (6272,))
DENSE = observed_layer("Dense", (100,), 627_300, units=100)
DROP = observed_layer("Dropout", (100,), rate=0.4)
OUT = observed_layer("Dense", (10,), 1010, units=10)
EXPECTED = [CONV, POOL, FLAT, DENSE, DROP, OUT]


def _table(expected: list, actual: list):
    return architecture_table({"layers": expected}, {"layers": actual})


def _sides(table) -> list[tuple[str, str, str]]:
    """(#, expected's layer kind, yours) per row."""
    return [(row[0], row[1].split("(")[0], row[4].split("(")[0]) for row in table.rows]


def test_a_missing_layer_is_one_row_and_the_layers_after_it_meet_again():
    table = _table(EXPECTED, [CONV, POOL, FLAT, DENSE, OUT])
    assert _sides(table) == [
        ("1", "Conv2D", "Conv2D"),
        ("2", "MaxPooling2D", "MaxPooling2D"),
        ("3", "Flatten", "Flatten"),
        ("4", "Dense", "Dense"),
        ("5", "Dropout", "—"),
        ("6", "Dense", "Dense"),
    ]
    assert table.first_difference == 4 and table.rows[4][5:] == ("", "")


def test_an_extra_layer_is_one_row_marked_plus_and_the_rest_stays_level():
    extra = observed_layer("BatchNormalization", (28, 28, 32), 64)
    table = _table(EXPECTED, [CONV, extra, POOL, FLAT, DENSE, DROP, OUT])
    assert _sides(table)[:3] == [
        ("1", "Conv2D", "Conv2D"),
        ("+", "—", "BatchNormalization"),
        ("2", "MaxPooling2D", "MaxPooling2D"),
    ]
    assert [row[0] for row in table.rows] == ["1", "+", "2", "3", "4", "5", "6"]
    assert table.first_difference == 1
    assert all(row[1] == row[4] for i, row in enumerate(table.rows) if i != 1)


def test_a_changed_layer_keeps_one_row_and_is_the_marked_difference():
    average = observed_layer("AveragePooling2D", (14, 14, 32), pool_size=[2, 2], strides=[2, 2])
    table = _table(EXPECTED, [CONV, average, FLAT, DENSE, DROP, OUT])
    assert _sides(table)[1] == ("2", "MaxPooling2D", "AveragePooling2D") and len(table.rows) == 6
    assert table.first_difference == 1
    wider = observed_layer("Dense", (128,), 802_944, units=128)
    table = _table(EXPECTED, [CONV, POOL, FLAT, wider, DROP, OUT])
    assert table.first_difference == 3 and len(table.rows) == 6


def _said(expected: list, actual: list) -> str:
    model = {"kind": "model", "input_shapes": [[28, 28, 1]], "trainable_params": 0, "non_trainable_params": 0}
    return compare_observations(None, {**model, "layers": expected}, {**model, "layers": actual}, None)


def test_the_message_names_the_same_difference_as_the_table():
    assert _said(EXPECTED, [CONV, POOL, FLAT, DENSE, OUT]) == (
        "layer 5: expected Dropout(0.4), which your model leaves out"
    )
    assert _said(EXPECTED, EXPECTED[:-1]) == "layer 6: expected Dense(10), your model ends before it"
    extra = observed_layer("BatchNormalization", (28, 28, 32), 64)
    assert _said(EXPECTED, [CONV, extra, POOL, FLAT, DENSE, DROP, OUT]) == (
        "layer 2: your model has an extra BatchNormalization() the contract does not ask for"
    )
    average = observed_layer("AveragePooling2D", (14, 14, 32), pool_size=[2, 2], strides=[2, 2])
    said = _said(EXPECTED, [CONV, average, FLAT, DENSE, DROP, OUT])
    assert said.startswith("layer 2: expected MaxPooling2D((2, 2), strides=(2, 2)), got AveragePooling2D")


def test_equal_architectures_mark_no_row():
    assert _table(EXPECTED, list(EXPECTED)).first_difference is None


def test_a_loss_error_in_colour_is_reported_without_its_escape_codes():
    compiled = {"compiled": True, "optimizer": "Adam", "from_logits": False, "loss": 2.3, "metrics": {"acc": 0.1}}
    expected = {"kind": "model", "layers": EXPECTED, "input_shapes": [[28, 28, 1]], "compiled": compiled}
    expected |= {"trainable_params": 628_630, "non_trainable_params": 0}
    broken = {**compiled, "loss_error": "ValueError: \x1b[1mArguments `target` and `output` must\x1b[0m match"}
    del broken["loss"]
    actual = {**expected, "compiled": broken}
    said = compare_observations(None, expected, actual, None)
    assert "ValueError: Arguments `target` and `output` must match" in said and "x1b" not in said


def test_what_the_learners_process_reports_is_checked_not_trusted():
    """A training-mode record or optimizer steps that are not numbers, or not of the grader's input, fail with
    a message: never an exception, never a pass."""
    dropout = {**DROP, "training": {"output": None}}
    expected = {"kind": "model", "seed": 7, "input_shapes": [[28, 28, 1]], "trainable_params": 0}
    expected |= {"non_trainable_params": 0, "layers": [CONV, POOL, FLAT, DENSE, dropout, OUT]}
    for forged in ("all zeros, trust me", [0.0] * 10, {"share": 0.4}, np.zeros((3, 3))):
        actual = {**expected, "layers": [CONV, POOL, FLAT, DENSE, {**DROP, "training": {"output": forged}}, OUT]}
        said = compare_observations(None, expected, actual, None)
        assert said.startswith("layer 5: Dropout(0.4): in training mode your layer turned"), said
    never_drops = {**DROP, "training": {"output": training_input(7, 4, [100])}}  # the grader's own input, kept
    said = compare_observations(
        None, expected, {**expected, "layers": [CONV, POOL, FLAT, DENSE, never_drops, OUT]}, None
    )
    assert said == "layer 5: Dropout(0.4): in training, 0% of units were zeroed; Dropout(0.4) zeroes about 40%"

    settings = {"learning_rate": [0.001] * 7, "beta_1": 0.9, "amsgrad": False}
    ours = {"compiled": True, "optimizer": "Adam", "optimizer_settings": settings, "optimizer_steps": np.ones((3, 8))}
    ours |= {"from_logits": False, "loss": 2.3, "metrics": {"accuracy": 0.5}}
    model = {"kind": "model", "layers": [], "input_shapes": [[5, 5, 1]], "trainable_params": 0}
    model |= {"non_trainable_params": 0}
    for steps in ("moved as expected", [[1.0] * 8] * 2, None):
        theirs = {**ours, "optimizer_steps": steps}
        said = compare_observations(None, {**model, "compiled": ours}, {**model, "compiled": theirs}, None)
        assert said.startswith("optimizer Adam: with the same settings, yours moves the weights differently"), said
    theirs = {**ours, "optimizer_settings": "Adam's defaults"}
    said = compare_observations(None, {**model, "compiled": ours}, {**model, "compiled": theirs}, None)
    assert said.startswith("optimizer Adam: its settings could not be read"), said
