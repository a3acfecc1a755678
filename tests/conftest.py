"""Shared test setup: hypothesis profiles and helpers to build submissions.

Profiles: `dev` (quick, the default on a laptop) and `ci` (more examples, derandomised, picked when CI is set).
Choose one with HYPOTHESIS_PROFILE=dev|ci.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Calls drawn by the grader are kept in a folder of this run's own, never in the user's cache (subprocesses
# inherit it); tests of drawing itself choose their own.
os.environ.setdefault("GRADE_CACHE_DIR", tempfile.mkdtemp(prefix="grade-test-calls-"))

settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def solution_file(number: int) -> Path:
    return next(SOLUTIONS.glob(f"exercise{number}_*.py"))


def marked_processes(marker: str) -> list[psutil.Process]:
    """Every running process whose command line holds `marker` (what a hostile submission started)."""
    return [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or ())]


def exercise_number(path: Path) -> int:
    """`exercise3_pooling.py` -> 3."""
    return int(path.name.removeprefix("exercise").split("_")[0])


@pytest.fixture
def submission(tmp_path):
    """Write a submission file for exercise N from source text and return its path."""

    def write(number: int, source: str) -> Path:
        path = tmp_path / solution_file(number).name
        path.write_text(source, encoding="utf-8")
        return path

    return write
