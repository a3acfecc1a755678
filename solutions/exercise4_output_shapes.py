"""Reference solutions for exercise 4: output shapes (출력 크기)."""

import math

CONV_CLASSES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
POOL_CLASSES = ("MaxPooling2D", "AveragePooling2D")


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def conv_output_length(n, k, stride=1, padding="valid", dilation=1):
    effective = dilation * (k - 1) + 1
    if padding == "same":
        return math.ceil(n / stride)
    if padding == "full":
        return math.ceil((n + effective - 1) / stride)
    return max((n - effective) // stride + 1, 0)


def pool_output_length(n, pool_size, stride=None, padding="valid"):
    stride = pool_size if stride is None else stride
    if padding == "same":
        return math.ceil(n / stride)
    return max((n - pool_size) // stride + 1, 0)


def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid", dilation_rate=1):
    h, w, _ = input_shape
    (kh, kw), (sh, sw), (dh, dw) = _pair(kernel_size), _pair(strides), _pair(dilation_rate)
    return (conv_output_length(h, kh, sh, padding, dh), conv_output_length(w, kw, sw, padding, dw), filters)


def pool2d_output_shape(input_shape, pool_size=2, strides=None, padding="valid"):
    h, w, c = input_shape
    (ph, pw) = _pair(pool_size)
    (sh, sw) = (ph, pw) if strides is None else _pair(strides)
    return (pool_output_length(h, ph, sh, padding), pool_output_length(w, pw, sw, padding), c)


def _zero_padding(padding):
    """((top, bottom), (left, right)) from Keras' int, (h, w) or ((t, b), (l, r)) spellings."""
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    first, second = padding
    return (_pair(first), _pair(second))


def layer_output_shape(input_shape, layer):
    """The output shape of one layer spec (batch excluded)."""
    kind = layer["class_name"]
    if kind in CONV_CLASSES:
        depthwise = kind == "DepthwiseConv2D"
        channels = input_shape[-1] * layer.get("depth_multiplier", 1) if depthwise else layer["filters"]
        return conv2d_output_shape(
            input_shape,
            channels,
            layer["kernel_size"],
            layer.get("strides", 1),
            layer.get("padding", "valid"),
            layer.get("dilation_rate", 1),
        )
    if kind in POOL_CLASSES:
        return pool2d_output_shape(
            input_shape, layer.get("pool_size", 2), layer.get("strides"), layer.get("padding", "valid")
        )
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return (input_shape[-1],)
    if kind == "Flatten":
        return (math.prod(input_shape),)
    if kind == "Dense":
        return (*input_shape[:-1], layer["units"])
    if kind == "ZeroPadding2D":
        (top, bottom), (left, right) = _zero_padding(layer.get("padding", 1))
        h, w, c = input_shape
        return (h + top + bottom, w + left + right, c)
    if kind in ("Dropout", "BatchNormalization"):
        return tuple(input_shape)
    raise ValueError(f"unknown layer class {kind!r}")


def model_output_shapes(input_shape, layers):
    shapes = []
    shape = tuple(input_shape)
    for layer in layers:
        shape = layer_output_shape(shape, layer)
        shapes.append(shape)
    return shapes


def receptive_field(layers):
    size, jump = 1, 1
    for layer in layers:
        if layer["class_name"] in POOL_CLASSES:
            k = _pair(layer.get("pool_size", 2))[0]
            stride = layer.get("strides")
            stride = k if stride is None else _pair(stride)[0]
            dilation = 1
        else:
            k = _pair(layer["kernel_size"])[0]
            stride = _pair(layer.get("strides", 1))[0]
            dilation = _pair(layer.get("dilation_rate", 1))[0]
        size += dilation * (k - 1) * jump
        jump *= stride
    return size
