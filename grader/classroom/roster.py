"""A class's submissions: who the students are, what each handed in, and which share of them a shard marks.

A student's files must lie in the student's own folder (entry) and that folder in the class's folder
(`grader.files`): a link to the references, to another student's work or out of the class is refused, and
only that student gets an `error` row. The roster itself only lists names and never reads a file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
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


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """`"2/4"` -> (2, 4): the second of four shares, counting from 1. `"auto"`: from the job engine's variables
    in `environ` (by default the process's), see `shard_from_environment`."""
    if text.strip() == "auto":
        return shard_from_environment(os.environ if environ is None else environ)
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise GraderError(_("--shard {text} must look like K/N, such as 1/4").format(text=repr(text))) from None
    if not 1 <= k <= n:
        raise GraderError(_("--shard {text}: K must be between 1 and N").format(text=repr(text)))
    return k, n


_KUBERNETES = ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS")
_SLURM = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")


def _whole(environ: Mapping[str, str], name: str, default: int | None = None) -> int:
    value = environ.get(name, "").strip()
    if not value and default is not None:
        return default
    if not value:
        raise GraderError(_("--shard auto: {name} is not set").format(name=name))
    try:
        return int(value)
    except ValueError:
        raise GraderError(
            _("--shard auto: {name}={value} is not a whole number").format(name=name, value=repr(value))
        ) from None


def shard_from_environment(environ: Mapping[str, str]) -> tuple[int, int]:
    """(K, N) for `--shard auto`, K counting from 1:

    - a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX (0 to completions - 1); the Job's count is not in the
      pod's environment, so the template sets JOB_COMPLETIONS to `spec.completions`;
    - a Slurm job array sets SLURM_ARRAY_TASK_ID to the task's value in `--array`, which need not start at 0
      (`--array=1-4`) nor step by 1 (`--array=1-7:2`): the share is its place in the array, from
      SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP, out of SLURM_ARRAY_TASK_COUNT. An array that is not
      evenly spaced (`--array=0,1,5`) is refused: its tasks cannot be told apart as K/N.
    """
    kubernetes = any(name in environ for name in _KUBERNETES)
    slurm = any(name in environ for name in _SLURM)
    if kubernetes and slurm:
        raise GraderError(
            _(
                "--shard auto: both Kubernetes ({kubernetes}) and Slurm ({slurm}) variables are set; give --shard K/N"
            ).format(kubernetes=", ".join(_KUBERNETES), slurm=", ".join(_SLURM))
        )
    if kubernetes:
        index, count = _whole(environ, _KUBERNETES[0]), _whole(environ, _KUBERNETES[1])
        if not 0 <= index < count:
            raise GraderError(
                _(
                    "--shard auto: JOB_COMPLETION_INDEX={index} must be between 0 and JOB_COMPLETIONS - 1 "
                    "({last}): set JOB_COMPLETIONS to the Job's spec.completions"
                ).format(index=index, last=count - 1)
            )
        return index + 1, count
    if slurm:
        task, count = _whole(environ, _SLURM[0]), _whole(environ, _SLURM[1])
        first = _whole(environ, "SLURM_ARRAY_TASK_MIN", default=0)
        step = _whole(environ, "SLURM_ARRAY_TASK_STEP", default=1)
        last = _whole(environ, "SLURM_ARRAY_TASK_MAX", default=first + (count - 1) * step)
        place, off = divmod(task - first, step) if step > 0 else (-1, 0)
        if off or not 0 <= place < count or last != first + (count - 1) * step:
            raise GraderError(
                _(
                    "--shard auto: the Slurm array (task {task} of {count}, from {first} to {last} by {step}) is not "
                    "one evenly spaced range: submit it with --array=0-{end} (or give --shard K/N)"
                ).format(task=task, count=count, first=first, last=last, step=step, end=count - 1)
            )
        return place + 1, count
    raise GraderError(
        _(
            "--shard auto reads JOB_COMPLETION_INDEX and JOB_COMPLETIONS (a Kubernetes Indexed Job) or "
            "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (a Slurm job array), and neither is set: give --shard K/N"
        )
    )


def shard(roster: tuple[Student, ...], k: int, n: int) -> tuple[Student, ...]:
    """Every n-th student of the sorted roster, starting at the k-th: shards are disjoint, cover the class and
    differ in size by one at most."""
    return roster[k - 1 :: n]
