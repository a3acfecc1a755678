"""The shape of what a window sliding over a batch gives: arithmetic shared by the strategies and the declarations.

Kept apart from `strategies` so that declaring a task imports no hypothesis (see `drawing`); it decides drawn
calls, so it is one of the modules their key covers (`drawing.DECIDING`).
"""

from __future__ import annotations


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def output_shape(x_shape: tuple, window, strides, padding: str, channels: int) -> tuple[int, int, int, int]:
    """(N, H', W', channels): the outputs of a window sliding over an NHWC batch, ceil(n/s) per axis for
    'same', floor((n-k)/s)+1 for 'valid'; the shape of the gradient `dout` arriving from the next layer."""
    (kh, kw), (sh, sw) = _pair(window), _pair(strides)

    def length(n: int, k: int, stride: int) -> int:
        return -(-n // stride) if padding == "same" else (n - k) // stride + 1

    return (x_shape[0], length(x_shape[1], kh, sh), length(x_shape[2], kw, sw), channels)
