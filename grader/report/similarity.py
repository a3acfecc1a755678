"""`similarity.html`: the pairs of students whose code is suspiciously alike, for the instructor, as one
self-contained page (inline CSS, no script, nothing fetched): a table of pairs, most alike first, then each
pair's two files side by side with the shared parts marked. The pairs are found by
`grader.classroom.similarity` (copydetect); this only draws them. Names are escaped here, the code by copydetect
(`highlight_overlap(..., escape_html=True)`) before it marks the shared parts."""

from __future__ import annotations

import html

from grader.i18n import N_, translate
from grader.report.plain import clean

STYLE = """
body { font-family: system-ui, "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; margin: 2em auto;
       max-width: 80em; padding: 0 1em; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table.pairs { border-collapse: collapse; } table.pairs th, table.pairs td { padding: .2em .8em; text-align: left; }
table.pairs td.number { text-align: right; } table.pairs tr + tr td { border-top: 1px solid #eee; }
.about, .none { color: #57606a; } .failure { color: #cf222e; }
.side { display: flex; gap: 1em; } .side > div { flex: 1; min-width: 0; }
pre { font-family: ui-monospace, "D2Coding", Menlo, Consolas, monospace; font-size: .8em; background: #f6f8fa;
      padding: .5em; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #fff0b3; }
"""

_TITLE = N_("Similar submissions")
_ABOUT = N_(
    "Pairs of students whose code for one exercise is more alike than the course's stubs and references explain "
    "(copydetect's winnowing over the code's tokens: names, strings and comments do not count). A pair is shown "
    "when one file owes at least {percent}% of its own tokens to the other and they share at least {tokens} "
    "tokens. A pair is a reason to look, not a proof: read the shared parts (marked) before deciding anything."
)
_NONE = N_("No two students' code is alike beyond that.")
_FAILED = N_("The code could not be compared ({error}): the marks and the feedback pages do not depend on it.")
_HEADS = (
    N_("exercise"),
    N_("students"),
    N_("first's share in the second"),
    N_("second's share in the first"),
    N_("shared tokens"),
)


def _e(text) -> str:
    return html.escape(clean(str(text)), quote=True)


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def render_similarity(pairs, lang: str, *, threshold: float, shared_tokens: int, failure: str | None = None) -> str:
    """The page for `pairs` (`classroom.similarity.Pair`s, most alike first), or why there are none (`failure`:
    the comparison itself failed)."""
    title = _e(translate(_TITLE, lang))
    about = translate(_ABOUT, lang).format(percent=f"{100 * threshold:g}", tokens=shared_tokens)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
        f"<h1>{title}</h1>",
        f'<p class="about">{_e(about)}</p>',
    ]
    if failure is not None:
        parts.append(f'<p class="failure">{_e(translate(_FAILED, lang).format(error=failure))}</p>')
    elif not pairs:
        parts.append(f'<p class="none">{_e(translate(_NONE, lang))}</p>')
    else:
        heads = "".join(f"<th>{_e(translate(head, lang))}</th>" for head in _HEADS)
        parts.append(f'<table class="pairs"><thead><tr>{heads}</tr></thead><tbody>')
        for number, pair in enumerate(pairs, start=1):
            first, second = pair.students
            parts.append(
                f'<tr><td>{_e(pair.exercise)}</td><td><a href="#pair-{number}">{_e(first)} · {_e(second)}</a></td>'
                f'<td class="number">{_percent(pair.similarity[0])}</td>'
                f'<td class="number">{_percent(pair.similarity[1])}</td>'
                f'<td class="number">{pair.shared_tokens}</td></tr>'
            )
        parts.append("</tbody></table>")
        for number, pair in enumerate(pairs, start=1):
            first, second = pair.students
            parts += [
                f'<section class="pair" id="pair-{number}">',
                f"<h2>{_e(pair.exercise)}: {_e(first)} · {_e(second)}</h2>",
                '<div class="side">',
                *(
                    f"<div><h3>{_e(name)} ({_percent(share)})</h3><pre>{code}</pre></div>"
                    for name, share, code in zip(pair.students, pair.similarity, pair.marked, strict=True)
                ),
                "</div>",
                "</section>",
            ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
