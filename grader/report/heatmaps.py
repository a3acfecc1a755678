"""A failing call's heatmap (`results.Heatmap`) drawn: the input, the expected answer, the learner's and their
difference side by side, on one colour scale with one colorbar, the cells that differ outlined. Only where a
report has pictures (a notebook's `check()`, `grade EXERCISE --html`, a batch's feedback pages); the terminal
keeps its text grids. Drawing happens in the grader's process, from the report's data alone, never in the
learner's; matplotlib is imported only here, through `figures`, and only when a picture is drawn.

`figure_of` builds the figure (tests read its images' arrays and outlines), `png` saves it, `pictures_of` draws
every heatmap of a full JSON report for `html.render_html`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from grader.i18n import _, label, language
from grader.report import figures
from grader.report.html import Picture, Pictures
from grader.report.plain import exercises_of
from grader.results import Heatmap, Plane

COLOURS = "RdBu_r"  # diverging: zero is white, so a difference of nothing is blank and its sign shows
NOT_FINITE = "#9e9e9e"  # a learner's NaN or inf, masked
OUTLINE = {"edgecolor": "black", "linewidth": 1.6, "facecolor": "none"}
PANEL_INCHES = 2.6


def _array(plane: Plane) -> np.ndarray:
    return np.array(plane.values, dtype=np.float64).reshape(plane.rows, plane.columns)


def panels(heatmap: Heatmap) -> list[tuple[str, Plane | None, np.ndarray]]:
    """(kind, plane, values) of each panel in order: input (when the call has one), expected, yours, and the
    difference yours - expected when the two have one shape."""
    drawn = [] if heatmap.input is None else [("input", heatmap.input, _array(heatmap.input))]
    expected, yours = _array(heatmap.expected), _array(heatmap.yours)
    drawn += [("expected", heatmap.expected, expected), ("yours", heatmap.yours, yours)]
    if heatmap.differs:
        with np.errstate(invalid="ignore", over="ignore"):
            drawn.append(("difference", None, yours - expected))
    return drawn


def _title(kind: str, plane: Plane | None, lang: str) -> str:
    if kind == "difference":
        return _("difference (yours - expected)")
    head = _("input {name}").format(name=plane.name) if kind == "input" else label(kind, lang)
    lines = [f"{head} {tuple(plane.shape)}"]
    if plane.label:
        lines.append(plane.label)
    if plane.cropped:
        top, left = plane.origin
        lines.append(
            _("rows {first}-{last}, columns {left}-{right}").format(
                first=top, last=top + plane.rows - 1, left=left, right=left + plane.columns - 1
            )
        )
    return "\n".join(lines)


def _scale(values: list[np.ndarray]) -> float:
    """The largest finite magnitude of every panel: one symmetric colour scale for them all."""
    finite = [np.abs(v[np.isfinite(v)]) for v in values]
    largest = max((float(f.max()) for f in finite if f.size), default=0.0)
    return largest if largest > 0 else 1.0


def draw(fig, heatmap: Heatmap, lang: str) -> None:
    """The panels of `heatmap` into the empty figure `fig`."""
    from matplotlib import colormaps
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    drawn = panels(heatmap)
    bound = _scale([values for _kind, _plane, values in drawn])
    colours = colormaps[COLOURS].with_extremes(bad=NOT_FINITE)
    shape = (heatmap.expected.rows, heatmap.expected.columns)
    differs = np.array(heatmap.differs, dtype=bool).reshape(shape) if heatmap.differs else None
    fig.set_layout_engine("none")  # placed by hand: constrained layout took a fifth of the drawing time
    width, height = fig.get_size_inches()
    margins = {"left": 0.35 / width, "right": 1 - 0.9 / width, "bottom": 0.3 / height, "top": 1 - 0.65 / height}
    axes = fig.subplots(1, len(drawn), squeeze=False, gridspec_kw={**margins, "wspace": 0.3})[0]
    image = None
    words, fonts = figures.image_language(lang)
    with language(words):
        for ax, (kind, plane, values) in zip(axes, drawn, strict=True):
            image = ax.imshow(np.ma.masked_invalid(values), cmap=colours, vmin=-bound, vmax=bound)
            ax.set_title(_title(kind, plane, words), fontsize=9, fontfamily=fonts)
            top, left = (plane or heatmap.expected).origin
            for axis, offset in ((ax.yaxis, top), (ax.xaxis, left)):
                axis.set_major_locator(MaxNLocator(integer=True, nbins=6))
                axis.set_major_formatter(FuncFormatter(lambda v, _pos, offset=offset: f"{int(v) + offset}"))
            ax.tick_params(labelsize=7)
            if differs is not None and kind != "input":
                cells = [Rectangle((column - 0.5, row - 0.5), 1, 1) for row, column in np.argwhere(differs)]
                ax.add_collection(PatchCollection(cells, **OUTLINE))
    bar = fig.add_axes((1 - 0.75 / width, 0.3 / height + 0.1, 0.12 / width, 1 - 0.95 / height - 0.2))
    fig.colorbar(image, cax=bar)


def outlines(ax) -> list[tuple[float, float]]:
    """(x, y) of the lower corner of each outlined cell of a panel, in data coordinates (cell (i, j) is
    centred on x=j, y=i)."""
    return sorted(
        (float(path.vertices[:, 0].min()), float(path.vertices[:, 1].min()))
        for collection in ax.collections
        for path in collection.get_paths()
    )


def size(heatmap: Heatmap) -> tuple[float, float]:
    """Inches: a panel each, and room for the colorbar."""
    count = len(panels(heatmap))
    return PANEL_INCHES * count + 0.8, PANEL_INCHES + 0.6


@contextmanager
def figure_of(heatmap: Heatmap, lang: str) -> Iterator:
    """The drawn figure, freed when the block ends."""
    with figures.figure(*size(heatmap)) as fig:
        draw(fig, heatmap, lang)
        yield fig


def png(heatmap: Heatmap, lang: str) -> bytes:
    with figure_of(heatmap, lang) as fig:
        return figures.png(fig)


def caption(heatmap: Heatmap, lang: str, shown_call: str | None = None) -> str:
    """What the picture shows, in words: the call (and that it is not the smallest one when it is not), the
    outlines, and why a panel is missing or grey."""
    with language(lang):
        if shown_call is not None and heatmap.call != shown_call:
            parts = [_("The first wrong answer found, before it was made smaller: {call}").format(call=heatmap.call)]
        else:
            parts = [heatmap.call]
        if heatmap.differs:
            parts.append(_("The cells that differ are outlined."))
        else:
            parts.append(
                _("The shapes differ ({expected} expected, {yours} yours): no difference is drawn.").format(
                    expected=tuple(heatmap.expected.shape), yours=tuple(heatmap.yours.shape)
                )
            )
        planes = [heatmap.expected, heatmap.yours, *([heatmap.input] if heatmap.input else [])]
        if not all(np.isfinite(plane.values).all() for plane in planes):
            parts.append(_("NaN and infinite values are drawn grey."))
    return " ".join(parts)


def picture(heatmap: Heatmap, lang: str, shown_call: str | None = None) -> Picture:
    return Picture(caption(heatmap, lang, shown_call), figures.data_uri(png(heatmap, lang)))


def pictures_of(report: dict, lang: str) -> Pictures:
    """Every heatmap of a full JSON report (a batch's student report, `grade --html`'s), drawn, by (exercise,
    task): what `html.render_html` shows in each task. An ordinary JSON report has none."""
    drawn: dict[tuple[str, str], list[Picture]] = {}
    for exercise in exercises_of(report):
        for task in exercise.get("tasks", []):
            example = task.get("counterexample") or {}
            if example.get("heatmap"):
                heatmap = Heatmap.from_dict(example["heatmap"])
                drawn[(exercise["exercise"], task["name"])] = [picture(heatmap, lang, example.get("call"))]
    return drawn
