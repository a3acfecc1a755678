"""A class's submissions: who the students are, what each handed in, and which share of them a shard marks.

A student's files must lie in the student's own folder (entry) and that folder in the class's folder
(`grader.files`): a link to the references, to another student's work or out of the class is refused, and
only that student gets an `error` row. The roster itself only lists names and never reads a file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError, SubmissionNotFound
from grader.files import shown
from grader.i18n import _
from grader.spec import Exercise
from grader.submission import Handed, content_hash, find_source, read_submission, within_of

_SKIPPED = ("__pycache__", "__MACOSX", "node_modules")


@dataclass(frozen=True)
class Student:
    """One entry under SUBMISSIONS: `root` is what `find_source` searches (a folder, a `.py` or a notebook),
    `within` the folders its files must lie in: the student's own, then the class's (by default the root's)."""

    name: str
    root: Path
    within: tuple[Path, ...] = ()

    def sources(self, exercises: tuple[Exercise, ...]) -> dict[str, Path | None]:
        within = self.within or within_of(self.root)
        return {exercise.name: find_source(exercise, self.root, within) for exercise in exercises}

    def read(self, exercises: tuple[Exercise, ...]) -> dict[str, Handed | None]:
        """Each exercise's file, read and checked once (raises `files.RefusedFile`)."""
        return read_submission(exercises, self.root, self.within or within_of(self.root))

    def files(self, exercises: tuple[Exercise, ...], submissions: Path) -> dict[str, str]:
        """Each graded file relative to the class's folder (stable across machines, unlike absolute paths), as
        named there, never where a link leads; a path that is not under it (it cannot be) by its name alone."""
        base = Path(os.path.abspath(submissions))
        shown_files = {}
        for name, path in self.sources(exercises).items():
            if path is not None:
                try:
                    shown_files[name] = shown(Path(os.path.abspath(path)).relative_to(base).as_posix())
                except ValueError:
                    shown_files[name] = shown(path.name)
        return shown_files

    def content_hash(self, exercises: tuple[Exercise, ...]) -> str:
        """sha256 of exactly what would be graded: each exercise's file name and bytes (or that there is none)."""
        return content_hash(self.read(exercises))


def _is_exercise_file(path: Path) -> bool:
    return path.is_file() and path.name.startswith("exercise") and path.suffix in (".py", ".ipynb")


def _root_of(entry: Path) -> Path:
    """A student's folder, or its `exercises/` subfolder when the files are there (a clone of the course repo).
    Neither is resolved: where a link leads is checked when the files are read."""
    inner = entry / "exercises"
    with contextlib.suppress(OSError):  # an unreadable folder: reading its files says so, for this student
        if entry.is_dir() and inner.is_dir() and not any(_is_exercise_file(p) for p in entry.iterdir()):
            return inner
    return entry


def students(submissions: Path) -> tuple[Student, ...]:
    """One student per folder, `.py` file or notebook directly under `submissions`, sorted by name."""
    if not submissions.is_dir():
        raise SubmissionNotFound(
            _("{path} is not a folder: pass the folder that holds one entry per student").format(path=submissions)
        )
    base = submissions.resolve()  # the class's folder; below it, nothing is resolved
    found: dict[str, Student] = {}
    for entry in sorted(base.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIPPED:
            continue
        if not (entry.is_dir() or entry.suffix in (".py", ".ipynb")):
            continue
        if _is_exercise_file(entry):
            raise GraderError(
                f"{submissions} holds {entry.name} itself: it looks like one student's folder. Pass the folder "
                "that holds one folder (or file) per student"
            )
        name = entry.name if entry.is_dir() else entry.stem
        if name in found:
            raise GraderError(
                _("two submissions for student {name}: {first} and {second}").format(
                    name=repr(name), first=found[name].root.name, second=entry.name
                )
            )
        within = (entry, base) if entry.is_dir() else (base,)
        found[name] = Student(name, _root_of(entry), within)
    return tuple(sorted(found.values(), key=lambda s: s.name))


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4): the second of four shares, counting from 1."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise GraderError(_("--shard {text} must look like K/N, such as 1/4").format(text=repr(text))) from None
    if not 1 <= k <= n:
        raise GraderError(_("--shard {text}: K must be between 1 and N").format(text=repr(text)))
    return k, n


def shard(roster: tuple[Student, ...], k: int, n: int) -> tuple[Student, ...]:
    """Every n-th student of the sorted roster, starting at the k-th: shards are disjoint, cover the class and
    differ in size by one at most."""
    return roster[k - 1 :: n]
