"""The sample image `grade show` draws on: made by code, shipped as package data (found through the package, so
an installed grader and a student release have it too), and holding what each lesson needs to show."""

from __future__ import annotations

import fnmatch
import json
from importlib import resources

import numpy as np
import pytest

from grader.classroom import release
from grader.showing import sample
from tests.conftest import ROOT


def test_the_shipped_image_is_exactly_what_the_script_makes():
    shipped = sample.load()

    assert shipped.shape == (64, 64, 3) and shipped.dtype == np.uint8
    np.testing.assert_array_equal(shipped, sample.make())


def test_the_image_is_read_through_the_package_and_not_a_path_of_the_source_tree():
    held = resources.files("grader.showing").joinpath(sample.FILE)

    assert held.is_file() and held.read_bytes() == sample._shipped()
    assert sample.load() is not sample.load()  # a fresh copy each time: no caller changes another's


def test_the_wheel_and_the_student_release_both_carry_the_image():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    held = f"showing/{sample.FILE}"

    assert "grader.showing" in settings["packages"]
    assert any(fnmatch.fnmatch(held, pattern) for pattern in settings["package-data"]["grader"])
    assert any(fnmatch.fnmatch(held, pattern) for pattern in release._COPIED)
    assert any(fnmatch.fnmatch(held, pattern) for pattern in json.loads(release._PACKAGE_DATA))


def test_the_scene_has_edges_stripes_a_gradient_and_a_single_bright_dot():
    grey = sample.grayscale(sample.make())

    assert grey[5, 60] > grey[5, 2] + 20  # the gradient: brighter on the right
    stripes = grey[50, 6:30]
    assert np.ptp(stripes) > 150 and (np.diff(stripes) != 0).sum() >= 10  # stripes two pixels wide
    assert grey[12, 48] == grey.max() and grey[12, 47] < grey.max() - 100  # one bright pixel
