"""GRADE_LANG=ko|en sets the language once, for every command and for `grade()`/`check()`; `--lang` and
`lang=` still win; a GRADE_LANG the grader does not speak is a usage error (exit 2), never a traceback."""

from __future__ import annotations

import pytest

from grader.api import grade, make_options
from grader.errors import GraderError
from tests.cli.conftest import run
from tests.conftest import ROOT, solution_file

MISTAKE = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "pool_stride_one.py"


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the locale says English, as on Colab and WSL
    monkeypatch.setenv("GRADE_LANG", "ko")


def test_grade_lang_makes_a_grading_command_report_in_korean(korean):
    shown = run("exercise3", "--submission", ROOT / "solutions", "--examples", "3")
    assert shown.exit_code == 0 and "통과" in shown.stdout and "passed" not in shown.stdout


def test_lang_on_the_command_line_wins_over_grade_lang(korean):
    shown = run("exercise3", "--submission", ROOT / "solutions", "--examples", "3", "--lang", "en")
    assert shown.exit_code == 0 and "passed" in shown.stdout and "통과" not in shown.stdout


def test_grade_lang_translates_the_help_and_list(korean):
    assert "사용법" in run("--help").stdout
    assert "상태" in run("list").stdout and "state" not in run("list").stdout


@pytest.mark.parametrize("command", [["exercise3"], ["list"], ["--help"], ["hint", "exercise3", "max_pool2d"]])
def test_a_grade_lang_of_another_language_is_a_usage_error(monkeypatch, command):
    monkeypatch.setenv("GRADE_LANG", "fr")
    shown = run(*command)
    assert shown.exit_code == 2
    assert "Error: GRADE_LANG=fr is not a language of the grader: set it to ko or en" in shown.output


def _diagnosis(path, **options) -> str:
    return next(t.diagnosis for t in grade(3, submission=path, examples=5, **options).tasks if t.name == "max_pool2d")


def test_grade_lang_sets_the_language_of_grade_and_lang_wins(korean, tmp_path):
    path = tmp_path / "exercise3_pooling.py"
    path.write_text(solution_file(3).read_text() + MISTAKE.read_text())
    assert make_options().lang == "ko" and make_options(lang="en").lang == "en"
    assert "풀링 윈도우가 한 칸씩" in _diagnosis(path)
    assert "moved one cell at a time" in _diagnosis(path, lang="en")


def test_grade_lang_of_another_language_is_an_error_of_the_grader_from_python(monkeypatch):
    monkeypatch.setenv("GRADE_LANG", "english")
    with pytest.raises(GraderError, match="GRADE_LANG=english"):
        grade(3, submission=ROOT / "solutions", examples=5)
