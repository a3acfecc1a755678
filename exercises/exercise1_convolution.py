"""Exercise 1 — convolution (합성곱) by hand, with numpy only.

A convolution layer slides a small kernel (커널, also called a filter 필터) over its input and, at every
position, sums the element-wise products of the kernel and the patch under it. Deep-learning libraries
(TensorFlow, Keras, PyTorch) actually compute *cross-correlation* (교차 상관): the kernel is NOT flipped.
Only `convolve2d` below flips the kernel, as the mathematical convolution does.

Rules: numpy and the standard library only (no tensorflow, keras, scipy, torch or jax). Never modify your
arguments. Return floating arrays of the inputs' result dtype (`np.result_type(image, kernel)`): float32
inputs give a float32 result, float64 inputs a float64 result, accurate to float64.

Concept: https://cs231n.github.io/convolutional-networks/#conv
Check your work with:  grade exercise1
"""

import numpy as np


def conv1d(x, w, b=0.0):
    """1-D valid cross-correlation (1차원 합성곱, 'valid' 패딩 없음).

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
    """
    raise NotImplementedError


def apply_filter(region, kernel):
    """The response of one filter at one position: sum of the element-wise product (원소별 곱의 합).

    Args:
        region: an array of any shape, the patch of the input under the filter.
        kernel: an array of the same shape as `region`.
    Returns:
        a float (a Python float or a numpy floating scalar).

    Example:
        >>> apply_filter(np.array([[1., 2.], [3., 4.]]), np.array([[0., 1.], [1., 0.]]))
        5.0
    """
    raise NotImplementedError


def correlate2d(image, kernel):
    """2-D valid cross-correlation (2차원 교차 상관), what a Conv2D layer computes.

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
    """
    raise NotImplementedError


def convolve2d(image, kernel):
    """2-D valid true convolution (합성곱, 수학적 정의): the kernel is flipped along both axes.

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
    """
    raise NotImplementedError


def filter_image(image, kernel):
    """Apply one 2-D kernel to each channel (채널) of an image separately, as `correlate2d` does.

    Args:
        image: shape (H, W) or (H, W, C) (channels last).
        kernel: shape (kh, kw).
    Returns:
        shape (H - kh + 1, W - kw + 1) for a 2-D image, (H - kh + 1, W - kw + 1, C) for a 3-D one:
        the channel axis is kept, channels are not summed.

    Example:
        >>> filter_image(np.ones((3, 3, 2)), np.ones((2, 2))).shape
        (2, 2, 2)
    """
    raise NotImplementedError


def correlate_channels(image, kernel, bias=0.0):
    """One feature map (특성 맵) from a multi-channel image, as one filter of a Conv2D layer makes it.

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
    """
    raise NotImplementedError


def box_filter(size):
    """A box (mean) filter (평균 필터): shape (size, size), every entry 1 / size**2, dtype float64.

    Example:
        >>> box_filter(2)
        array([[0.25, 0.25],
               [0.25, 0.25]])
    """
    raise NotImplementedError


def gaussian_filter(size, sigma):
    """A Gaussian blur filter (가우시안 필터), shape (size, size), dtype float64, normalised to sum 1.

    g[i, j] = exp(-((i - c)**2 + (j - c)**2) / (2 * sigma**2)) with c = (size - 1) / 2, then g / g.sum().

    Example:
        >>> gaussian_filter(3, 1.0).round(4)
        array([[0.0751, 0.1238, 0.0751],
               [0.1238, 0.2042, 0.1238],
               [0.0751, 0.1238, 0.0751]])
    """
    raise NotImplementedError


def laplacian_filter():
    """The 3x3 Laplacian edge filter (라플라시안 필터) as a float64 array:

        [[0, 1, 0],
         [1, -4, 1],
         [0, 1, 0]]
    """
    raise NotImplementedError
