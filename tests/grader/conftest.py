"""Fixtures shared by the grader's tests."""

from __future__ import annotations

import pytest

from grader import drawing, kept_answers, observations


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """Nothing kept in this process (drawn calls, observations, the reference's kept answers); on disk, this
    test's own empty cache folder."""
    monkeypatch.setenv("GRADE_CACHE_DIR", str(tmp_path / "cache"))
    for kept in (drawing, observations, kept_answers):
        kept.forget()
    yield tmp_path / "cache"
    for kept in (drawing, observations, kept_answers):
        kept.forget()
