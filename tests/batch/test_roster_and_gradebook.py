"""Who the students are, which share a shard marks, and the gradebook built from reports alone."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from grader import catalog
from grader.classroom.gradebook import ClassResult, gradebook_csv, histogram, pass_rates
from grader.classroom.roster import Student, parse_shard, shard, students
from grader.cli import main
from grader.errors import GraderError
from tests.batch.conftest import write_class
from tests.conftest import solution_file


def test_a_student_is_a_folder_a_py_file_or_a_notebook_and_other_entries_are_not(tmp_path):
    write_class(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "lee.ipynb").write_text("{}")
    roster = students(tmp_path)
    assert [s.name for s in roster] == ["ahn", "baek", "choi", "do", "eun", "fu", "gim", "lee"]
    assert {s.name: s.root.name for s in roster}["gim"] == "exercises"  # a clone of the course repository


def test_the_folder_of_one_student_is_refused_with_what_to_pass_instead(tmp_path):
    (tmp_path / "exercise1_convolution.py").write_text("")
    with pytest.raises(GraderError, match="one student's folder"):
        students(tmp_path)


def test_two_entries_for_one_student_are_refused(tmp_path):
    (tmp_path / "kim").mkdir()
    (tmp_path / "kim.py").write_text("")
    with pytest.raises(GraderError, match="two submissions for student 'kim'"):
        students(tmp_path)


@given(size=st.integers(0, 40), n=st.integers(1, 8))
def test_shards_are_disjoint_cover_the_class_and_differ_by_one_at_most(size, n):
    roster = tuple(Student(f"s{i:02d}", solution_file(1)) for i in range(size))
    shares = [shard(roster, k, n) for k in range(1, n + 1)]
    names = [s.name for share in shares for s in share]
    assert sorted(names) == [s.name for s in roster] and len(set(names)) == size
    assert max(map(len, shares)) - min(map(len, shares)) <= 1


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(GraderError, match="--shard"):
        parse_shard(text)


def test_the_content_hash_changes_with_the_graded_bytes_only(tmp_path):
    exercises = (catalog.find("1"), catalog.find("3"))
    (tmp_path / "kim").mkdir()
    kim = Student("kim", tmp_path / "kim")
    empty = kim.content_hash(exercises)
    (tmp_path / "kim" / "notes.txt").write_text("not graded")
    assert kim.content_hash(exercises) == empty
    (tmp_path / "kim" / "exercise1_convolution.py").write_text("x = 1\n")
    first = kim.content_hash(exercises)
    (tmp_path / "kim" / "exercise1_convolution.py").write_text("x = 2\n")
    assert len({empty, first, kim.content_hash(exercises)}) == 3


def _report(student, status, scores, tasks_passed=()):
    exercises = [
        {
            "exercise": name,
            "score": score,
            "max_score": 10.0,
            "tasks": [{"name": "t", "status": "passed" if name in tasks_passed else "failed"}],
        }
        for name, score in scores.items()
    ]
    return {"student": student, "status": status, "score": float(sum(scores.values())), "exercises": exercises}


CLASS = ClassResult(
    exercises=("exercise1", "exercise3"),
    maxima={"exercise1": 10.0, "exercise3": 10.0},
    settings_sha256="-",
    reports=(
        _report("=cmd()", "graded", {"exercise1": 10.0, "exercise3": 9.5}, ("exercise1",)),
        _report("kim", "incomplete", {"exercise1": 2.0, "exercise3": 0.0}),
        {"student": "lee", "status": "error", "message": "stuck", "score": 0.0, "exercises": []},
    ),
)


def test_the_gradebook_quotes_formulas_and_leaves_an_unmarked_student_blank():
    rows = list(csv.reader(gradebook_csv(CLASS).splitlines()))
    assert rows == [
        ["student", "exercise1", "exercise3", "total", "max", "status"],
        ["'=cmd()", "10", "9.5", "19.5", "20", "graded"],
        ["kim", "2", "0", "2", "20", "incomplete"],
        ["lee", "", "", "", "20", "error"],
    ]
    assert not CLASS.passed


def test_pass_rates_and_histogram_count_marked_students_only():
    rates = {(r.exercise, r.task): (r.passed, r.marked) for r in pass_rates(CLASS)}
    assert rates == {("exercise1", "t"): (1, 2), ("exercise3", "t"): (0, 2)}
    assert histogram(CLASS) == (0, 1, 0, 0, 0, 0, 0, 0, 0, 1)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--shard", "5/3"], "--shard"),
        (["--exercises", "exercise9"], "exercise9"),
        (["--backend", "gpu"], "GPU"),
    ],
)
def test_a_wrong_batch_command_exits_2_and_marks_nobody(tmp_path, args, says, monkeypatch):
    monkeypatch.setattr("grader.backends.nvidia_present", lambda: False)
    write_class(tmp_path / "class")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not (tmp_path / "out" / "reports").exists()


def test_merge_refuses_folders_that_are_not_batch_outputs(tmp_path):
    result = CliRunner().invoke(main, ["merge", str(tmp_path), "--out", str(tmp_path / "merged")])
    assert result.exit_code == 2 and "batch manifest" in result.output


def _shard_output(folder, reports, settings="same", share=None):
    import dataclasses
    import json

    from grader.classroom.batch import REPORTS, write_class

    result = dataclasses.replace(CLASS, reports=reports, settings_sha256=settings, shard=share)
    write_class(folder, result)
    (folder / REPORTS).mkdir()
    for report in reports:
        (folder / REPORTS / f"{report['student']}.json").write_text(json.dumps(report))
    return folder


@pytest.mark.parametrize(
    ("second", "says"),
    [
        ({"settings": "other", "share": (2, 2)}, "other exercises or settings"),
        ({"share": (2, 3)}, "missing from the merge"),
        ({"share": (2, 2), "same_student": True}, "more than one"),
    ],
    ids=["other settings", "a shard missing", "a student twice"],
)
def test_merge_refuses_shards_that_would_make_an_unfair_or_incomplete_gradebook(tmp_path, second, says):
    first = _shard_output(tmp_path / "a", CLASS.reports[:1], share=(1, 2 if "missing" not in says else 3))
    reports = CLASS.reports[:1] if second.get("same_student") else CLASS.reports[1:]
    other = _shard_output(tmp_path / "b", reports, second.get("settings", "same"), second["share"])
    result = CliRunner().invoke(main, ["merge", str(first), str(other), "--out", str(tmp_path / "merged")])
    assert result.exit_code == 2, result.output
    assert says in result.output


@pytest.mark.parametrize(
    "spellings",
    [("a", "a"), ("a/", "a"), ("a", "./a"), ("a", "../{here}/a")],
    ids=["the same words", "a trailing slash", "./", "through the parent"],
)
def test_merge_says_a_shard_folder_given_twice_was_given_twice(tmp_path, monkeypatch, spellings):
    _shard_output(tmp_path / "a", CLASS.reports[:1], share=(1, 2))
    _shard_output(tmp_path / "b", CLASS.reports[1:], share=(2, 2))
    monkeypatch.chdir(tmp_path)
    folders = [s.format(here=tmp_path.name) for s in spellings]
    result = CliRunner().invoke(main, ["merge", *folders, "b", "--out", "merged"])
    assert result.exit_code == 2, result.output
    assert "given twice" in result.output and "more than one" not in result.output
    assert not (tmp_path / "merged").exists()


def test_merge_says_one_shard_marked_into_two_folders_was_given_twice(tmp_path):
    first = _shard_output(tmp_path / "a", CLASS.reports[:1], share=(1, 2))
    again = _shard_output(tmp_path / "a-again", CLASS.reports[:1], share=(1, 2))
    result = CliRunner().invoke(main, ["merge", str(first), str(again), "--out", str(tmp_path / "merged")])
    assert result.exit_code == 2, result.output
    assert "shard 1/2 was given twice" in result.output
