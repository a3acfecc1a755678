"""Reference solutions for exercise 5: parameter counts (파라미터 개수)."""

import math


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _length(n, k, stride, padding, dilation=1):
    """Output length along one axis, as Keras computes it for 'valid' and 'same'."""
    if padding == "same":
        return math.ceil(n / stride)
    return max((n - (dilation * (k - 1) + 1)) // stride + 1, 0)


def _conv_shape(input_shape, filters, kernel_size, strides=1, padding="valid", dilation_rate=1):
    (kh, kw), (sh, sw), (dh, dw) = _pair(kernel_size), _pair(strides), _pair(dilation_rate)
    return (_length(input_shape[0], kh, sh, padding, dh), _length(input_shape[1], kw, sw, padding, dw), filters)


def dense_params(n_inputs, units, use_bias=True):
    return n_inputs * units + (units if use_bias else 0)


def conv2d_params(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = _pair(kernel_size)
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def _output_shape(input_shape, layer):
    kind = layer["class_name"]
    strides, padding = layer.get("strides", 1), layer.get("padding", "valid")
    if kind in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D"):
        channels = input_shape[-1] * layer.get("depth_multiplier", 1) if kind == "DepthwiseConv2D" else layer["filters"]
        return _conv_shape(input_shape, channels, layer["kernel_size"], strides, padding, layer.get("dilation_rate", 1))
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        pool = layer.get("pool_size", 2)
        stride = pool if layer.get("strides") is None else layer["strides"]
        return _conv_shape(input_shape, input_shape[-1], pool, stride, padding)
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return (input_shape[-1],)
    if kind == "Flatten":
        return (math.prod(input_shape),)
    if kind == "Dense":
        return (*input_shape[:-1], layer["units"])
    if kind == "ZeroPadding2D":
        padding = layer.get("padding", 1)
        (top, bottom), (left, right) = (
            ((padding, padding), (padding, padding)) if isinstance(padding, int) else (_pair(p) for p in padding)
        )
        return (input_shape[0] + top + bottom, input_shape[1] + left + right, input_shape[2])
    return tuple(input_shape)  # Dropout, BatchNormalization


def _weights(input_shape, layer):
    """(trainable-if-not-frozen, always non-trainable) parameter counts."""
    kind, channels = layer["class_name"], input_shape[-1]
    use_bias = layer.get("use_bias", True)
    if kind == "Conv2D":
        return conv2d_params(layer["kernel_size"], channels, layer["filters"], use_bias), 0
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        depth = channels * layer.get("depth_multiplier", 1)
        depthwise = conv2d_params(layer["kernel_size"], 1, depth, use_bias=False)
        if kind == "DepthwiseConv2D":
            return depthwise + (depth if use_bias else 0), 0
        return depthwise + dense_params(depth, layer["filters"], use_bias), 0
    if kind == "Dense":
        return dense_params(channels, layer["units"], use_bias), 0
    if kind == "BatchNormalization":
        learned = channels * (int(layer.get("scale", True)) + int(layer.get("center", True)))
        return learned, 2 * channels  # gamma and beta learn; the moving mean and variance do not
    return 0, 0


def layer_params(input_shape, layer):
    trainable, non_trainable = _weights(tuple(input_shape), layer)
    if not layer.get("trainable", True):
        return (0, trainable + non_trainable)
    return (trainable, non_trainable)


def model_params(input_shape, layers):
    trainable = non_trainable = 0
    shape = tuple(input_shape)
    for layer in layers:
        t, n = layer_params(shape, layer)
        trainable, non_trainable = trainable + t, non_trainable + n
        shape = _output_shape(shape, layer)
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


def conv2d_multiplications(input_shape, filters, kernel_size, strides=1, padding="valid"):
    out_h, out_w, _ = _conv_shape(input_shape, filters, kernel_size, strides, padding)
    kh, kw = _pair(kernel_size)
    return out_h * out_w * filters * kh * kw * input_shape[2]


def conv2d_output_bytes(input_shape, filters, kernel_size, strides=1, padding="valid", batch_size=1, bytes_per_value=4):
    return batch_size * math.prod(_conv_shape(input_shape, filters, kernel_size, strides, padding)) * bytes_per_value


def dense_equivalent_params(input_shape, filters, kernel_size, strides=1, padding="valid"):
    outputs = math.prod(_conv_shape(input_shape, filters, kernel_size, strides, padding))
    return dense_params(math.prod(input_shape), outputs)
