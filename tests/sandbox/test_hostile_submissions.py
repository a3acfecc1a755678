"""Hostile and broken submissions: each gets the grade it deserves, every other task its own, and nothing
outside the sandbox changes.

Each file in fixtures/hostile/ replaces one task of a correct submission (or, with `attacks: *`, breaks the
whole file) and says in its header what it attacks, what status that task must end with and, optionally, a
phrase the message must contain, a time or memory limit, and the kernel feature it needs. The test writes
the reference solution, then what the attack may use (`GRADER_PID`, `VICTIM`, `SOLUTIONS_DIR`, `MARKER`, and
`_reference_<task>` for answering right), then the attack. After grading, whatever the attack tried: the
victim file is unchanged, the grader received no signal, no process the attack started is alive, nothing it
wrote in its scratch folder is left, and no secret of the grader's environment appears in the report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from grader import catalog
from grader.api import grade
from grader.results import Status
from grader.sandbox.worker import hidden_folders
from tests.conftest import FIXTURES, ROOT, exercise_number, fixture_header, marked_processes, solution_file

pytestmark = pytest.mark.slow

HOSTILE = sorted((FIXTURES / "hostile").glob("exercise*.py"))
SECRET = "s3cret-marking-seed-4711"


def _left_in_scratch_folders(marker: str) -> list[str]:
    """Files named after the marker in any worker's scratch folder; other tests' workers come and go meanwhile."""
    left = []
    for folder in Path(tempfile.gettempdir()).glob("grade-worker-*"):
        try:
            left += [entry.name for entry in folder.iterdir() if entry.name.startswith(marker)]
        except FileNotFoundError:  # a worker of a test running beside this one finished
            continue
    return left


def _landlock_abi() -> int:
    try:
        import landlockpy
    except ImportError:
        return 0
    return landlockpy.abi_version()


def _seccomp() -> bool:
    try:
        from grader.sandbox import syscalls

        syscalls.binding()
    except (ImportError, OSError):
        return False
    return True


NEEDS = {"landlock": 1, "landlock-network": 4, "landlock-signals": 6, "seccomp": 1}


def _lacks(need: str) -> str:
    """Why this machine cannot run an attack that needs `need`, or ''."""
    if need == "seccomp":
        return "" if _seccomp() else "this machine lacks libseccomp or pyseccomp"
    if need and _landlock_abi() < NEEDS[need]:
        return f"this kernel lacks {need} (Landlock ABI {_landlock_abi()})"
    return ""


def _grader_state() -> tuple:
    """What another process could change about the grader: its limits, priority and cores."""
    me = psutil.Process()
    limits = tuple(me.rlimit(getattr(psutil, name)) for name in ("RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_AS"))
    return limits, me.nice(), tuple(me.cpu_affinity())


@dataclass(frozen=True)
class Attack:
    attacks: str
    expect: Status
    says: str = ""
    timeout: float = 10.0
    memory: int = 2048
    needs: str = ""

    @classmethod
    def read(cls, path: Path) -> Attack:
        fields = fixture_header(path, cls.__dataclass_fields__)
        return cls(
            attacks=fields["attacks"],
            expect=Status(fields["expect"]),
            says=fields.get("says", ""),
            timeout=float(fields.get("timeout", 10)),
            memory=int(fields.get("memory", 2048)),
            needs=fields.get("needs", ""),
        )


def _compose(path: Path, victim: Path, marker: str) -> str:
    """The reference runs in a namespace of its own, so that replacing one task leaves the others intact."""
    number = exercise_number(path)
    tasks = catalog.find(str(number)).tasks
    provided = [
        f"_namespace = {{}}\nexec({solution_file(number).read_text()!r}, _namespace)",
        *(f"{t.name} = _reference_{t.name} = _namespace[{t.name!r}]" for t in tasks),
        f"GRADER_PID = {psutil.Process().pid}",
        f"VICTIM = {str(victim)!r}",
        f"SOLUTIONS_DIR = {hidden_folders()[0]!r}",
        f"MARKER = {marker!r}",
    ]
    return "\n".join(provided) + "\n\n" + path.read_text()


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_a_hostile_task_gets_its_grade_and_changes_nothing_else(path, tmp_path, monkeypatch):
    attack = Attack.read(path)
    if _lacks(attack.needs):
        pytest.skip(_lacks(attack.needs))
    before = _grader_state()
    victim = tmp_path / "victim.txt"
    victim.write_text("the instructor's file")
    marker = f"hostile-{uuid.uuid4().hex}"
    submission = tmp_path / "student" / solution_file(exercise_number(path)).name
    submission.parent.mkdir()
    submission.write_text(_compose(path, victim, marker), encoding="utf-8")
    monkeypatch.setenv("GRADE_SEED", SECRET)
    monkeypatch.setenv("INSTRUCTOR_TOKEN", SECRET)
    signals = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: signals.append("SIGUSR1"))
    try:
        result = grade(exercise_number(path), submission, examples=20, timeout=attack.timeout, memory_mb=attack.memory)
    finally:
        signal.signal(signal.SIGUSR1, previous)

    for task in result.tasks:
        if attack.attacks in ("*", task.name):
            assert task.status is attack.expect, f"{task.name}: {task.message}"
            assert attack.says in task.message, task.message
        else:
            assert task.status is Status.PASSED, f"{task.name} should be unaffected: {task.message}"
    assert victim.read_text() == "the instructor's file"
    assert signals == []
    assert _grader_state() == before
    survivors = marked_processes(marker)
    for process in survivors:  # do not leave them running when the test fails
        process.kill()
    assert survivors == []
    assert not any(SECRET in task.message + task.output for task in result.tasks)
    assert _left_in_scratch_folders(marker) == []


def test_every_hostile_fixture_names_its_attack_and_a_known_task():
    assert len(HOSTILE) >= 30
    for path in HOSTILE:
        attack = Attack.read(path)
        names = {t.name for t in catalog.find(str(exercise_number(path))).tasks}
        assert attack.attacks == "*" or attack.attacks in names, path.name
        assert attack.needs in ("", *NEEDS), path.name


@pytest.mark.parametrize("zygote", ["off", "on"])
def test_a_learners_ctrl_c_is_a_keyboard_interrupt_even_where_the_grader_ignores_sigint(zygote, tmp_path):
    """A script's background job starts with SIGINT ignored, and so would the learner's process, forked or
    started from the grader's: the same code would then run on instead of raising KeyboardInterrupt."""
    attack = (FIXTURES / "hostile" / "exercise1_keyboard_interrupt.py").read_text(encoding="utf-8")
    (tmp_path / solution_file(1).name).write_text(solution_file(1).read_text(encoding="utf-8") + "\n" + attack)
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "grader", "exercise1", "--submission", str(tmp_path), "--format", "json"]
    done = subprocess.run(
        [*command, "--output", str(report)],
        env={**os.environ, "GRADE_ZYGOTE": zygote, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # inherited through exec, as `&` does
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    tasks = {t["name"]: t for t in json.loads(report.read_text())["tasks"]}
    assert (
        tasks["correlate_channels"]["status"] == "error"
        and "KeyboardInterrupt" in tasks["correlate_channels"]["message"]
    )
    assert all(t["status"] == "passed" for name, t in tasks.items() if name != "correlate_channels")
