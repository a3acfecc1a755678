"""exercise2: padding and stride (패딩과 스트라이드) by hand."""

import numpy as np

from grader.catalog import features as f
from grader.catalog import misconceptions as m
from grader.catalog import shown
from grader.compare import ArraysClose, ExactValue, IntegersEqual
from grader.drawing import Strategy
from grader.i18n import N_
from grader.spec import Call, Exercise, Misconception, Showing, Task

# Corners where the classic mistakes show, checked whatever the seed: odd 'same' totals, a stride that
# changes the 'same' padding (n=6, k=3, s=2), dilation under 'same' and 'valid', non-linear values.
_BATCH = (np.arange(60.0).reshape(1, 6, 5, 2) ** 2) % 11 - 5
_BANK = (np.arange(36.0).reshape(3, 3, 2, 2) ** 2) % 7 - 3

_SYMMETRIC_SAME = Misconception(
    "symmetric_same",
    N_(
        "Your 'same' padding is (k' - 1) // 2 on both sides, which is right only when the total is even: when it "
        "is odd (an even kernel, or a stride), one cell is missing; TensorFlow adds it at the bottom/right."
    ),
    m.TF_PADDING,
)
_SAME_IGNORES_STRIDE = Misconception(
    "same_ignores_stride",
    N_(
        "Your 'same' padding ignored the stride: 'same' pads just enough for ceil(n / s) outputs, so the total "
        "is max((ceil(n / s) - 1) * s + k' - n, 0); it is k' - 1 only with stride 1."
    ),
    m.TF_PADDING,
)
_DILATION_IGNORED_IN_PADDING = Misconception(
    "dilation_ignored_in_padding",
    N_(
        "Your padding was computed from k instead of the dilated kernel's extent k' = d*(k-1)+1: a dilated "
        "kernel covers k' cells, and that is what 'same' pads for."
    ),
    m.PADDING,
)
# The mistakes of the 'same' rule, which every padded computation repeats.
_SAME_MISTAKES = (m.SAME_EXTRA_CELL_FIRST, _SAME_IGNORES_STRIDE, _SYMMETRIC_SAME)

EXERCISE = Exercise(
    number=2,
    slug="padding_stride",
    title="패딩과 스트라이드 (padding and stride)",
    aliases=("padding", "stride", "패딩", "스트라이드"),
    doc="""Exercise 2 — padding (패딩) and stride (스트라이드) by hand, with numpy only.

Padding amounts along one axis of length n, kernel k, stride s, dilation d (effective kernel k' = d*(k-1)+1):
- 'valid' (패딩 없음): (0, 0)
- 'same' (세임 패딩): total = max((ceil(n/s) - 1)*s + k' - n, 0), before = total // 2, after = total - before.
  When total is odd the extra zero goes AFTER (bottom/right), as TensorFlow does it.
- 'full' (풀 패딩): (k' - 1, k' - 1)

Image batches are NHWC (batch, height, width, channels; Keras' channels_last). A filter bank is
(kh, kw, c_in, c_out), the layout of a Keras Conv2D kernel; a bias is (c_out,). Sizes (strides,
dilation_rate) are an int or an (h, w) pair, as in Keras. Everything is cross-correlation (no kernel flip).

Rules: numpy and the standard library only. Never modify your arguments. Return floating arrays of the
inputs' result dtype (float32 in, float32 out; float64 in, float64 out, accurate to float64).

Concept: https://cs231n.github.io/convolutional-networks/#conv (zero-padding, stride)
Check your work with:  grade exercise2
""",
    tasks=(
        Task(
            name="zero_pad",
            points=1,
            show=Showing(
                "image",
                shown.zero_pad,
                (N_("8 zeros on every side"), N_("((0, 16), (16, 0)): 16 zeros below and on the left")),
            ),
            strategy=Strategy("strategies.zero_pad_calls"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_("Padding (패딩) adds zeros around an image so that the kernel can also sit on its borders."),
                N_(
                    "In an NHWC batch only the height (axis 1) and width (axis 2) get padded; the batch and channel "
                    "axes stay as they are."
                ),
                N_("np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))."),
            ),
            hint=N_("Pad only the height and width axes (1 and 2) of the NHWC batch, never the batch or channels."),
            examples=(Call((_BATCH, ((1, 0), (0, 2)))),),
            doc="""Pad an NHWC batch with zeros (제로 패딩) on the height and width axes only.

Args:
    x: shape (N, H, W, C).
    pad: an int p (p zeros on every side) or ((top, bottom), (left, right)).
Returns:
    shape (N, H + top + bottom, W + left + right, C), the dtype of x.

Example:
    >>> zero_pad(np.ones((1, 2, 2, 1)), ((1, 0), (0, 2)))[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [1., 1., 0., 0.],
           [1., 1., 0., 0.]])
""",
        ),
        Task(
            name="padding_amounts",
            points=2,
            strategy=Strategy("strategies.padding_amount_calls"),
            compare=ExactValue(),
            hints=(
                N_("'valid' pads nothing; 'same' pads just enough that the output has ceil(n / stride) positions."),
                N_(
                    "The dilated kernel covers k' = d*(k-1)+1 cells; the total padding is max((ceil(n/s) - 1)*s + "
                    "k' - n, 0), split with the odd cell after."
                ),
                N_("total = max((-(-n // s) - 1) * s + k_eff - n, 0); return (total // 2, total - total // 2)."),
            ),
            fitting_hints=(f.SAME_STRIDE_HINT, f.ODD_TOTAL_HINT, f.DILATION_HINT),
            hint=N_("'same' pads so that the output is ceil(n/stride) long; the odd extra zero goes after."),
            misconceptions=(
                _DILATION_IGNORED_IN_PADDING,
                *_SAME_MISTAKES,
            ),
            examples=(
                Call((5, 2), {"padding": "same"}),
                Call((6, 3), {"stride": 2, "padding": "same"}),
                Call((6, 3), {"padding": "same", "dilation": 2}),
                Call((5, 3), {"padding": "full"}),
            ),
            doc="""How many zeros go before and after one axis, by the rules at the top of this file.

Args:
    n: the input length; k: the kernel length; stride: the step; dilation: the gap factor (팽창).
    padding: 'valid', 'same' or 'full'.
Returns:
    (before, after), a tuple of two ints. The 'same' rule applies as written for any stride and dilation,
    k > n included.

Example:
    >>> padding_amounts(5, 2, stride=1, padding='same')
    (0, 1)
    >>> padding_amounts(5, 3, padding='full')
    (2, 2)
""",
        ),
        Task(
            name="conv1d_padded",
            points=2,
            strategy=Strategy("strategies.conv1d_padded_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Padding and stride (스트라이드) change where the kernel is placed: padding adds positions at the "
                    "borders, stride skips positions."
                ),
                N_(
                    "Pad the input by padding_amounts, compute the stride-1 cross-correlation, then keep every "
                    "stride-th output."
                ),
                N_(
                    "before, after = padding_amounts(len(x), len(w), stride, padding); p = np.pad(x, (before, "
                    "after)); full = [np.sum(p[i:i+k] * w) for i in range(len(p) - k + 1)]; return "
                    "np.array(full)[::stride] + b."
                ),
            ),
            fitting_hints=(f.SAME_STRIDE_HINT, f.ODD_TOTAL_HINT, f.FLOAT64_HINT),
            hint=N_("Pad by padding_amounts(n, k, stride, padding), correlate, then keep every stride-th output."),
            misconceptions=(
                Misconception(
                    "stride_ignored",
                    N_(
                        "Your output kept every position: with stride s the kernel jumps s cells at a time, so "
                        "after padding keep only every s-th position (out[::s])."
                    ),
                    m.PADDING,
                ),
                *_SAME_MISTAKES,
            ),
            examples=(Call((_BATCH[0, :, 0, 0], np.array([1.0, -2.0, 0.5])), {"padding": "same", "stride": 2}),),
            doc="""1-D cross-correlation with padding and stride (패딩과 스트라이드가 있는 1차원 합성곱).

Pad x by padding_amounts(len(x), len(w), stride, padding), cross-correlate with w (no flip), and keep every
stride-th output starting from the first. This equals tf.nn.conv1d for 'valid' and 'same'.

Args:
    x: shape (n,); w: shape (k,) (k <= n for 'valid'; 'same' and 'full' also take k > n);
    padding: 'valid', 'same' or 'full'; stride: an int >= 1.
Returns:
    shape (floor((n + before + after - k) / stride) + 1,).

Example:
    >>> conv1d_padded(np.array([1., 2., 3., 4., 5.]), np.array([1., 1.]), padding='same', stride=2)
    array([3., 7., 5.])
""",
        ),
        Task(
            name="participation",
            points=1,
            strategy=Strategy("strategies.participation_calls"),
            compare=IntegersEqual(),
            hints=(
                N_(
                    "Without 'full' padding the border elements are seen by fewer windows than the middle ones: "
                    "they take part in fewer outputs."
                ),
                N_(
                    "Pad as the padding says, then for every window position add 1 to each input cell it covers; "
                    "padded cells are dropped at the end."
                ),
                N_(
                    "counts = np.zeros(n + before + after, int); for i in range(len(counts) - k + 1): counts[i:i+k] "
                    "+= 1; return counts[before:before + n]."
                ),
            ),
            hint=N_("Count, for each input element, the stride-1 output windows that cover it after padding."),
            misconceptions=(
                m.SAME_EXTRA_CELL_FIRST,
                _SYMMETRIC_SAME,
            ),
            examples=(Call((5, 2, "same")), Call((5, 3, "valid"))),
            doc="""In how many stride-1 outputs each input element takes part (참여 횟수).

With 'valid' the border elements take part less often than the middle ones; 'full' padding gives every
element exactly k. This is why padding matters for the borders of an image.

Args:
    n: the input length; k: the kernel length (k <= n for 'valid'; 'same' and 'full' also take k > n);
    padding: 'valid', 'same' or 'full'.
Returns:
    an integer array of shape (n,) (any integer dtype).

Example:
    >>> participation(5, 3, 'valid')
    array([1, 2, 3, 2, 1])
    >>> participation(5, 3, 'full')
    array([3, 3, 3, 3, 3])
""",
        ),
        Task(
            name="conv2d",
            points=4,
            show=Showing(
                "image",
                shown.conv2d,
                (
                    N_("5x5 blur, stride 1, 'valid': the border is lost"),
                    N_("5x5 blur, stride 1, 'same': zero padding darkens the border"),
                    N_("5x5 blur, stride 2, 'same': half the size"),
                    N_("5x5 blur, stride 3, 'valid'"),
                ),
            ),
            strategy=Strategy("strategies.conv2d_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "tf.nn.conv2d on an NHWC batch: each filter is as deep as the input, slides with its stride "
                    "over the padded image, with its taps spread by the dilation."
                ),
                N_(
                    "Pad height and width with padding_amounts (each axis with its own stride and dilation), then "
                    "for each output (i, j) sum the input cells (i*sh + di*d, j*sw + dj*d) times the kernel, plus "
                    "the bias."
                ),
                N_(
                    "window = padded[:, i*sh : i*sh + span_h : d, j*sw : j*sw + span_w : d, :]; out[:, i, j, :] = "
                    "np.tensordot(window, kernel, axes=3) + bias."
                ),
            ),
            fitting_hints=(f.SAME_STRIDE_HINT, f.ODD_TOTAL_HINT, f.DILATION_HINT, f.FLOAT64_HINT),
            hint=N_("Pad each axis by padding_amounts with its own stride and dilation, then sum over kh, kw, c_in."),
            misconceptions=(
                m.KERNEL_FLIPPED,
                m.BIAS_FORGOTTEN,
                Misconception(
                    "dilation_ignored",
                    N_(
                        "Your kernel slid without its gaps: with dilation d the kernel's taps are d cells apart, so "
                        "tap (di, dj) of output (i, j) reads the input at (i*sh + di*d, j*sw + dj*d)."
                    ),
                    m.PADDING,
                ),
                _DILATION_IGNORED_IN_PADDING,
                *_SAME_MISTAKES,
            ),
            examples=(
                Call((_BATCH, _BANK), {"bias": np.array([0.5, -1.0]), "strides": 2, "padding": "same"}),
                Call((_BATCH, _BANK), {"padding": "same", "dilation_rate": 2}),
                Call((_BATCH, _BANK[:2]), {"dilation_rate": (2, 1)}),
            ),
            doc="""A Conv2D layer's forward pass (합성곱 층): exactly what tf.nn.conv2d plus the bias gives.

out[n, i, j, o] = sum_{a, b, c} xp[n, i*sh + a*dh, j*sw + b*dw, c] * kernel[a, b, c, o] + bias[o],
where xp is x zero-padded by padding_amounts on each axis (with that axis' stride and dilation).

Args:
    x: shape (N, H, W, C_in), NHWC.
    kernel: shape (kh, kw, C_in, C_out); under 'valid' the dilated kernel fits in the input, under 'same' it
        may be larger than the input (TensorFlow allows it).
    bias: shape (C_out,) or None (no bias).
    strides: an int or (sh, sw).
    padding: 'valid' or 'same'.
    dilation_rate: an int or (dh, dw) (팽창 합성곱). Strides and dilation above 1 together are never asked.
Returns:
    shape (N, H', W', C_out) with H' = floor((H + pad_h - kh') / sh) + 1 (and the same for W').

Example:
    >>> conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2)), bias=np.array([0., 1.]), padding='same').shape
    (1, 4, 4, 2)
""",
        ),
    ),
)
