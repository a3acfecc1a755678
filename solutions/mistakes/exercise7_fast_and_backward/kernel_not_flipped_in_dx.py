# breaks: conv2d_backward
# dx computed as a 'full' correlation of dout with the kernel as it is, where a convolution (flipped) is due.

_reference_conv2d_backward = conv2d_backward


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    dx, _, _ = _reference_conv2d_backward(dout, x, np.asarray(kernel)[::-1, ::-1], strides, padding)
    _, dkernel, dbias = _reference_conv2d_backward(dout, x, kernel, strides, padding)
    return dx, dkernel, dbias
