"""The Gradescope footprint benchmark measures what README's container table says: the whole process tree
(the grader, its worker, the learner's process), not the one command, and the tree's CPU time."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT


def _benchmark():
    spec = importlib.util.spec_from_file_location("gradescope_kit", ROOT / "benchmarks" / "gradescope_kit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_footprint_sums_the_process_tree_and_grades_the_references_in_full():
    row = _benchmark().grade_once(3, cpus=None)
    assert row["returncode"] == 0 and row["score"] == "10/10"
    assert row["peak_tree_rss_mib"] > row["largest_process_rss_mib"] > 20  # more than one process was seen
    # The tree's CPU time holds more than the grade command's own (its worker's and the learner's process's too),
    # on at most 2 cores; no fixed floor, which a faster grader would fall under.
    assert 0 < row["grader_cpu_seconds"] < row["cpu_seconds"] < row["wall_seconds"] * 2 + 1
