"""Reference solutions for exercise 3: pooling (풀링)."""

import math

import numpy as np


def _pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


def _padding(n, pool, stride, padding):
    """(before, after) along one axis: none for 'valid'; for 'same' the extra cell goes after."""
    if padding == "valid":
        return (0, 0)
    total = max((math.ceil(n / stride) - 1) * stride + pool - n, 0)
    return (total // 2, total - total // 2)


def _pooling_windows(x, pool_size, strides, padding, fill):
    """Windows of an NHWC batch padded with `fill`: shape (N, H', W', C, ph, pw)."""
    (ph, pw) = _pair(pool_size)
    (sh, sw) = _pair(pool_size if strides is None else strides)
    pad_h = _padding(x.shape[1], ph, sh, padding)
    pad_w = _padding(x.shape[2], pw, sw, padding)
    padded = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)), constant_values=fill)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (ph, pw), axis=(1, 2))
    return windows[:, ::sh, ::sw]


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    x = np.asarray(x)
    return _pooling_windows(x, pool_size, strides, padding, -np.inf).max(axis=(-2, -1))


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    x = np.asarray(x)
    sums = _pooling_windows(x, pool_size, strides, padding, 0).sum(axis=(-2, -1))
    real = _pooling_windows(np.ones_like(x[:1, :, :, :1]), pool_size, strides, padding, 0)
    return (sums / real.sum(axis=(-2, -1))).astype(x.dtype, copy=False)


def global_avg_pool2d(x):
    return np.asarray(x).mean(axis=(1, 2))


def global_max_pool2d(x):
    return np.asarray(x).max(axis=(1, 2))


def flatten(x):
    x = np.asarray(x)
    return x.reshape(x.shape[0], -1)
