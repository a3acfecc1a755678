"""exercise3: pooling (풀링) by hand."""

import numpy as np

from grader.catalog import features, shown
from grader.catalog import misconceptions as m
from grader.compare import ArraysClose
from grader.drawing import Strategy
from grader.i18n import N_
from grader.spec import Call, Exercise, FittingHint, Misconception, Showing, Task

# Corners where the classic mistakes show, run first whatever the seed: an odd, all-negative map under
# 'same' (zero pads must not win, border windows are partial) and the default strides.
_NEGATIVE = -1.0 - np.arange(50.0).reshape(1, 5, 5, 2)
_MAP = np.arange(32.0).reshape(2, 4, 2, 2)
_POOLING_EXAMPLES = (
    Call((_NEGATIVE,), {"padding": "same"}),
    Call((_NEGATIVE,)),
    Call((_MAP,)),
    Call((_NEGATIVE, 3), {"strides": 2}),
)

_POOLING_ARGS = """Args:
    x: shape (N, H, W, C), NHWC.
    pool_size: an int or (ph, pw); the window (풀링 윈도우). Under 'valid' it fits in the input.
    strides: an int, (sh, sw), or None meaning "the pool size" (Keras' default: windows do not overlap).
    padding: 'valid' (drop what does not fit: odd sizes floor) or 'same' (pad by the 'same' rule of
        exercise 2 with k = pool size, the extra cell bottom/right, so the output is ceil(H / sh)).
Returns:
    shape (N, H', W', C) with H' = floor((H - ph) / sh) + 1 for 'valid', ceil(H / sh) for 'same'.
"""

_MAX_SAME_HINT = FittingHint(
    features.SAME_WITH_STRIDE,
    N_(
        "'same' pooling pads only what the last window needs (ceil(n / stride) outputs, the odd extra cell after), "
        "and a padded cell must never win the max: pad with -inf, not 0."
    ),
)
_AVERAGE_SAME_HINT = FittingHint(
    features.SAME_WITH_STRIDE,
    N_(
        "'same' pooling pads only what the last window needs (ceil(n / stride) outputs, the odd extra cell after), "
        "and each window is divided by its real cells only, never by the padded ones."
    ),
)

EXERCISE = Exercise(
    number=3,
    slug="pooling",
    title="풀링 (pooling)",
    aliases=("pool", "풀링"),
    doc="""Exercise 3 — pooling (풀링) by hand, with numpy only.

A pooling layer summarises each window of a feature map by its maximum (최대 풀링) or mean (평균 풀링),
channel by channel; it has no weights. Unless told otherwise a window moves by its own size (strides=None).

Image batches are NHWC (batch, height, width, channels; Keras' channels_last). Sizes are an int or an
(h, w) pair, as in Keras.

Rules: numpy and the standard library only. Never modify your arguments. Return arrays of the input's dtype.

Concept: https://cs231n.github.io/convolutional-networks/#pool
Check your work with:  grade exercise3
""",
    tasks=(
        Task(
            name="max_pool2d",
            points=3,
            show=Showing("image", shown.pooling, (N_("max pooling 2x2, stride 2"), N_("max pooling 3x3, stride 3"))),
            strategy=Strategy("strategies.pooling_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Max pooling (최대 풀링) keeps the largest value of each window, channel by channel; a window "
                    "moves "
                    "by its own size unless strides says otherwise."
                ),
                N_(
                    "Strides default to the pool size; 'valid' drops the cells that do not fill a window, 'same' "
                    "pads so that the output is ceil(H / sh) and a padded cell never wins."
                ),
                N_(
                    "Pad with -np.inf (bottom/right gets the odd cell), then out[:, i, j, :] = padded[:, "
                    "i*sh:i*sh+ph, j*sw:j*sw+pw, :].max(axis=(1, 2))."
                ),
            ),
            fitting_hints=(_MAX_SAME_HINT, features.ODD_TOTAL_HINT, features.FLOAT64_HINT),
            hint=N_("strides=None means strides=pool_size; under 'same' a padded cell must never win the max."),
            misconceptions=(
                m.POOL_STRIDE_ONE,
                Misconception(
                    "max_over_zero_padding",
                    N_(
                        "Your 'same' max pooling padded with zeros, so a border window of negative values gave 0: "
                        "padded cells must never win (pad with -inf, or take the max of the real cells only)."
                    ),
                    m.POOLING,
                ),
                m.SAME_EXTRA_CELL_FIRST,
                Misconception(
                    "valid_ceil",
                    N_(
                        "Your 'valid' pooling kept the partial window at the end (ceil): 'valid' drops what does not "
                        "fit, giving floor((H - ph) / sh) + 1 windows."
                    ),
                    m.POOLING,
                ),
            ),
            examples=_POOLING_EXAMPLES,
            doc="""Max pooling (최대 풀링), equal to keras.layers.MaxPooling2D(pool_size, strides, padding).

Under 'same' the padded cells are ignored: the maximum is taken over the real cells of each window only,
so a window of negative values never returns 0.

"""
            + _POOLING_ARGS
            + """
Example:
    >>> x = np.arange(16.).reshape(1, 4, 4, 1)
    >>> max_pool2d(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
""",
        ),
        Task(
            name="avg_pool2d",
            points=3,
            show=Showing(
                "image", shown.pooling, (N_("average pooling 2x2, stride 2"), N_("average pooling 3x3, stride 3"))
            ),
            strategy=Strategy("strategies.pooling_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Average pooling (평균 풀링) keeps the mean of each window, channel by channel; the windows move "
                    "by "
                    "the pool size by default."
                ),
                N_("Under 'same' a border window may hang over the edge: average only its real cells, as Keras does."),
                N_(
                    "Sum the window of the zero-padded x and divide by the same window of a padded array of ones: "
                    "sums / counts."
                ),
            ),
            fitting_hints=(_AVERAGE_SAME_HINT, features.ODD_TOTAL_HINT, features.FLOAT64_HINT),
            hint=N_("strides=None means strides=pool_size; under 'same' divide by the real (unpadded) cells only."),
            misconceptions=(
                m.POOL_STRIDE_ONE,
                Misconception(
                    "average_counts_padding",
                    N_(
                        "Your 'same' average divided by the whole window at the borders: padded cells are not data, "
                        "so divide by the number of real cells in each window, as Keras does."
                    ),
                    m.POOLING,
                ),
                m.SAME_EXTRA_CELL_FIRST,
            ),
            examples=_POOLING_EXAMPLES,
            doc="""Average pooling (평균 풀링), equal to keras.layers.AveragePooling2D(pool_size, strides, padding).

Under 'same' the mean is over the real cells of each window only: padded cells are neither summed nor
counted.

"""
            + _POOLING_ARGS
            + """
Example:
    >>> x = np.arange(9.).reshape(1, 3, 3, 1)
    >>> avg_pool2d(x, padding='same')[0, :, :, 0]
    array([[2. , 3.5],
           [6.5, 8. ]])
""",
        ),
        Task(
            name="global_avg_pool2d",
            points=1,
            strategy=Strategy("strategies.batch_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Global average pooling (전역 평균 풀링) summarises each feature map by one number: its mean "
                    "over the "
                    "whole map."
                ),
                N_("The result has one value per image and channel: average over height and width only."),
                N_("return x.mean(axis=(1, 2)).astype(x.dtype)  # shape (N, C)"),
            ),
            hint=N_("Average over the height and width axes (1, 2) only."),
            misconceptions=(
                Misconception(
                    "global_pool_over_batch",
                    N_(
                        "Your average mixed the images of the batch: average over height and width (axes 1 and 2) "
                        "only, each image on its own."
                    ),
                    m.POOLING,
                ),
            ),
            examples=(Call((_MAP,)),),
            doc="""Global average pooling (전역 평균 풀링): the mean of each channel over the whole map.

Args:
    x: shape (N, H, W, C).
Returns:
    shape (N, C), as keras.layers.GlobalAveragePooling2D gives.
""",
        ),
        Task(
            name="global_max_pool2d",
            points=1,
            strategy=Strategy("strategies.batch_calls"),
            compare=ArraysClose(),
            hints=(
                N_("Global max pooling (전역 최대 풀링) keeps the strongest response of each feature map."),
                N_("One value per image and channel: the maximum over height and width."),
                N_("return x.max(axis=(1, 2))  # shape (N, C)"),
            ),
            hint=N_("Take the maximum over the height and width axes (1, 2) only."),
            examples=(Call((_MAP,)),),
            doc="""Global max pooling (전역 최대 풀링): the maximum of each channel over the whole map.

Args:
    x: shape (N, H, W, C).
Returns:
    shape (N, C), as keras.layers.GlobalMaxPooling2D gives.
""",
        ),
        Task(
            name="flatten",
            points=2,
            strategy=Strategy("strategies.batch_calls"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_(
                    "Flatten (평탄화) turns each image's feature maps into one vector for the Dense layers; the batch "
                    "axis stays."
                ),
                N_("Keras keeps NHWC's row-major order: the channel changes fastest, then the width, then the height."),
                N_("return x.reshape(x.shape[0], -1)"),
            ),
            hint=N_("Keras flattens NHWC in row-major order: the channel index changes fastest."),
            misconceptions=(
                Misconception(
                    "flatten_channels_first",
                    N_(
                        "Your flatten used the channels-first order (NCHW, PyTorch's): Keras flattens NHWC in "
                        "row-major order, so the channel index changes fastest."
                    ),
                    "https://keras.io/api/layers/reshaping_layers/flatten/",
                ),
            ),
            examples=(Call((_MAP,)),),
            doc="""Flatten (평탄화) each image of a batch into one vector, in the order keras.layers.Flatten gives.

Args:
    x: shape (N, H, W, C).
Returns:
    shape (N, H * W * C); within an image, the channel index changes fastest, then the column, then the row.

Example:
    >>> flatten(np.arange(8.).reshape(1, 2, 2, 2))
    array([[0., 1., 2., 3., 4., 5., 6., 7.]])
""",
        ),
    ),
)
