"""Comparators: dtype-aware tolerances scaled by the terms, and plain words for shape, dtype and type."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from grader.compare import ArraysClose, ExactValue, IntegersEqual, Remark, ScalarClose, settle, unchanged
from grader.sandbox.codec import Foreign
from grader.spec import Call
from grader.strategies import image_kernel_calls
from solutions.exercise1_convolution import apply_filter, correlate2d, laplacian_filter
from solutions.exercise7_fast_and_backward import conv2d_backward

close = ArraysClose()


@given(image_kernel_calls())
def test_float32_sequential_sums_of_a_correct_loop_pass(call):
    """A float32 loop that accumulates term by term (the worst order) is still correct."""
    image, kernel = call.args
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=image.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = image.dtype.type(0)
            for a in range(kh):
                for b in range(kw):
                    total = image.dtype.type(total + image[i + a, j + b] * kernel[a, b])
            out[i, j] = total
    assert close(call, correlate2d(image, kernel), out, correlate2d) is None


def test_cancellation_passes_where_a_relative_tolerance_on_the_result_would_fail():
    image = np.array([[1e4, 1.0, -1e4]], dtype=np.float32)
    kernel = np.ones((1, 3), dtype=np.float32)
    expected = correlate2d(image, kernel)  # 1.0, with terms of size 1e4
    off_by_rounding = expected + np.float32(5e-4)
    assert not np.allclose(off_by_rounding, expected, rtol=1e-5, atol=0)
    assert close(Call((image, kernel)), expected, off_by_rounding, correlate2d) is None


def test_float64_inputs_computed_in_float32_fail():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    expected = correlate2d(image, kernel)
    in_float32 = correlate2d(image.astype(np.float32), kernel.astype(np.float32)).astype(np.float64)
    problem = close(Call((image, kernel)), expected, in_float32, correlate2d)
    assert problem is not None and "values differ" in problem


@pytest.mark.parametrize(
    ("actual", "says"),
    [
        (np.zeros((2, 3), np.float32), "shape (2, 3), expected (2, 2)"),
        (np.zeros((2, 2), bool), "dtype bool, expected float32"),
        (np.zeros((2, 2), np.complex64), "dtype complex64, expected float32"),
        ([[0.0, 0.0], [0.0, 0.0]], "returned list; expected a numpy.ndarray of shape (2, 2)"),
        (Foreign("numpy.matrix", "matrix([[0, 0]])"), "returned numpy.matrix"),
        (np.full((2, 2), np.nan, np.float32), "4 of 4 values differ"),
    ],
)
def test_type_shape_dtype_and_nan_are_said_in_words(actual, says):
    image, kernel = np.ones((3, 3), np.float32), np.ones((2, 2), np.float32)
    problem = close(Call((image, kernel)), correlate2d(image, kernel), actual, correlate2d)
    assert problem is not None and problem.startswith(says)


def _float32_case(seed: int = 0):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(5, 6)).astype(np.float32), rng.normal(size=(3, 2)).astype(np.float32)
    return Call((image, kernel)), correlate2d(image, kernel)


def test_a_float64_result_of_float32_inputs_agrees_with_a_note_and_fails_only_when_strict():
    call, expected = _float32_case()
    in_float64 = correlate2d(*(a.astype(np.float64) for a in call.args))
    verdict = close(call, expected, in_float64, correlate2d)
    assert isinstance(verdict, Remark)
    problem, note = settle(verdict)
    assert problem is None
    assert note.startswith("dtype float64 where float32 is expected")
    assert "np.zeros(shape, dtype=image.dtype)" in note and ".astype(image.dtype)" in note and "GPU" in note
    assert settle(verdict, strict=True) == ("dtype float64, expected float32 (the inputs' result dtype)", None)


@pytest.mark.parametrize("within", [0.5, 2.0])
def test_a_wider_result_is_held_to_the_expected_dtypes_tolerance_not_stricter_not_looser(within):
    call, expected = _float32_case(1)
    magnitude = correlate2d(*(np.abs(a) for a in call.args)).astype(np.float64)
    off = expected.astype(np.float64) + within * 2e-5 * magnitude  # float32's relative tolerance is 2e-5
    verdict = close(call, expected, off, correlate2d)
    if within < 1:
        assert isinstance(verdict, Remark)  # float64's own tolerance (1e-10) would fail it
    else:
        assert isinstance(verdict, str) and "values differ" in verdict


def test_wrong_values_in_a_wider_dtype_fail():
    call, expected = _float32_case()
    wrong = correlate2d(*(a.astype(np.float64) for a in call.args)) + 0.1
    verdict = close(call, expected, wrong, correlate2d)
    assert isinstance(verdict, str) and "values differ" in verdict


def test_a_narrower_result_is_judged_at_the_inputs_precision_and_says_why():
    rng = np.random.default_rng(2)
    image, kernel = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    expected = correlate2d(image, kernel)
    verdict = close(Call((image, kernel)), expected, expected.astype(np.float32), correlate2d)
    assert isinstance(verdict, str) and "values differ" in verdict
    assert "your result is float32, which keeps about 6 significant digits" in verdict


def test_integer_arrays_pass_where_floats_are_expected_only_when_exact():
    expected = laplacian_filter()
    integers = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    verdict = close(Call(), expected, integers, laplacian_filter)
    assert isinstance(verdict, Remark) and "cannot hold fractions" in verdict.note
    assert "dtype=np.float64" in verdict.note  # no argument to take the dtype from
    wrong = integers.copy()
    wrong[1, 1] = -3
    assert close(Call(), expected, wrong, laplacian_filter).startswith("1 of 9 values differ")
    call, fractions = _float32_case()
    rounded = close(call, fractions, np.round(fractions).astype(np.int64), correlate2d)
    assert isinstance(rounded, str) and "your result is an integer array, int64" in rounded


def test_a_backward_pass_in_a_wider_dtype_names_the_part_once():
    rng = np.random.default_rng(3)
    x, kernel = rng.normal(size=(1, 4, 4, 2)).astype(np.float32), rng.normal(size=(2, 2, 2, 3)).astype(np.float32)
    dout = rng.normal(size=(1, 3, 3, 3)).astype(np.float32)
    call = Call((dout, x, kernel))
    expected = conv2d_backward(dout, x, kernel)
    wider = (expected[0], expected[1].astype(np.float64), expected[2].astype(np.float64))
    verdict = ArraysClose(parts=("dx", "dkernel", "dbias"))(call, expected, wider, conv2d_backward)
    assert isinstance(verdict, Remark) and verdict.note.startswith("dkernel: dtype float64 where float32")
    assert "np.zeros(shape, dtype=dout.dtype)" in verdict.note
    wrong = (expected[0] + 1, *wider[1:])
    assert ArraysClose(parts=("dx", "dkernel", "dbias"))(call, expected, wrong, conv2d_backward).startswith("dx: ")


def test_differences_list_the_first_cells_and_the_largest():
    expected = np.zeros((3, 3))
    actual = expected.copy()
    actual[0, 1], actual[2, 2] = 1.0, 5.0
    problem = ArraysClose(scale_by_terms=False)(Call(), expected, actual, None)
    assert problem.startswith("2 of 9 values differ (largest difference 5 at index (2, 2))")
    assert "(0, 1): expected 0, got 1" in problem


def test_scalars_must_be_floats_within_tolerance():
    region, kernel = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    call = Call((region, kernel))
    assert ScalarClose()(call, 11.0, np.float64(11.0), apply_filter) is None
    assert ScalarClose()(call, 11.0, 11.0 + 1e-13, apply_filter) is None
    assert "expected a float" in ScalarClose()(call, 11.0, np.array(11.0), apply_filter)
    assert "expected a float" in ScalarClose()(call, 11.0, True, apply_filter)
    assert ScalarClose()(call, 11.0, 12.0, apply_filter) == "expected 11, got 12"


def test_an_int_scalar_passes_with_a_note_only_when_it_is_the_expected_whole_number():
    region, kernel = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    call = Call((region, kernel))
    verdict = ScalarClose()(call, 11.0, np.int64(11), apply_filter)
    assert isinstance(verdict, Remark) and verdict.note.startswith("returned the int 11")
    assert settle(verdict, strict=True)[0] == "returned numpy.int64; expected a float"
    assert ScalarClose()(call, 11.0, 12, apply_filter) == "expected 11, got 12"
    assert (
        ScalarClose()(call, 11.5, 11, apply_filter)
        == "expected 11.5, got 11 (an int cannot hold fractions: return a float)"
    )


def test_exact_values_accept_lists_and_numpy_ints_but_not_floats_or_bools():
    equal = ExactValue()
    assert equal(Call(), (1, 2), [np.int64(1), 2], None) is None
    assert "every number must be an int" in equal(Call(), (1, 2), (1.0, 2.0), None)
    assert "every number must be an int" in equal(Call(), (1, 2), (True, 2), None)
    assert equal(Call(), (1, 2), (2, 1), None) == "expected (1, 2), got (2, 1)"
    assert "expected a tuple of 2 ints" in equal(Call(), (1, 2), 3, None)
    assert "expected a tuple of 2 ints" in equal(Call(), (1, 2), (1, 2, 3), None)


def test_exact_counts_and_dicts():
    equal = ExactValue()
    assert equal(Call(), 640, np.int32(640), None) is None
    assert "every number must be an int" in equal(Call(), 640, 640.0, None)
    assert equal(Call(), 640, 576, None) == "expected 640, got 576"
    totals = {"total": 3, "trainable": 2, "non_trainable": 1}
    assert equal(Call(), totals, {"total": 3, "trainable": 2, "non_trainable": np.int64(1)}, None) is None
    assert "expected a dict with the keys" in equal(Call(), totals, {"total": 3, "trainable": 3}, None)
    assert "expected a dict with the keys" in equal(Call(), totals, (3, 2, 1), None)


def test_count_arrays_take_any_integer_dtype():
    expected = np.array([1, 2, 1])
    assert IntegersEqual()(Call(), expected, expected.astype(np.int32), None) is None
    assert "integer array" in IntegersEqual()(Call(), expected, expected.astype(float), None)


def test_unchanged_is_bitwise_and_type_exact():
    a = np.array([1.0, -0.0])
    assert unchanged(a, a.copy())
    assert not unchanged(a, np.array([1.0, 0.0]))  # -0.0 became 0.0
    assert not unchanged(a, a.astype(np.float32))
    assert unchanged(((1, 2), (0, 0)), ((1, 2), (0, 0)))
    assert not unchanged((1, 2), [1, 2])
    assert unchanged({"bias": np.ones(2)}, {"bias": np.ones(2)})
    assert not unchanged({"bias": np.ones(2)}, {"bias": np.zeros(2)})
    assert not unchanged({"bias": np.ones(2)}, {})
