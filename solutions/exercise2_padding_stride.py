"""Reference solutions for exercise 2: padding and stride (패딩과 스트라이드)."""

import math

import numpy as np


def _pair(value):
    """An int or an (h, w) pair, as a pair."""
    return (value, value) if np.isscalar(value) else tuple(value)


def zero_pad(x, pad):
    x = np.asarray(x)
    if np.isscalar(pad):
        pad = ((pad, pad), (pad, pad))
    (top, bottom), (left, right) = pad
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def padding_amounts(n, k, stride=1, padding="valid", dilation=1):
    effective = dilation * (k - 1) + 1
    if padding == "valid":
        return (0, 0)
    if padding == "full":
        return (effective - 1, effective - 1)
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + effective - n, 0)
        return (total // 2, total - total // 2)
    raise ValueError(f"unknown padding {padding!r}")


def conv1d_padded(x, w, padding="valid", stride=1):
    x, w = np.asarray(x), np.asarray(w)
    before, after = padding_amounts(len(x), len(w), stride, padding)
    padded = np.pad(x, (before, after))
    windows = np.lib.stride_tricks.sliding_window_view(padded, len(w))
    dtype = np.result_type(x, w)
    return (windows[::stride] @ w).astype(dtype, copy=False)


def participation(n, k, padding):
    before, after = padding_amounts(n, k, 1, padding)
    outputs = n + before + after - k + 1
    if outputs <= 0:
        return np.zeros(n, dtype=np.int64)
    covered = np.convolve(np.ones(outputs, dtype=np.int64), np.ones(k, dtype=np.int64))
    return covered[before : before + n]


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    x, kernel = np.asarray(x), np.asarray(kernel)
    kh, kw, _, _ = kernel.shape
    (sh, sw), (dh, dw) = _pair(strides), _pair(dilation_rate)
    pad_h = padding_amounts(x.shape[1], kh, sh, padding, dh)
    pad_w = padding_amounts(x.shape[2], kw, sw, padding, dw)
    padded = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, span, axis=(1, 2))
    windows = windows[:, ::sh, ::sw, :, ::dh, ::dw]
    out = np.einsum("nijcab,abco->nijo", windows, kernel)
    if bias is not None:
        out = out + bias
    dtype = np.result_type(x, kernel) if bias is None else np.result_type(x, kernel, bias)
    return out.astype(dtype, copy=False)
