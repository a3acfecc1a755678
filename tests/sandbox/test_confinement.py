"""The pieces of the sandbox that need no learner process: what may be read, and what is kept of output."""

from __future__ import annotations

import os

from grader.sandbox.confinement import _readable_parts
from grader.sandbox.worker import OUTPUT_TAIL_BYTES, _OutputTap


def test_a_hidden_folder_is_carved_out_of_a_readable_one(tmp_path):
    for folder in ("site/numpy", "site/solutions/deep", "site/grader"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "site" / "module.py").write_text("")
    (tmp_path / "site" / "alias").symlink_to(tmp_path / "site" / "solutions")
    parts = _readable_parts(tmp_path, [tmp_path / "site" / "solutions"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in parts) == ["site/grader", "site/module.py", "site/numpy"]


def test_a_folder_inside_a_hidden_one_is_not_readable_and_an_unrelated_one_whole(tmp_path):
    (tmp_path / "solutions" / "inner").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    assert _readable_parts(tmp_path / "solutions" / "inner", [tmp_path / "solutions"]) == []
    assert _readable_parts(tmp_path / "other", [tmp_path / "solutions"]) == [(tmp_path / "other").resolve()]


def _tap_with(*writes: bytes) -> tuple[_OutputTap, list[int]]:
    read, write = os.pipe()
    tap, marks = _OutputTap(read), []
    for data in writes:
        marks.append(tap.total)
        os.write(write, data)
        tap.read_available()
    os.close(write)
    return tap, marks


def test_output_keeps_a_short_tail_of_a_flood_and_says_it_was_cut():
    tap, _ = _tap_with(b"x" * 60_000, b"y" * 60_000)
    shown = tap.since(0)
    assert shown.startswith("...\n") and shown.endswith("y" * 100)
    assert len(shown) == len("...\n") + OUTPUT_TAIL_BYTES
    assert tap.total == 120_000 and len(tap.tail) <= 64 * 1024


def test_output_since_a_mark_is_what_was_printed_after_it():
    tap, marks = _tap_with(b"first call\n", b"second call\n")
    assert tap.since(marks[1]) == "second call\n"
    assert tap.since(marks[0]) == "first call\nsecond call\n"
    tap.close()
