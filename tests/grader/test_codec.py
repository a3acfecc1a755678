"""What crosses from the learner's process is plain data: it can never run code in the grader."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from grader import codec
from grader.codec import Foreign


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.arange(4, dtype=np.int16)[::2],  # not contiguous
        np.float64(2.5),
        (1, [2.0, None], "x"),
        {"a": np.zeros(2)},
        np.zeros((0, 3)),
    ],
)
def test_values_round_trip(value):
    back = codec.decode(codec.loads_untrusted(codec.dumps(codec.encode(value))))
    if isinstance(value, dict):
        assert back.keys() == value.keys()
        np.testing.assert_array_equal(back["a"], value["a"])
    elif isinstance(value, tuple):
        assert back == value
    else:
        assert type(back) is type(value) and back.dtype == value.dtype
        np.testing.assert_array_equal(back, value)


def test_other_objects_arrive_as_named_placeholders():
    class Sneaky:
        def __repr__(self):
            return "Sneaky()"

    back = codec.decode(codec.encode(Sneaky()))
    assert isinstance(back, Foreign) and back.type_name.endswith("Sneaky") and back.text == "Sneaky()"
    subclass = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    assert codec.decode(codec.encode(subclass)).type_name == "numpy.ma.MaskedArray"
    assert isinstance(codec.decode(codec.encode(np.array(["a"]))), Foreign)


def test_a_pickle_with_a_global_is_refused():
    class Boom:
        def __reduce__(self):
            return (print, ("this must never run in the grader",))

    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        codec.loads_untrusted(pickle.dumps(Boom()))
