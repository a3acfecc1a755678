"""exercise1: convolution (합성곱) by hand."""

import numpy as np

from grader.catalog import misconceptions as m
from grader.catalog import shown
from grader.compare import ArraysClose, ScalarClose
from grader.drawing import Strategy
from grader.i18n import N_
from grader.spec import Call, Exercise, Misconception, Showing, Task

# Corners where the classic mistakes show, checked whatever the seed: a non-linear image (a ramp hides a
# flipped kernel), an asymmetric kernel, several channels, float32, and float64 values float32 cannot hold.
_IMAGE = np.array([[3.0, -1.0, 4.0, 1.0], [-5.0, 9.0, 2.0, -6.0], [5.0, 3.0, -5.0, 8.0]])
_KERNEL = np.array([[1.0, 2.0], [0.0, -1.0]])
_RGB = np.stack([_IMAGE, 2 * _IMAGE[::-1], _IMAGE[:, ::-1] - 1], axis=-1)
_PAIRS = (
    Call((_IMAGE, _KERNEL)),
    Call((_IMAGE / 3, _KERNEL / 7)),
    Call((_IMAGE.astype(np.float32), _KERNEL.astype(np.float32))),
)

_KERNEL_NOT_FLIPPED = Misconception(
    "kernel_not_flipped",
    N_(
        "Your convolve2d slid the kernel as it is: true convolution (합성곱) flips the kernel along both axes "
        "(kernel[::-1, ::-1]) before sliding it; sliding it unflipped is cross-correlation. If your convolve2d "
        "flips and then calls your correlate2d, check that correlate2d does not flip it back."
    ),
    m.CONV_LAYER,
)

EXERCISE = Exercise(
    number=1,
    slug="convolution",
    title="합성곱 (convolution)",
    aliases=("conv", "합성곱"),
    doc="""Exercise 1 — convolution (합성곱) by hand, with numpy only.

A convolution layer slides a small kernel (커널, also called a filter 필터) over its input and, at every
position, sums the element-wise products of the kernel and the patch under it. Deep-learning libraries
(TensorFlow, Keras, PyTorch) actually compute *cross-correlation* (교차 상관): the kernel is NOT flipped.
Only `convolve2d` below flips the kernel, as the mathematical convolution does.

Rules: numpy and the standard library only (no tensorflow, keras, scipy, torch or jax). Never modify your
arguments. Return floating arrays of the inputs' result dtype (`np.result_type(image, kernel)`): float32
inputs give a float32 result, float64 inputs a float64 result, accurate to float64.

Concept: https://cs231n.github.io/convolutional-networks/#conv
Check your work with:  grade exercise1
""",
    tasks=(
        Task(
            name="conv1d",
            points=1,
            strategy=Strategy("strategies.conv1d_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "A 1-D convolution layer slides a kernel of k weights along the input and takes a weighted sum "
                    "at each position, then adds the bias."
                ),
                N_(
                    "There are n - k + 1 positions where the kernel fits; for each, multiply the k input values "
                    "under it by the kernel and sum."
                ),
                N_("out[i] = np.sum(x[i:i+k] * w) + b for i in range(len(x) - k + 1), in x's dtype."),
            ),
            hint=N_("Output i is sum_j x[i+j]*w[j] + b: no flip, n-k+1 outputs, and the bias added to each."),
            misconceptions=(m.KERNEL_FLIPPED, m.BIAS_FORGOTTEN),
            examples=(Call((_IMAGE[1], np.array([1.0, 0.0, -2.0])), {"b": 0.5}),),
            doc="""1-D valid cross-correlation (1차원 합성곱, 'valid' 패딩 없음).

out[i] = sum_j x[i + j] * w[j] + b, for i = 0 .. n-k.

Args:
    x: shape (n,), the input signal.
    w: shape (k,), the weights (가중치), k <= n.
    b: a float, the bias (절편) added to every output.
Returns:
    shape (n - k + 1,): 10 inputs and 3 weights give 8 outputs.

Example:
    >>> conv1d(np.array([1., 2., 3., 4.]), np.array([1., 0., -1.]), b=0.5)
    array([-1.5, -1.5])
""",
        ),
        Task(
            name="apply_filter",
            points=1,
            strategy=Strategy("strategies.same_shape_pairs"),
            compare=ScalarClose(),
            hints=(
                N_(
                    "Applying a filter to one region is the building block of convolution: each output value is one "
                    "such weighted sum."
                ),
                N_(
                    "The region and the filter have the same shape: multiply them cell by cell and add up all the "
                    "products."
                ),
                N_("return np.sum(region * kernel) — without changing region in place."),
            ),
            hint=N_("Multiply element by element, then sum everything into one number."),
            examples=(Call((_IMAGE, _IMAGE[::-1])),),
            doc="""The response of one filter at one position: sum of the element-wise product (원소별 곱의 합).

Args:
    region: an array of any shape, the patch of the input under the filter.
    kernel: an array of the same shape as `region`.
Returns:
    a float (a Python float or a numpy floating scalar).

Example:
    >>> apply_filter(np.array([[1., 2.], [3., 4.]]), np.array([[0., 1.], [1., 0.]]))
    5.0
""",
        ),
        Task(
            name="correlate2d",
            points=2,
            show=Showing("image", shown.two_d, (N_("Sobel x kernel on the grey image: vertical edges (not flipped)"),)),
            strategy=Strategy("strategies.image_kernel_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "Keras' Conv2D computes cross-correlation (교차상관): the kernel slides over the image as it is, "
                    "without flipping."
                ),
                N_(
                    "With a kh x kw kernel on an H x W image there are (H-kh+1) x (W-kw+1) positions; each output "
                    "is the sum of the window times the kernel."
                ),
                N_("Two loops over i, j: out[i, j] = np.sum(image[i:i+kh, j:j+kw] * kernel)."),
            ),
            hint=N_("Slide the kernel without flipping it; the output is (H-kh+1, W-kw+1)."),
            misconceptions=(m.KERNEL_FLIPPED,),
            examples=_PAIRS,
            doc="""2-D valid cross-correlation (2차원 교차 상관), what a Conv2D layer computes.

out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[a, b]

Args:
    image: shape (H, W).
    kernel: shape (kh, kw), with kh <= H and kw <= W; not necessarily square or symmetric.
Returns:
    shape (H - kh + 1, W - kw + 1).

Example:
    >>> correlate2d(np.arange(9.).reshape(3, 3), np.array([[1., 0.], [0., -1.]]))
    array([[-4., -4.],
           [-4., -4.]])
""",
        ),
        Task(
            name="convolve2d",
            points=1,
            show=Showing("image", shown.two_d, (N_("Sobel x kernel on the grey image, flipped by convolution"),)),
            strategy=Strategy("strategies.image_kernel_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "True convolution (합성곱) in mathematics flips the kernel before sliding it; deep-learning "
                    "libraries skip the flip."
                ),
                N_(
                    "Flipping along both axes is a 180° rotation; after it, convolution is cross-correlation with "
                    "the flipped kernel."
                ),
                N_("return correlate2d(image, kernel[::-1, ::-1])."),
            ),
            hint=N_("True convolution flips the kernel along both axes (kernel[::-1, ::-1]) before sliding it."),
            misconceptions=(
                _KERNEL_NOT_FLIPPED,
                Misconception(
                    "kernel_flipped_one_axis",
                    N_(
                        "Your kernel was flipped along one axis only: convolution flips it along both, rows and "
                        "columns (kernel[::-1, ::-1], a rotation by 180°)."
                    ),
                    m.CONV_LAYER,
                ),
            ),
            examples=_PAIRS,
            doc="""2-D valid true convolution (합성곱, 수학적 정의): the kernel is flipped along both axes.

out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[kh - 1 - a, kw - 1 - b]

Args:
    image: shape (H, W).
    kernel: shape (kh, kw), with kh <= H and kw <= W.
Returns:
    shape (H - kh + 1, W - kw + 1).

Example:
    >>> convolve2d(np.arange(9.).reshape(3, 3), np.array([[1., 0.], [0., -1.]]))
    array([[4., 4.],
           [4., 4.]])
""",
        ),
        Task(
            name="filter_image",
            points=1,
            show=Showing(
                "image",
                shown.filter_image,
                (
                    N_("5x5 box filter on each colour channel: a blur"),
                    N_("Sobel x kernel on each colour channel: vertical edges"),
                ),
            ),
            strategy=Strategy("strategies.image_kernel_calls", channels=True),
            compare=ArraysClose(),
            hints=(
                N_(
                    "A colour image has channels (채널); filtering an image with a 2-D kernel treats each channel as "
                    "its own picture."
                ),
                N_("Cross-correlate each channel with the same kernel and stack the results back along the last axis."),
                N_("np.stack([correlate2d(image[:, :, c], kernel) for c in range(C)], axis=-1)."),
            ),
            hint=N_("Filter each channel on its own and keep the channel axis last; do not sum the channels."),
            misconceptions=(m.KERNEL_FLIPPED,),
            examples=(Call((_RGB, _KERNEL)), Call((_RGB / 3, _KERNEL / 7)), _PAIRS[2]),
            doc="""Apply one 2-D kernel to each channel (채널) of an image separately, as `correlate2d` does.

Args:
    image: shape (H, W) or (H, W, C) (channels last).
    kernel: shape (kh, kw).
Returns:
    shape (H - kh + 1, W - kw + 1) for a 2-D image, (H - kh + 1, W - kw + 1, C) for a 3-D one:
    the channel axis is kept, channels are not summed.

Example:
    >>> filter_image(np.ones((3, 3, 2)), np.ones((2, 2))).shape
    (2, 2, 2)
""",
        ),
        Task(
            name="correlate_channels",
            points=2,
            show=Showing(
                "image",
                shown.correlate_channels,
                (N_("a (3, 3, 3) kernel: the red channel's vertical edges minus the blue channel's"),),
            ),
            strategy=Strategy("strategies.deep_kernel_calls"),
            compare=ArraysClose(),
            hints=(
                N_(
                    "In a convolution layer a filter is as deep as its input: it looks at every channel at once and "
                    "gives one number per position."
                ),
                N_(
                    "For each position take the kh x kw x C block under the kernel, multiply by the kernel, sum "
                    "everything, then add the one bias."
                ),
                N_("out[i, j] = np.sum(image[i:i+kh, j:j+kw, :] * kernel) + bias."),
            ),
            hint=N_("The kernel is as deep as the image: sum over kh, kw and all channels, then add the bias once."),
            misconceptions=(
                Misconception(
                    "bias_per_channel",
                    N_(
                        "Your bias was added once per input channel: the filter's weighted sum runs over every "
                        "channel and gets its one bias once, at the end."
                    ),
                    m.CHANNELS,
                ),
                Misconception(
                    "input_depth_ignored",
                    N_(
                        "Your output used only part of the input's channels: a filter is as deep as its input and "
                        "sums over its height, its width and every channel."
                    ),
                    m.CHANNELS,
                ),
            ),
            examples=(Call((_RGB, np.stack([_KERNEL, -_KERNEL, _KERNEL.T], axis=-1)), {"bias": 1.5}),),
            doc="""One feature map (특성 맵) from a multi-channel image, as one filter of a Conv2D layer makes it.

The kernel is as deep as the image: out[i, j] = sum_{a, b, c} image[i + a, j + b, c] * kernel[a, b, c] + bias

Args:
    image: shape (H, W, C).
    kernel: shape (kh, kw, C).
    bias: a float added once to every output.
Returns:
    shape (H - kh + 1, W - kw + 1): a single map, summed over the channels.

Example:
    >>> correlate_channels(np.ones((3, 3, 2)), np.ones((2, 2, 2)), bias=1.0)
    array([[9., 9.],
           [9., 9.]])
""",
        ),
        Task(
            name="box_filter",
            points=1,
            show=Showing("kernel", shown.box_filter, (N_("box_filter(5) applied to the grey image"),)),
            strategy=Strategy("strategies.filter_sizes"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_("A box filter blurs by replacing each pixel with the average of its neighbourhood."),
                N_(
                    "An average of size x size values is their sum divided by size**2: every weight is the same, "
                    "1/size**2."
                ),
                N_("np.full((size, size), 1.0 / size**2)."),
            ),
            hint=N_("Every cell is 1/size**2 so that the filter sums to 1 (an average)."),
            misconceptions=(
                Misconception(
                    "box_not_averaged",
                    N_(
                        "Your box filter sums instead of averaging: each weight is 1/size**2, so that the weights "
                        "add up to 1 and the filter keeps the image's brightness."
                    ),
                    m.CONV_LAYER,
                ),
            ),
            examples=(Call((3,)),),
            doc="""A box (mean) filter (평균 필터): shape (size, size), every entry 1 / size**2, dtype float64.

Example:
    >>> box_filter(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
""",
        ),
        Task(
            name="gaussian_filter",
            points=1,
            show=Showing("kernel", shown.gaussian_filter, (N_("gaussian_filter(7, 1.5) applied to the grey image"),)),
            strategy=Strategy("strategies.gaussian_calls"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_("A Gaussian filter blurs with weights that fall off smoothly with the distance from the centre."),
                N_(
                    "Weight each cell by exp(-distance² / (2 sigma²)) from the centre (size-1)/2, then divide by "
                    "the sum so the weights add up to 1."
                ),
                N_(
                    "i, j = np.mgrid[:size, :size]; c = (size - 1) / 2; g = np.exp(-((i-c)**2 + (j-c)**2) / "
                    "(2*sigma**2)); return g / g.sum()."
                ),
            ),
            hint=N_("Centre c = (size-1)/2, g = exp(-((i-c)**2 + (j-c)**2) / (2*sigma**2)), then divide by g.sum()."),
            misconceptions=(
                Misconception(
                    "gaussian_not_normalised",
                    N_(
                        "Your Gaussian weights do not add up to 1: divide them by their sum, so that blurring keeps "
                        "the image's brightness."
                    ),
                    "https://en.wikipedia.org/wiki/Gaussian_blur",
                ),
            ),
            examples=(Call((4, 1.0)), Call((3, 0.8))),
            doc="""A Gaussian blur filter (가우시안 필터), shape (size, size), dtype float64, normalised to sum 1.

g[i, j] = exp(-((i - c)**2 + (j - c)**2) / (2 * sigma**2)) with c = (size - 1) / 2, then g / g.sum().

Example:
    >>> gaussian_filter(3, 1.0).round(4)
    array([[0.0751, 0.1238, 0.0751],
           [0.1238, 0.2042, 0.1238],
           [0.0751, 0.1238, 0.0751]])
""",
        ),
        Task(
            name="laplacian_filter",
            points=1,
            show=Showing("kernel", shown.laplacian_filter, (N_("laplacian_filter() applied to the grey image"),)),
            strategy=Strategy("strategies.no_arguments"),
            compare=ArraysClose(scale_by_terms=False),
            hints=(
                N_("The Laplacian filter finds edges: it compares each pixel with its four neighbours."),
                N_("The centre weighs -4 and the four direct neighbours 1 each, so a flat region gives 0."),
                N_("np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)."),
            ),
            hint=N_("The 3x3 Laplacian is [[0, 1, 0], [1, -4, 1], [0, 1, 0]], as floats."),
            examples=(Call(),),
            doc="""The 3x3 Laplacian edge filter (라플라시안 필터) as a float64 array:

    [[0, 1, 0],
     [1, -4, 1],
     [0, 1, 0]]
""",
        ),
    ),
)
