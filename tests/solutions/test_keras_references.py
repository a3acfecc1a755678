"""Exercise 6's references hold to the curriculum, checked with Keras itself: the layer sequences and their
output shapes, the parameter counts the course quotes, what compiling and the callbacks set, and, over
generated base models, that the transfer model freezes the whole base and the feature-map model returns
exactly what the layer computes inside the model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import keras_strategies as ks
from grader.keras_observe import ModelRecipe

keras = pytest.importorskip("keras")
from solutions import exercise6_keras_models as ref  # noqa: E402  (after the skip: it imports Keras)

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]


def _chain(model):
    """(class, output shape) of every layer, input layers left out."""
    return [(type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers]


def test_fashion_cnn_is_the_course_model():
    model = ref.build_fashion_cnn()
    assert _chain(model) == [
        ("Conv2D", (28, 28, 64)),
        ("MaxPooling2D", (14, 14, 64)),
        ("Conv2D", (14, 14, 32)),
        ("MaxPooling2D", (7, 7, 32)),
        ("Conv2D", (7, 7, 16)),
        ("Flatten", (784,)),
        ("Dense", (256,)),
        ("Dense", (128,)),
        ("Dense", (10,)),
    ]
    assert model.count_params() == 258_874
    assert [layer.get_config().get("activation") for layer in model.layers[-3:]] == ["relu", "relu", "softmax"]


def test_dropout_cnn_is_the_course_model():
    model = ref.build_dropout_cnn()
    assert [name for name, _ in _chain(model)] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense",
    ]  # fmt: skip
    assert model.layers[6].rate == 0.4
    assert model.count_params() == 333_526


def test_lenet5_is_the_classic_model():
    model = ref.build_lenet5()
    assert _chain(model) == [
        ("Conv2D", (28, 28, 6)),
        ("AveragePooling2D", (14, 14, 6)),
        ("Conv2D", (10, 10, 16)),
        ("AveragePooling2D", (5, 5, 16)),
        ("Conv2D", (1, 1, 120)),
        ("Flatten", (120,)),
        ("Dense", (84,)),
        ("Dense", (10,)),
    ]
    assert model.count_params() == 61_706


def test_make_conv_layer_keeps_the_size_and_gives_ten_maps():
    layer = ref.make_conv_layer()
    assert tuple(layer(np.zeros((1, 28, 28, 3), "float32")).shape) == (1, 28, 28, 10)
    config = layer.get_config()
    assert (config["kernel_size"], config["strides"], config["padding"], config["activation"]) == (
        (3, 3),
        (1, 1),
        "same",
        "relu",
    )


def test_compile_classifier_uses_adam_sparse_crossentropy_and_accuracy():
    model = ref.compile_classifier(ref.build_dropout_cnn())
    assert type(model.optimizer).__name__ == "Adam"
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    y = np.array([0, 3, 9, 3])
    predictions = model(x)
    expected = keras.losses.SparseCategoricalCrossentropy()(y, predictions)
    assert float(model.compute_loss(x=x, y=y, y_pred=predictions)) == pytest.approx(float(expected), rel=1e-6)
    metrics = model.compute_metrics(x, y, predictions, sample_weight=None)
    truth = np.mean(np.argmax(np.asarray(predictions), axis=-1) == y)
    assert float(metrics["accuracy"]) == pytest.approx(truth)


def test_training_callbacks_keep_the_best_model_and_stop_after_two_bad_epochs(tmp_path):
    path = str(tmp_path / "best.keras")
    checkpoint, stopping = ref.training_callbacks(path)
    assert isinstance(checkpoint, keras.callbacks.ModelCheckpoint) and checkpoint.filepath == path
    assert checkpoint.save_best_only and checkpoint.monitor == "val_loss"
    assert isinstance(stopping, keras.callbacks.EarlyStopping)
    assert (stopping.patience, stopping.restore_best_weights, stopping.monitor) == (2, True, "val_loss")


def test_transfer_from_inception_v3_has_the_counts_the_course_quotes():
    base = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3))
    model = ref.transfer_model(base, "mixed7", 10)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (trainable, model.count_params()) == (443_082, 9_418_346)


@settings(max_examples=8, deadline=None)
@given(base_and_cut=ks.base_and_layer(), classes=st.integers(2, 12))
def test_transfer_model_freezes_the_whole_base_and_adds_the_head(base_and_cut, classes):
    recipe, cut = base_and_cut
    base = recipe.build()
    model = ref.transfer_model(base, cut, classes)
    base_layers = {id(layer) for layer in base.layers}
    new = [layer for layer in model.layers if id(layer) not in base_layers]
    assert all(not layer.trainable for layer in base.layers)
    assert [type(layer).__name__ for layer in new] == ["Flatten", "Dense", "Dense"]
    assert [layer.units for layer in new[1:]] == [64, classes]
    head = sum(layer.count_params() for layer in new)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == head
    assert tuple(model.layers[-4].output.shape) == tuple(base.get_layer(cut).output.shape)


@settings(max_examples=8, deadline=None)
@given(base_and_name=ks.base_and_layer())
def test_feature_map_model_returns_what_the_layer_computes_inside_the_model(base_and_name):
    recipe, name = base_and_name
    model = recipe.build()
    features = ref.feature_map_model(model, name)
    x = np.random.default_rng(1).standard_normal((2, *recipe.input_shape)).astype("float32")
    inside = x
    for layer in model.layers[1:]:  # the chain, by hand, one layer at a time
        inside = layer(inside, training=False)
        if layer.name == name:
            break
    np.testing.assert_allclose(np.asarray(features([x], training=False)), np.asarray(inside), rtol=1e-5, atol=1e-6)


def test_a_recipe_builds_the_same_model_in_any_process():
    recipe = ModelRecipe((8, 8, 1), ({"class_name": "Conv2D", "filters": 2, "kernel_size": 3, "name": "c"},))
    one, two = recipe.build(), recipe.build()
    assert [layer.name for layer in one.layers] == [layer.name for layer in two.layers] == ["image", "c"]
