# breaks: im2col, conv2d_fast, conv2d_backward
# Each window flattened in (c, di, dj) order, the order sliding_window_view leaves the axes in.


def im2col(x, kernel_size, strides=1, padding="valid"):
    windows = _windows(np.asarray(x), kernel_size, strides, padding)
    n, out_h, out_w, c, kh, kw = windows.shape
    return windows.reshape(n * out_h * out_w, c * kh * kw)
