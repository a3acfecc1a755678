"""The sample image `grade show` runs the learner's functions on: made here, by code, and shipped in the package.

A 64x64 RGB uint8 scene with something for every lesson: a horizontal gradient behind everything (a blur keeps
it, a Laplacian flattens it), a square with sharp corners (edges for Sobel and Laplacian kernels, and for
padding to meet at the border), vertical stripes two pixels wide (a box blur smears them into grey, pooling of
size 2 keeps or averages them away), a disc (a round edge) and a single bright dot (max pooling keeps it, average
pooling dims it). Nothing is downloaded and no licence applies: `python -m grader.showing.sample` writes the file
again, bit for bit (tests/showing checks that the shipped file is what `make()` gives).
"""

from __future__ import annotations

import functools
import io
from importlib import resources

import numpy as np

FILE = "sample_image.npy"
SIDE = 64


def make(side: int = SIDE) -> np.ndarray:
    """The scene as an (side, side, 3) uint8 array, the same on every machine."""
    rows, columns = np.mgrid[0:side, 0:side].astype(np.float64) / side
    red = 40 + 120 * columns  # the gradient: dark on the left, brighter on the right
    green = 30 + 60 * rows
    blue = 90 + 60 * (1 - columns)
    square = (rows > 0.12) & (rows < 0.45) & (columns > 0.1) & (columns < 0.43)
    red[square], green[square], blue[square] = 235, 200, 40
    stripes = (rows > 0.62) & (rows < 0.9) & (columns > 0.08) & (columns < 0.5) & ((np.arange(side) // 2) % 2 == 0)
    red[stripes], green[stripes], blue[stripes] = 250, 250, 250
    disc = (rows - 0.68) ** 2 + (columns - 0.72) ** 2 < 0.2**2
    red[disc], green[disc], blue[disc] = 30, 170, 220
    dot = (slice(side // 5, side // 5 + 1), slice(3 * side // 4, 3 * side // 4 + 1))
    red[dot], green[dot], blue[dot] = 255, 255, 255
    return np.rint(np.stack([red, green, blue], axis=-1)).clip(0, 255).astype(np.uint8)


@functools.cache
def _shipped() -> bytes:
    return resources.files("grader.showing").joinpath(FILE).read_bytes()


def load() -> np.ndarray:
    """The shipped sample image, found through the installed package (a wheel, a release, a source tree alike);
    a fresh copy each time, so that no caller changes another's."""
    return np.load(io.BytesIO(_shipped()), allow_pickle=False)


def grayscale(image: np.ndarray) -> np.ndarray:
    """An RGB image as float64 luminance (ITU-R BT.601 weights), in the image's 0-255 range."""
    return np.asarray(image, dtype=np.float64) @ np.array([0.299, 0.587, 0.114])


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name(FILE)
    np.save(target, make(), allow_pickle=False)
    print(f"wrote {target} ({target.stat().st_size} bytes)")
