"""Hypothesis strategies for layer specs (exercises 4 and 5): valid chains, built valid by construction.

A chain starts from a small input shape (odd, non-square, one channel included) and adds layers that fit the
current shape: a kernel or pool never larger than its input under 'valid', convolutions and pooling only on
3-D shapes, strides and dilation never both above 1 (Keras refuses it). Optional keys are sometimes left out
so that Keras' defaults are exercised, sizes are spelled as ints and as pairs, and some layers are frozen.
"""

from __future__ import annotations

from hypothesis import strategies as st

from grader import references
from grader.spec import Call
from grader.strategies import maybe_put, size_arg, window_length

CONV = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
POOL = ("MaxPooling2D", "AveragePooling2D")
SPATIAL_ONLY = (*CONV, *POOL, "ZeroPadding2D", "Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D")
ANY_SHAPE = ("Dense", "Dropout", "BatchNormalization")
PADDINGS = ("valid", "same")


def _frozen(draw, spec: dict) -> dict:
    if draw(st.sampled_from((False, False, False, True))):  # one in four; shrinks towards trainable
        spec["trainable"] = False
    return spec


def _use_bias(draw) -> bool:
    return draw(st.sampled_from((True, False)))  # shrinks towards Keras' default


def _conv(draw, kind: str, shape: tuple) -> dict:
    h, w, _ = shape
    padding = draw(st.sampled_from(PADDINGS))
    strides, dilation = (1, 1), (1, 1)
    variant = draw(st.sampled_from(("plain", "strided", "dilated")))
    if variant == "strided":
        strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    elif variant == "dilated":  # at least one axis really dilated
        dilation = draw(st.permutations((draw(st.integers(2, 3)), draw(st.integers(1, 3)))))
        dilation = tuple(dilation)
    kernel = (
        window_length(draw, h, padding, dilation[0], largest=5),
        window_length(draw, w, padding, dilation[1], largest=5),
    )
    spec: dict = {"class_name": kind}
    if kind != "DepthwiseConv2D":
        spec["filters"] = draw(st.integers(1, 8))
    spec["kernel_size"] = size_arg(draw, kernel)
    maybe_put(draw, spec, "strides", size_arg(draw, strides), 1)
    maybe_put(draw, spec, "padding", padding, "valid")
    maybe_put(draw, spec, "dilation_rate", size_arg(draw, dilation), 1)
    if kind != "Conv2D":
        maybe_put(draw, spec, "depth_multiplier", draw(st.integers(1, 3)), 1)
    maybe_put(draw, spec, "use_bias", _use_bias(draw), True)
    return _frozen(draw, spec)


def _pool(draw, kind: str, shape: tuple) -> dict:
    h, w, _ = shape
    padding = draw(st.sampled_from(PADDINGS))
    pool = (window_length(draw, h, padding, largest=4), window_length(draw, w, padding, largest=4))
    if padding == "valid" and min(h, w) < 2:
        spec = {"class_name": kind, "pool_size": size_arg(draw, pool)}  # the default 2 would not fit
    else:
        spec = {"class_name": kind}
        maybe_put(draw, spec, "pool_size", size_arg(draw, pool), 2)
    strides = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    maybe_put(draw, spec, "strides", None if strides is None else size_arg(draw, strides), None)
    maybe_put(draw, spec, "padding", padding, "valid")
    return spec


def _zero_padding(draw) -> dict:
    amount = st.integers(0, 2)
    spelling = draw(st.sampled_from(("default", "int", "pair", "pairs")))
    if spelling == "default":
        return {"class_name": "ZeroPadding2D"}
    if spelling == "int":
        return {"class_name": "ZeroPadding2D", "padding": draw(amount)}
    if spelling == "pair":
        return {"class_name": "ZeroPadding2D", "padding": (draw(amount), draw(amount))}
    pads = ((draw(amount), draw(amount)), (draw(amount), draw(amount)))
    return {"class_name": "ZeroPadding2D", "padding": pads}


def _any_shape_layer(draw, kind: str) -> dict:
    if kind == "Dense":
        spec = {"class_name": "Dense", "units": draw(st.integers(1, 16))}
        maybe_put(draw, spec, "use_bias", _use_bias(draw), True)
        return _frozen(draw, spec)
    if kind == "Dropout":
        return {"class_name": "Dropout", "rate": draw(st.sampled_from((0.1, 0.25, 0.4, 0.5)))}
    return _frozen(draw, {"class_name": "BatchNormalization"})


@st.composite
def layer_spec(draw, shape: tuple, *, kinds: tuple | None = None) -> dict:
    """One layer spec that Keras accepts on an input of `shape` (batch excluded)."""
    if kinds is None:
        # convolutions and pooling twice as likely: they are where the shape rules are
        kinds = (*CONV, *POOL, *SPATIAL_ONLY, *ANY_SHAPE) if len(shape) == 3 else ANY_SHAPE
    kind = draw(st.sampled_from(kinds))
    if kind in CONV:
        return _conv(draw, kind, shape)
    if kind in POOL:
        return _pool(draw, kind, shape)
    if kind == "ZeroPadding2D":
        return _zero_padding(draw)
    if kind in ANY_SHAPE:
        return _any_shape_layer(draw, kind)
    return {"class_name": kind}  # Flatten and the global poolings take no options


@st.composite
def input_shapes(draw, *, max_side=12, max_channels=4):
    """(H, W, C); the channel count is picked uniformly (hypothesis's integers favour 1, which hides
    mistakes about input depth), and still shrinks to 1."""
    channels = draw(st.sampled_from(range(1, max_channels + 1)))
    return (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)), channels)


FEATURE_LAYERS = (*CONV, *CONV, *POOL, *POOL, "ZeroPadding2D", "BatchNormalization", "Dropout", "Dense")
BRIDGES = ("Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D")


@st.composite
def layer_chains(draw, *, max_feature_layers=4, max_head_layers=3):
    """(input_shape, [layer spec, ...]) shaped like a CNN: feature layers on (H, W, C) (Dense there too, which
    Keras applies to the last axis), then usually Flatten or a global pooling, then Dense/Dropout/BN layers.
    Every layer is valid for the shape before it; the smallest chain is [Flatten]."""
    layer_output_shape = references.module("exercise4_output_shapes").layer_output_shape  # tested against Keras

    start = shape = draw(input_shapes())
    layers = []

    def add(layer):
        nonlocal shape
        layers.append(layer)
        shape = layer_output_shape(shape, layer)

    for _ in range(draw(st.integers(0, max_feature_layers))):
        add(draw(layer_spec(shape, kinds=FEATURE_LAYERS)))
    bridge = draw(st.sampled_from((*BRIDGES, None)))
    if bridge is not None:
        add({"class_name": bridge})
    for _ in range(draw(st.integers(0 if layers else 1, max_head_layers))):
        add(draw(layer_spec(shape, kinds=ANY_SHAPE)))
    return start, layers


def model_calls():
    return layer_chains().map(lambda chain: Call(chain))


@st.composite
def single_layer_calls(draw):
    """(input shape, one layer spec): an image shape, or a vector shape as after Flatten."""
    shape = draw(input_shapes())
    if draw(st.integers(0, 3)) == 3:
        shape = (draw(st.integers(1, 64)),)
    # layers with parameters (Conv2D above all) more likely than those that count (0, 0)
    weighted = ("Dense", "Dense", "BatchNormalization", "BatchNormalization", *ANY_SHAPE)
    with_weights = ("Conv2D", "Conv2D", "Conv2D", *CONV, "DepthwiseConv2D", "SeparableConv2D")
    kinds = (*with_weights, *SPATIAL_ONLY, *weighted) if len(shape) == 3 else weighted
    return Call((shape, draw(layer_spec(shape, kinds=kinds))))


@st.composite
def receptive_field_calls(draw, *, max_layers=5):
    """Chains of Conv2D and pooling specs with square int sizes (no input shape is needed)."""
    layers = []
    for _ in range(draw(st.integers(1, max_layers))):
        if draw(st.booleans()):
            spec = {"class_name": "Conv2D", "filters": draw(st.integers(1, 8)), "kernel_size": draw(st.integers(1, 5))}
            stride = draw(st.integers(1, 3))
            maybe_put(draw, spec, "strides", stride, 1)
            if stride == 1:
                maybe_put(draw, spec, "dilation_rate", draw(st.integers(1, 3)), 1)
            maybe_put(draw, spec, "padding", draw(st.sampled_from(PADDINGS)), "valid")
        else:
            spec = {"class_name": draw(st.sampled_from(POOL))}
            maybe_put(draw, spec, "pool_size", draw(st.integers(1, 4)), 2)
            maybe_put(draw, spec, "strides", draw(st.none() | st.integers(1, 3)), None)
        layers.append(spec)
    return Call((layers,))


# -- single formulas -------------------------------------------------------------------------------------


@st.composite
def conv_length_calls(draw, *, max_length=40):
    """Every padding, stride and dilation; under 'valid' also kernels longer than the input (0 outputs)."""
    n = draw(st.integers(1, max_length))
    padding = draw(st.sampled_from(("valid", "same", "full")))
    optional = {"stride": draw(st.integers(1, 4)), "padding": padding, "dilation": draw(st.integers(1, 3))}
    spec: dict = {}
    for key, default in (("stride", 1), ("padding", "valid"), ("dilation", 1)):
        maybe_put(draw, spec, key, optional[key], default)
    return Call((n, draw(st.integers(1, 7))), spec)


@st.composite
def pool_length_calls(draw, *, max_length=40):
    n = draw(st.integers(1, max_length))
    padding = draw(st.sampled_from(PADDINGS))
    pool = window_length(draw, n, padding, largest=5)
    spec: dict = {}
    maybe_put(draw, spec, "stride", draw(st.none() | st.integers(1, 4)), None)
    maybe_put(draw, spec, "padding", padding, "valid")
    return Call((n, pool), spec)


@st.composite
def conv_shape_calls(draw, *, dilation=True):
    """(input_shape, filters, kernel_size) with strides, padding and (optionally) dilation, as Conv2D takes.

    A kernel that fits with its dilation also fits without it, so `dilation=False` just leaves it out.
    """
    shape = draw(input_shapes(max_side=32, max_channels=64))
    conv = _conv(draw, "Conv2D", shape)
    keys = ("strides", "padding", "dilation_rate") if dilation else ("strides", "padding")
    return Call((shape, conv["filters"], conv["kernel_size"]), {k: conv[k] for k in keys if k in conv})


@st.composite
def pool_shape_calls(draw):
    shape = draw(input_shapes(max_side=32, max_channels=64))
    pool = _pool(draw, "MaxPooling2D", shape)
    del pool["class_name"]
    return Call((shape,), pool)


@st.composite
def dense_param_calls(draw):
    spec: dict = {}
    maybe_put(draw, spec, "use_bias", _use_bias(draw), True)
    return Call((draw(st.integers(1, 5000)), draw(st.integers(1, 512))), spec)


@st.composite
def conv_param_calls(draw):
    kernel = size_arg(draw, (draw(st.integers(1, 7)), draw(st.integers(1, 7))))
    spec: dict = {}
    maybe_put(draw, spec, "use_bias", _use_bias(draw), True)
    return Call((kernel, draw(st.integers(1, 512)), draw(st.integers(1, 512))), spec)


@st.composite
def output_bytes_calls(draw):
    call = draw(conv_shape_calls(dilation=False))
    kwargs = dict(call.kwargs)
    maybe_put(draw, kwargs, "batch_size", draw(st.integers(1, 64)), 1)
    maybe_put(draw, kwargs, "bytes_per_value", draw(st.sampled_from((1, 2, 4, 8))), 4)
    return Call(call.args, kwargs)
