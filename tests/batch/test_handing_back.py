"""What `grade batch` hands back besides the gradebook: a feedback page per student in the course's language,
scores.csv with a column per task for an LMS, and similarity.html with the copied pair (and no other); `grade
merge` of shards writes the same bytes as one run of the whole class."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from grader import catalog
from grader.cli import main
from grader.i18n import label
from tests.batch.conftest import EXERCISES, OPTIONS, write_class
from tests.conftest import FIXTURES, solution_file

pytestmark = pytest.mark.slow

MARKUP_NAME = "<script>alert(1)<"  # a folder name cannot hold "/": the page's end tag is in what it prints
PRINTS_MARKUP = """

_right_max_pool2d = max_pool2d


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    print("</html><script>alert(2)</script>")
    return _right_max_pool2d(x, pool_size, strides, padding) + 1
"""


def _class(root):
    """The batch tests' seven students, and two more: `copier` handed in baek's exercise 1 as it is and baek's
    exercise 3 with every variable renamed and every comment rewritten; a student whose folder name and printed
    output are markup."""
    submissions = write_class(root)
    shutil.copytree(submissions / "baek", submissions / "copier")
    shutil.copy(FIXTURES / "similar" / "exercise3_loops_renamed.py", submissions / "copier" / solution_file(3).name)
    markup = submissions / MARKUP_NAME
    markup.mkdir()
    (markup / solution_file(3).name).write_text(solution_file(3).read_text() + PRINTS_MARKUP)
    return submissions


def _batch(submissions, out, *extra):
    args = ["batch", str(submissions), "--out", str(out), "--exercises", EXERCISES, *OPTIONS, "--lang", "ko", *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("handing-back")
    submissions = _class(root / "submissions")
    out = root / "out"
    result = _batch(submissions, out, "--jobs", "2")
    assert result.exit_code == 1, result.output
    return submissions, out


STUDENTS = ("ahn", "baek", "choi", "copier", "do", "eun", "fu", "gim", MARKUP_NAME)


def _reports(out) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((out / "reports").glob("*.json"))}


def _handed_back(out) -> dict[str, bytes]:
    files = [out / "scores.csv", out / "similarity.html", *sorted((out / "feedback").glob("*.html"))]
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in files}


def test_every_student_gets_a_feedback_page_in_the_course_language(marked):
    _, out = marked
    assert sorted(p.stem for p in (out / "feedback").glob("*.html")) == sorted(STUDENTS)
    ahn = (out / "feedback" / "ahn.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in ahn and label("all_passed", "ko") in ahn and "21/21" in ahn
    choi = (out / "feedback" / "choi.html").read_text(encoding="utf-8")
    assert 'id="exercise3.max_pool2d"' in choi and label("diagnosis", "ko") in choi
    assert '<table class="grid expected">' in choi  # the smallest failing example drawn as grids
    assert choi.count('<img src="data:image/png;base64,') == 2  # max_pool2d and avg_pool2d as heatmaps
    assert "<img" not in ahn
    do = (out / "feedback" / "do.html").read_text(encoding="utf-8")
    assert 'id="exercise1.conv1d"' in do and label("timeout", "ko") in do


def test_a_page_shows_a_students_markup_name_and_printed_markup_as_text(marked):
    _, out = marked
    page = (out / "feedback" / f"{MARKUP_NAME}.html").read_text(encoding="utf-8")
    assert "<script" not in page and page.count("</html>") == 1
    assert "&lt;script&gt;alert(1)&lt;" in page and "&lt;/html&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    report = json.loads((out / "reports" / f"{MARKUP_NAME}.json").read_text(encoding="utf-8"))
    assert "alert(2)" in report["exercises"][1]["tasks"][0]["output"]  # kept in the batch's report


def test_scores_have_a_column_per_task_and_the_gradebook_total(marked):
    _, out = marked
    rows = list(csv.reader((out / "scores.csv").read_text(encoding="utf-8").splitlines()))
    tasks = [f"{e.name}.{t.name}" for e in map(catalog.find, EXERCISES.split(",")) for t in e.tasks]
    assert rows[0] == ["student", *tasks, "total"] and "exercise3.max_pool2d" in tasks
    scores = {row[0]: dict(zip(rows[0][1:], row[1:], strict=True)) for row in rows[1:]}
    assert list(scores) == sorted(STUDENTS)
    assert scores["choi"]["exercise3.max_pool2d"] == scores["choi"]["exercise3.avg_pool2d"] == "0"
    assert scores["choi"]["exercise3.flatten"] == "2" and scores["do"]["exercise1.conv1d"] == "0"
    gradebook = {row[0]: row for row in csv.reader((out / "gradebook.csv").read_text().splitlines())}
    for student, row in scores.items():
        assert float(row["total"]) == sum(float(row[t]) for t in tasks) == float(gradebook[student][3])


def test_the_similarity_report_flags_the_copied_pair_and_no_other(marked):
    _, out = marked
    page = (out / "similarity.html").read_text(encoding="utf-8")
    flagged = [line for line in page.splitlines() if 'href="#pair-' in line]
    assert len(flagged) == 2 and all("baek · copier" in line for line in flagged)
    assert "<td>exercise1</td>" in flagged[0] + flagged[1] and "<td>exercise3</td>" in flagged[0] + flagged[1]
    assert "<mark>" in page and "<script" not in page


def test_marking_again_hands_back_the_same_bytes(marked, tmp_path):
    submissions, out = marked
    again = tmp_path / "again"
    _batch(submissions, again, "--jobs", "1")
    assert _reports(again) == _reports(out)  # else the grading itself changed (a timeout under heavy load)
    assert _handed_back(again) == _handed_back(out)


def test_shards_merged_hand_back_what_one_run_does(marked, tmp_path):
    submissions, out = marked
    shards = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    for k, folder in enumerate(shards, start=1):
        _batch(submissions, folder, "--shard", f"{k}/3", "--jobs", "1")
    students = [json.loads((folder / "batch.json").read_text())["students"] for folder in shards]
    assert not any("baek" in names and "copier" in names for names in students)  # the pair is found at the merge
    merged = tmp_path / "merged"
    result = CliRunner().invoke(main, ["merge", *map(str, shards), "--out", str(merged)])
    assert result.exit_code == 1, result.output
    assert _reports(merged) == _reports(out)  # else the grading itself changed (a timeout under heavy load)
    assert _handed_back(merged) == _handed_back(out)
