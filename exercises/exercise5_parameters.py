"""Exercise 5 — parameter counts (파라미터 개수), multiplications and memory by hand, as Keras counts them.

A Dense layer has one weight per (input, unit) pair plus one bias per unit. A Conv2D layer shares its
weights across positions (가중치 공유): (kh * kw * C_in + 1) * filters with the bias, whatever the image size.
DepthwiseConv2D has kh * kw * C * depth_multiplier weights (plus C * depth_multiplier biases);
SeparableConv2D adds a 1x1 pointwise convolution: C * depth_multiplier * filters weights plus filters biases.

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

Rules: numpy and the standard library only. Return Python ints (numpy ints are accepted, floats are not).

Concept: https://cs231n.github.io/convolutional-networks/#conv (parameter sharing)
Check your work with:  grade exercise5
"""

import numpy as np


def dense_params(n_inputs, units, use_bias=True):
    """The parameters of a Dense layer (밀집층): weights plus biases.

    Example:
        >>> dense_params(784, 256), dense_params(10, 3, use_bias=False)
        (200960, 30)
    """
    raise NotImplementedError


def conv2d_params(kernel_size, in_channels, filters, use_bias=True):
    """The parameters of a Conv2D layer (합성곱 층).

    Args:
        kernel_size: an int or (kh, kw); in_channels: the input depth C_in; filters: the number of filters;
        use_bias: whether each filter has a bias.
    Returns:
        an int: kh * kw * in_channels * filters, plus filters when use_bias.

    Example:
        >>> conv2d_params(3, 1, 32), conv2d_params((3, 3), 32, 64), conv2d_params(5, 3, 6, use_bias=False)
        (320, 18496, 450)
    """
    raise NotImplementedError


def layer_params(input_shape, layer):
    """(trainable, non_trainable) parameter counts of one layer spec, given its input shape.

    Args:
        input_shape: the layer's input shape (batch excluded), (H, W, C) or (n,); layer: a layer spec.
    Returns:
        a tuple of two ints. BatchNormalization on C channels gives (2*C, 2*C); a spec with
        "trainable": False gives (0, all of its parameters); pooling, Flatten, Dropout and ZeroPadding2D (0, 0).

    Example:
        >>> layer_params((28, 28, 1), {"class_name": "Conv2D", "filters": 32, "kernel_size": 3})
        (320, 0)
        >>> layer_params((14, 14, 32), {"class_name": "BatchNormalization"})
        (64, 64)
    """
    raise NotImplementedError


def model_params(input_shape, layers):
    """The parameter counts of a chain of layers, as model.summary() totals them.

    Args:
        input_shape: (H, W, C); layers: a list of layer specs.
    Returns:
        {"total": int, "trainable": int, "non_trainable": int}.

    Example (the Fashion-MNIST CNN at the top of this file):
        >>> model_params((28, 28, 1), [{"class_name": "Conv2D", "filters": 8, "kernel_size": 3},
        ...                            {"class_name": "Flatten"}, {"class_name": "Dense", "units": 10}])
        {'total': 54170, 'trainable': 54170, 'non_trainable': 0}
    """
    raise NotImplementedError


def conv2d_multiplications(input_shape, filters, kernel_size, strides=1, padding="valid"):
    """The multiplications a Conv2D layer makes for one image (곱셈 횟수), bias additions not counted.

    Args:
        input_shape: (H, W, C); filters; kernel_size, strides: an int or (h, w); padding: 'valid' or 'same'.
    Returns:
        an int: H' * W' * filters * kh * kw * C, with (H', W') the output size.

    Example:
        >>> conv2d_multiplications((28, 28, 1), 32, 3)
        194688
    """
    raise NotImplementedError


def conv2d_output_bytes(input_shape, filters, kernel_size, strides=1, padding="valid", batch_size=1, bytes_per_value=4):
    """The memory of a Conv2D layer's output feature maps (특성 맵 메모리), in bytes.

    Args:
        input_shape: (H, W, C); filters; kernel_size, strides; padding: 'valid' or 'same';
        batch_size: images per batch; bytes_per_value: 4 for float32, 2 for float16.
    Returns:
        an int: batch_size * H' * W' * filters * bytes_per_value.

    Example:
        >>> conv2d_output_bytes((28, 28, 1), 32, 3, padding='same', batch_size=64)
        6422528
    """
    raise NotImplementedError


def dense_equivalent_params(input_shape, filters, kernel_size, strides=1, padding="valid"):
    """What weight sharing saves: the parameters of a Dense layer (with bias) that maps the flattened
    input to the flattened output of the same Conv2D layer.

    Args:
        input_shape: (H, W, C); filters; kernel_size, strides; padding: 'valid' or 'same'.
    Returns:
        an int: (H*W*C) * (H'*W'*filters) + H'*W'*filters.

    Example:
        >>> dense_equivalent_params((28, 28, 1), 32, 3)
        16981120
    """
    raise NotImplementedError
