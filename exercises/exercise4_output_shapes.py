"""Exercise 4 — output shapes (출력 크기) by hand: what model.summary() shows, without Keras.

Along one axis of length n, with kernel k, stride s and dilation d (effective kernel k' = d*(k-1)+1):
    'valid':  floor((n - k') / s) + 1   (0 when k' > n)
    'same':   ceil(n / s)
    'full':   ceil((n + k' - 1) / s)
Pooling uses the same rules with k = pool size (no dilation), and its stride defaults to the pool size.

Layer specs (층 명세) are dicts shaped like a Keras layer config. Any key left out takes the Keras
default; shapes exclude the batch dimension, and image shapes are (H, W, C) (channels last).

    class_name              keys (default)
    Conv2D                  filters, kernel_size, strides (1), padding ('valid'), dilation_rate (1), use_bias (True)
    DepthwiseConv2D         kernel_size, strides, padding, depth_multiplier (1), dilation_rate, use_bias
    SeparableConv2D         filters, kernel_size, strides, padding, depth_multiplier (1), dilation_rate, use_bias
    MaxPooling2D            pool_size (2), strides (None: the pool size), padding ('valid')
    AveragePooling2D        pool_size (2), strides (None: the pool size), padding ('valid')
    GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten      (no keys)
    Dense                   units, use_bias (True): applied to the last axis, also of a 3-D input
    Dropout                 rate (required)
    BatchNormalization      (no keys needed): 2*C trainable (gamma, beta), 2*C non-trainable (moving mean, variance)
    ZeroPadding2D           padding (1): an int, (h, w) or ((top, bottom), (left, right))
    any class               trainable (True): False freezes the layer, all its parameters become non-trainable

Sizes (kernel_size, strides, pool_size, dilation_rate) are an int or an (h, w) pair. Strides and dilation are
never both above 1, and under 'valid' a (dilated) kernel or pool always fits its input.

The Fashion-MNIST CNN of the course (혼자 공부하는 머신러닝+딥러닝 ch. 8), input (28, 28, 1), 258,874 parameters:

    fashion_cnn = [
        {"class_name": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same"},
        {"class_name": "MaxPooling2D", "pool_size": 2, "strides": 2},
        {"class_name": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same"},
        {"class_name": "MaxPooling2D", "pool_size": 2, "strides": 2},
        {"class_name": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same"},
        {"class_name": "Flatten"},
        {"class_name": "Dense", "units": 256},
        {"class_name": "Dense", "units": 128},
        {"class_name": "Dense", "units": 10},
    ]

Rules: numpy and the standard library only. Return Python ints (numpy ints are accepted, floats are not) and
shapes as tuples.

Concept: https://cs231n.github.io/convolutional-networks/#conv (spatial arrangement)
Check your work with:  grade exercise4
"""

import numpy as np


def conv_output_length(n, k, stride=1, padding="valid", dilation=1):
    """The output length of a convolution along one axis (합성곱 출력 길이).

    Args:
        n: the input length; k: the kernel length; stride: the step (스트라이드); padding: 'valid', 'same'
        or 'full'; dilation: the dilation rate (팽창).
    Returns:
        an int: floor((n - k') / s) + 1 for 'valid' (0 when k' > n), ceil(n / s) for 'same',
        ceil((n + k' - 1) / s) for 'full', with k' = dilation * (k - 1) + 1.

    Example:
        >>> conv_output_length(28, 3, padding='same'), conv_output_length(28, 5), conv_output_length(7, 3, stride=2)
        (28, 24, 3)
    """
    raise NotImplementedError


def pool_output_length(n, pool_size, stride=None, padding="valid"):
    """The output length of a pooling layer along one axis, as Keras computes it (풀링 출력 길이).

    Args:
        n: the input length; pool_size: the window; stride: None (the pool size) or an int;
        padding: 'valid' (pool_size <= n) or 'same'.
    Returns:
        an int: floor((n - pool_size) / stride) + 1 for 'valid', ceil(n / stride) for 'same'.

    Example:
        >>> pool_output_length(28, 2), pool_output_length(7, 2), pool_output_length(7, 2, padding='same')
        (14, 3, 4)
    """
    raise NotImplementedError


def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid", dilation_rate=1):
    """The output shape of a Conv2D layer (batch excluded).

    Args:
        input_shape: (H, W, C); filters: the number of filters; kernel_size, strides, dilation_rate: an int or
        an (h, w) pair; padding: 'valid' or 'same'.
    Returns:
        (H', W', filters), a tuple of ints.

    Example:
        >>> conv2d_output_shape((28, 28, 1), 32, 3)
        (26, 26, 32)
        >>> conv2d_output_shape((28, 28, 1), 32, (3, 5), strides=2, padding='same')
        (14, 14, 32)
    """
    raise NotImplementedError


def pool2d_output_shape(input_shape, pool_size=2, strides=None, padding="valid"):
    """The output shape of a MaxPooling2D or AveragePooling2D layer (batch excluded).

    Args:
        input_shape: (H, W, C); pool_size: an int or (h, w); strides: None (the pool size), an int or (h, w);
        padding: 'valid' or 'same'.
    Returns:
        (H', W', C), a tuple of ints.

    Example:
        >>> pool2d_output_shape((28, 28, 32)), pool2d_output_shape((7, 7, 8), 3, strides=1, padding='same')
        ((14, 14, 32), (7, 7, 8))
    """
    raise NotImplementedError


def model_output_shapes(input_shape, layers):
    """The output shape of every layer of a chain, as model.summary() lists them (batch excluded).

    Args:
        input_shape: (H, W, C); layers: a list of layer specs (see the top of this file).
    Returns:
        a list with one shape (a tuple of ints) per layer. Flatten gives (H*W*C,), the global poolings (C,),
        Dense on (H, W, C) gives (H, W, units) (Keras applies it to the last axis).

    Example:
        >>> model_output_shapes((28, 28, 1), [{"class_name": "Conv2D", "filters": 8, "kernel_size": 3},
        ...                                   {"class_name": "MaxPooling2D"}, {"class_name": "Flatten"}])
        [(26, 26, 8), (13, 13, 8), (1352,)]
    """
    raise NotImplementedError


def receptive_field(layers):
    """The receptive field (수용 영역) of one unit of the last layer, in input pixels along one axis.

    Args:
        layers: a chain of Conv2D, MaxPooling2D and AveragePooling2D specs with square sizes (int or (k, k));
        dilation counts, padding does not.
    Returns:
        an int: r = 1, then for each layer r += (k' - 1) * j and j *= stride, where j (the jump) is the product
        of the strides of the layers before it and k' = dilation * (k - 1) + 1.

    Example:
        >>> conv3 = {"class_name": "Conv2D", "filters": 8, "kernel_size": 3}
        >>> receptive_field([conv3, conv3]), receptive_field([conv3, {"class_name": "MaxPooling2D"}, conv3])
        (5, 8)
    """
    raise NotImplementedError
