"""Figures drawn with matplotlib, in the grader's process only, as PNG bytes or `data:image/png` URIs to inline.

Nothing here touches pyplot or a display: a `matplotlib.figure.Figure` is made and saved directly (the Agg
renderer), so drawing works the same in a terminal, a notebook kernel whatever its `%matplotlib` backend, a
CI runner without a display, and a thread; no window opens and no global figure is left behind. matplotlib is
imported only when a figure is drawn (it costs a few tenths of a second), never by a plain `grade`.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import tempfile
import warnings
from contextlib import contextmanager

DPI = 100
# The largest magnitude a colour scale reaches: matplotlib divides by a scale's width and steps a colorbar's
# ticks up to ten times past it, which must stay floats (a learner's 1.8e308 made the width inf and the drawing
# raised); values beyond are drawn at the scale's ends. `limited` clips an array to a scale.
LARGEST_DRAWN = 1e300


def limited(values, low: float, high: float):
    """`values` (an array, masked or not) clipped to `low`-`high`; NaN and masked cells stay as they are."""
    return values.clip(low, high)


# pyparsing 3.3 warns (a UserWarning too, so it shows) each time matplotlib before 3.10.8 calls its old names
# ("'parseString' deprecated - use 'parse_string'"): nothing a learner can act on, said under every picture.
PYPARSING_OLD_NAMES = r"'\w+' deprecated - use '\w+'"
warnings.filterwarnings("ignore", message=PYPARSING_OLD_NAMES, category=DeprecationWarning)  # before matplotlib


def _quiet_config_dir() -> None:
    """matplotlib writes a font cache under MPLCONFIGDIR (default ~/.config/matplotlib); where HOME is read-only
    (a CI runner, Gradescope's container) it warns on stderr: give it a writable folder of its own."""
    if "MPLCONFIGDIR" in os.environ:
        return
    home = os.path.expanduser("~")
    if not os.access(home, os.W_OK):
        folder = os.path.join(tempfile.gettempdir(), "grader-matplotlib")
        os.makedirs(folder, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = folder


@contextmanager
def figure(width: float, height: float):
    """A fresh figure of `width` x `height` inches, closed (its memory freed) when the block ends."""
    fig = new(width, height)
    try:
        yield fig
    finally:
        fig.clear()


def rc_context(params: dict):
    """matplotlib's `rc_context`, imported after this module has readied matplotlib (warnings, config folder)."""
    _quiet_config_dir()
    from matplotlib import rc_context as context

    return context(params)


def png(fig) -> bytes:
    """The figure as PNG bytes, without the date and software metadata (the same arrays give the same bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def data_uri(image: bytes, mime: str = "image/png") -> str:
    """Bytes of an image as a `data:` URI an HTML page or a notebook inlines (nothing is fetched)."""
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


# Fonts with Hangul, most common first (Colab, Linux, Windows, macOS). matplotlib's own DejaVu Sans has none: on a
# machine with none of these the words inside an image are English (the text around it stays Korean).
KOREAN_FONTS = (
    "NanumGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "Apple SD Gothic Neo",
)


@functools.cache
def korean_font() -> str | None:
    """The first Korean font this machine has, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in KOREAN_FONTS if name in installed), None)


def image_language(lang: str) -> tuple[str, list[str] | None]:
    """The language of the words drawn inside an image, and the font families to draw them with (None: the
    default): Korean only where a Korean font is installed, else English rather than empty boxes."""
    if lang == "en":
        return "en", None
    font = korean_font()
    return (lang, [font, "DejaVu Sans"]) if font else ("en", None)


def new(width: float, height: float):
    """A fresh figure of `width` x `height` inches that the caller keeps (a notebook shows it); nothing global
    holds it, so it is freed with the last reference to it."""
    _quiet_config_dir()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")
