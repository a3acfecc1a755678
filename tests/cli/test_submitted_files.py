"""`grade exerciseN --submission ...`: a learner's file is graded only when it is what it claims to be, a plain
file inside the submission (fixtures/hostile/files/). A link to the references, a named pipe, /dev/zero, a
folder or a huge file is refused at once with "Error: ..." and exit code 2, and nothing is graded: never a
hang, never a reading without end. Each command runs in a process of its own, under a time and memory limit."""

from __future__ import annotations

import pytest

from tests.conftest import HANDED_IN, run_grade

REFUSED = [handed for handed in HANDED_IN if handed.expect == "refused"]
GRADED = [handed for handed in HANDED_IN if handed.expect == "graded"]
BY_NAME = {handed.name: handed for handed in HANDED_IN}


def test_every_way_of_handing_in_says_what_it_attacks_and_what_must_happen():
    assert len(REFUSED) >= 8 and GRADED
    for handed in HANDED_IN:
        assert handed.attacks and handed.expect in ("refused", "graded"), handed.name
        assert handed.says or handed.expect == "graded", handed.name


@pytest.mark.parametrize("handed", REFUSED, ids=[handed.name for handed in REFUSED])
def test_a_submission_holding_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_graded(handed, tmp_path):
    student = handed.make(tmp_path / "student")
    result = run_grade(
        f"exercise{handed.exercise}", "--submission", student / handed.folder, "--examples", "3", timeout=120
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("Error: ") and handed.says in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["links_to_the_reference", "is_a_named_pipe", "links_to_dev_zero"])
def test_naming_such_a_file_itself_is_refused_the_same_way(name, tmp_path):
    handed = BY_NAME[name]
    student = handed.make(tmp_path / "student")
    result = run_grade("exercise1", "--submission", student / "exercise1_convolution.py", timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert handed.says in result.stderr and result.stdout == ""


def test_grade_all_reads_every_file_first_and_grades_nothing_when_one_is_refused(tmp_path):
    student = BY_NAME["links_to_the_reference"].make(tmp_path / "student")
    (student / "exercise3_pooling.py").write_text("def max_pool2d(x, pool_size=(2, 2)):\n    return x\n")
    result = run_grade("all", "--submission", student, "--format", "json", timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "exercise1_convolution.py leads through a link to" in result.stderr and result.stdout == ""


def test_the_refusal_speaks_korean_too(tmp_path):
    student = BY_NAME["is_a_named_pipe"].make(tmp_path / "student")
    result = run_grade("exercise1", "--submission", student, "--lang", "ko", timeout=120)
    assert result.returncode == 2
    assert "이름 있는 파이프(FIFO)" in result.stderr and "일반 파일만 채점합니다" in result.stderr


@pytest.mark.parametrize("handed", GRADED, ids=[handed.name for handed in GRADED])
def test_a_link_that_stays_inside_the_submission_is_graded_as_the_file_it_names(handed, tmp_path):
    student = handed.make(tmp_path / "student")
    result = run_grade(
        f"exercise{handed.exercise}", "--submission", student, "--examples", "3", "--format", "json", timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "passed"' in result.stdout and '"status": "failed"' not in result.stdout
