"""A student release built once for these tests (exercises 3, 6 and 7), and Pythons of their own into which it and
the instructor's wheel are installed as a course installs them: `pip install`, never from this checkout.

A test venv sees the packages of the Python running the tests (numpy, hypothesis, ...) by a plain path line in a
.pth file, so it finds no editable install of this checkout: `grader` and the references come only from what was
installed into it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASED = "exercise3,exercise6,exercise7"


def _site_packages(python: Path) -> str:
    """The site-packages folder of the venv whose interpreter is `python`."""
    return subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def make_venv(where: Path) -> Path:
    """A new venv whose site-packages also reads this Python's packages; its python executable."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = _site_packages(python)
    Path(site, "shared-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def pip_install(python: Path, target: Path) -> None:
    """`pip install` with the test run's pip and setuptools, into the venv of `python` (no network)."""
    site = _site_packages(python)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            site,
            str(target),
        ],
        check=True,
    )


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> tuple[Path, float]:
    """The student edition of exercises 3, 6 and 7, and the seconds `grade release` took."""
    out = tmp_path_factory.mktemp("release") / "student-edition"
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "grader", "release", "--out", str(out), "--exercises", RELEASED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return out, time.monotonic() - started


@pytest.fixture(scope="session")
def student_python(release, tmp_path_factory) -> Path:
    """A Python where the student edition is installed (`pip install DIR`)."""
    python = make_venv(tmp_path_factory.mktemp("student-venv") / "venv")
    pip_install(python, release[0])
    return python


def grade_with(python: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-m", "grader", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
