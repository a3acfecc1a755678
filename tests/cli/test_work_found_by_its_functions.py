"""A learner's work is found by the functions it defines when no file is named for the exercise
(`grader.discovery`): `HW3_김민수.ipynb`, Colab's `Copy of exercise3.ipynb`, `hw.py` in a zip's nested folder.
The name rules still come first; a file is parsed, never run; files that cannot be read safely are never
candidates; two files that cover an exercise equally are reported, in `grade --submission` and in a class."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from grader import catalog
from grader.api import make_options
from grader.classroom.marking import ERROR, mark_student
from grader.classroom.roster import students
from grader.discovery import AmbiguousSubmission, definitions, find_by_content
from grader.submission import find_source
from tests.cli.conftest import run
from tests.conftest import EXERCISES, SOLUTIONS

POOLING = catalog.find("exercise3")
REFERENCE = (SOLUTIONS / "exercise3_pooling.py").read_text(encoding="utf-8")
STUB = (EXERCISES / "exercise3_pooling.py").read_text(encoding="utf-8")


def notebook(*cells: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]))


def test_a_notebook_named_for_its_student_is_graded_for_the_exercise_it_defines(tmp_path):
    (tmp_path / "HW3_김민수.ipynb").write_text(notebook("%matplotlib inline\nimport numpy as np", REFERENCE))
    result = run("exercise3", "--submission", tmp_path, "--examples", "5", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["score"] == report["max_score"] == 10
    assert {task["status"] for task in report["tasks"]} == {"passed"}


def test_a_file_in_a_nested_folder_is_found_and_the_written_one_beats_a_copy_of_the_stub(tmp_path):
    (tmp_path / "hw3" / "work").mkdir(parents=True)
    (tmp_path / "hw3" / "work" / "hw.py").write_text(REFERENCE)
    (tmp_path / "stub_copy.py").write_text(STUB)
    assert find_source(POOLING, tmp_path) == tmp_path / "hw3" / "work" / "hw.py"


def test_the_name_rules_come_first(tmp_path):
    (tmp_path / "exercise3_pooling.py").write_text(STUB)
    (tmp_path / "hw.py").write_text(REFERENCE)
    assert find_source(POOLING, tmp_path) == tmp_path / "exercise3_pooling.py"


def test_a_folder_without_the_exercises_functions_has_nothing_for_it(tmp_path):
    (tmp_path / "notes.py").write_text("def helper(x):\n    return x\n")
    (tmp_path / "Untitled.ipynb").write_text(notebook("print('hello')"))
    (tmp_path / "broken.py").write_text("def max_pool2d(x:\n")  # does not parse: defines nothing
    assert find_source(POOLING, tmp_path) is None


def test_two_files_that_cover_the_exercise_equally_are_reported_not_chosen_by_luck(tmp_path):
    (tmp_path / "hw3.py").write_text(REFERENCE)
    (tmp_path / "Copy of exercise3.ipynb").write_text(notebook(REFERENCE))
    with pytest.raises(AmbiguousSubmission, match=r"Copy of exercise3\.ipynb, hw3\.py"):
        find_source(POOLING, tmp_path)
    result = run("exercise3", "--submission", tmp_path, "--examples", "3")
    assert result.exit_code == 2
    assert "2 files define its functions equally well" in result.output and "exercise3_pooling.py" in result.output


def test_in_a_class_the_ambiguous_student_gets_an_error_row_that_names_the_files(tmp_path):
    kim = tmp_path / "class" / "kim"
    kim.mkdir(parents=True)
    (kim / "a.py").write_text(REFERENCE)
    (kim / "b.py").write_text(REFERENCE)
    (student,) = students(tmp_path / "class")
    report = mark_student(student.name, student.root, (POOLING,), make_options(examples=3, lang="en"), student.within)
    assert report["status"] == ERROR and "a.py, b.py" in report["message"]


def test_in_a_class_a_notebook_of_any_name_is_the_students_work(tmp_path):
    lee = tmp_path / "class" / "lee"
    lee.mkdir(parents=True)
    (lee / "Copy of exercise3.ipynb").write_text(notebook(REFERENCE))
    (student,) = students(tmp_path / "class")
    assert student.sources((POOLING,)) == {"exercise3": lee / "Copy of exercise3.ipynb"}
    assert student.files((POOLING,), tmp_path / "class") == {"exercise3": "lee/Copy of exercise3.ipynb"}


def test_a_candidate_is_parsed_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "hw.py").write_text(f"open({str(marker)!r}, 'w').close()\n{REFERENCE}")
    assert find_source(POOLING, tmp_path / "work") == tmp_path / "work" / "hw.py"
    assert not marker.exists()


def test_files_that_cannot_be_read_safely_are_never_candidates(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "answers.py").write_text(REFERENCE)
    work = tmp_path / "work"
    work.mkdir()
    (work / "linked.py").symlink_to(outside / "answers.py")  # leads out of the submission
    os.mkfifo(work / "pipe.py")  # would hang a plain open()
    (work / "huge.py").write_text(REFERENCE + "#" * (3 * 1024 * 1024))  # over the 2 MiB limit of a .py file
    started = time.monotonic()
    assert find_source(POOLING, work) is None
    (work / "mine.py").write_text(REFERENCE.replace("def flatten", "def flatten_unused"))
    assert find_source(POOLING, work) == work / "mine.py"
    assert time.monotonic() - started < 10


def test_in_a_notebook_the_last_definition_of_a_function_decides_whether_it_is_written():
    written_then_stub = definitions(Path("a.ipynb"), notebook(REFERENCE, STUB).encode())
    stub_then_written = definitions(Path("b.ipynb"), notebook(STUB, REFERENCE).encode())
    assert "max_pool2d" in written_then_stub.defined and "max_pool2d" not in written_then_stub.written
    assert "max_pool2d" in stub_then_written.written


def test_search_by_content_looks_only_inside_the_folder_it_is_given(tmp_path):
    (tmp_path / "hw.py").write_text(REFERENCE)
    (tmp_path / "empty").mkdir()
    assert find_by_content(POOLING, tmp_path / "empty") is None
