# breaks: avg_pool2d_backward
# Each window's gradient divided by the full pool area, padded cells included.


def avg_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    dout, x = np.asarray(dout), np.asarray(x)
    strides = pool_size if strides is None else strides
    ph, pw = _pair(pool_size)
    share = (dout / (ph * pw)).astype(np.result_type(dout, x))
    return _scatter(lambda di, dj: share, x.shape, pool_size, strides, padding)
