"""Exercise 7 — fast convolution and the backward passes (역전파), with numpy only.

First make convolution fast: im2col lays every window out as a row, so the whole convolution is one matrix
product (행렬 곱) instead of a Python loop over pixels. Then send gradients back: given dout, the gradient of
the loss with respect to a layer's output (N, H', W', C_out), return the gradients with respect to its inputs
and weights, exactly what tf.GradientTape computes.

Image batches are NHWC; a filter bank is (kh, kw, C_in, C_out), as in exercise 2. Sizes are an int or an
(h, w) pair. 'same' padding follows exercise 2's rule (the extra cell goes bottom/right, as in TensorFlow).

Rules: numpy and the standard library only. Never modify your arguments. Return arrays of the inputs' result
dtype. conv2d_fast must also be fast: on a 16x32x32x16 batch with a 3x3x16x32 kernel it must run within 3
times the reference's time (a Python loop over pixels does not; one matrix product does).

Concepts: https://cs231n.github.io/convolutional-networks/#conv (im2col),
          https://cs231n.github.io/optimization-2/ (backpropagation, 역전파)
Check your work with:  grade exercise7
"""

import numpy as np


def im2col(x, kernel_size, strides=1, padding="valid"):
    """Every window of a batch as one row (im2col, 이미지를 행렬로): the patches a convolution multiplies.

    Args:
        x: shape (N, H, W, C), NHWC.
        kernel_size: an int or (kh, kw), the window.
        strides: an int or (sh, sw).
        padding: 'valid' or 'same' (exercise 2's rule: the extra cell bottom/right).
    Returns:
        shape (N*H'*W', kh*kw*C): rows in (n, i, j) order (row-major over the output positions of each image in
        turn), and each row the window at that position, zero-padded as the padding says, flattened in
        (di, dj, c) order: the same as tf.image.extract_patches reshaped to rows.

    Example:
        >>> x = np.arange(9.).reshape(1, 3, 3, 1)
        >>> im2col(x, 2)
        array([[0., 1., 3., 4.],
               [1., 2., 4., 5.],
               [3., 4., 6., 7.],
               [4., 5., 7., 8.]])
    """
    raise NotImplementedError


def conv2d_fast(x, kernel, bias=None, strides=1, padding="valid"):
    """Exercise 2's conv2d (no dilation), vectorised: no Python loop over pixels (합성곱의 벡터화).

    out[n, i, j, o] = sum_{a, b, c} xp[n, i*sh + a, j*sw + b, c] * kernel[a, b, c, o] + bias[o], where xp is x
    zero-padded by exercise 2's rule; exactly what tf.nn.conv2d plus the bias gives. One matrix product of
    im2col's rows with the kernel reshaped to (kh*kw*C_in, C_out) computes every output at once.

    Args:
        x: shape (N, H, W, C_in), NHWC.
        kernel: shape (kh, kw, C_in, C_out).
        bias: shape (C_out,) or None (no bias).
        strides: an int or (sh, sw).
        padding: 'valid' or 'same' (exercise 2's rule: the extra cell bottom/right).
    Returns:
        shape (N, H', W', C_out).

    Speed: on a 16x32x32x16 batch with a 3x3x16x32 kernel it must run within 3 times the reference's time;
    a right but slower function gets the correctness points only.

    Example:
        >>> conv2d_fast(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2)), padding='same')[0, :2, :2, 0]
        array([[4., 6.],
               [6., 9.]])
    """
    raise NotImplementedError


def conv2d_backward(dout, x, kernel, strides=1, padding="valid"):
    """The backward pass of conv2d without dilation (합성곱 층의 역전파): the gradients of the loss.

    Given dout = dL/d(out) for out = conv2d(x, kernel, bias, strides, padding), return
        dx[n, y, z, c]        = sum of dout[n, i, j, o] * kernel[a, b, c, o] over every (i, j, a, b, o)
                                whose window cell (a, b) lands on input (y, z), padding cropped off;
        dkernel[a, b, c, o]   = sum_{n, i, j} xp[n, i*sh + a, j*sw + b, c] * dout[n, i, j, o];
        dbias[o]              = sum_{n, i, j} dout[n, i, j, o];
    exactly what tf.GradientTape gives for tf.nn.conv2d plus a bias.

    Args:
        dout: shape (N, H', W', C_out), the gradient arriving from the next layer (상류 그래디언트).
        x: shape (N, H, W, C_in), the forward pass's input.
        kernel: shape (kh, kw, C_in, C_out).
        strides: an int or (sh, sw).
        padding: 'valid' or 'same' (exercise 2's rule: the extra cell bottom/right).
    Returns:
        (dx, dkernel, dbias) with the shapes of x, kernel and (C_out,).

    Example:
        >>> dx, dkernel, dbias = conv2d_backward(np.ones((1, 2, 2, 1)), np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1)))
        >>> dx[0, :, :, 0]
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
        >>> dbias
        array([4.])
    """
    raise NotImplementedError


def max_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    """The backward pass of max pooling (최대 풀링의 역전파).

    Each window's gradient dout[n, i, j, c] goes whole to the cell that was the window's maximum in the forward
    pass (max_pool2d of exercise 3), and nothing to the others; a cell that is the maximum of several
    overlapping windows receives the sum. Where a maximum is tied, the first of the tied cells in row-major order
    within the window takes it, as TensorFlow's CPU kernel does. Padded cells ('same') never win.

    Args:
        dout: shape (N, H', W', C), the gradient of the pooled output.
        x: shape (N, H, W, C), the forward pass's input.
        pool_size: an int or (ph, pw).
        strides: an int, (sh, sw) or None meaning the pool size.
        padding: 'valid' or 'same' (exercise 2's rule with k = pool size: the extra cell bottom/right).
    Returns:
        dx, shape (N, H, W, C): exactly what tf.GradientTape gives for tf.nn.max_pool2d.

    Example:
        >>> x = np.array([[1., 3.], [3., 2.]]).reshape(1, 2, 2, 1)
        >>> max_pool2d_backward(np.array([[[[10.]]]]), x)[0, :, :, 0]
        array([[ 0., 10.],
               [ 0.,  0.]])
    """
    raise NotImplementedError


def avg_pool2d_backward(dout, x, pool_size=2, strides=None, padding="valid"):
    """The backward pass of average pooling (평균 풀링의 역전파).

    Each window's gradient dout[n, i, j, c] is shared equally among the real cells of that window (the
    forward pass divides by their number, avg_pool2d of exercise 3); a cell in several overlapping windows
    receives the sum of its shares. Padded cells ('same') take no share.

    Args:
        dout: shape (N, H', W', C), the gradient of the pooled output.
        x: shape (N, H, W, C), the forward pass's input (only its shape matters).
        pool_size: an int or (ph, pw).
        strides: an int, (sh, sw) or None meaning the pool size.
        padding: 'valid' or 'same' (exercise 2's rule with k = pool size: the extra cell bottom/right).
    Returns:
        dx, shape (N, H, W, C): exactly what tf.GradientTape gives for tf.nn.avg_pool2d.

    Example:
        >>> avg_pool2d_backward(np.array([[[[8.]]]]), np.zeros((1, 2, 2, 1)))[0, :, :, 0]
        array([[2., 2.],
               [2., 2.]])
    """
    raise NotImplementedError
