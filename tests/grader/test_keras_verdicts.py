"""Exercise 6 verdicts: every classic Keras mistake loses its task, named in words and marked in the table,
even where the parameter count is right; right models in other spellings pass (fixtures/correct/exercise6_*).

A grading run of exercise 6 costs seconds, so each run here carries one mistake per task: the reference file
with some functions replaced, every replaced task must fail with its message and every other must pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.api import grade
from grader.results import Status
from tests.conftest import ROOT, solution_file

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

# task -> (the learner's wrong function, words the report must say)
MISTAKES = [
    {
        "make_conv_layer": (
            "def make_conv_layer():\n    return layers.Conv2D(10, 3, activation='relu')\n",
            "padding expected 'same', got 'valid'",
        ),
        "build_fashion_cnn": (  # max pooling replaced by average pooling: the same parameter count
            "def build_fashion_cnn():\n"
            "    m = _reference_fashion()\n"
            "    return keras.Sequential([keras.Input((28, 28, 1))] + [\n"
            "        layers.AveragePooling2D(2, strides=2) if isinstance(l, layers.MaxPooling2D) else l\n"
            "        for l in m.layers])\n",
            "layer 2: expected MaxPooling2D((2, 2), strides=(2, 2), padding='valid'), got AveragePooling2D",
        ),
        "build_dropout_cnn": (  # Dropout forgotten: no parameters, so the count is right
            "def build_dropout_cnn():\n"
            "    kept = [l for l in _reference_dropout().layers if not isinstance(l, layers.Dropout)]\n"
            "    return keras.Sequential([keras.Input((28, 28, 1)), *kept])\n",
            "layer 7: expected Dropout(0.4), which your model leaves out",
        ),
        "build_lenet5": (  # 28x28 input with 'same' first convolution: the count is right too
            "def build_lenet5():\n"
            "    first = layers.Conv2D(6, 5, activation='tanh', padding='same')\n"
            "    m = keras.Sequential([keras.Input((28, 28, 1)), first])\n"
            "    for l in _reference_lenet().layers[1:]:\n"
            "        m.add(l.__class__.from_config(l.get_config()))\n"
            "    return m\n",
            "input shape: expected (32, 32, 1), got (28, 28, 1)",
        ),
        "compile_classifier": (  # one-hot loss for class-number labels
            "def compile_classifier(model):\n"
            "    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])\n"
            "    return model\n",
            "the loss cannot be computed for class numbers",
        ),
        "training_callbacks": (
            "def training_callbacks(checkpoint_path):\n"
            "    return [keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),\n"
            "            keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)]\n",
            "EarlyStopping: patience expected 2, got 3",
        ),
        "transfer_model": (  # the base left trainable
            "def transfer_model(base_model, cut_layer_name, num_classes):\n"
            "    x = layers.Flatten()(base_model.get_layer(cut_layer_name).output)\n"
            "    x = layers.Dense(64, activation='relu')(x)\n"
            "    return keras.Model(base_model.inputs, layers.Dense(num_classes, activation='softmax')(x))\n",
            "freeze every layer of the base model",
        ),
        "feature_map_model": (  # the layer itself instead of a model
            "def feature_map_model(model, layer_name):\n    return model.get_layer(layer_name)\n",
            "expected a Keras model (keras.Model or keras.Sequential), got layer",
        ),
    },
    {
        "make_conv_layer": (
            "def make_conv_layer():\n    return layers.Conv2D(10, 3, strides=2, activation='relu', padding='same')\n",
            "strides expected (1, 1), got (2, 2)",
        ),
        "build_fashion_cnn": (  # relu on the convolutions the contract leaves linear
            "def build_fashion_cnn():\n"
            "    m = _reference_fashion()\n"
            "    return keras.Sequential([keras.Input((28, 28, 1))] + [\n"
            "        layers.Conv2D(l.filters, 3, padding='same', activation='relu') if isinstance(l, layers.Conv2D)\n"
            "        else l for l in m.layers])\n",
            "Conv2D: activation expected 'linear', got 'relu'",
        ),
        "build_dropout_cnn": (  # pooling before the convolution: the same parameters, another order
            "def build_dropout_cnn():\n"
            "    return keras.Sequential([keras.Input((28, 28, 1)),\n"
            "        layers.MaxPooling2D(2), layers.Conv2D(32, 3, activation='relu', padding='same'),\n"
            "        layers.Conv2D(64, 3, activation='relu', padding='same'), layers.MaxPooling2D(2),\n"
            "        layers.Flatten(), layers.Dense(100, activation='relu'), layers.Dropout(0.4),\n"
            "        layers.Dense(10, activation='softmax')])\n",
            "layer 1: your model has an extra MaxPooling2D(",
        ),
        "build_lenet5": (  # sigmoid for tanh
            "def build_lenet5():\n"
            "    m = _reference_lenet()\n"
            "    for l in m.layers[:-1]:\n"
            "        if hasattr(l, 'activation') and l.get_config()['activation'] == 'tanh':\n"
            "            l.activation = keras.activations.sigmoid\n"
            "    return m\n",
            "activation expected 'tanh', got 'sigmoid'",
        ),
        "compile_classifier": (  # exact-match accuracy on probabilities: always 0
            "def compile_classifier(model):\n"
            "    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',\n"
            "                  metrics=[keras.metrics.Accuracy()])\n"
            "    return model\n",
            "metrics: expected accuracy on class-number labels",
        ),
        "training_callbacks": (
            "def training_callbacks(checkpoint_path):\n"
            "    return [keras.callbacks.ModelCheckpoint(checkpoint_path),\n"
            "            keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]\n",
            "ModelCheckpoint: save_best_only expected True, got False",
        ),
        "transfer_model": (  # the cut layer ignored: the head sits on the base's last layer
            "def transfer_model(base_model, cut_layer_name, num_classes):\n"
            "    base_model.trainable = False\n"
            "    x = layers.Flatten()(base_model.output)\n"
            "    x = layers.Dense(64, activation='relu')(x)\n"
            "    return keras.Model(base_model.inputs, layers.Dense(num_classes, activation='softmax')(x))\n",
            "layer",
        ),
        "feature_map_model": (  # the layer's input: one layer short
            "def feature_map_model(model, layer_name):\n"
            "    return keras.Model(model.inputs, model.get_layer(layer_name).input)\n",
            "",
        ),
    },
    {
        "make_conv_layer": (  # a layer that says Conv2D but computes something else: only behaviour shows it
            "class Conv2D(layers.Conv2D):\n"
            "    def call(self, x):\n"
            "        return super().call(x) * 1.5\n\n"
            "def make_conv_layer():\n    return Conv2D(10, 3, activation='relu', padding='same')\n",
            "the architecture matches, but with the same weights your model computes something else on cpu",
        ),
        "build_fashion_cnn": (  # no input shape at all: never built
            "def build_fashion_cnn():\n"
            "    copies = [l.__class__.from_config(l.get_config()) for l in _reference_fashion().layers]\n"
            "    return keras.Sequential(copies)\n",
            "your model has no input shape",
        ),
        "build_dropout_cnn": (
            "def build_dropout_cnn():\n    m = _reference_dropout()\n    m.layers[6].rate = 0.5\n    return m\n",
            "Dropout: rate expected 0.4, got 0.5",
        ),
        "build_lenet5": ("def build_lenet5():\n    _reference_lenet()\n", "got None: did you forget `return`?"),
        "compile_classifier": (
            "def compile_classifier(model):\n"
            "    model.compile(optimizer='sgd', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
            "    return model\n",
            "optimizer: expected Adam, got SGD",
        ),
        "training_callbacks": (
            "def training_callbacks(checkpoint_path):\n"
            "    return [keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]\n",
            "callbacks: expected EarlyStopping, ModelCheckpoint, got EarlyStopping",
        ),
        "transfer_model": (  # no relu in the head's hidden layer
            "def transfer_model(base_model, cut_layer_name, num_classes):\n"
            "    base_model.trainable = False\n"
            "    x = layers.Flatten()(base_model.get_layer(cut_layer_name).output)\n"
            "    x = layers.Dense(64)(x)\n"
            "    return keras.Model(base_model.inputs, layers.Dense(num_classes, activation='softmax')(x))\n",
            "Dense: activation expected 'relu', got 'linear'",
        ),
        "feature_map_model": (  # the whole model, not the layer's output
            "def feature_map_model(model, layer_name):\n    return model\n",
            "",
        ),
    },
    {
        "compile_classifier": (  # logits loss on a softmax output
            "def compile_classifier(model):\n"
            "    model.compile(optimizer='adam', metrics=['accuracy'],\n"
            "                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
            "    return model\n",
            "loss: from_logits=True, expected False",
        ),
        "build_fashion_cnn": ("def build_fashion_cnn():\n    return _reference_fashion().layers\n", "got a list of"),
    },
]

RENAMED = (
    "\n_reference_fashion, _reference_dropout, _reference_lenet = build_fashion_cnn, build_dropout_cnn, build_lenet5\n"
)


@pytest.mark.parametrize("mistakes", MISTAKES, ids=lambda m: "+".join(sorted(m))[:40])
def test_each_keras_mistake_loses_its_task_and_is_named(mistakes, submission):
    source = solution_file(6).read_text(encoding="utf-8") + RENAMED
    source += "\n\n" + "\n\n".join(wrong for wrong, _ in mistakes.values())
    result = grade(6, submission=submission(6, source), examples=3)
    for task in result.tasks:
        if task.name not in mistakes:
            assert task.passed, f"{task.name}: {task.message}"
            continue
        words = mistakes[task.name][1]
        assert task.status in (Status.FAILED, Status.ERROR), f"{task.name} passed with its mistake"
        assert words in task.message, f"{task.name}: {task.message}"


def test_the_architecture_table_marks_the_first_difference(submission):
    source = solution_file(6).read_text(encoding="utf-8") + RENAMED + "\n\n" + MISTAKES[0]["build_fashion_cnn"][0]
    task = grade(6, submission=submission(6, source), examples=1).tasks[1]
    table = task.counterexample.table
    assert table.columns[1] == "expected" and table.columns[4] == "yours"
    row = table.rows[table.first_difference]
    assert row[0] == "2" and row[1].startswith("MaxPooling2D") and row[4].startswith("AveragePooling2D")
    assert [r[3] for r in table.rows] == [r[6] for r in table.rows]  # the same parameter counts throughout


def test_a_wrong_keras_answer_is_explained_without_tensorflows_start_up_lines(submission, tmp_path):
    """A wrong answer's explanation needs the reference's signature, so the grader imports the references'
    TensorFlow then: on the CPU and quietly, as everywhere else, never printing TensorFlow's start-up lines
    (oneDNN, CUDA) into the learner's terminal beside the report."""
    wrong = submission(6, solution_file(6).read_text(encoding="utf-8") + "\n\n" + MISTAKES[0]["make_conv_layer"][0])
    environment = {**os.environ, "GRADE_CACHE_DIR": "", "PYTHONPATH": str(ROOT)}  # only what is shipped
    for chosen_by_the_grader in ("TF_CPP_MIN_LOG_LEVEL", "CUDA_VISIBLE_DEVICES", "KERAS_BACKEND"):
        environment.pop(chosen_by_the_grader, None)  # as a learner's shell has them: unset
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "grader", "exercise6", "--submission", str(wrong), "--format", "json"]
    done = subprocess.run([*command, "--output", str(report)], env=environment, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    failed = [t["name"] for t in json.loads(report.read_text())["tasks"] if t["status"] != "passed"]
    assert failed == ["make_conv_layer"]
    assert done.stderr == ""
