# breaks: max_pool2d_backward
# Every cell equal to its window's maximum receives the window's whole gradient.


def max_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    dout, x = np.asarray(dout), np.asarray(x)
    strides = pool_size if strides is None else strides
    windows = _windows(x, pool_size, strides, padding, fill=-np.inf)
    top = windows.max(axis=(-2, -1))

    def routed(di, dj):
        return np.where(windows[..., di, dj] == top, dout, 0).astype(np.result_type(dout, x))

    return _scatter(routed, x.shape, pool_size, strides, padding)
