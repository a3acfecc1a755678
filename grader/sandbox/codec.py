"""What crosses the process boundary, and how.

Grader to worker (trusted): requests as pickles. Worker to grader (untrusted): replies as plain data only, a
JSON header followed by raw array bytes, never a pickle (`pack_reply`, `unpack_reply`). The worker turns
whatever the learner returned into a tree of builtins: numpy arrays travel as dtype, shape and bytes;
anything else arrives as a `Foreign` placeholder naming its type. So nothing of the learner's can run code in
the grader's process, and no learner object (an ndarray subclass with a lying `__eq__`, an object with
`__reduce__`) ever reaches it.

Every message is framed as an 8-byte little-endian length and the payload. This module is imported by the
worker, so it imports nothing from the grader and nothing heavy.

Replies are bounded, so that the grader never holds a huge learner string (a 50 MB exception message, a
returned 50 MB string, a name a megabyte long). The worker keeps within the bounds of its own accord: a text
longer than `TEXT_CHARS` goes with its middle cut out, as its start, its end and the count cut; a value that
would make the reply's JSON part or its arrays too large goes as a placeholder. The grader enforces the same
bounds whatever arrives, since the learner's process may write anything down the pipe: a frame over
`MAX_MESSAGE_BYTES` or a JSON part over `MAX_TREE_BYTES` is refused before it is read (`TooLarge`), and a
longer text is cut again. A cut text says so (`cut`).
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
import pickle
import re
import reprlib
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_NUMERIC_KINDS = "biufc"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a reply the grader reads (the largest real one, a speed round: ~6 MB)
MAX_BUFFERS = 65536  # arrays in one reply (the most in a real one, a speed round or a model's weights: hundreds)
MAX_TREE_BYTES = 1024 * 1024  # its JSON part (the largest real one, exercise 6's InceptionV3 model: ~94 KB)
TEXT_CHARS = 4000  # any one text of the learner's (a message, a traceback, a string returned)
NAME_CHARS = 200  # a type's name in a placeholder
REPR_CHARS = 400  # a placeholder's text
_TREE_BUDGET = MAX_TREE_BYTES // 2  # what the worker lets the JSON part grow to, counted from above
_BUFFER_BUDGET = MAX_MESSAGE_BYTES - MAX_TREE_BYTES - 64
_INT_BITS = 256  # a larger int is no answer to any task (and JSON refuses one of 4,300 digits)
FRAME_HEADER = struct.Struct("<Q")
_JSON_LENGTH = struct.Struct("<I")


def _fast_json() -> tuple[Callable[[object], str], Callable[[str], object]]:
    """`json.dumps` and `json.loads` without the setup each call of theirs makes (a new C encoder and its
    circular-reference table; the decoder's Python wrapper): a reply's JSON part is a fresh tree of lists, so
    nothing in it can be circular. The same text as `json.dumps` (checked here), and the same values as
    `json.loads` for it; where the C accelerators are missing, the plain functions."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    make_scanner = getattr(json.scanner, "c_make_scanner", None)
    if make_encoder is None or make_scanner is None:
        return json.dumps, json.loads
    plain = json.JSONEncoder()
    ascii_text = json.encoder.encode_basestring_ascii
    encode = make_encoder(None, plain.default, ascii_text, None, ": ", ", ", False, False, True)
    scan = make_scanner(json.JSONDecoder())

    def dumps(value) -> str:
        return "".join(encode(value, 0))

    def loads(text: str):
        value, end = scan(text, 0)  # StopIteration where no JSON value starts
        if end != len(text):
            raise ValueError("extra data after the JSON value")
        return value

    sample = {"tree": ["t", [["v", "é\n"], ["v", 1.5], ["v", None], ["v", float("nan")], ["l", []]]], "buffers": [3]}
    if dumps(sample) != json.dumps(sample) or loads(json.dumps(sample))["buffers"] != [3]:
        return json.dumps, json.loads
    return dumps, loads


_dumps, _loads = _fast_json()

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


def plain_note(count: int) -> str:
    """What stands where a text was cut; the grader's side passes a translated one (`worker.cut_note`)."""
    return f" … (cut: {count:,} characters) … "


def _split(limit: int) -> tuple[int, int]:
    """How much of a cut text is kept: three quarters from its start, a quarter from its end (a traceback's
    last frames, the end of what went wrong)."""
    head = limit * 3 // 4
    return head, limit - head


def _fitted(length: int, limit: int, note: Callable[[int], str]) -> tuple[int, int]:
    """(head, tail) kept of a text of `length` characters, so that with the note between them the whole has
    at most `limit` characters (and a text cut once is never cut again by the same limit)."""
    kept = limit
    while kept > 0 and kept + len(note(length - kept)) > limit:
        kept = max(min(kept - 1, limit - len(note(length - kept))), 0)
    return _split(kept)


def cut(text: str, limit: int, note: Callable[[int], str] = plain_note) -> str:
    """`text` if it has at most `limit` characters; else its start and end with `note(characters cut)` between,
    `limit` characters in all."""
    if len(text) <= limit:
        return text
    head, tail = _fitted(len(text), limit, note)
    return text[:head] + note(len(text) - head - tail) + text[len(text) - tail :]


class ProtocolError(ValueError):
    """A reply from the worker that is not what the protocol allows (too large, malformed)."""


class TooLarge(ProtocolError):
    """A reply, or its JSON part (`part="tree"`), larger than the grader reads: refused before it is read."""

    def __init__(self, size: int, limit: int, part: str = "reply"):
        super().__init__(f"a {part} of {size} bytes, over the limit of {limit}")
        self.size, self.limit, self.part = size, limit, part


def check_reply_size(size: int) -> None:
    """The grader's side, on a frame's length: `TooLarge` before a byte of the reply is read."""
    if size > MAX_MESSAGE_BYTES:
        raise TooLarge(size, MAX_MESSAGE_BYTES)


def check_tree_size(start: bytes, size: int) -> None:
    """The grader's side, on a reply's first bytes (the length of its JSON part) and its whole size."""
    if len(start) < _JSON_LENGTH.size:
        raise ProtocolError("a reply too short to hold anything")
    (length,) = _JSON_LENGTH.unpack_from(start)
    if length > MAX_TREE_BYTES:
        raise TooLarge(length, MAX_TREE_BYTES, "tree")
    if length > size - _JSON_LENGTH.size:
        raise ProtocolError("the message length does not add up")


TREE_START = _JSON_LENGTH.size  # the bytes `check_tree_size` reads


@dataclass(frozen=True)
class Foreign:
    """A value of a type that cannot cross the process boundary as data (shown by its type and repr)."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def holds_foreign(value) -> bool:
    """Whether a value read back from a reply holds a `Foreign` anywhere (in a tuple, list or dict's values):
    then it is not plain data, and a file kept on disk that holds one is refused."""
    if isinstance(value, Foreign):
        return True
    if isinstance(value, tuple | list):
        return any(holds_foreign(item) for item in value)
    if isinstance(value, dict):
        return any(holds_foreign(item) for item in value.values())
    return False


def _type_name(value) -> str:
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


_BRIEF = reprlib.Repr()  # a container too large to send: its start, in a few hundred characters at most
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 40, 40
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxdict = _BRIEF.maxset = 8


def _repr(value) -> str:
    try:
        return _BRIEF.repr(value) if type(value) in (list, tuple, dict) else repr(value)
    except Exception as exc:  # a learner's __repr__ may raise anything
        return f"(repr failed: {type(exc).__name__})"


class _Spent(Exception):
    """A value would take the reply past its bounds."""


class _Budget:
    """What is left of a reply's bounds while it is encoded: its JSON part (counted from above) and its arrays."""

    def __init__(self, bounded: bool):
        self.bounded = bounded
        self.tree = _TREE_BUDGET if bounded else float("inf")
        self.buffers = _BUFFER_BUDGET if bounded else float("inf")

    def spend(self, tree: int, buffers: int = 0) -> None:
        if tree > self.tree or buffers > self.buffers:
            raise _Spent
        self.tree -= tree
        self.buffers -= buffers

    def text(self, text: str, limit: int):
        """A text as it goes: whole, or `["x", start, end, characters cut]`."""
        node = text
        if self.bounded and len(text) > limit:
            head, tail = _split(limit)
            node = ["x", text[:head], text[len(text) - tail :], len(text) - limit]
        self.spend(8 + len(_dumps(node)))
        return node


def _foreign(type_name: str, text: str, budget: _Budget) -> list:
    return ["o", budget.text(type_name, NAME_CHARS), budget.text(text, REPR_CHARS)]


def _encode(value, buffers: list, depth: int, budget: _Budget):
    if depth > 20:
        return _foreign("nested too deeply", "", budget)
    cls = type(value)  # exact types only: a subclass could lie about what it is
    if value is None or cls in (bool, float):
        budget.spend(32)
        return ["v", value]
    if cls is int:
        bits = value.bit_length()
        if bits > _INT_BITS:
            return _foreign("int", f"({bits}-bit integer)", budget)
        budget.spend(16 + bits // 3)
        return ["v", value]
    if cls is str:
        node = budget.text(value, TEXT_CHARS)
        return node if type(node) is list else ["v", node]
    if cls is complex:
        budget.spend(64)
        return ["c", value.real, value.imag]
    if cls is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        try:
            budget.spend(48 + 24 * value.ndim, value.nbytes)
        except _Spent:  # named as the grader describes an array, so that a message reads the same
            name = f"numpy.ndarray (shape {value.shape}, dtype {value.dtype})"
            return _foreign(name, f"{value.nbytes:,} bytes", budget)
        buffers.append(np.ascontiguousarray(value).tobytes())
        return ["nd", value.dtype.str, list(value.shape), len(buffers) - 1]
    if isinstance(value, np.generic) and cls.__module__ == "numpy" and value.dtype.kind in _NUMERIC_KINDS:
        budget.spend(64, value.nbytes)
        buffers.append(value.tobytes())
        return ["np", value.dtype.str, len(buffers) - 1]
    if cls in (tuple, list) or (cls is dict and all(type(k) is str for k in value)):
        return _container(value, buffers, depth, budget)
    return _foreign(_type_name(value), _repr(value), budget)


def _container(value, buffers: list, depth: int, budget: _Budget) -> list:
    """A list, tuple or dict whole, or, when it does not fit in what is left, a placeholder showing its start
    (never a part of it: a shortened list could equal the right answer where the whole one does not)."""
    saved = (budget.tree, budget.buffers, len(buffers))
    try:
        budget.spend(16 + 10 * len(value))  # each item takes 10 bytes at least: a list too long fails at once
        budget.tree += 10 * len(value)
        if type(value) is dict:
            pairs = [[budget.text(k, TEXT_CHARS), _encode(v, buffers, depth + 1, budget)] for k, v in value.items()]
            return ["d", pairs]
        return ["t" if type(value) is tuple else "l", [_encode(item, buffers, depth + 1, budget) for item in value]]
    except _Spent:
        budget.tree, budget.buffers = saved[:2]
        del buffers[saved[2] :]
        return _foreign(_type_name(value), _repr(value), budget)


def pack_reply(value, *, bounded: bool = True) -> bytes:
    """The worker's side: any value as a JSON tree and the bytes of its arrays, within the bounds the grader
    reads (`bounded=False` for the grader's own data, such as kept calls)."""
    buffers: list[bytes] = []
    try:
        tree = _encode(value, buffers, 0, _Budget(bounded))
    except _Spent:  # not even placeholders fit: the grader refuses what is no reply
        buffers, tree = [], ["o", _type_name(value)[:NAME_CHARS], ""]
    header = _dumps({"tree": tree, "buffers": [len(b) for b in buffers]}).encode()
    return b"".join([_JSON_LENGTH.pack(len(header)), header, *buffers])


def _numeric_dtype(text) -> np.dtype:
    if type(text) is not str or len(text) > 8:
        raise ProtocolError("bad dtype")
    dtype = np.dtype(text)
    if dtype.kind not in _NUMERIC_KINDS:
        raise ProtocolError(f"dtype {dtype} is not numeric")
    return dtype


class _Reader:
    """The grader's side of decoding: every text bounded again, whatever the worker sent."""

    def __init__(self, buffers: list[memoryview], note: Callable[[int], str], bounded: bool):
        self.buffers, self.note, self.bounded = buffers, note, bounded

    def text(self, node, limit: int) -> str:
        if type(node) is str:
            return cut(node, limit, self.note) if self.bounded else node
        if not (type(node) is list and len(node) == 4 and node[0] == "x"):
            raise ProtocolError("malformed text")
        _x, start, end, count = node
        if type(start) is not str or type(end) is not str or type(count) is not int or count < 0:
            raise ProtocolError("malformed text")
        if count == 0:
            return self.text(start + end, limit)
        length = len(start) + count + len(end)
        head, tail = _fitted(length, limit, self.note)
        head, tail = min(head, len(start)), min(tail, len(end))
        return start[:head] + self.note(length - head - tail) + end[len(end) - tail :]

    def value(self, tree):
        if type(tree) is not list or not tree:
            raise ProtocolError("malformed value")
        tag, size = tree[0], len(tree)
        if tag == "v" and size == 2:
            item = tree[1]
            kind = type(item)
            if kind is str:
                return item if len(item) <= TEXT_CHARS or not self.bounded else self.text(item, TEXT_CHARS)
            if item is None or kind is bool or kind is int or kind is float:
                return item
        elif tag == "nd" and size == 4:
            dtype, shape, index = _numeric_dtype(tree[1]), tree[2], tree[3]
            if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
                raise ProtocolError("bad shape")
            return np.frombuffer(self.buffers[index], dtype=dtype).reshape(shape).copy()
        elif (tag == "t" or tag == "l") and size == 2 and type(tree[1]) is list:
            items = [self.value(item) for item in tree[1]]
            return tuple(items) if tag == "t" else items
        elif tag == "x":
            return self.text(tree, TEXT_CHARS)
        elif tag == "c" and size == 3:
            return complex(float(tree[1]), float(tree[2]))
        elif tag == "np" and size == 3:
            array = np.frombuffer(self.buffers[tree[2]], dtype=_numeric_dtype(tree[1]))
            if array.size != 1:
                raise ProtocolError("bad scalar")
            return array[0]
        elif tag == "d" and size == 2 and type(tree[1]) is list:
            return {self.text(key, TEXT_CHARS): self.value(value) for key, value in tree[1]}
        elif tag == "o" and size == 3:
            return Foreign(printable(self.text(tree[1], NAME_CHARS)), printable(self.text(tree[2], REPR_CHARS)))
        elif type(tag) is not str:
            raise ProtocolError("malformed value")
        raise ProtocolError(f"unknown value tag {tag!r}")


def unpack_reply(data: bytes | bytearray, *, note: Callable[[int], str] = plain_note, bounded: bool = True):
    """The grader's side: plain data back from untrusted bytes, or `ProtocolError`. Texts longer than their
    bounds are cut with `note`; a JSON part over `MAX_TREE_BYTES` is refused (`bounded=False`: the grader's own
    data, such as kept calls)."""
    try:
        view = memoryview(data)
        if bounded:
            check_tree_size(bytes(view[:TREE_START]), len(view))
        (length,) = _JSON_LENGTH.unpack_from(view)
        header = _loads(str(view[_JSON_LENGTH.size : _JSON_LENGTH.size + length], "utf-8"))
        sizes = header["buffers"]
        if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
            raise ProtocolError("bad buffer table")
        if bounded and len(sizes) > MAX_BUFFERS:  # each costs the grader a view (~200 bytes) before any check
            raise TooLarge(len(sizes), MAX_BUFFERS, "buffer table")
        start = _JSON_LENGTH.size + length
        if start + sum(sizes) != len(view):
            raise ProtocolError("the message length does not add up")
        buffers = []
        for size in sizes:
            buffers.append(view[start : start + size])
            start += size
        return _Reader(buffers, note, bounded).value(header["tree"])
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
