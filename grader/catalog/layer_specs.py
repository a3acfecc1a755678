"""The layer-spec mini-language of exercises 4 and 5, written once and shown in both stubs."""

LAYER_SPECS_DOC = """Layer specs (층 명세) are dicts shaped like a Keras layer config. Any key left out takes the Keras
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
"""
