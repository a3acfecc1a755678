"""Whether a call changed its arguments is told in the learner's process, by a fingerprint taken before and after
the call: arguments the call left alone are not sent back (that cost more than most calls), and changed ones
are, for the grader to name (`engine`: "your function changed its input ..."). The fingerprint must see every
change the grader's own comparison (`compare.unchanged`) sees."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox.learner import _fingerprint
from grader.sandbox.worker import Worker
from grader.spec import Call


def _changed(args: tuple, kwargs: dict, change) -> bool:
    before = _fingerprint((args, kwargs))
    change(args, kwargs)
    return _fingerprint((args, kwargs)) != before


def _set_shape(a):
    a.shape = (a.size,)


@pytest.mark.parametrize(
    "change",
    [
        lambda a, k: a[0].__setitem__((0, 0), 9.0),  # a value
        lambda a, k: a[0].fill(0.0),
        lambda a, k: _set_shape(a[0]),  # its shape, in place
        lambda a, k: setattr(a[0], "dtype", np.int64),  # its dtype, the same bytes
        lambda a, k: a[1].append(3),  # a list's length
        lambda a, k: a[1].__setitem__(0, 1.0),  # an item replaced by an equal one of another type
        lambda a, k: k["shape"].__setitem__("h", 5),  # a dict's item
        lambda a, k: k["shape"].pop("w"),
        lambda a, k: a[2][0].__setitem__(0, -1),  # a list inside a tuple
    ],
    ids=["value", "fill", "shape", "dtype", "append", "retyped", "dict-item", "dict-key", "nested"],
)
def test_every_change_to_an_argument_is_seen(change):
    args = (np.arange(6.0).reshape(2, 3), [1, 2], ([0, 1], "same"))
    assert _changed(args, {"shape": {"h": 4, "w": 4}}, change)


def test_arguments_left_alone_keep_their_fingerprint_nan_and_negative_zero_too():
    args = (np.array([np.nan, -0.0]), float("nan"), (3, "valid", None, True), [np.float64("nan")])
    assert not _changed(args, {"k": {"x": [1.5]}}, lambda a, k: (a[0].copy(), a[0].sum(), k["k"]["x"][0]))


def test_an_argument_of_another_type_is_always_sent_back_to_be_compared():
    class Box:
        pass

    box, objects = Box(), np.array([1, "a"], dtype=object)
    assert _changed((box,), {}, lambda a, k: None) and _changed((objects,), {}, lambda a, k: None)


SOURCE = """
def mutates(x, y):
    x[0] = 99
    return 0

def leaves(x, y):
    return x.sum() + y
"""


def test_a_reply_sends_the_arguments_back_only_when_the_call_changed_them(tmp_path):
    path = tmp_path / "calls.py"
    path.write_text(SOURCE)
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        left = worker.call("leaves", Call((np.zeros(3), 2)), 30)
        changed = worker.call("mutates", Call((np.zeros(3), 2)), 30)
    assert left.kind == "ok" and not left.echoed and left.args == ()
    assert changed.echoed and changed.args[0].tolist() == [99.0, 0.0, 0.0] and changed.args[1] == 2
