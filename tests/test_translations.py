"""Korean and English: every message the grader can show has its Korean translation, the compiled catalogue
is current, and a Korean report is Korean throughout (but for code, names and numbers)."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from grader import i18n
from grader.api import grade
from grader.report import render
from tests.conftest import ROOT, solution_file


def _marked() -> dict[str, str]:
    """Each message marked _() or N_() in the grader's code, with where it is."""
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "grader"), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
    ):
        found.setdefault(message, f"grader/{filename}:{lineno}")
    return found


def _catalogue():
    with i18n.CATALOGUE.open("rb") as source:
        return read_po(source, locale="ko", domain=i18n.DOMAIN)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_message_has_a_korean_translation_and_no_translation_is_left_over():
    marked, catalogue = _marked(), _catalogue()
    translated = {m.id: m.string for m in catalogue if m.id}
    untranslated = [f"{where}: {message!r}" for message, where in marked.items() if not translated.get(message)]
    assert untranslated == [], "add them to grader.po (see its header), then python -m grader.i18n --compile"
    assert sorted(set(translated) - set(marked)) == [], "messages no longer in the code: remove them from grader.po"


def test_a_translation_keeps_the_fields_of_its_message():
    for message in _catalogue():
        if message.id:
            assert _fields(message.string) == _fields(message.id), message.id


def test_the_compiled_catalogue_is_current():
    assert i18n._compile(check=True) == 0, "run python -m grader.i18n --compile"


def test_messages_made_while_grading_follow_the_language_asked():
    assert i18n.translate("passed", "ko") == "통과" and i18n.translate("passed", "en") == "passed"
    with i18n.language("ko"):
        assert i18n._("matched the reference on {examples} examples").format(examples=3).startswith("예제 3개")
    assert i18n.translate("a message the catalogue does not have", "ko") == "a message the catalogue does not have"


# Words a Korean report may keep in English: code, names from the exercises and the libraries, units, and
# the English glosses of the exercises' titles ("풀링 (pooling)").
_CODE = re.compile(
    r"\([a-z][a-z ,-]*\)|https?://\S+|`[^`]*`|'[^']*'|\"[^\"]*\"|\b\w+\([^()]*\)|\b\w*[_.]\w*\b|\b[A-Z][A-Za-z0-9]*\b|\w+\[[^\]]*\]"
)
_ENGLISH_PROSE = re.compile(r"\b[a-z]{2,}(?:[ ,;:]+[a-z]{2,}){2,}\b")  # three English words in a row


def _english_prose(text: str) -> list[str]:
    return [m.group(0) for line in text.splitlines() for m in [_ENGLISH_PROSE.search(_CODE.sub(" ", line))] if m]


@pytest.mark.slow
@pytest.mark.parametrize(
    "mistakes",
    [
        ("pool_stride_one.py",),
        ("max_over_zero_padding.py", "average_counts_padding.py", "flatten_channels_first.py"),
        ("valid_ceil.py", "global_pool_over_batch.py"),
    ],
)
def test_a_korean_report_of_exercise3_is_korean_throughout(mistakes, submission):
    folder = ROOT / "solutions" / "mistakes" / "exercise3_pooling"
    source = solution_file(3).read_text() + "".join((folder / m).read_text() for m in mistakes)
    result = grade(3, submission(3, source), lang="ko")
    assert not result.passed
    text = render(result, "text", lang="ko", width=120)
    assert _english_prose(text) == []
    assert _english_prose(render(result, "text", lang="en", width=120)) != []  # the check can fail


@pytest.mark.parametrize(
    "args", [["--lang", "ko", "--help"], ["3", "--lang", "ko", "--help"], ["list", "--lang", "ko", "-h"]]
)
def test_the_command_lines_help_is_korean_with_lang_ko(args):
    from click.testing import CliRunner

    from grader.cli import main

    korean = CliRunner().invoke(main, args)
    assert korean.exit_code == 0 and "사용법:" in korean.output and "옵션:" in korean.output
    assert _english_prose(korean.output) == []
    english = CliRunner().invoke(main, [a for a in args if a not in ("--lang", "ko")], env={"LANG": "en_US.UTF-8"})
    assert "Usage:" in english.output and _english_prose(english.output) != []


def test_the_help_follows_a_korean_locale(monkeypatch):
    from click.testing import CliRunner

    from grader.cli import main

    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert "사용법:" in CliRunner().invoke(main, ["--help"]).output
