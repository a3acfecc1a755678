"""Digests of the code that decides a grade, so that what was computed with other code is never reused."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def references() -> tuple[Path, ...]:
    """The reference solutions' folder, where this grader has one (none in a student release)."""
    from grader import references as found

    where = found.folder()
    return () if where is None else (where,)


@functools.cache
def code_digest(*folders: Path) -> str:
    """sha256 of every Python file under `folders` (names and bytes), read once per process."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
