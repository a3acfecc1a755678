"""The comparison's own lexing of Python (`python_tokens`) gives exactly copydetect's filtered code and offsets
(`copydetect.utils.filter_code` over pygments), on every Python file of the repository and on generated code
full of what pygments treats apart, and `similarity._fingerprint` exactly copydetect's fingerprint."""

from __future__ import annotations

import io

import copydetect.detector
import numpy as np
import pytest
from copydetect import CodeFingerprint
from copydetect.utils import filter_code
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.classroom import python_tokens, similarity
from grader.classroom.python_tokens import filter_python
from tests.conftest import EXERCISES, FIXTURES, ROOT, SOLUTIONS

# Where learners' code and code like it lives: the fast path must be taken there, not only be right.
LEARNER_LIKE = (SOLUTIONS, EXERCISES, FIXTURES / "correct")
ELSEWHERE = (ROOT / "grader", ROOT / "tests")  # tests/ with all of tests/fixtures/


def _copydetect(code: str) -> tuple[str, np.ndarray]:
    return filter_code(code, "x.py", language="python")


def _differs(code: str) -> str | None:
    """What of filter_python's answer differs from copydetect's (None: nothing, or no answer)."""
    got = filter_python(code)
    if got is None:
        return None
    (text, offsets), (expected_text, expected) = got, _copydetect(code)
    if text != expected_text:
        return f"filtered code {text!r} != {expected_text!r}"
    if offsets.dtype != expected.dtype or offsets.shape != expected.shape or not np.array_equal(offsets, expected):
        return f"offsets {offsets.tolist()} != {expected.tolist()}"
    return None


def _text(path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")  # as code_text reads a handed-in file


@pytest.mark.parametrize("folder", LEARNER_LIKE + ELSEWHERE, ids=lambda f: str(f.relative_to(ROOT)))
def test_every_python_file_of_the_repository_is_filtered_as_copydetect_filters_it(folder):
    paths = sorted(folder.rglob("*.py"))
    assert len(paths) >= 5
    wrong = {str(p.relative_to(ROOT)): why for p in paths if (why := _differs(_text(p))) is not None}
    assert not wrong, wrong
    if folder in LEARNER_LIKE:
        assert [str(p.relative_to(ROOT)) for p in paths if filter_python(_text(p)) is None] == []


@pytest.mark.parametrize(
    "code",
    [
        "",
        "\n\n  \n",
        "\ufeffx = 1\r\ny = 'a'\rz = 2",  # a byte-order mark, Windows' and old Macs' line ends, no last line end
        "match command.split():\n    case [action, _]:\n        pass\n    case _:\n        pass\n",
        "match = re.match(p, s)\nmatch.group(1)\n",  # `match` a keyword for pygments at a line's start
        "f'{x!r:>{width}} {{literal}} {y=}' + rf'\\d{n}' + F'''\n{a}\n'''\n",
        "@decorator.attribute(1)\nclass Name(Base, metaclass=Meta):\n    def __init__(self): ...\n",
        "x = 1 + \\\n    2\t# a tab, then a comment\n\f\n",
        "s = 'never closed\nt = $ ? `\n",
        "b'\\x00\\n\\q' + br'\\\\' + u'\\N{EM DASH}\\u00e9' + '%(a)s %-5.2f %% {0} {x.y[1]!s:>10}'\n",
        "λ = ñame + 이름\n",
        "from . import (a,\n    b)\nimport os.path as p, sys\nraise KeyError from None\nlazy import x\n",
        "#!/usr/bin/env python\n'''doc'''\n\"\"\"\n\"\"\"\n",
    ],
)
def test_what_pygments_treats_apart_is_filtered_as_copydetect_filters_it(code):
    assert filter_python(code) is not None
    assert _differs(code) is None


_NAMES = ["x", "_", "_a", "ab_c", "self", "cls", "print", "len", "type", "Exception", "ValueError", "np"]
_NAMES += ["__init__", "__name__", "__call__", "match", "case", "True", "None", "Ellipsis", "λ", "이름", "lazy"]
_KEYWORDS = ["if", "else", "elif", "for", "in", "not", "is", "and", "or", "return", "yield", "yield from"]
_KEYWORDS += ["lambda", "await", "async", "with", "as", "pass", "raise", "from", "import", "def", "class"]
_KEYWORDS += ["global", "del", "try", "except", "finally", "while", "break", "assert", "nonlocal"]
_OPERATORS = ["=", "==", "!=", "+", "-", "*", "**", "/", "//", "%", "@", "->", ":=", "<<", "&", "|", "^", "~"]
_OPERATORS += ["<", ">=", ".", ",", ":", ";", "(", ")", "[", "]", "{", "}", "...", "+=", "$", "?", "`", "!", "\\"]
_NUMBERS = ["0", "1", "10_000", "3.14", ".5", "1.", "1e-3", "2j", "1.5E+10j", "0x1F", "0o17", "0b101", "00", "1__0"]
_PREFIXES = ["", "", "r", "R", "b", "B", "u", "U", "f", "F", "rb", "Br", "rf", "fR", "t", "Rt", "bu"]
_QUOTES = ["'", '"', "'''", '"""']
_INSIDE = ["a", " ", "%s", "%(x)d", "%-5.2f", "%", "{}", "{0}", "{x!r:>10}", "{x=}", "{{", "}}", "{", "}", "'", '"']
_INSIDE += ["\\n", "\\\\", "\\'", '\\"', "\\x41", "\\N{DASH}", "\\u00e9", "\\U0001F600", "\\q", "\\\n", "\n", "#"]
_LINES = ["def f(a, b=1, *args, **kw) -> int:", "class C(Base):", "@decorator", "@x.y(1)", "import a.b as c, d"]
_LINES += ["from .m import (x, y)", "from . import x", "lazy import a", "match x:", "case [a, _]:", "case _:"]
_LINES += ['"""docstring"""', "'''doc", "raise E from None", "async def g():", "#!python", "# comment", "\\"]

_strings = st.builds(
    lambda prefix, quote, inside, closed: prefix + quote + "".join(inside) + (quote if closed else ""),
    st.sampled_from(_PREFIXES),
    st.sampled_from(_QUOTES),
    st.lists(st.sampled_from(_INSIDE), max_size=6),
    st.booleans(),
)
_pieces = st.one_of(*(st.sampled_from(words) for words in (_NAMES, _KEYWORDS, _OPERATORS, _NUMBERS)), _strings)
_lines = st.one_of(
    st.sampled_from(_LINES),
    st.builds(
        lambda indent, pieces, spaces, comment: indent + spaces.join(pieces) + comment,
        st.sampled_from(["", "", "    ", "        ", "\t", "  \t", "\f"]),
        st.lists(_pieces, max_size=8),
        st.sampled_from(["", " ", " ", "  ", "\t"]),
        st.sampled_from(["", "", "", "  # note", "#", " # 한글"]),
    ),
)
_sources = st.builds(
    lambda start, lines, ends: start + "".join(line + end for line, end in zip(lines, ends, strict=False)),
    st.sampled_from(["", "", "\n\n", "\ufeff", "  "]),
    st.lists(_lines, max_size=14),
    st.lists(st.sampled_from(["\n", "\n", "\n", "\n\n", "\r\n", "\r", ""]), min_size=14, max_size=14),
)


@settings(max_examples=200, deadline=None)
@given(_sources)
def test_generated_python_like_code_is_filtered_as_copydetect_filters_it(code):
    assert _differs(code) is None


def test_the_rules_skipped_at_a_character_cannot_match_there():
    """The first characters read from each rule's pattern, checked against the pattern itself: at no character
    left out, after any of a few contexts and before any of a few continuations, does it match."""
    rules = {
        rule[0].__self__: first
        for state in python_tokens._machine().values()
        if isinstance(state, tuple)
        for rule, first in _firsts(state)
    }
    assert any(first is None for first in rules.values()) and sum(first is not None for first in rules.values()) > 50
    afters = ["", "a", "1", "_x", " ", "\n", '""', "''", '"""', "'''", "import x", "!s}", "=", "\\\n", "{"]
    for pattern, first in rules.items():
        for c in sorted(python_tokens._ASCII - (python_tokens._ASCII if first is None else first)):
            for before in ("", "\n", " ", "x", "."):
                for after in afters:
                    text = before + c + after
                    assert pattern.match(text, len(before)) is None, (pattern.pattern, text)


def _firsts(state):
    """(rule, the ASCII characters it is tried at, or None for all of them) for each rule of a state."""
    by_first, every = state
    for rule in every:
        at = frozenset(c for c, rules in by_first.items() if rule in rules)
        yield rule, None if at == python_tokens._ASCII else at


def test_the_code_reproduced_is_the_code_installed():
    """pygments' lexing loop and copydetect's filtering as python_tokens reproduces them: another version's, and
    python_tokens must be checked against it and its REPRODUCED updated (until then no answer, the slow path)."""
    assert python_tokens.changed() == []


def test_code_other_than_that_reproduced_gives_no_answer(monkeypatch):
    monkeypatch.setitem(python_tokens.REPRODUCED, ("copydetect.utils", "filter_code"), "0" * 16)
    assert python_tokens.changed() == ["copydetect.utils.filter_code"]
    python_tokens._machine.cache_clear()
    try:
        assert filter_python("x = 1\n") is None
    finally:
        python_tokens._machine.cache_clear()


def test_a_rule_this_cannot_follow_gives_no_answer(monkeypatch):
    """A pygments action other than a token type, bygroups or using(this): copydetect's own path, not a guess."""
    machine = dict(python_tokens._machine())
    by_first, every = machine["root"]
    unknown = tuple((m, python_tokens._UNKNOWN, None, s) for m, _, _, s in every)
    machine["root"] = ({c: unknown for c in by_first}, unknown)
    monkeypatch.setattr(python_tokens, "_machine", lambda: machine)
    assert filter_python("x = 1\n") is None


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "correct" / "exercise3_loops.py",
        FIXTURES / "similar" / "exercise3_loops_renamed.py",
        SOLUTIONS / "exercise7_fast_and_backward.py",
    ],
    ids=lambda p: p.name,
)
@pytest.mark.parametrize("line_ends", ["\n", "\r\n"])
def test_the_fingerprint_is_copydetects_and_made_without_pygments(path, line_ends, monkeypatch):
    code = "\ufeff" + path.read_text(encoding="utf-8").replace("\n", line_ends)
    course = np.unique(np.array(list(_copydetects(SOLUTIONS / "exercise3_pooling.py").hashes), dtype=np.int64))
    for boilerplate in (None, course):
        expected = _copydetects(code, boilerplate)
        with monkeypatch.context() as patched:
            patched.setattr(copydetect.detector, "filter_code", _never)
            made = similarity._fingerprint("submission.py", code, boilerplate)
        assert type(made) is CodeFingerprint and set(vars(made)) == set(vars(expected))
        assert made.filtered_code == expected.filtered_code and made.raw_code == expected.raw_code == code
        assert made.offsets.dtype == expected.offsets.dtype and np.array_equal(made.offsets, expected.offsets)
        assert made.hashes == expected.hashes and made.hash_idx == expected.hash_idx and made.hashes
        assert (made.filename, made.k, made.token_coverage) == (expected.filename, expected.k, expected.token_coverage)


def test_without_an_answer_the_fingerprint_is_copydetects_own(monkeypatch):
    monkeypatch.setattr(python_tokens, "filter_python", lambda code: None)
    code = (FIXTURES / "correct" / "exercise3_loops.py").read_text(encoding="utf-8")
    made, expected = similarity._fingerprint("submission.py", code), _copydetects(code)
    assert made.filtered_code == expected.filtered_code and made.hash_idx == expected.hash_idx


def _copydetects(code, boilerplate=None) -> CodeFingerprint:
    if not isinstance(code, str):
        code = code.read_text(encoding="utf-8")
    window = similarity.GUARANTEE - similarity.NOISE + 1
    return CodeFingerprint(
        "submission.py", similarity.NOISE, window, boilerplate=boilerplate, language="python", fp=io.StringIO(code)
    )


def _never(*args, **kwargs):
    raise AssertionError("copydetect's filter_code (pygments) called")


def test_the_filtered_code_names_what_filter_code_names():
    """A sanity check of the reading of filter_code's branches: a name V, a function F, a class O, a string S."""
    text, _ = filter_python("class K:\n    def f(self, a):\n        return a + 'x' + print  # c\n")
    assert text == 'classO:defF(self,V):returnV+"S"+print'  # `self` and `print` are pygments' builtins, kept
