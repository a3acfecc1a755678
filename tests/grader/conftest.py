"""Fixtures shared by the grader's tests."""

from __future__ import annotations

import pytest

from grader import drawing


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No calls kept in memory; on disk, this test's own empty cache folder."""
    monkeypatch.setenv("GRADE_CACHE_DIR", str(tmp_path / "calls"))
    drawing.forget()
    yield tmp_path / "calls"
    drawing.forget()
