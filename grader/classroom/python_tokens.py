"""copydetect's filtering of Python code (`copydetect.utils.filter_code(code, name, language="python")`: names
become V, functions F, classes O, strings S, comments and white space dropped, with the offsets of what was
dropped) at a fraction of pygments' cost.

pygments lexes by trying each rule of the current state in turn until one matches: a name, the commonest token,
is matched by the last of the root state's 56 rules, after 55 calls that fail. The lexer here is the same one,
pygments' own PythonLexer with its own compiled rules, driven by the loop of pygments'
`RegexLexer.get_tokens_unprocessed` and fed the text as `Lexer.get_tokens` prepares it, except that it skips the
rules that cannot match the next character (what each rule's pattern can begin with, read from the pattern, and
any rule that may match nothing is always tried). The rule that matches first is the one pygments would take,
the tokens are pygments' tokens, whatever the code. Anything this does not reproduce (pygments' or copydetect's
code other than that read, `REPRODUCED`; a lexer that does not have the shape read here; a rule whose action is
neither a token type, `bygroups` nor `using(this)`) gives None, and the caller lexes with pygments.
"""

from __future__ import annotations

import functools
import re

import numpy as np

# The code reproduced here (and, CodeFingerprint's constructor, in `similarity._fingerprint`), by the start of the
# sha256 of its source: where any of it differs, there is no answer until it is read again and noted here.
REPRODUCED = {
    ("pygments.lexer", "Lexer.get_tokens"): "d39efef04dc763d8",
    ("pygments.lexer", "Lexer._preprocess_lexer_input"): "8924c190630a545a",
    ("pygments.lexer", "RegexLexer.get_tokens_unprocessed"): "dda6229f98c72106",
    ("pygments.lexer", "bygroups"): "22770e1d877691d7",
    ("pygments.lexer", "using"): "2f0bc8d83793dcdf",
    ("copydetect.utils", "filter_code"): "5cb182ca64459e02",
    ("copydetect.detector", "CodeFingerprint.__init__"): "4255eef6042e3768",
}

# What filter_code makes of a token, by its type (its branches, in their order).
_NAME, _FUNCTION, _CLASS, _PREPROC, _DROPPED, _STRING, _KEPT = range(7)
_LETTER = {_NAME: "V", _FUNCTION: "F", _PREPROC: "P"}
# What a rule does with its match.
_WHOLE, _GROUPS, _UNKNOWN = range(3)
_AGAIN = -1  # a group lexed again from the root state (pygments' `using(this)`)
_ASCII = frozenset(map(chr, range(128)))  # the characters the rules are sorted by


def filter_python(code: str) -> tuple[str, np.ndarray] | None:
    """copydetect's `filter_code(code, ..., language="python")`: the filtered code and the offsets, or None where
    this cannot vouch for the same result."""
    machine = _machine()
    if machine is None:
        return None
    tokens: list[tuple[int, str]] = []
    if not _lex(_prepared(code), machine, tokens):
        return None
    return _filtered(tokens)


def _prepared(text: str) -> str:
    """The text as pygments' `Lexer._preprocess_lexer_input` gives it to the lexer with copydetect's options (the
    defaults: stripnl, ensurenl, no tab expansion)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text if text.endswith("\n") else text + "\n"


def _lex(text: str, machine: dict, tokens: list) -> bool:
    """pygments' `RegexLexer.get_tokens_unprocessed` from the root state, each token appended to `tokens` as
    (what filter_code makes of it, its text); False at a rule this cannot follow."""
    stack = ["root"]
    by_first, every = machine["root"]
    pos = 0
    append = tokens.append
    while True:
        for rule in by_first.get(text[pos : pos + 1], every):
            m = rule[0](text, pos)
            if m:
                break
        else:  # no rule matches
            if pos >= len(text):
                return True
            if text[pos] == "\n":  # at a line's end: back to the root state
                stack = ["root"]
                by_first, every = machine["root"]
                append((machine["newline"], "\n"))
            else:
                append((machine["error"], text[pos]))
            pos += 1
            continue
        _, kind, action, new_state = rule
        if kind == _WHOLE:
            append((action, m.group()))
        elif kind == _GROUPS:
            for group, category in action:
                data = m.group(group)
                if category == _AGAIN:
                    if data is not None and not _lex(data, machine, tokens):
                        return False
                elif data:  # bygroups leaves out an empty group
                    append((category, data))
        else:
            return False
        pos = m.end()
        if new_state is not None:
            if isinstance(new_state, tuple):
                for state in new_state:
                    if state == "#pop":
                        if len(stack) > 1:
                            stack.pop()
                    elif state == "#push":
                        stack.append(stack[-1])
                    else:
                        stack.append(state)
            elif isinstance(new_state, int):
                if abs(new_state) >= len(stack):
                    del stack[1:]
                else:
                    del stack[new_state:]
            elif new_state == "#push":
                stack.append(stack[-1])
            else:
                return False
            by_first, every = machine[stack[-1]]


def _filtered(tokens: list[tuple[int, str]]) -> tuple[str, np.ndarray]:
    """filter_code's loop over the tokens, as copydetect 0.5.0 writes it (a class name's offset included: it
    records the name's length, not the running offset)."""
    out: list[str] = []
    length = offset = 0
    offsets = [[0, 0]]
    for category, value in tokens:
        if category == _KEPT:
            out.append(value)
            length += len(value)
        elif category == _DROPPED:
            offsets.append([length - 1, offset])
            offset += len(value)
        elif category == _STRING and (value == "'" or value == '"'):
            out.append('"')
            length += 1
        else:
            out.append(_LETTER.get(category, "O" if category == _CLASS else "S"))
            length += 1
            offsets.append([length - 1, len(value) - 1 if category == _CLASS else offset])
            offset += len(value) - 1
    return "".join(out), np.array(offsets)


@functools.cache
def _machine() -> dict | None:
    """Each state of pygments' PythonLexer as (its rules that may match at an ASCII character, by the character;
    all its rules), a rule as (its pattern's `match`, what it does with the match, the state change), and the
    categories of the tokens pygments makes where no rule matches ("newline", "error"); None where pygments or
    copydetect are not those this reproduces."""
    if changed():
        return None
    from pygments import lexer as base
    from pygments import lexers, token

    lexer = lexers.get_lexer_by_name("python")
    kind = type(lexer)
    if (
        kind.get_tokens is not base.Lexer.get_tokens
        or kind._preprocess_lexer_input is not base.Lexer._preprocess_lexer_input
        or kind.get_tokens_unprocessed is not base.RegexLexer.get_tokens_unprocessed
        or (lexer.stripall, lexer.stripnl, lexer.ensurenl, lexer.tabsize, lexer.filters) != (False, True, True, 0, [])
    ):
        return None

    def category(kind) -> int:
        if kind in (token.Name, token.Name.Variable, token.Name.Attribute):  # filter_code: exact, not subtypes
            return _NAME
        if kind in token.Name.Function:
            return _FUNCTION
        if kind in token.Name.Class:
            return _CLASS
        if kind == token.Comment.Preproc or kind == token.Comment.Hashbang:
            return _PREPROC
        if kind in token.Text or kind in token.Comment:
            return _DROPPED
        if kind in token.Literal.String:
            return _STRING
        return _KEPT

    def action(act) -> tuple[int, object]:
        if act is None:
            return _GROUPS, ()
        if type(act) is token._TokenType:
            return _WHOLE, category(act)
        cells = _cells(act)
        if getattr(act, "__qualname__", "") != "bygroups.<locals>.callback" or set(cells) != {"args"}:
            return _UNKNOWN, None
        groups = []
        for i, inner in enumerate(cells["args"]):
            if inner is None:
                continue
            if type(inner) is token._TokenType:
                groups.append((i + 1, category(inner)))
            elif _lexes_again(inner):
                groups.append((i + 1, _AGAIN))
            else:
                return _UNKNOWN, None
        return _GROUPS, tuple(groups)

    machine: dict = {"newline": category(token.Whitespace), "error": category(token.Error)}
    known: dict = {}  # the states share most of their rules
    try:
        for state, rules in kind._tokens.items():
            every, firsts = [], []
            for match, act, new_state in rules:
                every.append((match, *action(act), new_state))
                compiled = match.__self__
                key = compiled.pattern, compiled.flags
                firsts.append(known[key] if key in known else known.setdefault(key, _first(compiled)))
            by_first = {
                c: tuple(rule for rule, first in zip(every, firsts, strict=True) if first is None or c in first)
                for c in _ASCII
            }
            machine[state] = (by_first, tuple(every))
    except (AttributeError, TypeError, ValueError, re.error):
        return None
    return machine


def changed() -> list[str]:
    """What of the code reproduced here is not the code read (or cannot be read)."""
    import hashlib
    import importlib
    import inspect

    found = []
    for (module, name), digest in REPRODUCED.items():
        try:
            code = importlib.import_module(module)
            for part in name.split("."):
                code = getattr(code, part)
            source = inspect.getsource(code)
        except (ImportError, AttributeError, OSError, TypeError):
            source = ""
        if hashlib.sha256(source.encode()).hexdigest()[: len(digest)] != digest:
            found.append(f"{module}.{name}")
    return found


def _cells(function) -> dict:
    """A closure's variables, by name."""
    cells = (c.cell_contents for c in function.__closure__ or ())
    return dict(zip(function.__code__.co_freevars, cells, strict=True))


def _lexes_again(callback) -> bool:
    """Whether a bygroups action is pygments' `using(this)` with no options: the group lexed by the same lexer,
    from the root state."""
    if getattr(callback, "__qualname__", "") != "using.<locals>.callback":
        return False
    cells = _cells(callback)
    return set(cells) == {"kwargs", "gt_kwargs"} and cells["kwargs"] == {} and cells["gt_kwargs"] == {}


def _first(pattern: re.Pattern) -> frozenset[str] | None:
    """The ASCII characters a match of `pattern` can begin with (more, never fewer), or None where it may match
    the empty string or where this cannot tell: a rule tried at every character."""
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as _parser

    if pattern.flags & ~(re.MULTILINE | re.IGNORECASE | re.UNICODE | re.DOTALL):
        return None  # ASCII, LOCALE, VERBOSE: not read here
    categories = {
        _parser.CATEGORY_DIGIT: r"\d",
        _parser.CATEGORY_NOT_DIGIT: r"\D",
        _parser.CATEGORY_SPACE: r"\s",
        _parser.CATEGORY_NOT_SPACE: r"\S",
        _parser.CATEGORY_WORD: r"\w",
        _parser.CATEGORY_NOT_WORD: r"\W",
    }

    def cased(chars: set[str], beyond: bool, ignore_case: bool) -> set[str] | None:
        """`chars`, the ASCII ones of a set that has others where `beyond`, as ASCII characters they match."""
        if not ignore_case:
            return chars
        if beyond:  # a letter outside ASCII may match one inside it (the Kelvin sign, k)
            return None
        return chars | {c.lower() for c in chars} | {c.upper() for c in chars}

    def in_set(items, ignore_case: bool) -> set[str] | None:
        chars: set[str] = set()
        beyond = negated = False
        for i, (op, av) in enumerate(items):
            if op is _parser.NEGATE and i == 0 and not ignore_case:
                negated = True  # an ASCII character outside the set's ASCII characters: no other can be it
            elif op is _parser.LITERAL:
                chars.update({chr(av)} & _ASCII)
                beyond = beyond or av >= 128
            elif op is _parser.RANGE:
                chars.update(map(chr, range(av[0], min(av[1], 127) + 1)))
                beyond = beyond or av[1] >= 128
            elif op is _parser.CATEGORY and av in categories:
                chars.update(c for c in _ASCII if re.match(categories[av], c))
                beyond = True
            else:
                return None
        return _ASCII - chars if negated else cased(chars, beyond, ignore_case)

    def sequence(items, ignore_case: bool) -> tuple[set[str] | None, bool]:
        """(the characters, whether the sequence may match nothing)"""
        chars: set[str] = set()
        for op, av in items:
            if op is _parser.AT or op is _parser.ASSERT or op is _parser.ASSERT_NOT:
                continue  # consumes nothing (what it asserts only rules out more)
            if op is _parser.LITERAL:
                first, empty = cased({chr(av)} & _ASCII, av >= 128, ignore_case), False
            elif op is _parser.IN:
                first, empty = in_set(av, ignore_case), False
            elif op is _parser.SUBPATTERN:
                _, add, remove, inner = av  # (?i:...), (?-i:...)
                first, empty = sequence(
                    inner, bool((ignore_case or add & re.IGNORECASE) and not remove & re.IGNORECASE)
                )
            elif op is _parser.BRANCH:
                first, empty = set(), False
                for inner in av[1]:
                    more, may = sequence(inner, ignore_case)
                    first = None if first is None or more is None else first | more
                    empty = empty or may
            elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None)):
                low, _, inner = av
                first, empty = sequence(inner, ignore_case)
                empty = empty or low == 0
            elif op is getattr(_parser, "ATOMIC_GROUP", None):
                first, empty = sequence(av, ignore_case)
            else:  # ANY, NOT_LITERAL, a group reference, whatever else: any character
                return None, True
            if first is None:
                return None, True
            chars |= first
            if not empty:
                return chars, False
        return chars, True

    parsed = _parser.parse(pattern.pattern, pattern.flags)
    first, empty = sequence(parsed, bool(parsed.state.flags & re.IGNORECASE))
    return None if empty or first is None else frozenset(first)
