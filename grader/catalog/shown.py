"""What `grade show` calls each shown task with, on the bundled sample image (`grader.showing.sample`): shared by
the tasks' `Showing` declarations. Each function takes the sample image, an (H, W, 3) uint8 array, and returns
the calls; the kernels are asymmetric where flipping must show (Sobel: a flipped kernel inverts the edges)."""

from __future__ import annotations

import numpy as np

from grader.spec import Call

SOBEL_X = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # vertical edges, left minus right
BOX_5 = np.full((5, 5), 1.0 / 25)


def gray(image: np.ndarray) -> np.ndarray:
    """The image's luminance in float64 (0-255), as `grader.showing.sample.grayscale` makes it."""
    return np.asarray(image, dtype=np.float64) @ np.array([0.299, 0.587, 0.114])


def rgb(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float64)


def batch(image: np.ndarray) -> np.ndarray:
    """A batch of one (1, H, W, 3), float64."""
    return rgb(image)[np.newaxis]


def per_channel(kernel: np.ndarray, channels: int = 3) -> np.ndarray:
    """A (kh, kw, c, c) conv2d kernel that applies `kernel` to each channel on its own (colours kept)."""
    out = np.zeros((*kernel.shape, channels, channels))
    for c in range(channels):
        out[:, :, c, c] = kernel
    return out


def two_d(image):
    return (Call((gray(image), SOBEL_X)),)


def filter_image(image):
    return (Call((rgb(image), BOX_5)), Call((rgb(image), SOBEL_X)))


def correlate_channels(image):
    """Red's vertical edges minus blue's: a (3, 3, 3) kernel, one slice per input channel."""
    kernel = np.stack([SOBEL_X, np.zeros((3, 3)), -SOBEL_X], axis=-1)
    return (Call((rgb(image), kernel)),)


def box_filter(image):
    return (Call((5,)),)


def gaussian_filter(image):
    return (Call((7, 1.5)),)


def laplacian_filter(image):
    return (Call(()),)


def zero_pad(image):
    return (Call((batch(image), 8)), Call((batch(image), ((0, 16), (16, 0)))))


def conv2d(image):
    kernel = per_channel(BOX_5)
    x = batch(image)
    return (
        Call((x, kernel), {"strides": 1, "padding": "valid"}),
        Call((x, kernel), {"strides": 1, "padding": "same"}),
        Call((x, kernel), {"strides": 2, "padding": "same"}),
        Call((x, kernel), {"strides": 3, "padding": "valid"}),
    )


def pooling(image):
    x = batch(image)
    return (Call((x,), {"pool_size": 2}), Call((x,), {"pool_size": 3}))
