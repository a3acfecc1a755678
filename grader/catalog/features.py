"""What a failing call may have that a hint can speak to (see `spec.FittingHint`), declared once for every task.

Two features of a 'same' padding: a stride that changes its amount (`SAME_WITH_STRIDE`), and an odd total,
whose extra cell goes after (`SAME_WITH_ODD_TOTAL`: an even kernel, or a stride). Each feature reads the
call's arguments by name, defaults included, under the names the exercises use
(`strides` or `stride`, `kernel`, `w` or `k`, `pool_size`, `dilation_rate` or `dilation`, `padding`, `x`).
A feature left in the smallest failing call survived the shrinking, so the failure needs it: the hint that
speaks to it fits better than the task's general one.
"""

from __future__ import annotations

import math

import numpy as np

from grader.i18n import N_
from grader.spec import CallFeature, FittingHint


def _pair(value) -> tuple[int, int]:
    return (int(value), int(value)) if np.isscalar(value) else (int(value[0]), int(value[-1]))


def strides_of(arguments: dict) -> tuple[int, int]:
    """The steps of the window; strides=None (pooling) means the pool size."""
    value = arguments.get("strides", arguments.get("stride", 1))
    return _pair(arguments.get("pool_size", 1) if value is None else value)


def dilation_of(arguments: dict) -> tuple[int, int]:
    return _pair(arguments.get("dilation_rate", arguments.get("dilation", 1)))


def window_of(arguments: dict) -> tuple[int, ...]:
    """The kernel's or the pool's sides, as it spans the input (a dilated kernel spans d*(k-1)+1 cells)."""
    if "kernel" in arguments:
        sides = np.shape(arguments["kernel"])[:2]
    elif "w" in arguments:
        sides = (len(arguments["w"]),)
    elif "k" in arguments:
        sides = (int(arguments["k"]),)
    else:
        sides = _pair(arguments["pool_size"])
    return tuple(d * (k - 1) + 1 for k, d in zip(sides, dilation_of(arguments), strict=False))


def _same_total(n: int, k: int, stride: int) -> int:
    """TensorFlow's 'same' padding along one axis, in all."""
    return max((math.ceil(n / stride) - 1) * stride + k - n, 0)


def _same_padding(n: int, k: int, stride: int) -> tuple[int, int]:
    total = _same_total(n, k, stride)
    return total // 2, total - total // 2


def axes_of(arguments: dict) -> list[tuple[int, int, int]]:
    """(length, window span, stride) along each axis the window slides on."""
    if "n" in arguments:
        lengths = (int(arguments["n"]),)
    else:
        x = np.shape(arguments["x"])
        lengths = x[:1] if len(x) == 1 else x[1:3]
    return list(zip(lengths, window_of(arguments), strides_of(arguments), strict=False))


def _same_stride_matters(arguments: dict) -> bool:
    """'same' padding whose amount the stride changes (it is not k' - 1 in all, as for stride 1)."""
    axes = axes_of(arguments)
    return arguments.get("padding") == "same" and any(s > 1 and _same_total(n, k, s) != k - 1 for n, k, s in axes)


def _same_odd_total(arguments: dict) -> bool:
    """'same' padding with an odd total along some axis (an even window, or a stride): the extra cell's side."""
    axes = axes_of(arguments)
    return arguments.get("padding") == "same" and any(_same_total(n, k, s) % 2 for n, k, s in axes)


def _has_tied_maxima(arguments: dict) -> bool:
    """Some pooling window of `x` holds its maximum more than once (padded cells, under 'same', never win)."""
    x = np.asarray(arguments["x"], dtype=np.float64)
    (ph, pw), (sh, sw) = _pair(arguments["pool_size"]), strides_of(arguments)
    if arguments.get("padding") == "same":
        pads = (_same_padding(x.shape[1], ph, sh), _same_padding(x.shape[2], pw, sw))
        x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)
    if x.shape[1] < ph or x.shape[2] < pw:
        return False
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
    top = windows.max(axis=(-2, -1), keepdims=True)
    return bool(((windows == top).sum(axis=(-2, -1)) > 1).any())


SAME_WITH_STRIDE = CallFeature("same_with_stride", _same_stride_matters)
SAME_WITH_ODD_TOTAL = CallFeature("same_with_odd_total", _same_odd_total)
DILATED = CallFeature("dilated", lambda a: max(dilation_of(a)) > 1)
TIED_MAXIMA = CallFeature("tied_maxima", _has_tied_maxima)
FLOAT64_INPUTS = CallFeature(
    "float64_inputs", lambda a: any(getattr(v, "dtype", None) == np.float64 for v in a.values())
)


# The hints that several tasks share, for the features above; a task lists those that fit it, in order.
SAME_STRIDE_HINT = FittingHint(
    SAME_WITH_STRIDE,
    N_(
        "With a stride above 1, 'same' pads only what the last window needs: total = max((ceil(n / stride) - 1) "
        "* stride + k' - n, 0), total // 2 before and the rest after, not k' - 1 in all."
    ),
)
ODD_TOTAL_HINT = FittingHint(
    SAME_WITH_ODD_TOTAL,
    N_(
        "Here 'same' pads an odd total (an even window cannot sit centred, and a stride changes the total): "
        "total // 2 before and the extra cell after (bottom/right), as TensorFlow does."
    ),
)
DILATION_HINT = FittingHint(
    DILATED,
    N_(
        "With dilation d the kernel spans k' = d * (k - 1) + 1 cells: pad and count the outputs with k', and "
        "take every d-th input cell under the kernel."
    ),
)
FLOAT64_HINT = FittingHint(
    FLOAT64_INPUTS,
    N_(
        "This call's inputs are float64: compute in the inputs' dtype (np.zeros(shape, dtype=x.dtype), no "
        "astype(np.float32)), so that no precision is lost."
    ),
)
BACKWARD_SAME_STRIDE_HINT = FittingHint(
    SAME_WITH_STRIDE,
    N_(
        "Under 'same' the gradient is scattered onto the padded input, then cropped by the forward pass's own "
        "padding: with a stride above 1 that is total // 2 before and the rest after, not k - 1 in all."
    ),
)
