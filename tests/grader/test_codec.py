"""What crosses from the learner's process is plain data: it can never run code in the grader."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from grader.sandbox import codec
from grader.sandbox.codec import Foreign, ProtocolError


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.arange(4, dtype=np.int16)[::2],  # not contiguous
        np.float64(2.5),
        (1, [2.0, None], "x", complex(1, -2), float("nan")),
        {"a": np.zeros(2)},
        np.zeros((0, 3)),
    ],
)
def test_values_round_trip(value):
    back = codec.round_trip(value)
    if isinstance(value, dict):
        assert back.keys() == value.keys()
        np.testing.assert_array_equal(back["a"], value["a"])
    elif isinstance(value, tuple):
        assert back[:4] == value[:4] and np.isnan(back[4])
    else:
        assert type(back) is type(value) and back.dtype == value.dtype
        np.testing.assert_array_equal(back, value)


def test_other_objects_arrive_as_named_placeholders():
    class Sneaky:
        def __repr__(self):
            return "Sneaky()"

    back = codec.round_trip(Sneaky())
    assert isinstance(back, Foreign) and back.type_name.endswith("Sneaky") and back.text == "Sneaky()"
    subclass = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    assert codec.round_trip(subclass).type_name == "numpy.ma.MaskedArray"
    assert isinstance(codec.round_trip(np.array(["a"])), Foreign)


def test_an_ndarray_subclass_that_lies_arrives_as_a_placeholder_without_running_its_code():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

        def __array_ufunc__(self, *args, **kwargs):
            raise AssertionError("never called")

    back = codec.round_trip(np.zeros(3).view(Liar))
    assert isinstance(back, Foreign) and back.type_name.endswith("Liar")


def test_an_object_with_reduce_is_never_serialised_by_pickle(tmp_path):
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):
            return (marker.write_text, ("this must never run",))

    assert isinstance(codec.round_trip(Boom()), Foreign) and not marker.exists()


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(("ok", 1)),  # a pickle is not a reply, whatever it holds
        b"\xff\xff\xff\x7f{}",
        codec._JSON_LENGTH.pack(2) + b"[]",
        codec._JSON_LENGTH.pack(30) + json.dumps({"tree": ["nd", "<f8", [9], 0], "buffers": [8]}).encode() + b"x" * 8,
        codec._JSON_LENGTH.pack(43) + json.dumps({"tree": ["nd", "|O", [1], 0], "buffers": [8]}).encode() + b"x" * 8,
        codec._JSON_LENGTH.pack(30) + json.dumps({"tree": ["zz", 1], "buffers": []}).encode(),
    ],
    ids=["pickle", "garbage", "no-tree", "short-buffer", "object-dtype", "unknown-tag"],
)
def test_a_malformed_reply_is_a_protocol_error(payload):
    with pytest.raises(ProtocolError):
        codec.unpack_reply(payload)


def test_learner_text_cannot_carry_terminal_escapes():
    class Screen:
        def __repr__(self):
            return "\x1b[2J\x1b[Hscore 10/10"

    assert codec.round_trip(Screen()).text == "\\x1b[2J\\x1b[Hscore 10/10"
    assert codec.printable("fake\x9b\r\nline\tend") == "fake\\x9b\\x0d\nline\tend"


def test_an_exceptions_own_colour_codes_are_dropped_and_other_control_characters_still_shown():
    keras_style = "\x1b[1mInvalid dtype: <class 'str'>\x1b[0m \x1b]8;;https://keras.io\x07docs\x1b]8;;\x1b\\ \x1b(B"
    assert codec.error_text(keras_style) == "Invalid dtype: <class 'str'> docs "
    assert codec.error_text("clear\x1b") == "clear\\x1b"  # a lone escape is no sequence: shown, not obeyed
    assert codec.error_text("bell\x07 and \x9b") == "bell\\x07 and \\x9b"
