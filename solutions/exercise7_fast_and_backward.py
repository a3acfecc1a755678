"""Reference solutions for exercise 7: fast convolution and the backward passes (역전파)."""

import math

import numpy as np


def _pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


def _padding(n, k, stride, padding):
    """(before, after) along one axis: none for 'valid'; for 'same' the extra cell goes after."""
    if padding == "valid":
        return (0, 0)
    total = max((math.ceil(n / stride) - 1) * stride + k - n, 0)
    return (total // 2, total - total // 2)


def _geometry(shape, window, strides, padding):
    """Padding amounts and output size of an NHWC `shape` under a (kh, kw) window."""
    (kh, kw), (sh, sw) = _pair(window), _pair(strides)
    pad_h = _padding(shape[1], kh, sh, padding)
    pad_w = _padding(shape[2], kw, sw, padding)
    out_h = (shape[1] + sum(pad_h) - kh) // sh + 1
    out_w = (shape[2] + sum(pad_w) - kw) // sw + 1
    return (kh, kw), (sh, sw), (pad_h, pad_w), (out_h, out_w)


def _windows(x, window, strides, padding, fill=0):
    """Every window of an NHWC batch padded with `fill`: shape (N, H', W', C, kh, kw)."""
    (kh, kw), (sh, sw), pads, _ = _geometry(x.shape, window, strides, padding)
    padded = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=fill)
    return np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]


def _scatter(per_offset, shape, window, strides, padding):
    """The transpose of taking windows: `per_offset(di, dj)` gives what window offset (di, dj) sends back,
    shape (N, H', W', C); it is added where that offset read the padded input, and the padding is cropped."""
    (kh, kw), (sh, sw), (pad_h, pad_w), (out_h, out_w) = _geometry(shape, window, strides, padding)
    n, h, w, c = shape
    padded = np.zeros((n, h + sum(pad_h), w + sum(pad_w), c), dtype=per_offset(0, 0).dtype)
    for di, dj in np.ndindex(kh, kw):
        padded[:, di : di + sh * (out_h - 1) + 1 : sh, dj : dj + sw * (out_w - 1) + 1 : sw] += per_offset(di, dj)
    return padded[:, pad_h[0] : pad_h[0] + h, pad_w[0] : pad_w[0] + w]


def im2col(x, kernel_size, strides=1, padding="valid"):
    x = np.asarray(x)
    windows = _windows(x, kernel_size, strides, padding)  # (N, H', W', C, kh, kw)
    n, out_h, out_w, c, kh, kw = windows.shape
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * out_h * out_w, kh * kw * c)


def conv2d_fast(x, kernel, bias=None, strides=1, padding="valid"):
    x, kernel = np.asarray(x), np.asarray(kernel)
    kh, kw, c_in, c_out = kernel.shape
    _, _, _, (out_h, out_w) = _geometry(x.shape, (kh, kw), strides, padding)
    out = im2col(x, (kh, kw), strides, padding) @ kernel.reshape(kh * kw * c_in, c_out)
    out = out.reshape(x.shape[0], out_h, out_w, c_out)
    if bias is not None:
        out = out + bias
    dtype = np.result_type(x, kernel) if bias is None else np.result_type(x, kernel, bias)
    return out.astype(dtype, copy=False)


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    dout, x, kernel = np.asarray(dout), np.asarray(x), np.asarray(kernel)
    kh, kw, c_in, c_out = kernel.shape
    dtype = np.result_type(dout, x, kernel)
    rows = dout.reshape(-1, c_out)  # one row per output position, in im2col's (n, i, j) order
    dkernel = (im2col(x, (kh, kw), strides, padding).T @ rows).reshape(kernel.shape)
    dbias = rows.sum(axis=0)
    dpatches = (rows @ kernel.reshape(-1, c_out).T).reshape(*dout.shape[:3], kh, kw, c_in)
    dx = _scatter(lambda di, dj: dpatches[:, :, :, di, dj], x.shape, (kh, kw), strides, padding)
    return dx.astype(dtype, copy=False), dkernel.astype(dtype, copy=False), dbias.astype(dtype, copy=False)


def max_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    dout, x = np.asarray(dout), np.asarray(x)
    strides = pool_size if strides is None else strides
    windows = _windows(x, pool_size, strides, padding, fill=-np.inf)  # padded cells never win
    n, out_h, out_w, c, ph, pw = windows.shape
    # The first maximum of each window in row-major order takes the whole gradient, as TensorFlow does.
    winner = windows.reshape(n, out_h, out_w, c, ph * pw).argmax(axis=-1)
    dtype = np.result_type(dout, x)

    def routed(di, dj):
        return np.where(winner == di * pw + dj, dout, 0).astype(dtype, copy=False)

    return _scatter(routed, x.shape, pool_size, strides, padding)


def avg_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    dout, x = np.asarray(dout), np.asarray(x)
    strides = pool_size if strides is None else strides
    real_cells = _windows(np.ones((1, *x.shape[1:3], 1)), pool_size, strides, padding).sum(axis=(-2, -1))
    share = (dout / real_cells).astype(np.result_type(dout, x), copy=False)  # each real cell's part of a window
    return _scatter(lambda di, dj: share, x.shape, pool_size, strides, padding)  # of share's dtype
