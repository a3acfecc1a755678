"""The references of exercises 4 and 5 against Keras itself, over generated layer chains.

Each chain is built as a real Keras model from the same specs; every layer's output shape and its
trainable and non-trainable parameter counts must equal the references' answers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from grader import layer_strategies as ls
from solutions import exercise4_output_shapes as shapes
from solutions import exercise5_parameters as params

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]

FASHION_CNN = [
    {"class_name": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"class_name": "MaxPooling2D", "pool_size": 2, "strides": 2},
    {"class_name": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"class_name": "MaxPooling2D", "pool_size": 2, "strides": 2},
    {"class_name": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "units": 256, "activation": "relu"},
    {"class_name": "Dense", "units": 128, "activation": "relu"},
    {"class_name": "Dense", "units": 10, "activation": "softmax"},
]
DROPOUT_CNN = [
    {"class_name": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu", "padding": "same"},
    {"class_name": "MaxPooling2D", "pool_size": 2},
    {"class_name": "Conv2D", "filters": 64, "kernel_size": 3, "activation": "relu", "padding": "same"},
    {"class_name": "MaxPooling2D", "pool_size": 2},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "units": 100, "activation": "relu"},
    {"class_name": "Dropout", "rate": 0.4},
    {"class_name": "Dense", "units": 10, "activation": "softmax"},
]
LENET5 = [
    {"class_name": "Conv2D", "filters": 6, "kernel_size": 5, "activation": "tanh"},
    {"class_name": "AveragePooling2D", "pool_size": 2},
    {"class_name": "Conv2D", "filters": 16, "kernel_size": 5, "activation": "tanh"},
    {"class_name": "AveragePooling2D", "pool_size": 2},
    {"class_name": "Conv2D", "filters": 120, "kernel_size": 5, "activation": "tanh"},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "units": 84, "activation": "tanh"},
    {"class_name": "Dense", "units": 10, "activation": "softmax"},
]


def keras_layers(input_shape, specs):
    """Build the chain in Keras; return (layer, output shape, trainable, non-trainable) per layer."""
    x = keras.Input(shape=input_shape)
    rows = []
    for spec in specs:
        config = {k: v for k, v in spec.items() if k != "class_name"}
        if spec["class_name"] in ("MaxPooling2D", "AveragePooling2D"):
            config.setdefault("pool_size", 2)  # the curriculum's default (Keras 3 requires it for averages)
        layer = getattr(keras.layers, spec["class_name"])(**config)
        x = layer(x)
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
        rows.append((tuple(x.shape[1:]), trainable, frozen))
    return rows


def _without_activation(specs):
    return [{k: v for k, v in spec.items() if k != "activation"} for spec in specs]


@settings(max_examples=300)
@given(ls.layer_chains())
def test_every_layer_shape_and_parameter_count_equals_keras(chain):
    input_shape, specs = chain
    rows = keras_layers(input_shape, specs)
    assert shapes.model_output_shapes(input_shape, specs) == [shape for shape, _, _ in rows]
    shape = input_shape
    for spec, (keras_shape, trainable, frozen) in zip(specs, rows, strict=True):
        assert params.layer_params(shape, spec) == (trainable, frozen), spec
        shape = keras_shape
    totals = params.model_params(input_shape, specs)
    assert totals["trainable"] == sum(t for _, t, _ in rows)
    assert totals["non_trainable"] == sum(f for _, _, f in rows)
    assert totals["total"] == totals["trainable"] + totals["non_trainable"]


@given(ls.conv_shape_calls())
def test_conv2d_output_shape_equals_keras(call):
    (input_shape, filters, kernel_size), options = call.args, call.kwargs
    spec = {"class_name": "Conv2D", "filters": filters, "kernel_size": kernel_size, **options}
    [(keras_shape, _, _)] = keras_layers(input_shape, [spec])
    assert shapes.conv2d_output_shape(input_shape, filters, kernel_size, **options) == keras_shape


@given(ls.pool_shape_calls())
def test_pool2d_output_shape_equals_keras(call):
    [(keras_shape, _, _)] = keras_layers(call.args[0], [{"class_name": "MaxPooling2D", **call.kwargs}])
    assert shapes.pool2d_output_shape(*call.args, **call.kwargs) == keras_shape


@given(ls.conv_length_calls())
def test_conv_output_length_equals_tensorflow_for_valid_and_same(call):
    n, k = call.args
    stride, padding = call.kwargs.get("stride", 1), call.kwargs.get("padding", "valid")
    dilation = call.kwargs.get("dilation", 1)
    expected = shapes.conv_output_length(n, k, stride, padding, dilation)
    if padding == "full":  # not a TensorFlow padding: 'valid' after k'-1 zeros on each side
        n, padding = n + 2 * (dilation * (k - 1)), "valid"
    if stride > 1 and dilation > 1:
        # TensorFlow refuses both; 'valid'/'same' lengths follow from the dilated kernel alone
        k, dilation = dilation * (k - 1) + 1, 1
    if padding == "valid" and dilation * (k - 1) + 1 > n:
        assert expected == 0
        return
    x, w = tf.zeros((1, n, 1)), tf.zeros((k, 1, 1))
    assert tf.nn.conv1d(x, w, stride, padding.upper(), dilations=dilation).shape[1] == expected


def _empirical_receptive_field(specs):
    """Extent of the input that one central output unit depends on, from Keras gradients.

    Convolutions get all-ones kernels and 'same' padding, pooling becomes averaging (the same geometry),
    and the chain runs on a (L, 1, 1) input with kernels (k, 1): the field along the first axis.

    In float64, exact here (sums of positive weights, nothing cancels), and off the code that broke: on x86
    TensorFlow's float32 convolutions and their gradients do their matrix products in oneDNN's JIT gemm (code
    picked by the CPU's instruction set; `ONEDNN_VERBOSE=1` lists the calls), and `conv2d_backprop_filter`,
    which every Conv2D gradient calls even when only the input's is asked for, killed the interpreter on
    some of these chains under TF 2.21 (issue 17). float64 never calls oneDNN: Eigen's own products.
    """
    layers, jump = [], 1
    for spec in specs:
        if spec["class_name"] == "Conv2D":
            jump *= spec.get("strides", 1)
            layers.append(
                keras.layers.Conv2D(
                    1,
                    (spec["kernel_size"], 1),
                    strides=(spec.get("strides", 1), 1),
                    dilation_rate=(spec.get("dilation_rate", 1), 1),
                    padding="same",
                    kernel_initializer="ones",
                    use_bias=False,
                    dtype="float64",
                )
            )
        else:
            pool = spec.get("pool_size", 2)
            stride = spec.get("strides") or pool
            jump *= stride
            layers.append(
                keras.layers.AveragePooling2D((pool, 1), strides=(stride, 1), padding="same", dtype="float64")
            )
    length = 3 * shapes.receptive_field(specs) + 3 * jump + 3  # wide enough that the field lies inside
    x = tf.Variable(tf.ones((1, length, 1, 1), tf.float64))
    with tf.GradientTape() as tape:
        y = x
        for layer in layers:
            y = layer(y)
        unit = y[0, y.shape[1] // 2, 0, 0]
    grad = tape.gradient(unit, x).numpy()[0, :, 0, 0]
    touched = np.flatnonzero(grad)
    return int(touched[-1] - touched[0] + 1)


@settings(max_examples=100)
@given(ls.receptive_field_calls())
def test_receptive_field_equals_the_gradient_extent_in_keras(call):
    (specs,) = call.args
    assert shapes.receptive_field(specs) == _empirical_receptive_field(specs)


@pytest.mark.parametrize(
    ("name", "input_shape", "specs", "total"),
    [
        ("fashion_cnn", (28, 28, 1), FASHION_CNN, 258_874),
        ("dropout_cnn", (28, 28, 1), DROPOUT_CNN, 333_526),
        ("lenet5", (32, 32, 1), LENET5, 61_706),
    ],
)
def test_the_course_models_have_the_course_parameter_counts(name, input_shape, specs, total):
    rows = keras_layers(input_shape, specs)
    assert sum(t + f for _, t, f in rows) == total
    plain = _without_activation(specs)
    assert params.model_params(input_shape, plain) == {"total": total, "trainable": total, "non_trainable": 0}
    assert shapes.model_output_shapes(input_shape, plain) == [shape for shape, _, _ in rows]


def test_inception_v3_cut_at_mixed7_with_a_small_head():
    """The transfer-learning case of the course: 443,082 trainable of 9,418,346, built without weights."""
    base = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3))
    base.trainable = False
    cut = base.get_layer("mixed7").output
    head = [{"class_name": "Flatten"}, {"class_name": "Dense", "units": 64}, {"class_name": "Dense", "units": 10}]
    x = cut
    for spec in head:
        x = getattr(keras.layers, spec["class_name"])(**{k: v for k, v in spec.items() if k != "class_name"})(x)
    model = keras.Model(base.input, x)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    assert tuple(cut.shape[1:]) == (3, 3, 768)
    assert (trainable + frozen, trainable, frozen) == (9_418_346, 443_082, 8_975_264)
    ours = params.model_params((3, 3, 768), head)
    assert ours == {"total": 443_082, "trainable": 443_082, "non_trainable": 0}
