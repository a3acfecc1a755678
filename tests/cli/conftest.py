"""The command line's tests: `run` invokes `grade` in this process; `project` is a learner's project of
untouched stubs, made the current folder, whose state (.grade/) is its own."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.conftest import EXERCISES


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADE_STATE_DIR")
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    return tmp_path
