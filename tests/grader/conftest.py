"""Fixtures shared by the grader's tests."""

from __future__ import annotations

import pytest

from grader import drawing, observations


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """Nothing kept in this process (drawn calls, observations); on disk, this test's own empty cache folder."""
    monkeypatch.setenv("GRADE_CACHE_DIR", str(tmp_path / "cache"))
    drawing.forget()
    observations.forget()
    yield tmp_path / "cache"
    drawing.forget()
    observations.forget()
