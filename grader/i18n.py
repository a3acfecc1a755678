"""Korean and English (한국어와 영어): every message the grader shows, from one gettext catalogue.

Messages are written in English in the code, marked `_("...")` where they are made or `N_("...")` where they
are declared and translated later (a task's hint, a misconception), and translated through the standard
`gettext` catalogue `grader/locale/ko/LC_MESSAGES/grader.po` (compiled to `grader.mo`; `python -m grader.i18n
--compile` rebuilds it, `--check` says whether it is current). The language is that of the grading or
rendering under way (`language(...)`); `--lang` (or `lang=`) picks it, else the environment variable
GRADE_LANG (ko or en: set once, in a notebook or a shell profile), else the locale (Korean when LC_ALL,
LC_MESSAGES or LANG says ko). tests/test_translations.py fails when a marked message has no Korean.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import os
import sys
from pathlib import Path

from grader.errors import GraderError

LANGUAGES = ("ko", "en")
DOMAIN = "grader"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "ko" / "LC_MESSAGES" / f"{DOMAIN}.po"

_current = contextvars.ContextVar("grader_language", default=None)


class UnknownLanguage(GraderError):
    """GRADE_LANG names a language the grader does not speak (the command line: "Error: ...", exit 2)."""


def default_language() -> str:
    """GRADE_LANG (ko or en) when set, else the locale's: Korean when LC_ALL, LC_MESSAGES or LANG says ko."""
    chosen = os.environ.get("GRADE_LANG", "").strip()
    if not chosen:
        return _locale_language()
    if chosen.lower() not in LANGUAGES:
        message = N_("GRADE_LANG={value} is not a language of the grader: set it to ko or en, or unset it")
        raise UnknownLanguage(translate(message, _locale_language()).format(value=chosen))
    return chosen.lower()


def _locale_language() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def current_language() -> str:
    return _current.get() or default_language()


@contextlib.contextmanager
def language(lang: str | None):
    """Messages made inside are in `lang` (None: the locale's)."""
    token = _current.set(lang or default_language())
    try:
        yield
    finally:
        _current.reset(token)


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def translate(message: str, lang: str | None = None) -> str:
    """`message` (an English msgid) in `lang`, or in the current language."""
    return _catalogue(lang or current_language()).gettext(message) if message else message


def _(message: str) -> str:
    """Translate now, into the current language."""
    return translate(message)


def N_(message: str) -> str:
    """Mark for the catalogue only: translated where it is shown (`translate`)."""
    return message


# The report's fixed words. A status's label has the status's value as its key.
LABELS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "error": N_("error"),
    "not_implemented": N_("not implemented"),
    "timeout": N_("timeout"),
    "forbidden": N_("forbidden"),
    "missing": N_("missing"),
    "task": N_("task"),
    "status": N_("status"),
    "points": N_("points"),
    "examples": N_("examples"),
    "message": N_("message"),
    "call": N_("call"),
    "inputs": N_("inputs"),
    "expected": N_("expected"),
    "yours": N_("yours"),
    "printed": N_("your code printed"),
    "smallest": N_("smallest failing example"),
    "diagnosis": N_("diagnosis"),
    "note": N_("note"),
    "differs": N_("differs"),
    "total": N_("total"),
    "seed": N_("seed"),
    "all_passed": N_("Every task passed!"),
    "next_step": N_("Fix it and run again: {command}"),
    "exercise": N_("exercise"),
    "file": N_("file"),
    "exercises": N_("exercises"),
    "state": N_("state"),
    "not_started": N_("not started"),
    "watching": N_("Watching {file}: save it to grade again (Ctrl+C stops)."),
    "see": N_("see {where}"),
    "hint_1": N_("Hint 1/3, the concept"),
    "hint_2": N_("Hint 2/3, the approach"),
    "hint_3": N_("Hint 3/3, close to code"),
    "next_hint": N_("Still stuck? The next hint: {command}"),
    "last_hint": N_("That was the last hint: the task's docstring and the report's smallest example say the rest."),
    "hints_not_kept": N_("(Outside a project the level reached is not kept.)"),
    "feedback": N_("Feedback"),
    "feedback_for": N_("Feedback for {student}"),
}


def label(key: str, lang: str | None = None, **fields) -> str:
    return translate(LABELS[key], lang).format(**fields)


def _compile(check: bool) -> int:
    """Build grader.mo from grader.po with Babel (a developer's tool; the grader itself needs only gettext);
    with `check`, only say whether grader.mo holds exactly grader.po's translations."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="ko", domain=DOMAIN)
    target = CATALOGUE.with_suffix(".mo")
    if check:
        wanted = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
        try:
            with target.open("rb") as compiled:
                held = {k: v for k, v in gettext.GNUTranslations(compiled)._catalog.items() if k}
        except OSError:
            held = {}
        if held != wanted:
            print(f"{target} is out of date: run python -m grader.i18n --compile", file=sys.stderr)
            return 1
        print("the catalogue is compiled")
        return 0
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    target.write_bytes(buffer.getvalue())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(_compile(check="--check" in sys.argv[1:]))
