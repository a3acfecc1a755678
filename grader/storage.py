"""Files the grader writes for itself: whole or not at all, and where its cache lives.

`write_atomically` is how a batch's reports and gradebook and the cache's kept calls and observations reach
disk: readers see the old file or the new one, never half of one (a run stopped midway loses nothing, and two
processes keeping the same file do not mix their bytes). `sealed` and `unsealed` are the format of the kept
observations and the reference's kept answers: a first line with a count and a digest, so that a damaged or
foreign file is never believed. Only the standard library: the drawing of calls imports this on every run.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: str | bytes) -> None:
    """`content` into `path` (text as UTF-8, its newlines as given), through a temporary file beside it that
    replaces it at once; the temporary file is removed when anything fails, and the error raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if isinstance(content, bytes):
            with os.fdopen(handle, "wb") as file:
                file.write(content)
        else:
            # A name that is not UTF-8 (a zip made on Windows) is written as \udcb1 escapes, never a crash.
            with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace", newline="") as file:
                file.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def cache_folder(kind: str) -> Path | None:
    """`<cache>/cnn-grader/<kind>` (the cache: `GRADE_CACHE_DIR`, else `$XDG_CACHE_HOME` or ~/.cache), or None
    when `GRADE_CACHE_DIR` is set empty (nothing is kept)."""
    chosen = os.environ.get("GRADE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cnn-grader" / kind


def sealed(kind: bytes, key: str, count: int, payload: bytes) -> bytes:
    """A cache file's bytes: a first line `kind count digest`, then `payload`; the digest (sha256 of the key,
    the count and the payload) tells a whole file made under `key` from a damaged or foreign one."""
    return b"%s %d %s\n%s" % (kind, count, _seal(key, count, payload), payload)


def unsealed(kind: bytes, key: str, data: bytes, what: str) -> tuple[int, bytes]:
    """The count and payload of a file `sealed` made under `key`, or ValueError ("not a file of `what`", or a
    digest that does not match)."""
    first, newline, payload = data.partition(b"\n")
    fields = first.split(b" ")
    if not newline or len(fields) != 3 or fields[0] != kind:
        raise ValueError(f"not a file of {what}")
    count = int(fields[1])
    if not hmac.compare_digest(fields[2], _seal(key, count, payload)):
        raise ValueError("the digest does not match")
    return count, payload


def _seal(key: str, count: int, payload: bytes) -> bytes:
    return hashlib.sha256(b"%s\0%d\0%s" % (key.encode(), count, payload)).hexdigest().encode()
