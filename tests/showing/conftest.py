"""Shared by the tests of `grade show`: the sample image's arrays as the tests compute them on their own, and the
pictures of a drawn figure by their names (each AxesImage's gid, such as "yours:0")."""

from __future__ import annotations

import numpy as np

from grader.showing import api, sample
from tests.conftest import ROOT

SOBEL_X = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def grey() -> np.ndarray:
    return sample.make().astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def correlated(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation written out, offset by offset (not the grader's code)."""
    kh, kw = kernel.shape
    h, w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return sum(kernel[a, b] * image[a : a + h, b : b + w] for a in range(kh) for b in range(kw))


def pictures(shown) -> dict[str, np.ndarray]:
    """Every image drawn for `shown`, by name, as the figure holds it."""
    with api.drawn(shown, "en") as fig:
        return {
            image.get_gid(): np.asarray(image.get_array())
            for ax in _axes(fig)
            for image in ax.get_images()
            if image.get_gid()
        }


def axes_by_name(fig) -> dict:
    return {image.get_gid(): ax for ax in _axes(fig) for image in ax.get_images() if image.get_gid()}


def _axes(fig):
    for sub in fig.subfigs:
        yield from sub.axes
        yield from _axes(sub)


def mistake(tmp_path, exercise_module: str, name: str):
    """The reference solution with a classic mistake appended (solutions/mistakes/), as a learner's file."""
    path = tmp_path / f"{exercise_module}.py"
    reference = (ROOT / "solutions" / f"{exercise_module}.py").read_text()
    wrong = (ROOT / "solutions" / "mistakes" / exercise_module / f"{name}.py").read_text()
    path.write_text(reference + "\n\n" + wrong)
    return path
