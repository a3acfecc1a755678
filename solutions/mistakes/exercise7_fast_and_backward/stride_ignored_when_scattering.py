# breaks: conv2d_backward, max_pool2d_backward, avg_pool2d_backward
# Gradients added back to windows one cell apart, whatever the stride.


def _scatter(per_offset, shape, window, strides, padding):
    (kh, kw), _, (pad_h, pad_w), (out_h, out_w) = _geometry(shape, window, strides, padding)
    n, h, w, c = shape
    grown = np.zeros((n, h + sum(pad_h), w + sum(pad_w), c), dtype=per_offset(0, 0).dtype)
    for di, dj in np.ndindex(kh, kw):
        grown[:, di : di + out_h, dj : dj + out_w] += per_offset(di, dj)
    return grown[:, pad_h[0] : pad_h[0] + h, pad_w[0] : pad_w[0] + w]
