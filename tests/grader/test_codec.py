"""What crosses from the learner's process is plain data: it can never run code in the grader."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Bounds: whatever the learner's process sends, the grader holds and shows a bounded amount of it.


def test_a_long_text_arrives_with_its_start_and_end_and_says_how_much_was_cut():
    text = "start " + "x" * 10**6 + " end"
    back = codec.round_trip(text)
    assert len(back) <= codec.TEXT_CHARS and back.startswith("start xxx") and back.endswith("xxx end")
    head, said, rest = back.partition(" … (cut: ")
    count, _characters, tail = rest.partition(" characters) … ")
    assert said and int(count.replace(",", "")) == len(text) - len(head) - len(tail)
    assert codec.round_trip("short") == "short" and codec.round_trip("y" * codec.TEXT_CHARS) == "y" * codec.TEXT_CHARS


def test_names_and_dict_keys_are_cut_too():
    named = type("K" * 10**6, (), {"__repr__": lambda self: "r" * 10**6})()
    back = codec.round_trip({"k" * 10**6: named})
    ((key, value),) = back.items()
    assert len(key) <= codec.TEXT_CHARS and "(cut: " in key
    assert isinstance(value, Foreign)
    assert len(value.type_name) <= codec.NAME_CHARS and len(value.text) <= codec.REPR_CHARS
    assert "(cut: " in value.type_name and "(cut: " in value.text


def _forged(tree, buffers=b"") -> bytes:
    header = json.dumps({"tree": tree, "buffers": [len(buffers)] if buffers else []}).encode()
    return codec._JSON_LENGTH.pack(len(header)) + header + buffers


def test_the_grader_cuts_a_long_text_itself_whatever_the_worker_sent():
    plain = codec.unpack_reply(_forged(["v", "a" * 900_000]))
    said_cut = codec.unpack_reply(_forged(["x", "b" * 400_000, "c" * 400_000, 5]))
    assert len(plain) <= codec.TEXT_CHARS and "(cut: " in plain
    assert len(said_cut) <= codec.TEXT_CHARS and said_cut.startswith("bbb") and said_cut.endswith("ccc")
    assert "(cut: 7" in said_cut  # 800,005 characters less the ones shown
    with pytest.raises(ProtocolError):
        codec.unpack_reply(_forged(["x", "b", "c", -1]))


def test_a_reply_or_its_json_part_over_the_bound_is_refused_before_it_is_read():
    with pytest.raises(codec.TooLarge):
        codec.check_reply_size(codec.MAX_MESSAGE_BYTES + 1)
    codec.check_reply_size(codec.MAX_MESSAGE_BYTES)
    too_long = codec._JSON_LENGTH.pack(codec.MAX_TREE_BYTES + 1)
    with pytest.raises(codec.TooLarge):
        codec.check_tree_size(too_long, 2 * codec.MAX_TREE_BYTES)
    with pytest.raises(codec.TooLarge):
        codec.unpack_reply(_forged(["v", "a" * codec.MAX_TREE_BYTES]))


@pytest.mark.parametrize(
    "value",
    [
        [[0.0] * 1000 for _ in range(1000)],
        list(range(10**7)),
        [1, 2, 3, *(["x" * 3000] * 1000)],  # right at the start: a shortened list could pass for the answer
        {f"key{i}": "v" * 3000 for i in range(1000)},
    ],
    ids=["nested", "flat", "right-at-the-start", "dict"],
)
def test_a_container_too_large_to_send_arrives_as_a_placeholder_never_shortened(value):
    back = codec.round_trip(value)
    assert isinstance(back, Foreign) and back.type_name == type(value).__name__
    assert len(back.text) <= codec.REPR_CHARS and back.text.startswith(repr(value)[:5])


def test_an_array_or_an_int_too_large_to_send_arrives_as_a_placeholder_with_its_shape_or_size():
    length = codec.MAX_MESSAGE_BYTES // 8 + 1
    array = codec.round_trip(np.zeros(length))
    assert isinstance(array, Foreign) and array.type_name == f"numpy.ndarray (shape ({length},), dtype float64)"
    number = codec.round_trip(10**5000)
    assert isinstance(number, Foreign) and number.type_name == "int" and "16610-bit" in number.text


def test_the_largest_real_replies_arrive_whole():
    # a speed round of exercise 7 (three 2 MB outputs) and an observation the size of exercise 6's InceptionV3
    # model (231 layers: about 94 KB of JSON)
    outputs = [np.full((16, 32, 32, 32), i, dtype=np.float32) for i in range(3)]
    back_outputs, back_seconds = codec.round_trip((outputs, [0.1, 0.2, 0.3]))
    assert all(np.array_equal(a, b) for a, b in zip(back_outputs, outputs, strict=True))
    assert back_seconds == [0.1, 0.2, 0.3]
    layer = {"class": "Conv2D", "config": {f"setting_{i}": [3, 3] for i in range(12)}, "output_shape": [None, 8, 8, 64]}
    observation = {"kind": "model", "layers": [dict(layer, name=f"conv2d_{i}") for i in range(231)]}
    assert len(codec.pack_reply(observation)) > 90_000
    assert codec.round_trip(observation) == observation


def test_the_graders_own_data_is_kept_whole_when_asked():
    calls = [((np.arange(4.0) + i, "x" * 5000), {}, i) for i in range(20_000)]
    back = codec.unpack_reply(codec.pack_reply(calls, bounded=False), bounded=False)
    assert len(back) == len(calls) and back[-1][0][1] == "x" * 5000
    assert np.array_equal(back[-1][0][0], calls[-1][0][0])


_JSON_TREES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_JSON_TREES)
def test_the_replies_json_is_exactly_what_the_json_module_writes_and_reads(tree):
    """The codec's JSON without the json module's per-call setup: the same text (the calls shipped with the
    package are these bytes) and the same values back."""
    text = codec._dumps(tree)
    assert text == json.dumps(tree)
    assert codec._dumps(codec._loads(text)) == text


@pytest.mark.parametrize("text", ['{"a": 1} x', '{"a": 1}{}', " ", "", "[1,"])
def test_json_with_anything_after_it_or_nothing_is_refused(text):
    with pytest.raises((ValueError, StopIteration)):
        codec._loads(text)
    framed = codec._JSON_LENGTH.pack(len(text.encode())) + text.encode()
    with pytest.raises(ProtocolError):
        codec.unpack_reply(framed)
