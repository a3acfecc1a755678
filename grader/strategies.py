"""Hypothesis strategies that draw calls (`Call`) for each kind of task.

Sizes are built valid by construction (a kernel never larger than its input under 'valid'), never filtered
afterwards. The space covers what learners get wrong: sizes of 1, kernels as large as the input, odd and even
and non-square sizes, asymmetric kernels, negative values, int and (h, w) spellings of sizes, every padding
and stride the contract allows, optional arguments both left out and given, float32 and float64.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.shapes import output_shape
from grader.spec import Call

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
VALUE_BOUND = 10.0


def float_dtypes():
    return st.sampled_from(FLOAT_DTYPES)


@st.composite
def float_arrays(draw, dtype, shape, *, negative=False):
    """Arrays of finite values in [-10, 10] (all negative when `negative`), filled by numpy from a drawn seed.

    Hypothesis draws two choices per array, not one per element: a value style and a seed. Shrinking then
    works on what matters to a learner (the shapes, sizes and options) and finishes in a fraction of a
    second, and generating is cheap. The styles: small whole numbers (a counterexample like [[3., -1.]]
    reads at a glance; hypothesis prefers it when it still fails) and arbitrary floats (which catch precision
    mistakes such as float32 arithmetic on float64 inputs). Values are independent: arrays that are mostly
    one repeated value would hide mistakes such as a max over zero padding.
    """
    whole = draw(st.sampled_from(("whole", "real"))) == "whole"
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if whole:
        values = rng.integers(-9, 0 if negative else 10, size=shape).astype(np.float64)
    else:
        values = rng.uniform(-VALUE_BOUND, -0.5 if negative else VALUE_BOUND, size=shape)
    return values.astype(dtype)


def python_floats():
    return st.floats(-VALUE_BOUND, VALUE_BOUND, allow_nan=False, allow_subnormal=False)


def size_arg(draw, pair: tuple[int, int]):
    """A size as a learner might be given it: an int when both sides agree (sometimes), else an (h, w) tuple."""
    if pair[0] == pair[1] and draw(st.booleans()):
        return pair[0]
    return tuple(pair)


_NO_DEFAULT = object()


def maybe_put(draw, mapping: dict, key: str, value, default=_NO_DEFAULT) -> None:
    """Put `key` in `mapping`, or sometimes leave it out when `value` is its default (same type and value),
    so that both the spelled-out argument and the default are exercised."""
    if default is _NO_DEFAULT or not (type(value) is type(default) and value == default) or draw(st.booleans()):
        mapping[key] = value


def with_optional(draw, args: tuple, optional: dict, defaults: dict) -> Call:
    """A call where each optional argument is given by keyword or left out when it equals its default."""
    kwargs: dict = {}
    for name, value in optional.items():
        maybe_put(draw, kwargs, name, value, defaults.get(name, _NO_DEFAULT))
    return Call(args, kwargs)


def window_length(draw, side: int, padding: str, dilation: int = 1, *, largest: int) -> int:
    """A kernel or pool length for an axis of length `side`, at most `largest`: under 'valid' its dilated
    span fits in the axis; under the other paddings it may overhang it."""
    if padding == "valid":
        return draw(st.integers(1, min(largest, (side - 1) // dilation + 1)))
    return draw(st.integers(1, largest))


# -- exercise 1 ---------------------------------------------------------------------------------------------


@st.composite
def conv1d_calls(draw, *, max_length=12):
    dtype = draw(float_dtypes())
    n = draw(st.integers(1, max_length))
    k = draw(st.integers(1, n))
    x, w = draw(float_arrays(dtype, n)), draw(float_arrays(dtype, k))
    if draw(st.booleans()):
        return Call((x, w))
    return Call((x, w), {"b": draw(python_floats())})


@st.composite
def same_shape_pairs(draw, *, max_side=5):
    dtype = draw(float_dtypes())
    shape = tuple(draw(st.lists(st.integers(1, max_side), min_size=1, max_size=3)))
    return Call((draw(float_arrays(dtype, shape)), draw(float_arrays(dtype, shape))))


def _image_and_kernel_sides(draw, max_side):
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    return h, w, kh, kw


@st.composite
def image_kernel_calls(draw, *, max_side=8, channels=False):
    """(H, W) with (kh, kw); with `channels=True` the image may also be (H, W, C)."""
    dtype = draw(float_dtypes())
    h, w, kh, kw = _image_and_kernel_sides(draw, max_side)
    shape = (h, w)
    if channels and draw(st.booleans()):
        shape = (h, w, draw(st.integers(1, 3)))
    return Call((draw(float_arrays(dtype, shape)), draw(float_arrays(dtype, (kh, kw)))))


@st.composite
def deep_kernel_calls(draw, *, max_side=7):
    """(H, W, C) with a kernel (kh, kw, C) as deep as the image, and an optional bias."""
    dtype = draw(float_dtypes())
    h, w, kh, kw = _image_and_kernel_sides(draw, max_side)
    c = draw(st.integers(1, 3))
    image, kernel = draw(float_arrays(dtype, (h, w, c))), draw(float_arrays(dtype, (kh, kw, c)))
    if draw(st.booleans()):
        return Call((image, kernel))
    return Call((image, kernel), {"bias": draw(python_floats())})


def filter_sizes(max_size=9):
    return st.integers(1, max_size).map(lambda size: Call((size,)))


@st.composite
def gaussian_calls(draw, *, max_size=9):
    size = draw(st.integers(1, max_size))
    sigma = draw(st.floats(0.3, 5.0, allow_nan=False))
    return Call((size, sigma))


def no_arguments():
    return st.just(Call())


# -- exercise 2 ---------------------------------------------------------------------------------------------

PADDINGS = ("valid", "same", "full")


@st.composite
def batches(draw, *, max_side=6, max_batch=2, max_channels=3, min_side=1):
    """NHWC batches; one in four is all negative (a zero pad then beats every real cell of a max)."""
    dtype = draw(float_dtypes())
    negative = draw(st.integers(0, 3)) == 3
    shape = (
        draw(st.integers(1, max_batch)),
        draw(st.integers(min_side, max_side)),
        draw(st.integers(min_side, max_side)),
        draw(st.integers(1, max_channels)),
    )
    return draw(float_arrays(dtype, shape, negative=negative))


@st.composite
def zero_pad_calls(draw):
    x = draw(batches(max_side=5))
    amount = st.integers(0, 3)
    if draw(st.booleans()):
        return Call((x, draw(amount)))
    pad = ((draw(amount), draw(amount)), (draw(amount), draw(amount)))
    return Call((x, pad))


@st.composite
def padding_amount_calls(draw, *, max_length=30):
    n = draw(st.integers(1, max_length))
    padding = draw(st.sampled_from(PADDINGS))
    dilation = draw(st.integers(1, 3))
    k = window_length(draw, n, padding, dilation, largest=n + 4)
    stride = draw(st.integers(1, 4))
    optional = {"stride": stride, "padding": padding, "dilation": dilation}
    return with_optional(draw, (n, k), optional, {"stride": 1, "padding": "valid", "dilation": 1})


@st.composite
def conv1d_padded_calls(draw, *, max_length=12):
    dtype = draw(float_dtypes())
    n = draw(st.integers(1, max_length))
    padding = draw(st.sampled_from(PADDINGS))
    k = window_length(draw, n, padding, largest=n + 2)
    optional = {"padding": padding, "stride": draw(st.integers(1, 4))}
    args = (draw(float_arrays(dtype, n)), draw(float_arrays(dtype, k)))
    return with_optional(draw, args, optional, {"padding": "valid", "stride": 1})


@st.composite
def participation_calls(draw, *, max_length=12):
    n = draw(st.integers(1, max_length))
    padding = draw(st.sampled_from(PADDINGS))
    return Call((n, window_length(draw, n, padding, largest=n + 2), padding))


@st.composite
def conv2d_calls(draw, *, max_side=7, dilation=True, bias=True):
    """NHWC batches with a (kh, kw, c_in, c_out) bank; strides and dilation never both above 1 (as Keras).
    `dilation=False` leaves dilation out (strides only); `bias=False` leaves the bias out."""
    x = draw(batches(max_side=max_side))
    _, h, w, c_in = x.shape
    c_out = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(("valid", "same")))
    strides, rates = (1, 1), (1, 1)
    if not dilation or draw(st.booleans()):
        strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    else:
        rates = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    kh = window_length(draw, h, padding, rates[0], largest=h + 1)
    kw = window_length(draw, w, padding, rates[1], largest=w + 1)
    kernel = draw(float_arrays(x.dtype, (kh, kw, c_in, c_out)))
    optional = {"bias": draw(st.none() | float_arrays(x.dtype, (c_out,)))} if bias else {}
    optional |= {"strides": size_arg(draw, strides), "padding": padding}
    defaults = {"bias": None, "strides": 1, "padding": "valid", "dilation_rate": 1}
    if dilation:
        optional["dilation_rate"] = size_arg(draw, rates)
    return with_optional(draw, (x, kernel), optional, defaults)


# -- exercise 3 ---------------------------------------------------------------------------------------------


@st.composite
def pooling_calls(draw, *, max_side=7):
    """NHWC batches with pool sizes, strides (None meaning the pool size) and padding as Keras takes them."""
    padding = draw(st.sampled_from(("valid", "same")))
    x = draw(batches(max_side=max_side))
    _, h, w, _ = x.shape
    if padding == "valid":
        pool = (draw(st.integers(1, min(h, 4))), draw(st.integers(1, min(w, 4))))
    else:
        pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    strides = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    optional = {
        "pool_size": size_arg(draw, pool),
        "strides": None if strides is None else size_arg(draw, strides),
        "padding": padding,
    }
    defaults = {"pool_size": 2, "strides": None, "padding": "valid"}
    if padding == "valid" and min(h, w) < 2:
        defaults.pop("pool_size")  # the default 2x2 pool would not fit: always say the size
    return with_optional(draw, (x,), optional, defaults)


def batch_calls(*, max_side=6):
    return batches(max_side=max_side).map(lambda x: Call((x,)))


# -- exercise 7 ---------------------------------------------------------------------------------------------


def _upstream_gradient(draw, x, window, strides, padding, channels):
    """`dout`: one value per output of a window sliding over x, the gradient arriving from the next layer."""
    return draw(float_arrays(x.dtype, output_shape(x.shape, window, strides, padding, channels)))


@st.composite
def im2col_calls(draw, *, max_side=6):
    x = draw(batches(max_side=max_side))
    padding = draw(st.sampled_from(("valid", "same")))
    kernel = (window_length(draw, x.shape[1], padding, largest=4), window_length(draw, x.shape[2], padding, largest=4))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    optional = {"strides": size_arg(draw, strides), "padding": padding}
    return with_optional(draw, (x, size_arg(draw, kernel)), optional, {"strides": 1, "padding": "valid"})


def conv2d_fast_calls(*, max_side=7):
    return conv2d_calls(max_side=max_side, dilation=False)


@st.composite
def conv2d_backward_calls(draw, *, max_side=6):
    """(dout, x, kernel) with strides and padding: the forward call of conv2d and the gradient of its output."""
    forward = draw(conv2d_calls(max_side=max_side, dilation=False, bias=False))
    x, kernel = forward.args
    strides, padding = forward.kwargs.get("strides", 1), forward.kwargs.get("padding", "valid")
    dout = _upstream_gradient(draw, x, kernel.shape[:2], strides, padding, kernel.shape[3])
    return Call((dout, x, kernel), forward.kwargs)


@st.composite
def pooling_backward_calls(draw, *, max_side=7):
    """(dout, x) with pool size, strides and padding: the forward call of a pooling and its output's gradient.
    Values are often small whole numbers, so windows with tied maxima are common."""
    forward = draw(pooling_calls(max_side=max_side))
    (x,) = forward.args
    pool = forward.kwargs.get("pool_size", 2)
    strides, padding = forward.kwargs.get("strides") or pool, forward.kwargs.get("padding", "valid")
    dout = _upstream_gradient(draw, x, pool, strides, padding, x.shape[3])
    return Call((dout, x), forward.kwargs)
