"""`grade batch` on a class where some students hand in files that are not what they claim to be
(fixtures/hostile/files/: a link to the reference or to a classmate, a named pipe, /dev/zero, a folder, an
`exercises/` folder linked to the references, a huge file, a notebook that is none) and one student's folder
is a link out of the class: each of them gets an `error` row that says why, every other student keeps their
marks, the gradebook is written and the exit code is 1. The batch runs in a process of its own under a time
and memory limit, so a hang or a reading without end fails the test instead of stopping the suite."""

from __future__ import annotations

import csv
import json
import os
import shutil

import pytest

from tests.batch.conftest import EXERCISES, OPTIONS, STRIDE_ONE
from tests.conftest import HANDED_IN, run_grade, solution_file

pytestmark = pytest.mark.slow

REFUSED = [handed for handed in HANDED_IN if handed.expect == "refused"]
MARKS = {  # student: (exercise1, exercise3, status)
    "ahn": ("11", "10", "graded"),
    "choi": ("11", "4", "graded"),
    "links_inside_its_own_folder": ("11", "0", "incomplete"),
}
OUT_OF_THE_CLASS = "yoon"  # the student's folder itself is a link to a folder outside the class


def batch(submissions, out, *extra):
    return run_grade(
        "batch", submissions, "--out", out, "--exercises", EXERCISES, *OPTIONS, "--jobs", "2", *extra, timeout=600
    )


def rows(out) -> dict[str, list[str]]:
    lines = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    return {row[0]: row[1:] for row in list(csv.reader(lines))[1:]}


def report(out, student) -> dict:
    return json.loads((out / "reports" / f"{student}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """The class marked once: (submissions, out, the finished process)."""
    root = tmp_path_factory.mktemp("hostile-class")
    submissions = root / "submissions"
    ex1, ex3 = solution_file(1), solution_file(3)
    for name, exercise3 in (("ahn", ex3.read_text()), ("choi", ex3.read_text() + "\n\n" + STRIDE_ONE)):
        (submissions / name).mkdir(parents=True)
        shutil.copy(ex1, submissions / name)
        (submissions / name / ex3.name).write_text(exercise3, encoding="utf-8")
    for handed in HANDED_IN:
        handed.make(submissions / handed.name)
    (root / "elsewhere").mkdir()
    shutil.copy(ex1, root / "elsewhere")
    (submissions / OUT_OF_THE_CLASS).symlink_to(root / "elsewhere")
    out = root / "out"
    return submissions, out, batch(submissions, out)


def test_every_student_has_a_gradebook_row_and_the_batch_exits_1(marked):
    _, out, result = marked
    assert result.returncode == 1, result.stdout + result.stderr
    expected = {*MARKS, OUT_OF_THE_CLASS, *(handed.name for handed in HANDED_IN)}
    assert set(rows(out)) == expected
    assert {path.stem for path in (out / "reports").glob("*.json")} == expected


def test_the_other_students_keep_their_marks(marked):
    _, out, _ = marked
    got = {name: (row[0], row[1], row[4]) for name, row in rows(out).items() if name in MARKS}
    assert got == MARKS


@pytest.mark.parametrize("handed", REFUSED, ids=[handed.name for handed in REFUSED])
def test_a_student_whose_file_is_not_what_it_claims_gets_an_error_row_that_says_why(marked, handed):
    _, out, _ = marked
    assert rows(out)[handed.name] == ["", "", "", "21", "error"]
    assert handed.says in report(out, handed.name)["message"]


def test_a_student_folder_linked_out_of_the_class_gets_an_error_row(marked):
    submissions, out, _ = marked
    assert rows(out)[OUT_OF_THE_CLASS][-1] == "error"
    message = report(out, OUT_OF_THE_CLASS)["message"]
    assert f"outside the folder {submissions.name}" in message


def test_the_reports_show_each_file_where_the_student_named_it_never_where_a_link_leads(marked):
    _, out, _ = marked
    assert report(out, "links_to_the_reference")["files"] == {
        "exercise1": "links_to_the_reference/exercise1_convolution.py"
    }
    assert report(out, "links_its_exercises_folder_to_the_references")["files"] == {
        "exercise1": "links_its_exercises_folder_to_the_references/exercises/exercise1_convolution.py",
        "exercise3": "links_its_exercises_folder_to_the_references/exercises/exercise3_pooling.py",
    }
    assert report(out, OUT_OF_THE_CLASS)["files"] == {"exercise1": f"{OUT_OF_THE_CLASS}/exercise1_convolution.py"}


def test_resume_reads_the_same_class_to_the_end_and_keeps_only_the_marked_students(marked, tmp_path):
    submissions, out, _ = marked
    resumed = tmp_path / "out"
    shutil.copytree(out, resumed)
    result = batch(submissions, resumed, "--resume")
    assert result.returncode == 1, result.stdout + result.stderr
    assert rows(resumed) == rows(out)
    assert f"{len(rows(out))} students: {len(rows(out)) - len(MARKS)} marked, {len(MARKS)} kept" in result.stdout


def test_a_student_folder_named_in_another_encoding_is_marked_and_shown_escaped(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    kim = os.fsencode(submissions) + b"/\xb1\xe8\xc3\xb6\xbc\xf6"  # 김철수 in CP949, from a zip made on Windows
    try:
        os.mkdir(kim)
    except OSError:
        pytest.skip("this file system takes UTF-8 names only")
    shutil.copy(solution_file(1), os.fsdecode(kim))
    result = run_grade("batch", submissions, "--out", tmp_path / "out", "--exercises", "1", *OPTIONS, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(tmp_path / "out") == {"\\udcb1\\udce8ö\\udcbc\\udcf6": ["11", "11", "11", "graded"]}
