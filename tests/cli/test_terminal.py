"""Every command as a learner or an instructor runs it: a real `grade` process whose stdout and stderr are
terminals (pseudo-terminals), colours on. `CliRunner` never has a terminal, so a crash that only happens on one
(click 8.2 removed `click.get_terminal_size`: every grading command ended in "internal error", exit 2) was
invisible to the other tests.

Each run checks the exit code (0 every task passed, 1 some did not, 2 a wrong command), that the report is
coloured (ANSI escape codes) and its key lines, and that no internal error was printed.
"""

from __future__ import annotations

import csv
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXERCISES, ROOT, SOLUTIONS, solution_file

MISTAKE = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "pool_stride_one.py"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
QUICK = ("--examples", "2", "--lang", "en")


@dataclass
class Run:
    returncode: int
    stdout: str  # as the terminal received it, escape codes and all
    stderr: str

    @property
    def text(self) -> str:
        """stdout as a person reads it: no escape codes, no carriage returns."""
        return ANSI.sub("", self.stdout).replace("\r", "")

    @property
    def coloured(self) -> bool:
        return COLOUR.search(self.stdout) is not None


def _terminal(columns: int, rows: int = 40) -> tuple[int, int]:
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return main_fd, child_fd


def _drain(fds: dict[int, bytearray], deadline: float, process: subprocess.Popen) -> None:
    """Read every terminal until each is closed by the process (EIO on Linux) or the deadline passes."""
    open_fds = set(fds)
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.2)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other side closed: the process and its children are gone
                chunk = b""
            if chunk:
                fds[fd] += chunk
            else:
                open_fds.discard(fd)
        if not ready and process.poll() is not None:
            break


def grade_in_terminal(*args, cwd: Path, columns: int = 100, timeout: float = 300, command=None) -> Run:
    """Run `grade ARGS` with stdin, stdout and stderr on pseudo-terminals (stderr on a terminal of its own, so
    that the two streams stay apart), as in an xterm with colours."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.pop("GITHUB_ACTIONS", None)  # workflow annotations are for CI logs, not for a terminal
    env.pop("TTY_COMPATIBLE", None)
    env.update(TERM="xterm-256color", PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT))
    out_main, out_child = _terminal(columns)
    err_main, err_child = _terminal(columns)
    try:
        process = subprocess.Popen(
            [*(command or [sys.executable, "-m", "grader"]), *map(str, args)],
            cwd=cwd,
            env=env,
            stdin=out_child,
            stdout=out_child,
            stderr=err_child,
            start_new_session=True,  # the terminal is its controlling terminal, as in a shell
        )
    finally:
        os.close(out_child)
        os.close(err_child)
    output = {out_main: bytearray(), err_main: bytearray()}
    try:
        _drain(output, time.monotonic() + timeout, process)
        returncode = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(out_main)
        os.close(err_main)
    run = Run(returncode, output[out_main].decode("utf-8", "replace"), output[err_main].decode("utf-8", "replace"))
    assert "internal error" not in run.stdout + run.stderr, run.stderr
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    return run


@pytest.fixture
def course(tmp_path):
    """The course's folder as a learner cloned it: untouched stubs in exercises/, the references in solutions/,
    one classic mistake in a file of its own."""
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    shutil.copytree(SOLUTIONS, tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "mistake").mkdir()
    (tmp_path / "mistake" / solution_file(3).name).write_text(solution_file(3).read_text() + MISTAKE.read_text())
    return tmp_path


# --- one exercise ----------------------------------------------------------------------------------------------


def test_grading_the_stubs_in_a_terminal_shows_the_coloured_report_and_exits_1(course):
    run = grade_in_terminal("exercise3", *QUICK, cwd=course)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.coloured
    assert "exercise3" in run.text and "max_pool2d" in run.text
    assert "not implemented yet" in run.text and "0/10" in run.text


def test_grading_a_classic_mistake_in_a_terminal_names_it_and_exits_1(course):
    run = grade_in_terminal("3", "--submission", "mistake", *QUICK, cwd=course)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.coloured
    assert "✗ failed" in run.text and "smallest failing example" in run.text
    assert "flatten" in run.text and "✓ passed" in run.text


@pytest.mark.parametrize("exercise", ["exercise1", "exercise3"])
def test_checking_the_references_as_the_quick_start_does_exits_0_in_a_terminal(course, exercise):
    run = grade_in_terminal(exercise, "--submission", "solutions", *QUICK, cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.coloured and "Every task passed!" in run.text


def test_the_report_fits_the_terminal_it_is_shown_in(course):
    narrow = grade_in_terminal("exercise3", "--submission", "solutions", *QUICK, cwd=course, columns=72)
    assert narrow.returncode == 0
    assert max(len(line) for line in narrow.text.splitlines()) <= 72
    assert "Every task passed!" in narrow.text


def test_the_console_script_grades_in_a_terminal_as_python_m_grader_does(course):
    script = Path(sys.executable).with_name("grade")
    if not script.exists():
        pytest.skip("the package is not installed as a console script in this environment")
    run = grade_in_terminal("exercise1", "--submission", "solutions", *QUICK, cwd=course, command=[str(script)])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.coloured and "Every task passed!" in run.text


def test_a_wrong_command_in_a_terminal_exits_2_with_a_message(course):
    run = grade_in_terminal("exercise99", cwd=course)
    assert run.returncode == 2
    assert "Error:" in run.stderr and "exercise99" in run.stderr


# --- every exercise, watching, the learner's side commands -----------------------------------------------------


@pytest.mark.slow
def test_grade_all_on_the_stubs_in_a_terminal_exits_1_with_the_total(course):
    run = grade_in_terminal("all", "--examples", "1", "--lang", "en", cwd=course)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.coloured
    assert "exercise1" in run.text and "exercise7" in run.text and "total: 0/" in run.text


@pytest.mark.slow
@pytest.mark.tensorflow
def test_grade_all_on_the_references_in_a_terminal_exits_0(course):
    # A generous --timeout: exercise 6 loads TensorFlow in the sandbox, which a busy machine makes slow.
    run = grade_in_terminal("all", "--submission", "solutions", *QUICK, "--timeout", "300", cwd=course)
    assert run.returncode == 0, run.text
    assert run.coloured
    total = re.search(r"total: (\d+)/(\d+)", run.text)
    assert total is not None and total.group(1) == total.group(2)


@pytest.mark.parametrize(("submission", "exit_code"), [("exercises", 1), ("mistake", 1), ("solutions", 0)])
def test_watch_in_a_terminal_clears_the_screen_grades_and_says_it_is_watching(course, submission, exit_code):
    run = grade_in_terminal("watch", "exercise3", "--submission", submission, "--runs", "1", *QUICK, cwd=course)
    assert run.returncode == exit_code, run.stdout + run.stderr
    assert run.coloured and "\x1b[2J" in run.stdout  # the screen cleared before the report
    assert "max_pool2d" in run.text
    assert "save it to grade again" in ANSI.sub("", run.stderr)


def test_list_and_hint_in_a_terminal_are_coloured_and_exit_0(course):
    listed = grade_in_terminal("list", "--lang", "en", cwd=course)
    assert listed.returncode == 0 and listed.coloured
    assert "max_pool2d" in listed.text and "not started" in listed.text
    hint = grade_in_terminal("hint", "exercise3", "max_pool2d", "--lang", "en", cwd=course)
    assert hint.returncode == 0 and hint.coloured
    assert "exercise3 — max_pool2d" in hint.text and "grade hint exercise3 max_pool2d" in hint.text


@pytest.mark.parametrize("args", [("--help",), ("exercise3", "--help"), ("batch", "--help")])
def test_help_in_a_terminal_exits_0(course, args):
    run = grade_in_terminal(*args, cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Usage:" in run.text and "--" in run.text


# --- an instructor marking a class -------------------------------------------------------------------------------


@pytest.fixture
def classroom(course):
    """Two students' folders: one with the reference of exercise 3, one with the classic mistake."""
    root = course / "submissions"
    for student, source in (("ahn", SOLUTIONS), ("baek", course / "mistake")):
        (root / student).mkdir(parents=True)
        shutil.copy(source / solution_file(3).name, root / student)
    return root


def _gradebook(folder: Path) -> dict[str, str]:
    with open(folder / "gradebook.csv", encoding="utf-8") as f:
        return {row["student"]: row["status"] for row in csv.DictReader(f)}


@pytest.mark.slow
def test_batch_in_a_terminal_marks_the_class_writes_the_gradebook_and_exits_1(course, classroom):
    out = course / "marked"
    run = grade_in_terminal("batch", classroom, "--out", out, "--exercises", "3", "--jobs", "2", *QUICK, cwd=course)
    assert run.returncode == 1, run.stdout + run.stderr  # baek's mistake: some task did not pass
    assert _gradebook(out) == {"ahn": "graded", "baek": "graded"}
    assert run.coloured and "gradebook" in run.text and "pass rate per task" in run.text
    assert "exercise3" in run.text and "…" not in run.text.split("pass rate per task")[0]
    # stderr is a terminal: rich's progress bar, not a line per student.
    assert "marking" in ANSI.sub("", run.stderr) and "[1/2]" not in run.stderr

    merged = grade_in_terminal("merge", out, "--out", course / "merged", "--lang", "en", cwd=course)
    assert merged.returncode == 1, merged.stdout + merged.stderr
    assert merged.coloured and "gradebook" in merged.text
    assert _gradebook(course / "merged") == _gradebook(out)

    twice = grade_in_terminal("merge", out, f"{out}/", "--out", course / "merged-twice", cwd=course)
    assert twice.returncode == 2 and "given twice" in twice.stderr


@pytest.mark.slow
def test_batch_in_a_terminal_exits_0_when_every_student_passes(course, classroom):
    shutil.rmtree(classroom / "baek")
    out = course / "marked"
    run = grade_in_terminal("batch", classroom, "--out", out, "--exercises", "3", "--jobs", "1", *QUICK, cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    assert _gradebook(out) == {"ahn": "graded"} and run.coloured
