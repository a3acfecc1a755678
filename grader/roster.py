"""A class's submissions: who the students are, what each handed in, and which share of them a shard marks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError, SubmissionNotFound
from grader.i18n import _
from grader.spec import Exercise
from grader.submission import find_source

_SKIPPED = ("__pycache__", "__MACOSX", "node_modules")


@dataclass(frozen=True)
class Student:
    """One entry under SUBMISSIONS: `root` is what `find_source` searches (a folder, a `.py` or a notebook)."""

    name: str
    root: Path

    def sources(self, exercises: tuple[Exercise, ...]) -> dict[str, Path | None]:
        return {exercise.name: find_source(exercise, self.root) for exercise in exercises}

    def files(self, exercises: tuple[Exercise, ...], submissions: Path) -> dict[str, str]:
        """Each graded file relative to the class's folder (stable across machines, unlike absolute paths)."""
        base = submissions.resolve()
        return {name: path.relative_to(base).as_posix() for name, path in self.sources(exercises).items() if path}

    def content_hash(self, exercises: tuple[Exercise, ...]) -> str:
        """sha256 of exactly what would be graded: each exercise's file name and bytes (or that there is none)."""
        digest = hashlib.sha256()
        for name, path in self.sources(exercises).items():
            digest.update(f"{name}\0{path.name if path else '-'}\0".encode())
            if path is not None:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


def _is_exercise_file(path: Path) -> bool:
    return path.is_file() and path.name.startswith("exercise") and path.suffix in (".py", ".ipynb")


def _root_of(entry: Path) -> Path:
    """A student's folder, or its `exercises/` subfolder when the files are there (a clone of the course repo)."""
    inner = entry / "exercises"
    if entry.is_dir() and inner.is_dir() and not any(_is_exercise_file(p) for p in entry.iterdir()):
        return inner
    return entry


def students(submissions: Path) -> tuple[Student, ...]:
    """One student per folder, `.py` file or notebook directly under `submissions`, sorted by name."""
    if not submissions.is_dir():
        raise SubmissionNotFound(
            _("{path} is not a folder: pass the folder that holds one entry per student").format(path=submissions)
        )
    found: dict[str, Student] = {}
    for entry in sorted(submissions.iterdir()):
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
        found[name] = Student(name, _root_of(entry).resolve())
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
