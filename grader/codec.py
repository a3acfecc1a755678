"""Safe transport of values from the learner's worker back to the grader.

The worker turns whatever the learner returned into a tree of builtins (tuples, lists, str, bytes, numbers)
and pickles that. The grader unpickles with an unpickler that refuses every global, so a learner's object can
never run code in the grader's process: all it can send is plain data. Numpy arrays travel as their dtype,
shape and bytes; anything else arrives as a `Foreign` placeholder naming its type.

This module is imported by the worker, so it imports nothing from the grader and nothing heavy.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass

import numpy as np

_NUMERIC_KINDS = "biufc"
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Foreign:
    """A value of a type that cannot cross the process boundary as data (shown by its type and repr)."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def _type_name(value) -> str:
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _short_repr(value) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a learner's __repr__ may raise anything
        text = f"(repr failed: {type(exc).__name__})"
    return text if len(text) <= 300 else text[:300] + "..."


def encode(value, _depth: int = 0):
    """A builtins-only tree that `decode` turns back into the value (or a `Foreign` placeholder)."""
    if _depth > 20:
        return ("o", "nested too deeply", "")
    cls = type(value)
    if value is None or cls in (bool, int, float, complex, str):
        return ("v", value)
    if cls is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        return ("nd", value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
    if isinstance(value, np.generic) and cls.__module__ == "numpy" and value.dtype.kind in _NUMERIC_KINDS:
        return ("np", value.dtype.str, value.tobytes())
    if cls in (tuple, list):
        return ("t" if cls is tuple else "l", [encode(item, _depth + 1) for item in value])
    if cls is dict and all(type(k) is str for k in value):
        return ("d", [(k, encode(v, _depth + 1)) for k, v in value.items()])
    return ("o", _type_name(value), _short_repr(value))


def decode(tree):
    tag = tree[0]
    if tag == "v":
        return tree[1]
    if tag == "nd":
        _, dtype, shape, data = tree
        dtype = np.dtype(dtype)
        if dtype.kind not in _NUMERIC_KINDS:
            return Foreign("numpy.ndarray", f"dtype {dtype}")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if tag == "np":
        _, dtype, data = tree
        return np.frombuffer(data, dtype=np.dtype(dtype))[0]
    if tag == "t":
        return tuple(decode(item) for item in tree[1])
    if tag == "l":
        return [decode(item) for item in tree[1]]
    if tag == "d":
        return {key: decode(item) for key, item in tree[1]}
    return Foreign(tree[1], tree[2])


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a worker")


def dumps(message) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def loads_trusted(data: bytes):
    """Unpickle a request from the grader (only the worker does this)."""
    return pickle.loads(data)


def loads_untrusted(data: bytes):
    """Unpickle a message from the learner's process: builtins only, never a global."""
    return _NoGlobals(io.BytesIO(data)).load()
