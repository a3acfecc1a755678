"""The numbers in a comparison's sentence stay short and true: a difference at float64's edge is not 309 digits
long, and a tiny one that still fails is not printed as 0."""

from __future__ import annotations

import numpy as np

from grader.compare import differing_cells


def test_a_difference_at_float64s_edge_is_written_in_scientific_notation():
    expected = np.zeros((2, 2))
    actual = np.array([[np.finfo(float).max, 0.0], [0.0, 0.0]])
    sentence = differing_cells(expected, actual, 1e-9)
    assert "largest difference 1.797693e+308 at index (0, 0)" in sentence
    assert len(sentence) < 200


def test_a_tiny_difference_that_fails_is_not_written_as_zero():
    expected = np.ones(3)
    actual = expected + np.array([0.0, 3e-8, 0.0])
    sentence = differing_cells(expected, actual, 1e-10)
    assert "largest difference 3e-08 at index (1,)" in sentence


def test_ordinary_values_stay_positional():
    sentence = differing_cells(np.array([1.0, 2.5]), np.array([1.0, 3.0]), 1e-9)
    assert "largest difference 0.5 at index (1,)): (1,): expected 2.5, got 3" in sentence
