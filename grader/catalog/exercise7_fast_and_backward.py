"""exercise7: fast convolution (im2col) and the backward passes (역전파) of convolution and pooling, by hand."""

import numpy as np

from grader.catalog import features
from grader.compare import ArraysClose
from grader.drawing import Strategy
from grader.i18n import N_
from grader.shapes import output_shape
from grader.spec import Call, Exercise, FittingHint, Misconception, SpeedBar, Task

BACKPROP = "https://cs231n.github.io/optimization-2/"
CONV = "https://cs231n.github.io/convolutional-networks/#conv"

# Corners: uneven 'same' borders with strides above 1 (the extra cell bottom/right, a stride that skips
# cells), and windows whose maximum is tied (every cell equal; two equal maxima).
_X = np.arange(50.0).reshape(1, 5, 5, 2) % 7 - 3
_X6 = np.arange(72.0).reshape(1, 6, 6, 2) % 7 - 3
_BANK = np.arange(36.0).reshape(3, 3, 2, 2) % 5 - 2
_TIED = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 3.0], [5.0, 5.0, 4.0, 4.0], [5.0, 5.0, 4.0, 4.0]])
_TIED = _TIED.reshape(1, 4, 4, 1)


def _dout_for(x, window, strides, padding, channels):
    shape = output_shape(x.shape, window, strides, padding, channels)
    return np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)


def _speed_workload(rng: np.random.Generator) -> Call:
    x = rng.standard_normal((16, 32, 32, 16), dtype=np.float32)
    kernel = rng.standard_normal((3, 3, 16, 32), dtype=np.float32)
    bias = rng.standard_normal(32, dtype=np.float32)
    return Call((x, kernel, bias), {"padding": "same"})


_SCATTER_STRIDE = Misconception(
    "stride_ignored_when_scattering",
    N_(
        "Your gradient was added back as if the window moved one cell at a time: with strides (sh, sw) the window "
        "of output (i, j) starts at input (i*sh, j*sw), and that is where its gradient goes back to."
    ),
    BACKPROP,
)
_PADDING_NOT_CROPPED = Misconception(
    "padding_not_cropped",
    N_(
        "Your dx has the shape of the padded input: the gradient that lands on padded cells belongs to no input "
        "cell, so crop the padding (top/left before, bottom/right after) off before returning dx."
    ),
    BACKPROP,
)

_POOLING_ARGS = """    pool_size: an int or (ph, pw).
    strides: an int, (sh, sw) or None meaning the pool size.
    padding: 'valid' or 'same' (exercise 2's rule with k = pool size: the extra cell bottom/right)."""

_CONV_ARGS = """    strides: an int or (sh, sw).
    padding: 'valid' or 'same' (exercise 2's rule: the extra cell bottom/right)."""

_TIED_MAXIMA_HINT = FittingHint(
    features.TIED_MAXIMA,
    N_(
        "This input has a window whose maximum appears more than once: only the first maximum in row-major order "
        "(the one argmax picks) receives the window's gradient, as in TensorFlow."
    ),
)

EXERCISE = Exercise(
    number=7,
    slug="fast_and_backward",
    title="빠른 합성곱과 역전파 (fast convolution and backward passes)",
    aliases=("fast", "backward", "backprop", "역전파"),
    doc="""Exercise 7 — fast convolution and the backward passes (역전파), with numpy only.

First make convolution fast: im2col lays every window out as a row, so the whole convolution is one matrix
product (행렬 곱) instead of a Python loop over pixels. Then send gradients back: given dout, the gradient of
the loss with respect to a layer's output (N, H', W', C_out), return the gradients with respect to its inputs
and weights, exactly what tf.GradientTape computes.

Image batches are NHWC; a filter bank is (kh, kw, C_in, C_out), as in exercise 2. Sizes are an int or an
(h, w) pair. 'same' padding follows exercise 2's rule (the extra cell goes bottom/right, as in TensorFlow).

Rules: numpy and the standard library only. Never modify your arguments. Return arrays of the inputs' result
dtype. conv2d_fast must also be fast: on a 16x32x32x16 batch with a 3x3x16x32 kernel it must run within 3
times the reference's time (a Python loop over pixels does not; one matrix product does).

Concepts: https://cs231n.github.io/convolutional-networks/#conv (im2col),
          https://cs231n.github.io/optimization-2/ (backpropagation, 역전파)
Check your work with:  grade exercise7
""",
    tasks=(
        Task(
            name="im2col",
            points=2,
            strategy=Strategy("strategies.im2col_calls"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_(
                    "im2col turns every window of the input into one row of a matrix, so that convolution becomes "
                    "one matrix product."
                ),
                N_(
                    "Pad as conv2d does, then take each (i, j) window of each image and flatten it in (di, dj, c) "
                    "order; rows go in (n, i, j) order."
                ),
                N_(
                    "windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, ::sh, "
                    "::sw]; return windows.transpose(0, 1, 2, 4, 5, 3).reshape(N * oh * ow, -1)."
                ),
            ),
            hint=N_("Row r is window (n, i, j) flattened with the channel changing fastest: (di, dj, c) order."),
            examples=(Call((_X, 3), {"strides": 2, "padding": "same"}), Call((_X, (2, 3)))),
            misconceptions=(
                Misconception(
                    "im2col_channel_first_columns",
                    N_(
                        "Your columns are in (c, di, dj) order: each window must be flattened as (di, dj, c), the "
                        "layout of a Keras kernel reshaped to (kh*kw*C_in, C_out), so that the channel changes "
                        "fastest."
                    ),
                    CONV,
                ),
            ),
            doc="""Every window of a batch as one row (im2col, 이미지를 행렬로): the patches a convolution multiplies.

Args:
    x: shape (N, H, W, C), NHWC.
    kernel_size: an int or (kh, kw), the window.
"""
            + _CONV_ARGS
            + """
Returns:
    shape (N*H'*W', kh*kw*C): rows in (n, i, j) order (row-major over the output positions of each image in
    turn), and each row the window at that position, zero-padded as the padding says, flattened in
    (di, dj, c) order: the same as tf.image.extract_patches reshaped to rows.

Example:
    >>> x = np.arange(9.).reshape(1, 3, 3, 1)
    >>> im2col(x, 2)
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
""",
        ),
        Task(
            name="conv2d_fast",
            points=3,
            strategy=Strategy("strategies.conv2d_fast_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Vectorising (벡터화) moves the loops from Python into numpy's compiled code: the fastest "
                    "convolution is one matrix product."
                ),
                N_("The rows of im2col(x) times the kernel reshaped to (kh*kw*C_in, C_out) give every output at once."),
                N_(
                    "out = im2col(x, (kh, kw), strides, padding) @ kernel.reshape(-1, C_out); return out.reshape(N, "
                    "oh, ow, C_out) + bias."
                ),
            ),
            fitting_hints=(features.SAME_STRIDE_HINT, features.ODD_TOTAL_HINT, features.FLOAT64_HINT),
            hint=N_("im2col(x) @ kernel.reshape(kh*kw*C_in, C_out), reshaped to (N, H', W', C_out), plus the bias."),
            examples=(
                Call((_X, _BANK), {"bias": np.array([0.5, -1.0]), "strides": 2, "padding": "same"}),
                # 6 cells, a 3-cell kernel and stride 2: 'same' pads 1 in all (0 before), not k - 1 = 2.
                Call((_X6, _BANK), {"strides": 2, "padding": "same"}),
            ),
            speed=SpeedBar(
                points=1,
                workload=_speed_workload,
                described=N_("a 16x32x32x16 float32 batch and a 3x3x16x32 kernel, 'same' padding"),
            ),
            doc="""Exercise 2's conv2d (no dilation), vectorised: no Python loop over pixels (합성곱의 벡터화).

out[n, i, j, o] = sum_{a, b, c} xp[n, i*sh + a, j*sw + b, c] * kernel[a, b, c, o] + bias[o], where xp is x
zero-padded by exercise 2's rule; exactly what tf.nn.conv2d plus the bias gives. One matrix product of
im2col's rows with the kernel reshaped to (kh*kw*C_in, C_out) computes every output at once.

Args:
    x: shape (N, H, W, C_in), NHWC.
    kernel: shape (kh, kw, C_in, C_out).
    bias: shape (C_out,) or None (no bias).
"""
            + _CONV_ARGS
            + """
Returns:
    shape (N, H', W', C_out).

Speed: on a 16x32x32x16 batch with a 3x3x16x32 kernel it must run within 3 times the reference's time;
a right but slower function gets the correctness points only.

Example:
    >>> conv2d_fast(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2)), padding='same')[0, :2, :2, 0]
    array([[4., 6.],
           [6., 9.]])
""",
        ),
        Task(
            name="conv2d_backward",
            points=3,
            strategy=Strategy("strategies.conv2d_backward_calls"),
            compare=ArraysClose(parts=("dx", "dkernel", "dbias")),
            hints=(
                N_(
                    "Backpropagation (역전파) sends the gradient of each output back to what made it: the input cells "
                    "and weights of its window, and the bias."
                ),
                N_(
                    "dbias sums dout over batch and positions; dkernel sums window * dout over all windows; dx adds "
                    "dout * kernel back onto each window's cells, then crops the padding."
                ),
                N_(
                    "cols = im2col(x, ...); d = dout.reshape(-1, C_out); dkernel = (cols.T @ "
                    "d).reshape(kernel.shape); dcols = d @ kernel.reshape(-1, C_out).T, scattered back window by "
                    "window."
                ),
            ),
            fitting_hints=(features.BACKWARD_SAME_STRIDE_HINT, features.ODD_TOTAL_HINT, features.FLOAT64_HINT),
            hint=N_("dkernel = im2col(x).T @ dout rows; dx scatters dout @ kernel.T back to each window's cells."),
            examples=(
                Call((_dout_for(_X, 3, 2, "same", 2), _X, _BANK), {"strides": 2, "padding": "same"}),
                Call((_dout_for(_X, 3, 1, "valid", 2), _X, _BANK)),
            ),
            misconceptions=(
                Misconception(
                    "kernel_not_flipped_in_dx",
                    N_(
                        "Your dx used the kernel the wrong way round: written as a convolution of dout, dx needs "
                        "the kernel flipped (rotated 180°); or simply add dout[i, j] * kernel back onto the cells "
                        "of window (i, j), each cell with its own weight."
                    ),
                    BACKPROP,
                ),
                Misconception(
                    "bias_gradient_averaged",
                    N_(
                        "Your dbias is an average: the bias is added at every position of every image, so its "
                        "gradient is the sum of dout over the batch, height and width (axes 0, 1, 2)."
                    ),
                    BACKPROP,
                ),
                Misconception(
                    "bias_gradient_per_example",
                    N_(
                        "Your dbias has one row per image: the same bias serves every image of the batch, so sum "
                        "dout over the batch too (axes 0, 1, 2), giving shape (C_out,)."
                    ),
                    BACKPROP,
                ),
                _SCATTER_STRIDE,
                _PADDING_NOT_CROPPED,
            ),
            doc="""The backward pass of conv2d without dilation (합성곱 층의 역전파): the gradients of the loss.

Given dout = dL/d(out) for out = conv2d(x, kernel, bias, strides, padding), return
    dx[n, y, z, c]        = sum of dout[n, i, j, o] * kernel[a, b, c, o] over every (i, j, a, b, o)
                            whose window cell (a, b) lands on input (y, z), padding cropped off;
    dkernel[a, b, c, o]   = sum_{n, i, j} xp[n, i*sh + a, j*sw + b, c] * dout[n, i, j, o];
    dbias[o]              = sum_{n, i, j} dout[n, i, j, o];
exactly what tf.GradientTape gives for tf.nn.conv2d plus a bias.

Args:
    dout: shape (N, H', W', C_out), the gradient arriving from the next layer (상류 그래디언트).
    x: shape (N, H, W, C_in), the forward pass's input.
    kernel: shape (kh, kw, C_in, C_out).
"""
            + _CONV_ARGS
            + """
Returns:
    (dx, dkernel, dbias) with the shapes of x, kernel and (C_out,).

Example:
    >>> dx, dkernel, dbias = conv2d_backward(np.ones((1, 2, 2, 1)), np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1)))
    >>> dx[0, :, :, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dbias
    array([4.])
""",
        ),
        Task(
            name="max_pool2d_backward",
            points=2,
            strategy=Strategy("strategies.pooling_backward_calls"),
            compare=ArraysClose(absolute=(0,)),
            hints=(
                N_(
                    "The max is a switch: only the cell that won gets the window's gradient; the others did not "
                    "change the output."
                ),
                N_(
                    "For each window find the first maximum in row-major order (never a padded cell) and add dout "
                    "there."
                ),
                N_(
                    "k = np.argmax(window.reshape(N, C, -1), axis=-1); di, dj = divmod(k, pw); np.add.at(dx, (n, "
                    "i*sh + di, j*sw + dj, c), dout[:, i, j, :])."
                ),
            ),
            fitting_hints=(_TIED_MAXIMA_HINT, features.BACKWARD_SAME_STRIDE_HINT, features.ODD_TOTAL_HINT),
            hint=N_("Each window's gradient goes to one cell: the first maximum in row-major order, never a pad."),
            examples=(
                Call((_dout_for(_TIED, 2, 2, "valid", 1), _TIED)),
                Call((_dout_for(_TIED, 3, 1, "same", 1), _TIED), {"pool_size": 3, "strides": 1, "padding": "same"}),
                Call((_dout_for(-1 - _X, 2, 2, "same", 2), -1 - _X), {"padding": "same"}),
            ),
            misconceptions=(
                Misconception(
                    "gradient_to_every_tied_max",
                    N_(
                        "Your gradient went to every cell equal to a window's maximum: the maximum is one cell, so "
                        "the window's whole gradient goes to one of them, the first in row-major order (as "
                        "TensorFlow does), and none to the others."
                    ),
                    BACKPROP,
                ),
                _SCATTER_STRIDE,
                _PADDING_NOT_CROPPED,
            ),
            doc="""The backward pass of max pooling (최대 풀링의 역전파).

Each window's gradient dout[n, i, j, c] goes whole to the cell that was the window's maximum in the forward
pass (max_pool2d of exercise 3), and nothing to the others; a cell that is the maximum of several
overlapping windows receives the sum. Where a maximum is tied, the first of the tied cells in row-major order
within the window takes it, as TensorFlow's CPU kernel does. Padded cells ('same') never win.

Args:
    dout: shape (N, H', W', C), the gradient of the pooled output.
    x: shape (N, H, W, C), the forward pass's input.
"""
            + _POOLING_ARGS
            + """
Returns:
    dx, shape (N, H, W, C): exactly what tf.GradientTape gives for tf.nn.max_pool2d.

Example:
    >>> x = np.array([[1., 3.], [3., 2.]]).reshape(1, 2, 2, 1)
    >>> max_pool2d_backward(np.array([[[[10.]]]]), x)[0, :, :, 0]
    array([[ 0., 10.],
           [ 0.,  0.]])
""",
        ),
        Task(
            name="avg_pool2d_backward",
            points=2,
            strategy=Strategy("strategies.pooling_backward_calls"),
            compare=ArraysClose(absolute=(0,)),
            hints=(
                N_("An average spreads its gradient evenly: every cell that was averaged gets an equal share."),
                N_(
                    "Each window's dout is divided by the number of real cells in it and added to each of them; "
                    "padded cells get nothing."
                ),
                N_(
                    "share = dout / counts (counts from a padded array of ones); for di, dj: dx_padded[:, "
                    "di:di+sh*oh:sh, dj:dj+sw*ow:sw] += share; then crop."
                ),
            ),
            hint=N_("Each window's gradient is shared equally by its real cells: dout / (real cells in the window)."),
            examples=(
                Call((_dout_for(_X, 2, 2, "same", 2), _X), {"padding": "same"}),
                Call((_dout_for(_X, 3, 2, "same", 2), _X), {"pool_size": 3, "strides": 2, "padding": "same"}),
            ),
            misconceptions=(
                Misconception(
                    "average_over_padded_cells",
                    N_(
                        "Your gradient was shared among the padded cells too: with 'same' padding a border window "
                        "averages its real cells only, so dout is divided by the number of real cells and shared "
                        "among those alone."
                    ),
                    BACKPROP,
                ),
                _SCATTER_STRIDE,
                _PADDING_NOT_CROPPED,
            ),
            doc="""The backward pass of average pooling (평균 풀링의 역전파).

Each window's gradient dout[n, i, j, c] is shared equally among the real cells of that window (the
forward pass divides by their number, avg_pool2d of exercise 3); a cell in several overlapping windows
receives the sum of its shares. Padded cells ('same') take no share.

Args:
    dout: shape (N, H', W', C), the gradient of the pooled output.
    x: shape (N, H, W, C), the forward pass's input (only its shape matters).
"""
            + _POOLING_ARGS
            + """
Returns:
    dx, shape (N, H, W, C): exactly what tf.GradientTape gives for tf.nn.avg_pool2d.

Example:
    >>> avg_pool2d_backward(np.array([[[[8.]]]]), np.zeros((1, 2, 2, 1)))[0, :, :, 0]
    array([[2., 2.],
           [2., 2.]])
""",
        ),
    ),
)
