"""The errors real learners hit, explained: one sentence with the usual fix, added under the error's message.

Each rule is declared once below: the exception's type, a pattern on its message and, where the message alone
cannot tell, a pattern on the learner's own source lines that the worker sends with it (see
`worker._learner_traceback`). What the learner's process sends is untrusted: it only ever picks which sentence
is shown, never a mark. The first rule that matches wins; an error no rule knows gets no sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from grader.i18n import N_, translate

# "  line 12, in conv2d: out = float(b)" or "  work.ipynb [cell 3], line 4, in f: ..." (`worker._learner_traceback`)
_SOURCE_LINE = re.compile(r"^  (?:.*?, )?line \d+, in [^:]*: (.*)$", re.MULTILINE)
_HEAD = re.compile(r"\A(\w+)(?::|\n|\Z)")


@dataclass(frozen=True)
class Explanation:
    """A common cause of an error and its fix, recognised from the exception and the learner's lines."""

    name: str
    errors: tuple[str, ...]  # exception class names, e.g. ("TypeError",)
    message: str  # a regular expression searched in the exception's message
    text: str  # one sentence with the fix, an English msgid
    line: str | None = None  # a regular expression one of the learner's source lines must hold

    def matches(self, error: str, said: str, lines: list[str]) -> bool:
        if error not in self.errors or not re.search(self.message, said):
            return False
        return self.line is None or any(re.search(self.line, line) for line in lines)


_SHAPE_WITH_ZERO = r"\((?:[^)]*,\s*)?0\s*(?:,[^)]*)?\)"  # a shape such as (0,3), (2,0,1) or (0,)

_EMPTY_SLICE = N_(
    "A slice came out empty (a 0 in its shape): x[pad:-pad] keeps nothing when pad is 0, and a window that "
    "starts past the edge keeps nothing either; spell the ends out, as in x[pad:x.shape[0] - pad]."
)
_FLOAT_SIZE = N_(
    "A size or an index came out as a float: / always gives a float in Python 3, so use // in size formulas, as "
    "in (n - k) // stride + 1."
)

RULES = (
    Explanation(
        "numpy2_scalar_of_array",
        ("TypeError",),
        r"only (?:0-dimensional|size-1|length-1) arrays can be converted to Python scalars",
        N_(
            "NumPy 2 turns only an array without dimensions into a number (float(b) of a (1, 1, 1) bias or int() "
            "of a 1-element array fails): take its one value with b.item() or b[0, 0, 0]."
        ),
    ),
    Explanation(
        "empty_pad_slice",
        ("ValueError", "IndexError"),
        r"",
        N_(
            "x[pad:-pad] is empty when pad is 0 (-0 is 0, so the slice ends where it starts): write "
            "x[pad:x.shape[0] - pad] with the end spelled out, or pad with np.pad and crop with explicit ends."
        ),
        line=r"\b(\w+)\s*:\s*-\s*\1\b",
    ),
    Explanation(
        "empty_slice_broadcast",
        ("ValueError",),
        r"could not broadcast input array from shape "
        + _SHAPE_WITH_ZERO
        + r"|operands could not be broadcast together with shapes (?:\S+ )*"
        + _SHAPE_WITH_ZERO,
        _EMPTY_SLICE,
    ),
    Explanation(
        "window_past_the_edge",
        ("ValueError",),
        r"zero-size array to reduction operation \w+ which has no identity|attempt to get arg\w+ of an empty sequence",
        N_(
            "A window ran past the edge of the input and came out empty: the last window starts at (out - 1) * "
            "stride, so a 'valid' output has (n - k) // stride + 1 positions along each axis (pad first for 'same')."
        ),
    ),
    Explanation(
        "window_of_the_wrong_size",
        ("ValueError",),
        r"could not broadcast input array from shape|operands could not be broadcast together with shapes",
        N_(
            "An array met a slot or an array of another shape (the message gives both): a window slice "
            "x[i * stride : i * stride + k] must be exactly k long, and what you write into out[:, i, j, :] must "
            "have that slot's shape (no keepdims=True)."
        ),
    ),
    Explanation(
        "window_larger_than_input",
        ("ValueError",),
        r"window shape cannot be larger than input array shape",
        N_(
            "sliding_window_view got a window larger than the (padded) input: the padding came out too small, so "
            "check the 'same' amounts, total = max((ceil(n / stride) - 1) * stride + k' - n, 0)."
        ),
    ),
    Explanation(
        "float_size",
        ("TypeError", "IndexError"),
        r"'float' object cannot be interpreted as an integer|only integers, slices \(`:`\), ellipsis",
        _FLOAT_SIZE,
    ),
    Explanation(
        "float_slice_index",
        ("TypeError",),
        r"slice indices must be integers",
        _FLOAT_SIZE,
        line=r"[^/]/[^/=]",  # a true division on one of the lines shown
    ),
    Explanation(
        "pair_taken_as_int",
        ("TypeError",),
        r"unsupported operand type\(s\) for [^:]+: '(?:int|float)' and 'tuple'|: 'tuple' and '(?:int|float)'",
        N_(
            "A size came as a pair (h, w): pool_size, strides and kernel sizes may be an int or a tuple, so make "
            "each a pair first, as in ph, pw = (p, p) if isinstance(p, int) else p."
        ),
    ),
    Explanation(
        "keras3_metrics_string",
        ("ValueError",),
        r"Expected `metrics` argument to be a list, tuple, or dict",
        N_("Keras 3 takes metrics as a list (Keras 2 also took a bare string): write metrics=['accuracy']."),
    ),
    Explanation(
        "keras3_output_shape",
        ("AttributeError",),
        r"has no attribute '(?:output|input)_shape'",
        N_(
            "Keras 3 layers have no output_shape or input_shape attribute (Keras 2's): read layer.output.shape, or "
            "call model.summary() to see every layer's shape."
        ),
    ),
    Explanation(
        "keras3_checkpoint_path",
        ("ValueError",),
        r"filepath provided must end in `\.keras`|filepath provided must end in `\.weights\.h5`",
        N_(
            "Keras 3 saves a whole model only to a path ending in .keras and the weights alone "
            "(save_weights_only=True) only to one ending in .weights.h5: Keras 2's .hdf5 and .h5 weight files are "
            "refused, so change the path's ending."
        ),
    ),
)


def find(report: str) -> Explanation | None:
    """The rule that explains an error reported as `worker._learner_traceback` writes it ("TypeError: ..."
    and then the learner's lines), or None."""
    head = _HEAD.match(report)
    if head is None:
        return None
    lines = _SOURCE_LINE.findall(report)
    said = _SOURCE_LINE.sub("", report)  # the exception's own words, without the learner's lines
    return next((rule for rule in RULES if rule.matches(head.group(1), said, lines)), None)


def explained(message: str, report: str) -> str:
    """`message` with the explanation of the error `report`, in the current language, on a line of its own."""
    rule = find(report)
    return message if rule is None else f"{message}\n{translate(rule.text)}"


def _arrays(value) -> list:
    """The arrays of a result: itself, or those of a tuple or list of results (dx, dkernel, dbias)."""
    if isinstance(value, (tuple, list)):
        return [a for part in value for a in _arrays(part)]
    return [value] if isinstance(value, np.ndarray) else []


def empty_result(expected, actual) -> str:
    """For a wrong answer that is empty along an axis where the expected one is not (the symptom of
    x[pad:-pad] with pad 0, without an error), the empty-slice sentence on a line of its own; else ""."""
    mine, theirs = _arrays(actual), _arrays(expected)
    emptied = any(0 in a.shape and 0 not in e.shape for a, e in zip(mine, theirs, strict=False))
    return f"\n{translate(_EMPTY_SLICE)}" if emptied else ""
