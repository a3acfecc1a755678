"""The input space covers what learners get wrong. Each test finds an example of one such corner."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings

from grader import layer_strategies as ls
from grader import strategies as s

FIND = settings(max_examples=2000, database=None, phases=[Phase.generate])  # existence: no need to shrink


def _has(strategy, condition):
    return find(strategy, condition, settings=FIND)


def _kw(call, name, default):
    return call.kwargs.get(name, default)


@pytest.mark.parametrize(
    ("strategy", "condition"),
    [
        (s.image_kernel_calls(), lambda c: c.args[0].shape == c.args[1].shape),  # kernel as large as the input
        (s.image_kernel_calls(), lambda c: c.args[0].shape == (1, 1)),  # sizes of 1
        (s.image_kernel_calls(), lambda c: c.args[1].shape[0] != c.args[1].shape[1]),  # non-square kernel
        (s.image_kernel_calls(), lambda c: not np.array_equal(c.args[1], c.args[1][::-1, ::-1])),  # asymmetric
        (s.image_kernel_calls(), lambda c: (c.args[0] < 0).any()),  # negative values
        (s.image_kernel_calls(), lambda c: c.args[0].dtype == np.float32),
        (s.image_kernel_calls(), lambda c: c.args[0].dtype == np.float64),
        (s.image_kernel_calls(channels=True), lambda c: c.args[0].ndim == 3),
        (s.conv1d_calls(), lambda c: "b" not in c.kwargs),  # the default bias
        (s.conv2d_calls(), lambda c: isinstance(_kw(c, "strides", 1), int) and _kw(c, "strides", 1) > 1),
        (s.conv2d_calls(), lambda c: isinstance(_kw(c, "strides", 1), tuple)),
        (s.conv2d_calls(), lambda c: _kw(c, "dilation_rate", 1) not in (1, (1, 1))),
        (s.conv2d_calls(), lambda c: _kw(c, "padding", "valid") == "same" and c.args[1].shape[0] % 2 == 0),
        (s.conv2d_calls(), lambda c: _kw(c, "bias", None) is not None),
        (s.conv1d_padded_calls(), lambda c: _kw(c, "padding", "valid") == "full" and _kw(c, "stride", 1) > 1),
        (s.padding_amount_calls(), lambda c: len(c.args) == 2 and not c.kwargs),  # every default
        (s.pooling_calls(), lambda c: "strides" not in c.kwargs or c.kwargs["strides"] is None),
        (s.pooling_calls(), lambda c: _kw(c, "padding", "valid") == "same" and c.args[0].shape[1] % 2 == 1),
        (s.pooling_calls(), lambda c: (c.args[0] < 0).all()),  # all negative: max over zero pads shows
        (s.pooling_calls(), lambda c: isinstance(_kw(c, "pool_size", 2), tuple)),
        (s.participation_calls(), lambda c: c.args[1] > c.args[0]),  # a kernel longer than the input
        (
            ls.layer_chains(),
            lambda c: (
                any(layer["class_name"] == "Dense" and i < len(c[1]) - 1 for i, layer in enumerate(c[1]))
                and c[1][0]["class_name"] == "Dense"
            ),
        ),  # Dense on a 3-D input
        (ls.layer_chains(), lambda c: any(layer.get("trainable") is False for layer in c[1])),  # frozen layers
        (ls.layer_chains(), lambda c: c[0][2] == 1 and c[0][0] != c[0][1] and c[0][0] % 2 == 1),  # odd, 1 channel
        (ls.layer_chains(), lambda c: any(isinstance(layer.get("kernel_size"), tuple) for layer in c[1])),
        (
            ls.layer_chains(),
            lambda c: any(layer.get("padding") == "same" and layer.get("strides", 1) != 1 for layer in c[1]),
        ),
        (ls.layer_chains(), lambda c: any(layer.get("dilation_rate", 1) not in (1, (1, 1)) for layer in c[1])),
        (ls.layer_chains(), lambda c: any(layer["class_name"] == "BatchNormalization" for layer in c[1])),
        (
            ls.layer_chains(),
            lambda c: any("depth_multiplier" in layer and layer["depth_multiplier"] > 1 for layer in c[1]),
        ),
        (ls.conv_length_calls(), lambda c: c.kwargs.get("padding", "valid") == "valid" and c.args[1] > c.args[0]),
        (ls.receptive_field_calls(), lambda c: len(c.args[0]) >= 3 and c.args[0][0].get("strides", 1) not in (1, None)),
    ],
)
def test_the_strategies_reach_the_corners_learners_get_wrong(strategy, condition):
    assert _has(strategy, condition) is not None


@pytest.mark.parametrize("class_name", sorted({*ls.SPATIAL_ONLY, *ls.ANY_SHAPE}))
def test_layer_chains_use_every_layer_class(class_name):
    assert _has(ls.layer_chains(), lambda c: any(layer["class_name"] == class_name for layer in c[1])) is not None


def test_valid_calls_never_ask_for_a_kernel_larger_than_its_input():
    @settings(max_examples=300, database=None)
    @given(s.conv2d_calls())
    def check(call):
        x, kernel = call.args
        if _kw(call, "padding", "valid") == "valid":
            dilation = _kw(call, "dilation_rate", 1)
            dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
            assert dh * (kernel.shape[0] - 1) + 1 <= x.shape[1]
            assert dw * (kernel.shape[1] - 1) + 1 <= x.shape[2]

    check()
