"""Comparators: does a learner's value agree with the reference's? None when it does, else what differs, or a
`Remark` when it agrees with something worth saying that costs no points (a dtype other than the expected one).

Floating results are compared with a tolerance scaled by the magnitude of the terms that were summed, not by
the size of the result: a correct float32 convolution whose terms cancel to almost zero has a large relative
error and must still pass. The magnitude is the reference applied to the absolute values of the inputs
(for a sum of products, |x| correlated with |w|), which bounds every partial sum.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from dataclasses import dataclass

import numpy as np

from grader.i18n import _
from grader.sandbox.codec import Foreign
from grader.spec import Call

# Relative to the summed magnitude. float64 results must be float64-accurate: a float32 computation of
# float64 inputs misses this by five orders of magnitude and fails.
RELATIVE_TOLERANCE = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-10}
MAX_LISTED = 5


@dataclass(frozen=True)
class Remark:
    """A verdict of a value that agrees, with a note that costs no points: a result in another dtype than the
    expected one (wider, or exact integers), right to the expected dtype's precision. `problem` is what the
    same value is where any dtype difference fails (`--strict-dtype`)."""

    note: str
    problem: str

    def named(self, name: str) -> Remark:
        """The remark about one array of a result made of several (`dx: ...`)."""
        return Remark(f"{name}: {self.note}", f"{name}: {self.problem}")


Verdict = str | Remark | None  # what a comparator returns (see `spec.Comparator`)


def settle(verdict, *, strict: bool = False) -> tuple[str | None, str | None]:
    """(problem, note) of a comparator's verdict: a remark is a note, or a problem when `strict`."""
    if isinstance(verdict, Remark):
        return (verdict.problem, None) if strict else (None, verdict.note)
    return verdict, None


def agrees(verdict, *, strict: bool = False) -> bool:
    return settle(verdict, strict=strict)[0] is None


def describe_type(value) -> str:
    if isinstance(value, Foreign):
        return value.type_name
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray (shape {value.shape}, dtype {value.dtype})"
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def _absolute(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.abs(value)
    if isinstance(value, float):
        return abs(value)
    return value


def magnitude_of_terms(call: Call, reference, absolute: tuple[int, ...] | None = None, part: int | None = None):
    """The reference applied to |inputs|: an upper bound of every partial sum the computation makes.

    `absolute` names the positional arguments whose terms are summed (None: every argument); the others
    keep their sign (a max pooling's gradient goes where the signed input's maximum is). `part` picks one
    array of a reference that returns several.
    """
    key = (id(reference), id(call), absolute)
    kept = _MAGNITUDES.get(key)
    if kept is not None and kept[0] is reference and kept[1] is call:
        result = kept[2]
    else:
        if absolute is None:
            args = tuple(_absolute(a) for a in call.args)
            kwargs = {k: _absolute(v) for k, v in call.kwargs.items()}
        else:
            args = tuple(_absolute(a) if i in absolute else a for i, a in enumerate(call.args))
            kwargs = call.kwargs
        result = reference(*args, **kwargs)
        if len(_MAGNITUDES) >= _MAGNITUDES_KEPT:
            _MAGNITUDES.clear()
        _MAGNITUDES[key] = (reference, call, result)  # holding both keeps their ids from being reused
    return np.abs(np.asarray(result if part is None else result[part], dtype=np.float64))


# The reference on |inputs| for each call judged, kept for the process: a marker judges the same calls (the
# sweep's, kept by `drawing`) for every student, and every student whose floats differ from the reference's in
# the last bits (most of a class: loops, another order of sums) has this tolerance computed, on every call.
_MAGNITUDES: dict[tuple[int, int, tuple[int, ...] | None], tuple[object, Call, object]] = {}
_MAGNITUDES_KEPT = 50_000


def tolerance(dtype: np.dtype, magnitude) -> np.ndarray:
    rtol = RELATIVE_TOLERANCE.get(np.dtype(dtype), 1e-10)
    return rtol * np.asarray(magnitude) + np.finfo(np.dtype(dtype)).tiny


def _fmt(value) -> str:
    """A value in a sentence: positional (0.125, 3) where that stays short and true, else scientific (1.797693e+308
    rather than 309 digits, 3e-08 rather than 0)."""
    if not np.isfinite(value):
        return str(value)
    if value != 0 and not 1e-4 <= abs(value) < 1e16:
        return f"{float(value):.7g}"
    return np.format_float_positional(value, precision=6, trim="-")


def differing_cells(expected: np.ndarray, actual: np.ndarray, allowed) -> str | None:
    """None when every cell is within `allowed`; else a sentence listing the worst cells."""
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bad = ~(diff <= allowed)  # NaN counts as a difference
    if not bad.any():
        return None
    positions = np.argwhere(bad)
    worst = tuple(int(i) for i in positions[np.argmax(np.where(np.isnan(diff), np.inf, diff)[bad])])
    listed = ", ".join(
        _("{index}: expected {expected}, got {actual}").format(
            index=tuple(int(i) for i in p), expected=_fmt(expected[tuple(p)]), actual=_fmt(actual[tuple(p)])
        )
        for p in positions[:MAX_LISTED]
    )
    more = _(" and {count} more").format(count=len(positions) - MAX_LISTED) if len(positions) > MAX_LISTED else ""
    return _("{count} of {size} values differ (largest difference {largest} at index {index}): {listed}").format(
        count=len(positions), size=expected.size, largest=_fmt(diff[worst]), index=worst, listed=listed + more
    )


def _array_problem(expected: np.ndarray, actual) -> str | None:
    """Type, shape and dtype problems, said plainly before any value is compared."""
    if not isinstance(actual, np.ndarray):
        return _("returned {kind}; expected a numpy.ndarray of shape {shape}").format(
            kind=describe_type(actual), shape=expected.shape
        )
    if actual.shape != expected.shape:
        return _("shape {shape}, expected {expected}").format(shape=actual.shape, expected=expected.shape)
    return None


@functools.lru_cache(maxsize=256)
def _signature(function) -> inspect.Signature:
    return inspect.signature(function)


def _dtype_source(call: Call, reference, dtype: np.dtype) -> str:
    """How the learner's code can name the expected dtype: `x.dtype` for the first argument that has it."""
    try:
        bound = call.bound(_signature(inspect.unwrap(reference)))  # said on every call of a wider-dtype answer
    except (TypeError, ValueError):
        bound = {}
    for name, value in bound.items():
        if isinstance(value, np.ndarray) and value.dtype == dtype:
            return f"{name}.dtype"
    return f"np.{dtype}"


def _dtype_remark(call: Call, reference, expected: np.dtype, actual: np.dtype) -> Remark:
    """The note on a right result in another dtype: what to change, and why the dtype matters."""
    fields = {"dtype": actual, "expected": expected, "source": _dtype_source(call, reference, expected)}
    change = _(
        "To return {expected}, create the result with np.zeros(shape, dtype={source}) or convert it at the "
        "end with .astype({source})."
    ).format(**fields)
    if actual.kind in "iu":
        said = _(
            "dtype {dtype} where {expected} is expected: the values are exact here, so no points are lost, but "
            "an integer array cannot hold fractions."
        ).format(**fields)
    elif actual.itemsize > expected.itemsize:
        said = _(
            "dtype {dtype} where {expected} is expected: right to {expected}'s precision, so no points are lost."
        ).format(**fields)
        change += " " + _(
            "Keras keeps float32: half the memory of float64, many times faster on GPUs, and a "
            "layer's output has the dtype of its weights."
        )
    else:
        said = _(
            "dtype {dtype} where {expected} is expected: right on these values, but {dtype} keeps fewer "
            "digits than the inputs have."
        ).format(**fields)
    problem = _("dtype {dtype}, expected {expected} (the inputs' result dtype)").format(**fields)
    return Remark(f"{said} {change}", problem)


def _fractional(expected) -> bool:
    return bool(np.any(np.asarray(expected) != np.round(expected)))


def _why_values_differ(call: Call, reference, expected: np.ndarray, actual: np.dtype) -> str:
    """For wrong values in an integer or a narrower dtype: the likely reason, said after the values."""
    wanted = expected.dtype
    source = _dtype_source(call, reference, wanted)
    if actual.kind in "iu":
        if not _fractional(expected):
            return ""
        return _(
            " (your result is an integer array, {dtype}: it cannot hold fractions; create it with dtype={source})"
        ).format(dtype=actual, source=source)
    if actual.itemsize < wanted.itemsize:
        return _(
            " (your result is {dtype}, which keeps about {digits} significant digits: {expected} inputs are "
            "judged at {expected}'s precision; compute in {expected}, dtype={source})"
        ).format(dtype=actual, digits=np.finfo(actual).precision, expected=wanted, source=source)
    return ""


@dataclass(frozen=True)
class ArraysClose:
    """A floating ndarray of the expected shape, equal within a magnitude-scaled tolerance.

    The tolerance is always the expected dtype's. A result in a wider float dtype (float64 for float32 inputs)
    or in an integer dtype with exact values agrees, with a `Remark`; a narrower one is judged at the expected
    dtype's precision, so float32 arithmetic on float64 inputs fails. `scale_by_terms=False` scales by the
    expected values instead (for results that are not sums); `absolute` says which positional arguments are
    summed (see `magnitude_of_terms`); `parts` names the arrays of a function that returns a tuple of them, such
    as a backward pass's (dx, dkernel, dbias).
    """

    scale_by_terms: bool = True
    absolute: tuple[int, ...] | None = None
    parts: tuple[str, ...] = ()

    def __call__(self, call: Call, expected, actual, reference) -> Verdict:
        if not self.parts:
            return self._array(call, expected, actual, reference, None)
        if not isinstance(actual, (tuple, list)) or len(actual) != len(self.parts):
            names = ", ".join(self.parts)
            return _("returned {kind}; expected a tuple of {count} arrays ({names})").format(
                kind=describe_type(actual), count=len(self.parts), names=names
            )
        remark = None
        for part, name in enumerate(self.parts):
            verdict = self._array(call, expected[part], actual[part], reference, part)
            if isinstance(verdict, Remark):
                remark = remark or verdict.named(name)
            elif verdict:
                return f"{name}: {verdict}"
        return remark

    def _array(self, call: Call, expected, actual, reference, part: int | None) -> Verdict:
        problem = _array_problem(expected, actual)
        if problem:
            return problem
        same = actual.dtype == expected.dtype
        integers = actual.dtype.kind in "iu" and expected.dtype.kind == "f"
        if not same and not integers and not (actual.dtype.kind == expected.dtype.kind == "f"):
            return _("dtype {dtype}, expected {expected} (the inputs' result dtype)").format(
                dtype=actual.dtype, expected=expected.dtype
            )
        if np.array_equal(actual, expected):  # the common case: no tolerance, so no second reference call
            problem = None
        elif integers:  # whole numbers where fractions are expected: right only when exact
            problem = differing_cells(expected, actual, 0)
        else:
            if self.scale_by_terms:
                magnitude = magnitude_of_terms(call, reference, self.absolute, part)
            else:
                magnitude = np.abs(expected)
            problem = differing_cells(expected, actual, tolerance(expected.dtype, magnitude))
        if same:
            return problem
        if problem:
            return problem + _why_values_differ(call, reference, expected, actual.dtype)
        return _dtype_remark(call, reference, expected.dtype, actual.dtype)


@dataclass(frozen=True)
class ScalarClose:
    """A real number within tolerance: a Python float or a numpy floating scalar, or an int (a Remark) when the
    expected number is exactly that whole number."""

    def __call__(self, call: Call, expected, actual, reference) -> Verdict:
        whole = isinstance(actual, numbers.Integral) and not isinstance(actual, bool)
        if not whole and (isinstance(actual, bool) or not isinstance(actual, (float, np.floating))):
            return _("returned {kind}; expected a float").format(kind=describe_type(actual))
        if whole:
            if float(actual) != expected:
                differs = _("expected {expected}, got {actual}").format(expected=_fmt(expected), actual=actual)
                return differs + (_(" (an int cannot hold fractions: return a float)") if _fractional(expected) else "")
            problem = _("returned {kind}; expected a float").format(kind=describe_type(actual))
            note = _(
                "returned the int {value}: exact here, so no points are lost, but return a float (float(...), "
                "or np.sum of float arrays), since most such sums have fractions."
            ).format(value=actual)
            return Remark(note, problem)
        magnitude = magnitude_of_terms(call, reference)
        dtype = np.result_type(*(a for a in call.args if isinstance(a, np.ndarray)))
        allowed = tolerance(dtype, magnitude)
        if not abs(float(actual) - expected) <= allowed:
            return _("expected {expected}, got {actual}").format(expected=_fmt(expected), actual=_fmt(float(actual)))
        return None


@dataclass(frozen=True)
class IntegersEqual:
    """An ndarray of any integer dtype with exactly the expected values."""

    def __call__(self, call: Call, expected, actual, reference) -> str | None:
        problem = _array_problem(expected, actual)
        if problem:
            return problem
        if actual.dtype.kind not in "iu":
            return _("dtype {dtype}; expected an integer array (counts are whole numbers)").format(dtype=actual.dtype)
        return differing_cells(expected, actual, 0)


class NotExact(Exception):
    """A value that is not made of ints, tuples/lists and str-keyed dicts (said in `args[0]`)."""


def exact_form(value):
    """ints (numpy ints too, never bools or floats), tuples for lists and tuples, dicts: or NotExact."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (tuple, list)):
        return tuple(exact_form(item) for item in value)
    if isinstance(value, dict):
        return {key: exact_form(item) for key, item in value.items()}
    raise NotExact(f"{describe_type(value)} {value!r}")


def _expected_kind(expected) -> str:
    if isinstance(expected, tuple):
        return _("a tuple of {count} ints").format(count=len(expected))
    if isinstance(expected, dict):
        return _("a dict with the keys {keys}").format(keys=sorted(expected))
    return _("an int")


def _same_kind(expected, actual) -> bool:
    """A list may stand for a tuple of the same length; a dict needs the same keys; a number for an int."""
    if isinstance(expected, tuple):
        return isinstance(actual, (tuple, list)) and len(actual) == len(expected)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(actual) == set(expected)
    return isinstance(actual, numbers.Number)


@dataclass(frozen=True)
class ExactValue:
    """Whole numbers, counts and shapes: exactly equal, with ints as ints (a list may stand for a tuple)."""

    def __call__(self, call: Call, expected, actual, reference) -> str | None:
        if not _same_kind(expected, actual):
            return _("returned {kind} {value}; expected {expected}").format(
                kind=describe_type(actual), value=repr(actual), expected=_expected_kind(expected)
            )
        try:
            value = exact_form(actual)
        except NotExact:
            return _("returned {value}; every number must be an int (shapes and counts are whole numbers)").format(
                value=repr(actual)
            )
        if value != expected:
            return _("expected {expected}, got {actual}").format(expected=repr(expected), actual=repr(value))
        return None


def unchanged(before, after) -> bool:
    """Whether an argument came back from the learner's call exactly as it went in."""
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and before.dtype == after.dtype
            and before.tobytes() == after.tobytes()
        )
    if isinstance(before, (tuple, list)):
        return (
            type(before) is type(after)
            and len(before) == len(after)
            and all(unchanged(b, a) for b, a in zip(before, after, strict=True))
        )
    if isinstance(before, dict):
        return (
            type(after) is dict
            and before.keys() == after.keys()
            and all(unchanged(value, after[key]) for key, value in before.items())
        )
    return type(before) is type(after) and before == after
