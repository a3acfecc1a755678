"""Shared test setup: hypothesis profiles and helpers to build submissions.

Profiles: `dev` (quick, the default on a laptop) and `ci` (more examples, derandomised, picked when CI is set).
Choose one with HYPOTHESIS_PROFILE=dev|ci.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil
import pytest
from hypothesis import HealthCheck, settings

from grader.api import grade
from grader.sandbox.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Calls drawn by the grader are kept in a folder of this run's own, never in the user's cache (subprocesses
# inherit it); tests of drawing itself choose their own.
os.environ.setdefault("GRADE_CACHE_DIR", tempfile.mkdtemp(prefix="grade-test-calls-"))
# Learner state (progress, hint levels) of the tests' runs never lands in the repository's own .grade/.
os.environ["GRADE_STATE_DIR"] = tempfile.mkdtemp(prefix="grade-test-state-")
os.environ.pop("GRADE_LANG", None)  # each test picks its language: a developer's GRADE_LANG must not

settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def fixture_header(path: Path, keys=None) -> dict[str, str]:
    """A fixture's leading `# key: value` lines (only `keys`, when given), up to the first line that is not one."""
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, colon, value = line.removeprefix("# ").partition(": ")
        if not line.startswith("# ") or not colon or (keys is not None and key not in keys):
            break
        fields[key] = value.strip()
    return fields


def observed_layer(kind: str, shape: tuple, params: int = 0, **config) -> dict:
    """One layer as exercise 6's observation describes it (keras_observe), for comparing by hand."""
    return {
        "class": kind,
        "config": config,
        "given": None,
        "output_shape": list(shape),
        "trainable_params": params,
        "non_trainable_params": 0,
    }


def solution_file(number: int) -> Path:
    return next(SOLUTIONS.glob(f"exercise{number}_*.py"))


def marked_processes(marker: str) -> list[psutil.Process]:
    """Every running process whose command line holds `marker` (what a hostile submission started)."""
    return [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or ())]


def exercise_number(path: Path) -> int:
    """`exercise3_pooling.py` -> 3; a mistake `solutions/mistakes/exercise7_fast_and_backward/x.py` -> 7."""
    name = path.name if path.name.startswith("exercise") else path.parent.name
    return int(name.removeprefix("exercise").split("_")[0])


@pytest.fixture
def submission(tmp_path):
    """Write a submission file for exercise N from source text and return its path."""

    def write(number: int, source: str) -> Path:
        path = tmp_path / solution_file(number).name
        path.write_text(source, encoding="utf-8")
        return path

    return write


@dataclass(frozen=True)
class HandedIn:
    """A hostile way of handing a file in (fixtures/hostile/files/): the shell lines a student runs in their
    folder, under a header that says what it attacks, whether it must be `refused` or `graded`, a phrase the
    refusal says, the exercise it hands in (1 unless told) and the folder a learner would name (`.` unless
    told)."""

    path: Path
    attacks: str
    expect: str
    says: str = ""
    exercise: int = 1
    folder: str = "."

    @classmethod
    def read(cls, path: Path) -> HandedIn:
        fields = fixture_header(path)
        return cls(path, **{**fields, "exercise": int(fields.get("exercise", 1))})

    @property
    def name(self) -> str:
        return self.path.stem

    def make(self, folder: Path) -> Path:
        """Run the student's lines in `folder` (made if need be) and return it."""
        folder.mkdir(parents=True, exist_ok=True)
        path = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))  # python3: ours
        environment = {**os.environ, "PATH": path, "SOLUTIONS_DIR": str(SOLUTIONS)}
        subprocess.run(["bash", "-e", str(self.path)], cwd=folder, env=environment, check=True, timeout=60)
        return folder


HANDED_IN = [HandedIn.read(path) for path in sorted((FIXTURES / "hostile" / "files").glob("*.sh"))]
GRADER_MEMORY_BYTES = 3 * 1024**3  # the grader's own process: a reading without end fails here, not in the OOM killer
_BOUNDED_GRADE = (
    "import resource, sys\n"
    "_, hard = resource.getrlimit(resource.RLIMIT_DATA)\n"
    f"resource.setrlimit(resource.RLIMIT_DATA, ({GRADER_MEMORY_BYTES}, hard))\n"
    "sys.argv[0] = 'grade'\n"
    "from grader.cli import run\n"
    "run()\n"
)


def run_grade(*args, timeout: float) -> subprocess.CompletedProcess:
    """`grade ARGS` in a process of its own, this checkout's grader: a hang fails the test at `timeout` instead
    of stopping the suite, and a reading without end meets a memory limit instead of the OOM killer."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", _BOUNDED_GRADE, *map(str, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        encoding="utf-8",
        errors="backslashreplace",  # a name that is not UTF-8 is printed as the bytes it is
        timeout=timeout,
    )


def _plain_call(call) -> tuple:
    """A call as comparable plain data: arrays by dtype, shape and bytes."""

    def plain(value):
        return (value.dtype.str, value.shape, value.tobytes()) if isinstance(value, np.ndarray) else value

    return tuple(plain(a) for a in call.args), tuple((k, plain(v)) for k, v in sorted(call.kwargs.items()))


def calls_sent(monkeypatch, number: int, **options) -> list:
    """(task, call) for every call the learner's worker receives while the solutions are graded."""
    sent = []
    real_ask = Worker.ask_call

    def recording(self, name, call, timeout, probe=None):
        sent.append((name, _plain_call(call)))
        return real_ask(self, name, call, timeout, probe)

    monkeypatch.setattr(Worker, "ask_call", recording)
    result = grade(number, submission=SOLUTIONS, **options)
    monkeypatch.setattr(Worker, "ask_call", real_ask)
    assert result.score == result.max_score
    return sent
