"""The arrays of a failing call as pictures (그림): small ones become `Grid`s the text report draws as grids,
the differing cells of the learner's answer flagged; larger ones are left to the message's summary (shape,
number of differing values, the largest difference and where)."""

from __future__ import annotations

import numpy as np

from grader.compare import RELATIVE_TOLERANCE
from grader.results import Grid

MAX_SIDE = 8  # a grid's rows and columns
MAX_SLICES = 4  # grids per array (images x channels of a batch)
KERNEL_NAMES = ("kernel", "dkernel")


def slices(shape: tuple[int, ...], layout: str) -> list[tuple[tuple, str]]:
    """(index, label) of each 2-D grid of an array: 1-D is one row, 2-D one grid, 3-D (H, W, C) one per
    channel, 4-D one per image and channel (NHWC) or per input and output channel (a HWIO kernel)."""
    if len(shape) <= 2:
        return [((...,), "")]
    if len(shape) == 3:
        return [((slice(None), slice(None), c), f"c={c}") for c in range(shape[2])]
    if layout == "HWIO":
        return [
            ((slice(None), slice(None), i, o), f"in={i}, out={o}") for i in range(shape[2]) for o in range(shape[3])
        ]
    return [((n, slice(None), slice(None), c), f"n={n}, c={c}") for n in range(shape[0]) for c in range(shape[3])]


def _drawable(value, layout: str) -> bool:
    if (
        not isinstance(value, np.ndarray)
        or value.dtype.kind not in "biuf"
        or not 1 <= value.ndim <= 4
        or not value.size
    ):
        return False
    grids = slices(value.shape, layout)
    if len(grids) > MAX_SLICES:
        return False
    first = value[grids[0][0]]
    rows, columns = (1, first.shape[0]) if first.ndim == 1 else first.shape
    return rows <= MAX_SIDE and columns <= MAX_SIDE


def _grid(name: str, value: np.ndarray, layout: str, differs: np.ndarray | None = None) -> Grid:
    flags = () if differs is None else tuple(bool(f) for f in differs.ravel())
    values = tuple(float(v) for v in value.astype(np.float64).ravel())
    return Grid(name, tuple(value.shape), values, flags, layout)


def differing(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Cells to highlight: those not within the dtype's relative tolerance of the largest expected value (the
    verdict itself is the task comparator's; this only points the eye)."""
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    rtol = RELATIVE_TOLERANCE.get(np.dtype(expected.dtype), 1e-10) if expected.dtype.kind == "f" else 0.0
    with np.errstate(invalid="ignore"):
        close = np.abs(actual.astype(np.float64) - expected.astype(np.float64)) <= rtol * max(scale, 1.0)
    return ~close


def grids(inputs: dict, expected, actual) -> tuple[Grid, ...]:
    """The drawable arrays of a failing call: its array arguments, then the expected answer and the learner's
    (cells that differ flagged when the two have one shape). Nothing when the answers cannot both be drawn."""
    answers_drawable = _drawable(expected, "NHWC") and _drawable(actual, "NHWC")
    if not answers_drawable:
        return ()
    drawn = []
    for name, value in inputs.items():
        layout = "HWIO" if name in KERNEL_NAMES and getattr(value, "ndim", 0) == 4 else "NHWC"
        if _drawable(value, layout):
            drawn.append(_grid(name, value, layout))
    same_shape = expected.shape == actual.shape
    flags = differing(expected, actual) if same_shape else None
    drawn.append(_grid("expected", expected, "NHWC", flags))
    drawn.append(_grid("yours", actual, "NHWC", flags))
    return tuple(drawn)
