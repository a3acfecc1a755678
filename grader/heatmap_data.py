"""A failing call whose answers are images, as the data of one picture (`results.Heatmap`): the input, the
expected answer, the learner's and the cells that differ, one 2-D slice each. Only numpy here: the data is
kept at grading time, in every report, and drawn (with matplotlib, `grader.report.heatmaps`) only where a report
has pictures.

Which answers are image-like: both numeric ndarrays of 2 (H, W), 3 (H, W, C) or 4 (N, H, W, C) dimensions,
each image at least two cells (2x1 draws, 1x1 is a number). 1-D answers (conv1d) are not drawn; a 2-D answer
of a batch (global pooling's (N, C), flatten's (N, H*W*C)) is a table, not an image, and is not drawn
either. A batch or a stack of channels shows its first (n, c) slice with a differing cell. Answers of another
shape are drawn side by side without a difference (their first slice). A slice larger than MAX_SIDE is cropped
to a window around its first differing cell, so that a report never grows large whatever the learner returns.
"""

from __future__ import annotations

import numpy as np

from grader.pictures import KERNEL_NAMES, differing
from grader.results import Heatmap, Plane

MAX_SIDE = 32  # rows and columns drawn at most (a 28x28 image whole): 3 planes of 1,024 values at most
_DRAWABLE_KINDS = "biuf"


def _image_like(value) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in _DRAWABLE_KINDS
        and 2 <= value.ndim <= 4
        and value.size > 0
        and np.prod(_spatial(value.shape)) >= 2  # a 2x1 map is a picture; a 1x1 one is a number
    )


def _spatial(shape: tuple[int, ...]) -> tuple[int, int]:
    """(H, W) of an image (H, W), a stack of channels (H, W, C) or a batch (N, H, W, C)."""
    return shape[1:3] if len(shape) == 4 else shape[:2]


def _slice(shape: tuple[int, ...], n: int, c: int) -> tuple[tuple, str]:
    """The index of image `n`, channel `c` of an array of `shape`, and its label."""
    if len(shape) == 2:
        return (...,), ""
    if len(shape) == 3:
        return (slice(None), slice(None), c), f"c={c}"
    return (n, slice(None), slice(None), c), f"n={n}, c={c}"


def _first_differing(mask: np.ndarray) -> tuple[int, int]:
    """(n, c) of the first image and channel with a differing cell, in C order."""
    if mask.ndim == 2:
        return 0, 0
    if mask.ndim == 3:
        return 0, int(np.flatnonzero(mask.any(axis=(0, 1)))[0])
    n, c = np.argwhere(mask.any(axis=(1, 2)))[0]
    return int(n), int(c)


def _window(size: int, centre: int) -> int:
    """The first of MAX_SIDE rows (or columns) of `size` that keeps `centre` in the middle where it can."""
    if size <= MAX_SIDE:
        return 0
    return int(min(max(centre - MAX_SIDE // 2, 0), size - MAX_SIDE))


def _plane(name: str, value: np.ndarray, index: tuple, label: str, origin: tuple[int, int]) -> Plane:
    image = value[index]
    top, left = min(origin[0], max(image.shape[0] - MAX_SIDE, 0)), min(origin[1], max(image.shape[1] - MAX_SIDE, 0))
    window = image[top : top + MAX_SIDE, left : left + MAX_SIDE].astype(np.float64)
    rows, columns = window.shape
    values = tuple(float(v) for v in window.ravel())
    return Plane(name, tuple(int(s) for s in value.shape), label, rows, columns, values, (top, left))


def _input(inputs: dict, answers_ndim: int, n: int, c: int, origin: tuple[int, int]) -> Plane | bool | None:
    """The call's first image-like argument at image `n` and channel `c` (channel 0 when it has no channel
    `c`); None when it has none; False when that argument is a batch and the answers are not (no picture)."""
    for name, value in inputs.items():
        if name in KERNEL_NAMES or not _image_like(value):
            continue
        if value.ndim == 4 and answers_ndim != 4:
            return False
        if value.ndim == 4 and n >= value.shape[0]:
            return None
        channel = c if value.ndim > 2 and c < value.shape[-1] else 0
        index, label = _slice(value.shape, n, channel)
        return _plane(name, value, index, label, origin)
    return None


def heatmap(call: str, inputs: dict, expected, actual) -> Heatmap | None:
    """The picture of a failing call (`call` as shown, `inputs` its bound arguments), or None when its answers
    are not image-like or do not differ in any cell (a failure for another reason: a dtype, a changed input)."""
    if not (_image_like(expected) and _image_like(actual)) or expected.ndim != actual.ndim:
        return None
    same = expected.shape == actual.shape
    if same:
        mask = differing(expected, actual)
        if not mask.any():
            return None
        n, c = _first_differing(mask)
    else:
        mask, n, c = None, 0, 0
    index, label = _slice(expected.shape, n, c)
    origin = (0, 0)
    if mask is not None:
        row, column = (int(i) for i in np.argwhere(mask[index])[0])
        height, width = _spatial(expected.shape)
        origin = (_window(height, row), _window(width, column))
    pictured_input = _input(inputs, expected.ndim, n, c, origin)
    if pictured_input is False:
        return None
    wanted = _plane("expected", expected, index, label, origin)
    yours = _plane("yours", actual, _slice(actual.shape, n, c)[0], label, origin)
    differs = ()
    if mask is not None:
        top, left = wanted.origin
        window = mask[index][top : top + wanted.rows, left : left + wanted.columns]
        differs = tuple(bool(d) for d in window.ravel())
    return Heatmap(call, wanted, yours, pictured_input or None, differs)


def first_heatmap(candidates) -> Heatmap | None:
    """The heatmap of the first of `candidates` (call, inputs, expected, actual) that has one: the smallest
    failing call when it is image-like, else the first wrong answer met, before shrinking made it tiny."""
    for call, inputs, expected, actual in candidates:
        found = heatmap(call, inputs, expected, actual)
        if found is not None:
            return found
    return None
