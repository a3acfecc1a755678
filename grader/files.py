"""A learner's file read as what it claims to be: a plain file inside the submission, of a sensible size.

A submission is a folder the learner (or, in a class, each student) controls, so any name in it may be a link
to the reference solutions, a named pipe that never answers, `/dev/zero`, a folder, or a file of gigabytes.
`read_checked` reads a file only when

- its real path (every link followed) lies inside each of the submission's folders (`within`): a link that
  stays inside, such as `exercise1_convolution.py -> work/conv.py`, is followed; one that leaves is refused;
- it is not one of the grader's reference solutions reached through a link (`--submission exercises` where
  `exercises` links to the installed `solutions/`); naming the references' folder itself still grades them;
- it is a regular file (never a folder, pipe, socket or device), no larger than its kind's limit.

Nothing is opened before `lstat` says it is a small regular file, and then it is opened without following a
link (`O_NOFOLLOW`, folder by folder from the submission's own folder), without waiting (`O_NONBLOCK`: a pipe
swapped in after the check does not hang) and checked again on the open descriptor (`fstat`), which is what
is read. The caller grades these bytes, copied into a file of the grader's own, never the path again: a file
swapped after the check changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.errors import SubmissionNotFound
from grader.i18n import _

SOURCE_LIMIT_BYTES = 2 * 1024 * 1024  # a .py file; the reference solutions are 5-20 KB each
NOTEBOOK_LIMIT_BYTES = 50 * 1024 * 1024  # a notebook keeps its outputs (plots as base64); GitHub warns at 50 MB
_OPEN_FOLDER = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_DIRECTORY", 0)
_OPEN_FILE = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0)


class RefusedFile(SubmissionNotFound):
    """A learner's file that is not a plain file inside the submission (alone: "Error: ...", exit 2; in a
    class: that student's `error` row)."""


def limit_of(path: Path) -> int:
    return NOTEBOOK_LIMIT_BYTES if path.suffix == ".ipynb" else SOURCE_LIMIT_BYTES


def shown(path: Path | str) -> str:
    """A path for a message: control characters in a hostile name shown as `\\x1b`, never sent to a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))


def _reference_folders() -> list[tuple[str, str]]:
    """The reference solutions' folders, each as found and with every link followed."""
    from grader.sandbox.worker import hidden_folders

    return [(os.path.abspath(folder), os.path.realpath(folder)) for folder in hidden_folders()]


def _inside(real: str, folder: str) -> bool:
    return os.path.commonpath([real, folder]) == folder


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISLNK(mode):
        return _("a link swapped in while it was read")
    return _("an unusual file system entry")


def _refuse_kind(name: str, mode: int) -> RefusedFile:
    return RefusedFile(
        _("{file} is {kind}, not a file: only plain files are graded").format(file=name, kind=_kind(mode))
    )


def _refuse_size(name: str, size: int, limit: int) -> RefusedFile:
    return RefusedFile(
        _("{file} holds {size:.1f} MiB, more than the {limit:g} MiB such a file may hold").format(
            file=name, size=size / 2**20, limit=limit / 2**20
        )
    )


def _check(name: str, info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise _refuse_kind(name, info.st_mode)
    if info.st_size > limit:
        raise _refuse_size(name, info.st_size, limit)


def _name(path: Path, folder: Path) -> str:
    """The file as a message names it: from the submission's folder on (`kim/exercise1_convolution.py`)."""
    try:
        return shown(Path(folder.name) / path.relative_to(folder))
    except ValueError:
        return shown(path.name)


def read_checked(path: Path, within: tuple[Path, ...] = ()) -> bytes:
    """The bytes of the learner's file `path`, checked as the module says; `within` are the folders it must
    lie in, the submission's own first (by default the file's own folder). Raises RefusedFile."""
    within = within or (path.parent,)
    name, limit = _name(path, within[0]), limit_of(path)
    real = os.path.realpath(path)
    folders = [os.path.realpath(folder) for folder in within]
    for folder, real_folder in zip(within, folders, strict=True):
        if not _inside(real, real_folder):
            raise RefusedFile(
                _(
                    "{file} leads through a link to {target}, outside the folder {folder}: only files inside "
                    "the submission are graded"
                ).format(file=name, target=shown(real), folder=shown(folder.name or folder))
            )
    named = os.path.abspath(path)
    for found, hidden in _reference_folders():  # the references may be graded, but never reached by a link
        if _inside(real, hidden) and not (_inside(named, found) or _inside(named, hidden)):
            raise RefusedFile(
                _(
                    "{file} leads through a link to the grader's reference solutions: only your own files are graded"
                ).format(file=name)
            )
    parts = Path(os.path.relpath(real, folders[0])).parts
    if not parts:
        raise _refuse_kind(name, stat.S_IFDIR)
    descriptors: list[int] = []
    try:
        descriptors.append(os.open(folders[0], _OPEN_FOLDER))
        for part in parts[:-1]:  # a link swapped into the path since realpath is not followed
            descriptors.append(os.open(part, _OPEN_FOLDER | os.O_NOFOLLOW, dir_fd=descriptors[-1]))
        _check(name, os.stat(parts[-1], dir_fd=descriptors[-1], follow_symlinks=False), limit)
        descriptors.append(os.open(parts[-1], _OPEN_FILE, dir_fd=descriptors[-1]))
        _check(name, os.fstat(descriptors[-1]), limit)  # what was swapped in since the check is checked again
        data = bytearray()
        while len(data) <= limit:
            chunk = os.read(descriptors[-1], limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise RefusedFile(_("{file} cannot be read: {error}").format(file=name, error=exc.strerror or exc)) from None
    finally:
        for descriptor in reversed(descriptors):
            os.close(descriptor)
    if len(data) > limit:  # it grew since the check
        raise _refuse_size(name, len(data), limit)
    return bytes(data)
