"""Suspiciously alike submissions: every two students' code for the same exercise compared by copydetect
(MOSS's winnowing over a token stream in which names, strings and comments no longer count), the course's
own code (the stubs and the references) excluded as boilerplate.

The code compared is what each student handed in, as text (a notebook: its code cells), kept by the batch under
`code/<student>/<exercise>.py` so that `grade merge` compares the whole class from the shards' folders alone.
Nothing here runs it. copydetect hashes with Python's `hash()`, which each process salts differently; it runs in
a child process with PYTHONHASHSEED fixed, so that the same code always gives the same report, whoever marks it.

A pair is flagged when both files share at least `SHARED_TOKENS` tokens outside the boilerplate and one of them
owes at least `THRESHOLD` of its own (non-boilerplate) tokens to the other. Measured on the course's fixtures under
12 hash seeds (every pair of tests/fixtures/correct/ for exercises 1, 2, 3 and 7, each beside four of
solutions/mistakes/): a copy with every variable renamed and every comment rewritten
(tests/fixtures/similar/) shares 0.987-0.993 of its tokens (710-721 tokens); independent correct solutions at
most 0.40 (290 tokens; most pairs under 0.1); a correct file and a mistake's few lines up to 0.47, but on 25-60
tokens; two mistakes of nearly the same three lines 0.93-1.0 on 63-65 tokens. Hence 0.6 and 100 tokens.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path

from grader import catalog, fingerprint
from grader.spec import Exercise

CODE = "code"  # out/code/<student>/<exercise>.py
THRESHOLD = 0.6  # of a file's own tokens found in the other's
SHARED_TOKENS = 100  # a few shared lines (two alike mistakes, a common idiom) are no pair
NOISE, GUARANTEE = 25, 30  # copydetect's defaults: k-grams of 25 tokens, every match of 30 found


@dataclass(frozen=True)
class Pair:
    """Two students' code for one exercise, with how much of each is found in the other, and the code with the
    shared parts marked (HTML, escaped by copydetect)."""

    exercise: str
    students: tuple[str, str]
    similarity: tuple[float, float]
    shared_tokens: int
    marked: tuple[str, str]

    @property
    def score(self) -> float:
        return max(self.similarity)


def code_text(path: Path, data: bytes) -> str:
    """What of a handed-in file is code: a `.py` file's text, or a notebook's code cells one after the other."""
    text = data.decode("utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text
    try:
        cells = json.loads(text)["cells"]
        sources = [c.get("source", "") for c in cells if c.get("cell_type") == "code"]
        return "\n\n".join("".join(s) if isinstance(s, list) else str(s) for s in sources) + "\n"
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""  # not a notebook: nothing to compare (its report says why)


def keep_code(out: Path, name: str, handed: dict, write) -> None:
    """Keep a student's handed-in code (`handed`: exercise -> `submission.Handed` or None) under
    `out/code/<student>/`, and forget what they no longer hand in."""
    folder = out / CODE / name
    for exercise, file in handed.items():
        target = folder / f"{exercise}.py"
        if file is None:
            target.unlink(missing_ok=True)
        else:
            write(target, code_text(file.path, file.data))


def forget_code(out: Path, name: str) -> None:
    """A student whose files cannot be read is compared on nothing (not on an earlier run's code)."""
    shutil.rmtree(out / CODE / name, ignore_errors=True)


def copy_code(source: Path, out: Path, name: str) -> None:
    """A shard's kept code of one student, into the merged folder."""
    folder = source / CODE / name
    if folder.is_dir() and source.resolve() != out.resolve():
        shutil.copytree(folder, out / CODE / name, dirs_exist_ok=True)


def boilerplate(exercise: Exercise) -> list[str]:
    """The course's own code for an exercise: the stub the learners start from and the reference."""
    from grader.stubs import EXERCISES_FOLDER, stub_source

    stub = EXERCISES_FOLDER / f"{exercise.module_name}.py"  # what stub_source writes, without importing Keras
    texts = [stub.read_text(encoding="utf-8") if stub.is_file() else stub_source(exercise)]
    try:  # read, not imported: exercise 6's reference would import TensorFlow
        spec = importlib.util.find_spec(f"solutions.{exercise.module_name}")
    except ImportError:
        spec = None
    if spec is not None and spec.origin:
        texts.append(Path(spec.origin).read_text(encoding="utf-8"))
    else:  # the references kept elsewhere (an instructor's installed package): wherever the exercise finds them
        texts.append(inspect.getsource(exercise.reference_module()))
    return texts


class Comparison:
    """The comparison of a class's kept code, in a child process from the moment it is made: a batch starts it
    before marking, at the idle priority (Linux's SCHED_IDLE), so that it runs only in the time the markers leave
    (they wait on their learners often enough for a class's comparison to end long before its marking), and
    collects its pairs once the class is marked, at a low priority then (`pairs`)."""

    def __init__(self, out: Path, students: list[str], exercises: tuple[Exercise, ...]):
        code = Path(os.path.abspath(out)) / CODE  # the child runs in another folder
        job = {e.name: {s: str(code / s / f"{e.name}.py") for s in students} for e in exercises}
        self.folder = Path(tempfile.mkdtemp(prefix="grade-similarity-"))
        (self.folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
        with open(self.folder / "errors.txt", "wb") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "grader.classroom.similarity", str(self.folder)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env={**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"},
                cwd=str(fingerprint.PACKAGE.parent),  # the child imports this grader, as the marker processes do
            )
        _scheduled(self.process.pid, "SCHED_IDLE")

    def pairs(self) -> list[Pair]:
        """Every flagged pair, most alike first (waits for the child; raises RuntimeError if it failed)."""
        _scheduled(self.process.pid, "SCHED_OTHER")  # waited for now: no longer only in idle time (still niced)
        try:
            if self.process.wait() != 0:
                lines = (self.folder / "errors.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise RuntimeError(lines[-1] if lines else f"exit status {self.process.returncode}")
            found = json.loads((self.folder / "pairs.json").read_text(encoding="utf-8"))
        finally:
            self.close()
        pairs = [
            Pair(p["exercise"], tuple(p["students"]), tuple(p["similarity"]), p["shared_tokens"], tuple(p["marked"]))
            for p in found
        ]
        return sorted(pairs, key=lambda p: (-p.score, p.exercise, p.students))

    def close(self) -> None:
        """Stop the child if it still runs (a batch interrupted) and remove its files."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _scheduled(pid: int, policy: str) -> None:
    """The child's scheduling policy, where the platform has it (the child's own nice value stays)."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(pid, getattr(os, policy), os.sched_param(0))


def similar_pairs(out: Path, students: list[str], exercises: tuple[Exercise, ...]) -> list[Pair]:
    """Every flagged pair of `students` (their code kept under `out`), most alike first."""
    return Comparison(out, students, exercises).pairs()


def _fingerprint(name: str, text: str, hashes=None):
    """copydetect's CodeFingerprint of `text`, its tokens from `python_tokens` (pygments' own, in a sixth of the
    time) wherever that vouches for them, else from pygments through copydetect."""
    import io

    from copydetect import CodeFingerprint
    from copydetect.utils import get_document_fingerprints, get_token_coverage

    from grader.classroom.python_tokens import filter_python

    k, window = NOISE, GUARANTEE - NOISE + 1
    code = io.StringIO(text).read()  # what CodeFingerprint reads
    filtered = filter_python(code)
    if filtered is None:
        return CodeFingerprint(name, k, window, boilerplate=hashes, language="python", fp=io.StringIO(text))
    # CodeFingerprint.__init__ as copydetect 0.5.0 writes it (filter_python answers only where it is that code)
    made = CodeFingerprint.__new__(CodeFingerprint)
    made.filename, made.raw_code, (made.filtered_code, made.offsets) = name, code, filtered
    made.hashes, made.hash_idx = get_document_fingerprints(
        made.filtered_code, k, window, [] if hashes is None else hashes
    )
    made.k = k
    made.token_coverage = get_token_coverage(made.hash_idx, k, len(made.filtered_code))
    return made


def compare(files: dict[str, str], course: list[str]) -> list[dict]:
    """Each pair of `files` (student -> path) that is alike enough to flag, `course` excluded as boilerplate."""
    import numpy as np
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    hashes = np.unique(np.array([h for text in course for h in _fingerprint("course.py", text).hashes], dtype=np.int64))
    prints, by_text = {}, {}
    for student, path in sorted(files.items()):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:  # the student handed nothing in for this exercise
            continue
        if text not in by_text:  # the same text (a stub left as it was, a reference) is tokenised once
            by_text[text] = _fingerprint("submission.py", text, hashes)
        if by_text[text].hashes:  # nothing left but the course's own code: no one's pair
            prints[student] = by_text[text]
    names = sorted(prints)
    found = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            one, other = prints[first], prints[second]
            shared, similarity, slices = compare_files(one, other)
            if shared < SHARED_TOKENS or max(similarity) < THRESHOLD:
                continue
            marked = [
                highlight_overlap(fp.raw_code, cut, "<mark>", "</mark>", escape_html=True)[0]
                for fp, cut in zip((one, other), slices, strict=True)
            ]
            found.append(
                {
                    "students": [first, second],
                    "similarity": [round(float(s), 4) for s in similarity],
                    "shared_tokens": int(shared),
                    "marked": marked,
                }
            )
    return found


class _NotLoaded(types.ModuleType):
    """Stands for matplotlib in the comparison's child: copydetect imports pyplot (0.55 s, more than comparing a
    class) for the plots of its own reports, which this child never makes."""

    def __getattr__(self, name):
        raise AttributeError(f"{self.__name__} is not loaded in the similarity process (copydetect's plots are unused)")


def _serve(folder: Path) -> None:
    """The child process: `folder/job.json` (exercise -> student -> file) in, `pairs.json` out."""
    os.nice(10)  # the markers first
    for name in ("matplotlib", "matplotlib.pyplot"):
        sys.modules.setdefault(name, _NotLoaded(name))
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    pairs = []
    for exercise, files in job.items():
        pairs += [{"exercise": exercise, **pair} for pair in compare(files, boilerplate(catalog.find(exercise)))]
    (folder / "pairs.json").write_text(json.dumps(pairs), encoding="utf-8")


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
