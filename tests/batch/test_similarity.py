"""Suspiciously alike submissions (similarity.html): a copy with renamed variables and rewritten comments is
flagged with the lines it shares, independent correct solutions and the course's own code are not, a notebook
is compared by its code cells, and the same class always gives the same pairs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader import catalog
from grader.classroom import similarity
from grader.classroom.gradebook import ClassResult
from grader.classroom.handback import write_handback
from grader.storage import write_atomically
from grader.stubs import stub_source
from grader.submission import Handed
from tests.conftest import FIXTURES, ROOT, solution_file

CORRECT, SIMILAR = FIXTURES / "correct", FIXTURES / "similar"


def _keep(out: Path, code: dict[str, dict[str, Path | str]]) -> list[str]:
    """Keep each student's files (student -> exercise -> path, or text) as the batch does; the students."""
    for student, files in code.items():
        handed = {}
        for exercise, file in files.items():
            path, data = (Path(f"{exercise}.py"), file.encode()) if isinstance(file, str) else (file, file.read_bytes())
            handed[exercise] = Handed(path, data)
        similarity.keep_code(out, student, handed, write_atomically)
    return sorted(code)


def _pairs(out: Path, code: dict, *numbers: int) -> list[similarity.Pair]:
    return similarity.similar_pairs(out, _keep(out, code), tuple(catalog.find(str(n)) for n in numbers))


def test_a_copy_with_renamed_variables_and_rewritten_comments_is_flagged_with_its_shared_lines(tmp_path):
    code = {
        "baek": {"exercise3": CORRECT / "exercise3_loops.py"},
        "copier": {"exercise3": SIMILAR / "exercise3_loops_renamed.py"},
        "strided": {"exercise3": CORRECT / "exercise3_strided.py"},
    }
    (pair,) = _pairs(tmp_path, code, 3)
    assert (pair.exercise, pair.students) == ("exercise3", ("baek", "copier"))
    assert min(pair.similarity) > 0.95 and pair.shared_tokens > 500
    baek, copier = pair.marked
    assert "<mark>" in baek and "<mark>" in copier
    assert "result[:, a, b, :] = combine(patch)" in copier and "out[:, i, j, :] = reduce(window)" in baek


def test_independent_correct_solutions_the_references_and_alike_small_mistakes_are_not_flagged(tmp_path):
    """Every correct fixture of exercises 1, 2, 3 and 7 beside the others; two students who hand in the reference
    and one who hands in the stub; two whose only own code is nearly the same three-line mistake."""
    numbers = (1, 2, 3, 7)
    code: dict[str, dict] = {}
    for path in sorted(CORRECT.glob("exercise[1237]_*.py")):
        exercise, _, way = path.stem.partition("_")
        code.setdefault(way, {})[exercise] = path
    for student in ("ahn", "seo"):
        code[student] = {f"exercise{n}": solution_file(n) for n in numbers}
    code["stub"] = {f"exercise{n}": stub_source(catalog.find(str(n))) for n in numbers}
    mistakes = ROOT / "solutions" / "mistakes" / "exercise7_fast_and_backward"
    for name in ("bias_gradient_averaged", "bias_gradient_per_example"):
        code[name] = {"exercise7": solution_file(7).read_text() + "\n\n" + (mistakes / f"{name}.py").read_text()}
    assert len(code) >= 8
    assert _pairs(tmp_path, code, *numbers) == []


def _notebook(source: str) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 풀링"]},
        {"cell_type": "code", "metadata": {}, "source": source.splitlines(keepends=True), "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "max_pool2d(x)", "outputs": []},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_a_notebook_is_compared_by_its_code_cells(tmp_path):
    notebook = Handed(
        Path("Copy of exercise3.ipynb"), _notebook(SIMILAR.joinpath("exercise3_loops_renamed.py").read_text()).encode()
    )
    similarity.keep_code(tmp_path, "gim", {"exercise3": notebook}, write_atomically)
    kept = (tmp_path / "code" / "gim" / "exercise3.py").read_text()
    assert "def _size_and_pad(length, window, step, mode):" in kept and "# 풀링" not in kept
    _keep(tmp_path, {"baek": {"exercise3": CORRECT / "exercise3_loops.py"}})
    (pair,) = similarity.similar_pairs(tmp_path, ["baek", "gim"], (catalog.find("3"),))
    assert pair.students == ("baek", "gim")


@pytest.mark.slow
def test_the_same_class_gives_the_same_pairs_in_every_process(tmp_path):
    """copydetect hashes with Python's salted hash(): the child's fixed PYTHONHASHSEED makes the report stable
    (without it, the copy's shares differ between processes: 0.9875 under one seed, 0.9917 under another)."""
    code = {
        "baek": {"exercise3": CORRECT / "exercise3_loops.py"},
        "copier": {"exercise3": SIMILAR / "exercise3_loops_renamed.py"},
    }
    first = _pairs(tmp_path, code, 3)
    assert first and all(_pairs(tmp_path, code, 3) == first for _ in range(2))


def test_a_student_who_no_longer_hands_an_exercise_in_is_no_longer_compared_on_it(tmp_path):
    _keep(tmp_path, {"kim": {"exercise3": CORRECT / "exercise3_loops.py"}})
    similarity.keep_code(tmp_path, "kim", {"exercise3": None}, write_atomically)
    assert not (tmp_path / "code" / "kim" / "exercise3.py").exists()


@pytest.mark.parametrize("text", ["not json", '{"cells": 3}'])
def test_a_file_that_is_no_notebook_gives_no_code(text):
    assert similarity.code_text(Path("exercise3.ipynb"), text.encode()) == ""


def test_an_output_folder_given_relative_to_where_grade_runs_is_compared(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = {
        "baek": {"exercise3": CORRECT / "exercise3_loops.py"},
        "copier": {"exercise3": SIMILAR / "exercise3_loops_renamed.py"},
    }
    assert [pair.students for pair in _pairs(Path("out"), code, 3)] == [("baek", "copier")]


def test_a_comparison_that_fails_is_said_on_the_page_and_the_rest_is_handed_back(tmp_path):
    class Broken:
        def pairs(self):
            raise RuntimeError("copydetect is not installed")

    report = {"student": "kim", "status": "graded", "message": "", "score": 0.0, "max_score": 1.0, "exercises": []}
    result = ClassResult(("exercise3",), {"exercise3": 10.0}, "-", (report,))
    write_handback(tmp_path, result, "en", write_atomically, Broken())
    page = (tmp_path / "similarity.html").read_text(encoding="utf-8")
    assert "The code could not be compared (RuntimeError: copydetect is not installed)" in page
    assert (tmp_path / "feedback" / "kim.html").is_file() and (tmp_path / "scores.csv").is_file()


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's idle scheduling policy")
def test_the_comparison_runs_in_idle_time_while_the_class_is_marked_and_at_a_low_priority_once_waited_for(
    tmp_path, monkeypatch
):
    """Beside the markers it takes only the time they leave; waited for, it is scheduled like any process
    (niced), so that a busy machine cannot hold the class's pages back for ever."""
    set_to = []
    real = os.sched_setscheduler
    monkeypatch.setattr(os, "sched_setscheduler", lambda pid, *a: set_to.append((pid, a[0])) or real(pid, *a))
    students = _keep(tmp_path, {"ann": {"exercise1": solution_file(1)}, "bob": {"exercise1": solution_file(1)}})
    comparison = similarity.Comparison(tmp_path, students, (catalog.find("1"),))
    assert os.sched_getscheduler(comparison.process.pid) == os.SCHED_IDLE
    assert comparison.pairs() == []
    assert set_to == [(comparison.process.pid, os.SCHED_IDLE), (comparison.process.pid, os.SCHED_OTHER)]
