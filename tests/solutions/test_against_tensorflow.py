"""The references against TensorFlow/Keras, the ground truth, over the grader's own input strategies.

If a reference were wrong, the grader would mark learners by it; so every reference task that has a
TensorFlow counterpart is checked here on every TensorFlow device present (the CPU always, a GPU if any),
within the same tolerance the grader uses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import catalog, drawing
from grader.spec import Call

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]

DEVICES = [d.name for d in tf.config.list_logical_devices() if d.device_type in ("CPU", "GPU")]


def _pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


def _arguments(call: Call, exercise, name):
    import inspect

    signature = inspect.signature(getattr(exercise.reference_module(), name))
    bound = signature.bind(*call.args, **call.kwargs)
    bound.apply_defaults()
    return bound.arguments


def _conv1d(x, w, b=0.0):
    out = tf.nn.conv1d(x[None, :, None], w[:, None, None], stride=1, padding="VALID")[0, :, 0]
    return (out + tf.constant(b, dtype=out.dtype)).numpy()


def _correlate2d(image, kernel):
    return tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], 1, "VALID")[0, :, :, 0].numpy()


def _convolve2d(image, kernel):
    return _correlate2d(image, tf.reverse(kernel, axis=[0, 1]).numpy())


def _filter_image(image, kernel):
    if image.ndim == 2:
        return _correlate2d(image, kernel)
    depthwise = np.repeat(kernel[:, :, None, None], image.shape[2], axis=2)
    return tf.nn.depthwise_conv2d(image[None], depthwise, [1, 1, 1, 1], "VALID")[0].numpy()


def _correlate_channels(image, kernel, bias=0.0):
    out = tf.nn.conv2d(image[None], kernel[:, :, :, None], 1, "VALID")[0, :, :, 0]
    return (out + tf.constant(bias, dtype=out.dtype)).numpy()


def _zero_pad(x, pad):
    layer = keras.layers.ZeroPadding2D(padding=pad, dtype=x.dtype.name)
    return np.asarray(layer(x))


def _conv1d_padded(x, w, padding="valid", stride=1):
    if padding == "full":  # not a TensorFlow padding: numpy's own 'full' correlation, then the stride
        return np.correlate(x, w, mode="full")[::stride].astype(np.result_type(x, w))
    return tf.nn.conv1d(x[None, :, None], w[:, None, None], stride=stride, padding=padding.upper())[0, :, 0].numpy()


def _participation(n, k, padding):
    """d(sum of every stride-1 output)/d(input) with all-ones weights counts each element's outputs."""
    x = tf.Variable(tf.zeros((1, n, 1), tf.float64))
    w = tf.ones((k, 1, 1), tf.float64)
    with tf.GradientTape() as tape:
        if padding == "full":
            out = tf.nn.conv1d(tf.pad(x, [[0, 0], [k - 1, k - 1], [0, 0]]), w, 1, "VALID")
        else:
            out = tf.nn.conv1d(x, w, 1, padding.upper())
        total = tf.reduce_sum(out)
    return np.rint(tape.gradient(total, x).numpy()[0, :, 0]).astype(np.int64)


def _conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    out = tf.nn.conv2d(x, kernel, _pair(strides), padding.upper(), dilations=_pair(dilation_rate))
    if bias is not None:
        out = tf.nn.bias_add(out, bias)
    return out.numpy()


def _im2col(x, kernel_size, strides=1, padding="valid"):
    (kh, kw), (sh, sw) = _pair(kernel_size), _pair(strides)
    patches = tf.image.extract_patches(x, [1, kh, kw, 1], [1, sh, sw, 1], [1, 1, 1, 1], padding.upper()).numpy()
    return patches.reshape(-1, patches.shape[-1])


def _gradients(forward, dout, *inputs):
    """d(sum(forward(*inputs) * dout))/d(inputs) by tf.GradientTape: the backward pass for upstream `dout`."""
    variables = [tf.Variable(value) for value in inputs]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(forward(*variables) * dout)
    return tuple(gradient.numpy() for gradient in tape.gradient(loss, variables))


def _conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    bias = np.zeros(kernel.shape[3], dtype=x.dtype)

    def forward(x, kernel, bias):
        return tf.nn.bias_add(tf.nn.conv2d(x, kernel, _pair(strides), padding.upper()), bias)

    return _gradients(forward, dout, x, kernel, bias)


def _pool_backward(pool):
    def backward(dout, x, pool_size=2, strides=None, padding="valid"):
        strides = pool_size if strides is None else strides
        (dx,) = _gradients(lambda x: pool(x, _pair(pool_size), _pair(strides), padding.upper()), dout, x)
        return dx

    return backward


def _keras_layer(cls, **config):
    def apply(x, **kwargs):
        return np.asarray(cls(**{**config, **kwargs}, dtype=x.dtype.name)(x))

    return apply


TENSORFLOW = {
    ("exercise1", "conv1d"): _conv1d,
    ("exercise1", "correlate2d"): _correlate2d,
    ("exercise1", "convolve2d"): _convolve2d,
    ("exercise1", "filter_image"): _filter_image,
    ("exercise1", "correlate_channels"): _correlate_channels,
    ("exercise2", "zero_pad"): _zero_pad,
    ("exercise2", "conv1d_padded"): _conv1d_padded,
    ("exercise2", "participation"): _participation,
    ("exercise2", "conv2d"): _conv2d,
    ("exercise3", "max_pool2d"): _keras_layer(keras.layers.MaxPooling2D),
    ("exercise3", "avg_pool2d"): _keras_layer(keras.layers.AveragePooling2D),
    ("exercise3", "global_avg_pool2d"): _keras_layer(keras.layers.GlobalAveragePooling2D),
    ("exercise3", "global_max_pool2d"): _keras_layer(keras.layers.GlobalMaxPooling2D),
    ("exercise3", "flatten"): _keras_layer(keras.layers.Flatten),
    ("exercise7", "im2col"): _im2col,
    ("exercise7", "conv2d_fast"): _conv2d,
    ("exercise7", "conv2d_backward"): _conv2d_backward,
    ("exercise7", "max_pool2d_backward"): _pool_backward(tf.nn.max_pool2d),
    ("exercise7", "avg_pool2d_backward"): _pool_backward(tf.nn.avg_pool2d),
}

CASES = [
    pytest.param(exercise, task, device, id=f"{exercise.name}.{task.name}@{device.rsplit(':', 2)[-2]}")
    for exercise in catalog.exercises()
    for task in exercise.tasks
    if (exercise.name, task.name) in TENSORFLOW
    for device in DEVICES
]


def _in_float64(arguments: dict) -> dict:
    return {
        k: v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
        for k, v in arguments.items()
    }


def _rounded_like(value, like):
    if isinstance(like, tuple):
        return tuple(_rounded_like(v, w) for v, w in zip(value, like, strict=True))
    return np.asarray(value).astype(like.dtype)


def verdict(task, call, compute, arguments: dict, ours, reference) -> str | None:
    """The reference's difference from TensorFlow, or None; TensorFlow asked twice where it may be wrong.

    On x86, TensorFlow's float32 convolutions do their matrix products in oneDNN's JIT gemm (code picked by
    the CPU's instruction set; `ONEDNN_VERBOSE=1` lists the calls), and TF 2.21's gave wrong values on some
    strided shapes (issue 17: input (3, 5, 2, 1), kernel (1, 2, 1, 1), strides (1, 3), 'VALID', every image
    after the first shifted or zero). So where the reference differs on narrower floats, TensorFlow computes
    the same call again in float64 (Eigen's own products, never oneDNN). If its two answers agree, the
    reference is wrong, as before; if they differ, TensorFlow's narrower answer is the one in doubt and its
    float64 answer, rounded to the first's dtypes, judges the reference instead.
    """
    truth = compute(**arguments)
    problem = task.compare(call, truth, ours, reference)
    narrower = [v for v in arguments.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.itemsize < 8]
    if problem is None or not narrower:
        return problem
    second = _rounded_like(compute(**_in_float64(arguments)), truth)
    if task.compare(call, second, truth, reference) is None:
        return problem
    return task.compare(call, second, ours, reference)


@pytest.mark.parametrize(("exercise", "task", "device"), CASES)
@given(data=st.data())
def test_reference_equals_tensorflow(exercise, task, device, data):
    call = data.draw(drawing.built(task), label="call")
    reference = exercise.reference(task)
    arguments = _arguments(call, exercise, task.name)
    compute = TENSORFLOW[(exercise.name, task.name)]
    ours = reference(*call.args, **call.kwargs)
    with tf.device(device):
        if task.name == "participation":
            np.testing.assert_array_equal(ours, compute(**arguments))
            return
        problem = verdict(task, call, compute, arguments, ours, reference)
    assert problem is None, problem


def _conv2d_task():
    exercise = catalog.find("exercise2")
    return exercise, exercise.task("conv2d")


def test_a_narrow_float_answer_tensorflow_contradicts_in_float64_does_not_fail_the_reference():
    """A float32 kernel wrong as TF 2.21's was (images after the first zeroed) judges nothing; a wrong reference
    still fails, whether TensorFlow's kernels agree or not."""
    exercise, task = _conv2d_task()
    reference = exercise.reference(task)
    rng = np.random.default_rng(17)
    x, kernel = rng.normal(size=(3, 5, 2, 1)).astype(np.float32), rng.normal(size=(1, 2, 1, 1)).astype(np.float32)
    call = Call((x, kernel), {"strides": (1, 3)})
    arguments = _arguments(call, exercise, "conv2d")
    ours = reference(*call.args, **call.kwargs)

    def broken(**arguments):
        out = _conv2d(**arguments)
        if out.dtype == np.float32:
            out[1:] = 0
        return out

    assert task.compare(call, broken(**arguments), ours, reference) is not None  # the broken kernel would fail it
    assert verdict(task, call, broken, arguments, ours, reference) is None
    wrong = ours * 2
    assert verdict(task, call, broken, arguments, wrong, reference) is not None
    assert verdict(task, call, _conv2d, arguments, wrong, reference) is not None


@pytest.mark.parametrize("device", DEVICES)
def test_the_case_tensorflow_2_21_got_wrong_is_judged_right(device):
    """The shape of issue 17 on this TensorFlow: the reference passes whichever of TensorFlow's kernels is right."""
    exercise, task = _conv2d_task()
    reference = exercise.reference(task)
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x = rng.integers(-9, 10, size=(3, 5, 2, 1)).astype(dtype)
        kernel = rng.integers(-9, 10, size=(1, 2, 1, 1)).astype(dtype)
        call = Call((x, kernel), {"strides": (1, 3), "padding": "valid"})
        ours = reference(*call.args, **call.kwargs)
        np.testing.assert_array_equal(ours[:, :, 0, 0], (x[:, :, :2, 0] * kernel[0, :, 0, 0]).sum(axis=2))
        with tf.device(device):
            assert verdict(task, call, _conv2d, _arguments(call, exercise, "conv2d"), ours, reference) is None


def test_every_task_with_a_tensorflow_counterpart_is_checked():
    names = {(e.name, t.name) for e in catalog.exercises() for t in e.tasks}
    assert set(TENSORFLOW) <= names


@pytest.mark.parametrize("device", DEVICES)
@given(n=st.integers(1, 30), k=st.integers(1, 6), stride=st.integers(1, 4), dilation=st.integers(1, 3))
def test_same_padding_amounts_reproduce_tensorflow_same(device, n, k, stride, dilation):
    """Padding by our (before, after) and convolving 'valid' equals TensorFlow's own 'SAME'."""
    from solutions.exercise2_padding_stride import padding_amounts

    if stride > 1 and dilation > 1:
        dilation = 1  # TensorFlow refuses both at once
    rng = np.random.default_rng(n * 1000 + k)
    x, w = rng.normal(size=(1, n, 1)), rng.normal(size=(k, 1, 1))
    before, after = padding_amounts(n, k, stride, "same", dilation)
    with tf.device(device):
        same = tf.nn.conv1d(x, w, stride, "SAME", dilations=dilation).numpy()
        padded = np.pad(x, ((0, 0), (before, after), (0, 0)))
        valid = tf.nn.conv1d(padded, w, stride, "VALID", dilations=dilation).numpy()
    np.testing.assert_allclose(valid, same, rtol=1e-12, atol=1e-12)


@given(n=st.integers(1, 20), k=st.integers(1, 6))
def test_full_padding_amounts_reproduce_numpy_full(n, k):
    from solutions.exercise2_padding_stride import padding_amounts

    rng = np.random.default_rng(n * 100 + k)
    x, w = rng.normal(size=n), rng.normal(size=k)
    before, after = padding_amounts(n, k, 1, "full")
    valid = np.correlate(np.pad(x, (before, after)), w, mode="valid")
    np.testing.assert_allclose(valid, np.correlate(x, w, mode="full"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@given(data=st.data())
def test_max_pool_gradient_goes_where_tensorflow_sends_it_when_maxima_tie(device, data):
    """Inputs of zeros and ones tie in almost every window, overlapping windows and 'same' borders included."""
    from solutions.exercise7_fast_and_backward import max_pool2d_backward

    task = catalog.find("exercise7").task("max_pool2d_backward")
    drawn = data.draw(drawing.built(task), label="call")
    dout, x = drawn.args
    call = Call((dout, (x > 0).astype(x.dtype)), drawn.kwargs)
    arguments = {"pool_size": 2, "strides": None, "padding": "valid", **call.kwargs}
    with tf.device(device):
        truth = TENSORFLOW[("exercise7", "max_pool2d_backward")](*call.args, **arguments)
    problem = task.compare(call, truth, max_pool2d_backward(*call.args, **call.kwargs), max_pool2d_backward)
    assert problem is None, problem
