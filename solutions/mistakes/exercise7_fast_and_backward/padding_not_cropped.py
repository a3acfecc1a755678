# breaks: conv2d_backward, max_pool2d_backward, avg_pool2d_backward
# dx returned with the padded input's shape: the gradient of the padded cells left on.

_reference_scatter = _scatter


def _scatter(per_offset, shape, window, strides, padding):
    _, _, (pad_h, pad_w), _ = _geometry(shape, window, strides, padding)
    n, h, w, c = shape
    return _reference_scatter(per_offset, (n, h + sum(pad_h), w + sum(pad_w), c), window, strides, "valid")
