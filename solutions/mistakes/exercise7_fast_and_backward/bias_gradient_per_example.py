# breaks: conv2d_backward
# dbias summed over the positions of each image but not over the batch: shape (N, C_out).

_reference_conv2d_backward = conv2d_backward


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    dx, dkernel, _ = _reference_conv2d_backward(dout, x, kernel, strides, padding)
    return dx, dkernel, np.asarray(dout).sum(axis=(1, 2))
