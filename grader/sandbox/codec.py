"""What crosses the process boundary, and how.

Grader to worker (trusted): requests as pickles. Worker to grader (untrusted): replies as plain data only, a
JSON header followed by raw array bytes, never a pickle (`pack_reply`, `unpack_reply`). The worker turns
whatever the learner returned into a tree of builtins: numpy arrays travel as dtype, shape and bytes;
anything else arrives as a `Foreign` placeholder naming its type. So nothing of the learner's can run code in
the grader's process, and no learner object (an ndarray subclass with a lying `__eq__`, an object with
`__reduce__`) ever reaches it.

Every message is framed as an 8-byte little-endian length and the payload. This module is imported by the
worker, so it imports nothing from the grader and nothing heavy.
"""

from __future__ import annotations

import json
import pickle
import re
import struct
from dataclasses import dataclass

import numpy as np

_NUMERIC_KINDS = "biufc"
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
FRAME_HEADER = struct.Struct("<Q")
_JSON_LENGTH = struct.Struct("<I")


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"}


def printable(text: str) -> str:
    """Learner-made text made safe for a terminal: control characters (escape sequences that could clear the
    screen or draw a fake report) are shown as `\\x1b` and so on."""
    return text.translate(_CONTROL)


# Terminal escape sequences as programs write them (Keras 3 colours its exceptions: `\x1b[1m...\x1b[0m`):
# CSI (`ESC [ ... letter`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`) and the short ones (`ESC ( B`).
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])")


def error_text(text: str) -> str:
    """An exception's text from learner code, for a message: its own colour codes dropped (they would show as
    `\\x1b[1m` text), then made printable like any learner-made text."""
    return printable(_ANSI.sub("", text))


class ProtocolError(ValueError):
    """A reply from the worker that is not what the protocol allows (too large, malformed)."""


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


def _encode(value, buffers: list, depth: int):
    if depth > 20:
        return ["o", "nested too deeply", ""]
    cls = type(value)  # exact types only: a subclass could lie about what it is
    if value is None or cls in (bool, int, float, str):
        return ["v", value]
    if cls is complex:
        return ["c", value.real, value.imag]
    if cls is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        buffers.append(np.ascontiguousarray(value).tobytes())
        return ["nd", value.dtype.str, list(value.shape), len(buffers) - 1]
    if isinstance(value, np.generic) and cls.__module__ == "numpy" and value.dtype.kind in _NUMERIC_KINDS:
        buffers.append(value.tobytes())
        return ["np", value.dtype.str, len(buffers) - 1]
    if cls in (tuple, list):
        return ["t" if cls is tuple else "l", [_encode(item, buffers, depth + 1) for item in value]]
    if cls is dict and all(type(k) is str for k in value):
        return ["d", [[k, _encode(v, buffers, depth + 1)] for k, v in value.items()]]
    return ["o", _type_name(value), _short_repr(value)]


def pack_reply(value) -> bytes:
    """The worker's side: any value as a JSON tree and the bytes of its arrays."""
    buffers: list[bytes] = []
    tree = _encode(value, buffers, 0)
    header = json.dumps({"tree": tree, "buffers": [len(b) for b in buffers]}).encode()
    return b"".join([_JSON_LENGTH.pack(len(header)), header, *buffers])


def _numeric_dtype(text) -> np.dtype:
    if type(text) is not str or len(text) > 8:
        raise ProtocolError("bad dtype")
    dtype = np.dtype(text)
    if dtype.kind not in _NUMERIC_KINDS:
        raise ProtocolError(f"dtype {dtype} is not numeric")
    return dtype


def _decode(tree, buffers: list[memoryview]):
    if type(tree) is not list or not tree or type(tree[0]) is not str:
        raise ProtocolError("malformed value")
    tag, *rest = tree
    if tag == "v" and len(rest) == 1 and (rest[0] is None or type(rest[0]) in (bool, int, float, str)):
        return rest[0]
    if tag == "c" and len(rest) == 2:
        return complex(float(rest[0]), float(rest[1]))
    if tag == "nd" and len(rest) == 3:
        dtype, shape, index = _numeric_dtype(rest[0]), rest[1], rest[2]
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise ProtocolError("bad shape")
        return np.frombuffer(buffers[index], dtype=dtype).reshape(shape).copy()
    if tag == "np" and len(rest) == 2:
        array = np.frombuffer(buffers[rest[1]], dtype=_numeric_dtype(rest[0]))
        if array.size != 1:
            raise ProtocolError("bad scalar")
        return array[0]
    if tag in ("t", "l") and len(rest) == 1 and type(rest[0]) is list:
        items = [_decode(item, buffers) for item in rest[0]]
        return tuple(items) if tag == "t" else items
    if tag == "d" and len(rest) == 1 and type(rest[0]) is list:
        pairs = [(key, value) for key, value in rest[0]]
        if not all(type(key) is str for key, _ in pairs):
            raise ProtocolError("bad dict key")
        return {key: _decode(value, buffers) for key, value in pairs}
    if tag == "o" and len(rest) == 2 and all(type(s) is str for s in rest):
        return Foreign(printable(rest[0][:200]), printable(rest[1][:400]))
    raise ProtocolError(f"unknown value tag {tag!r}")


def unpack_reply(data: bytes):
    """The grader's side: plain data back from untrusted bytes, or `ProtocolError`."""
    try:
        view = memoryview(data)
        (length,) = _JSON_LENGTH.unpack_from(view)
        header = json.loads(bytes(view[_JSON_LENGTH.size : _JSON_LENGTH.size + length]))
        sizes = header["buffers"]
        if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
            raise ProtocolError("bad buffer table")
        start = _JSON_LENGTH.size + length
        if start + sum(sizes) != len(view):
            raise ProtocolError("the message length does not add up")
        buffers = []
        for size in sizes:
            buffers.append(view[start : start + size])
            start += size
        return _decode(header["tree"], buffers)
    except ProtocolError:
        raise
    except Exception as exc:  # malformed JSON, wrong types, an index out of range, nesting too deep
        raise ProtocolError(f"unreadable reply ({type(exc).__name__})") from None


def round_trip(value):
    """A value as it arrives in the grader after crossing the boundary."""
    return unpack_reply(pack_reply(value))


def frame(payload: bytes) -> bytes:
    """A message as it goes down a pipe: its length, then the payload."""
    return FRAME_HEADER.pack(len(payload)) + payload


def pack_request(message) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_request(data: bytes):
    """Requests come from the grader (only the worker unpickles them)."""
    return pickle.loads(data)
