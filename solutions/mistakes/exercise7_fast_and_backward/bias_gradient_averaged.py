# breaks: conv2d_backward
# dbias as the mean of dout instead of its sum over the batch and the positions.

_reference_conv2d_backward = conv2d_backward


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    dx, dkernel, _ = _reference_conv2d_backward(dout, x, kernel, strides, padding)
    return dx, dkernel, np.asarray(dout).mean(axis=(0, 1, 2))
