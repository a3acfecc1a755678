"""The kinds of picture `grade show` draws, each a way to collect a task's results and a way to draw them.

A task declares its kind (`spec.Showing.kind`); `KINDS` maps the name to a `Kind`. "image" and "kernel" collect
the same way (`run.run_calls`: the shown calls answered in the sandbox and by the reference) and draw:

- "image": a row per call: the input (the call's first argument), the reference's result, yours, and where both
  have one shape, the difference |yours - reference|.
- "kernel": a returned kernel, drawn with the reference's and the difference; under it the sample image in grey
  and that image filtered by each kernel, correlated here by the grader's own numpy (`correlate`), never by the
  learner's code nor the reference's, so that a release without references still filters with yours.

Another kind (exercise 6's feature maps) registers its own `Kind` with `register`: its `collect` returns a
`run.Shown` (its layers in `extra`) and its `draw` fills the figure.

How arrays are shown (decided once, here): a batch (N, H, W, C) shows its first image; an (H, W, 3) image whose
values all lie within 0-255 is shown as RGB (divided by 255), as the sample image is; any other (H, W, C) shows
one channel, the first where yours and the reference's differ (else channel 0), named in the title; a 2-D array
as it is. The reference's result and yours share one grey colour scale (their colour bar), the difference has
its own (0 to its largest value). Panels of images share one pixel scale across the figure, so padding grows a
picture and a stride shrinks it on the page as it does in the array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.i18n import _, translate
from grader.showing import feature_map_kind
from grader.showing.run import Row, Shown, run_calls
from grader.values import show_brief

PANEL_INCHES = 2.3
CAPTION_INCHES = 0.35
MAX_KERNEL_SIDE = 31  # a kernel larger than this is drawn, not applied (the sample image is 64x64)


@dataclass(frozen=True)
class Kind:
    """How one kind of picture is made: `collect(exercise, task, path, sample, options) -> Shown` and
    `draw(figure, shown)`; `size(shown)` is the figure's (width, height) in inches."""

    collect: Callable[..., Shown]
    draw: Callable[[Any, Shown], None]
    size: Callable[[Shown], tuple[float, float]]


@dataclass(frozen=True)
class Panel:
    """One picture in the figure. `gid` names it ("yours:0": the learner's result of the first call), so tests
    and readers find each picture's array; `data` None draws `text` instead."""

    gid: str
    title: str
    data: np.ndarray | None = None
    text: str = ""
    rgb: bool = False
    cmap: str = "gray"
    group: str = ""  # panels of one block with the same group share one colour scale
    pixels: bool = True  # on the figure's shared pixel scale (kernels are not)
    colorbar: bool = False


# What a block of panels is: a caption and lines of panels (None: an empty place).
Block = tuple[str, list[list[Panel | None]]]


def first_image(value) -> np.ndarray | None:
    """The 2-D or (H, W, C) image a value shows: the first of a batch; None for what is not a numeric array."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" or not value.size:
        return None
    if value.ndim == 4:
        value = value[0]
    if value.ndim not in (2, 3) or min(value.shape[:2]) < 1:
        return None
    return value


def fits_rgb(image: np.ndarray | None) -> bool:
    if image is None or image.ndim != 3 or image.shape[2] != 3:
        return False
    finite = np.isfinite(image).all() if image.dtype.kind == "f" else True
    return bool(finite and image.min() >= 0 and image.max() <= 255)


def displayed(image: np.ndarray, channel: int | None) -> np.ndarray:
    """The array a panel draws of an image: RGB in 0-1 (channel None), one channel, or the 2-D image."""
    if image.ndim == 2:
        return image.astype(np.float64)
    if channel is None:
        return image.astype(np.float64) / 255.0
    return image[:, :, channel].astype(np.float64)


def difference(expected, actual) -> np.ndarray | None:
    """|yours - reference| as one 2-D map (the largest over channels), or None when they cannot be subtracted."""
    e, a = first_image(expected), first_image(actual)
    if e is None or a is None or e.shape != a.shape:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(a.astype(np.float64) - e.astype(np.float64))
    return d.max(axis=-1) if d.ndim == 3 else d


def _channel(expected: np.ndarray | None, actual: np.ndarray | None) -> int:
    """The first channel where the two differ, else 0."""
    if expected is None or actual is None or expected.shape != actual.shape or expected.ndim != 3:
        return 0
    with np.errstate(invalid="ignore"):
        differs = ~np.isclose(expected.astype(np.float64), actual.astype(np.float64), equal_nan=True)
    channels = np.flatnonzero(differs.any(axis=(0, 1)))
    return int(channels[0]) if channels.size else 0


def _shape(value) -> str:
    return str(tuple(value.shape)) if isinstance(value, np.ndarray) else show_brief(value)


def image_panel(
    gid: str, name: str, value, channel_of: tuple = (), group: str = "result", colorbar: bool = False
) -> Panel:
    """A panel of an array as an image, named `name` and its shape; a value that is no image is said in words."""
    image = first_image(value)
    if image is None:
        return Panel(gid, name, text=_("not an image: {value}").format(value=show_brief(value)))
    rgb = fits_rgb(image) and all(fits_rgb(other) for other in channel_of)
    title = f"{name} {_shape(value)}"
    if rgb or image.ndim == 2:
        return Panel(gid, title, displayed(image, None), rgb=rgb, group="" if rgb else group, colorbar=colorbar)
    channel = _channel(*(channel_of[:2] if len(channel_of) == 2 else (None, None)))
    channel = min(channel, image.shape[2] - 1)
    title += "\n" + _("channel {channel} of {count}").format(channel=channel, count=image.shape[2])
    return Panel(gid, title, displayed(image, channel), group=group, colorbar=colorbar)


def difference_panel(gid: str, expected, actual, pixels: bool = True) -> Panel:
    d = difference(expected, actual)
    if d is None:
        return Panel(gid, _("difference"), text=_("the shapes differ: no difference to draw"))
    largest = float(np.nanmax(d)) if np.isfinite(d).any() else float("nan")
    if largest == 0:
        return Panel(gid, _("difference: none"), d, cmap="magma", group="difference", pixels=pixels)
    title = _("difference (largest {value:.3g})").format(value=largest)
    return Panel(gid, title, d, cmap="magma", group="difference", pixels=pixels, colorbar=True)


def _image_block(index: int, row: Row, with_reference: bool) -> Block:
    both = (first_image(row.expected), first_image(row.actual)) if with_reference else (first_image(row.actual),)
    line = [image_panel(f"input:{index}", _("input"), row.call.args[0], group="input")]
    if with_reference:
        line.append(image_panel(f"reference:{index}", _("reference"), row.expected, both))
    line.append(image_panel(f"yours:{index}", _("yours"), row.actual, both, colorbar=True))
    if with_reference:
        line.append(difference_panel(f"difference:{index}", row.expected, row.actual))
    return translate(row.caption), [line]


def correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation in float64, the grader's own (what a kernel does to the sample image)."""
    windows = np.lib.stride_tricks.sliding_window_view(image.astype(np.float64), kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel.astype(np.float64))


def applicable(kernel, image: np.ndarray) -> bool:
    return (
        isinstance(kernel, np.ndarray)
        and kernel.ndim == 2
        and kernel.dtype.kind in "biuf"
        and min(kernel.shape) >= 1
        and max(kernel.shape) <= min(MAX_KERNEL_SIDE, *image.shape)
        and bool(np.isfinite(kernel).all())
    )


def _applied_panel(gid: str, name: str, kernel, gray: np.ndarray, colorbar: bool) -> Panel:
    if not applicable(kernel, gray):
        return Panel(
            gid, name, text=_("this kernel cannot be applied to the image: {value}").format(value=show_brief(kernel))
        )
    filtered = correlate(gray, kernel)
    return Panel(gid, f"{name} {tuple(filtered.shape)}", filtered, group="filtered", colorbar=colorbar)


def _kernel_block(index: int, row: Row, with_reference: bool, gray: np.ndarray) -> Block:
    kernels, applied = [None], [Panel(f"input:{index}", f"{_('input')} {tuple(gray.shape)}", gray, group="input")]
    sides = [("reference", _("reference's kernel"), _("the reference's kernel applied"), row.expected)] * with_reference
    sides.append(("yours", _("your kernel"), _("your kernel applied"), row.actual))
    for key, kernel_name, applied_name, kernel in sides:
        panel = image_panel(f"{key}_kernel:{index}", kernel_name, kernel, group="kernel", colorbar=key == "yours")
        kernels.append(replace(panel, cmap="viridis", pixels=False))
        applied.append(_applied_panel(f"{key}:{index}", applied_name, kernel, gray, colorbar=key == "yours"))
    if with_reference:
        kernels.append(difference_panel(f"kernel_difference:{index}", row.expected, row.actual, pixels=False))
        d = [correlate(gray, k) if applicable(k, gray) else None for k in (row.expected, row.actual)]
        applied.append(difference_panel(f"difference:{index}", *d))
    return translate(row.caption), [kernels, applied]


def _blocks(shown: Shown) -> list[Block]:
    if shown.kind == "kernel":
        from grader.showing.sample import grayscale

        gray = grayscale(shown.sample)
        return [_kernel_block(i, row, shown.with_reference, gray) for i, row in enumerate(shown.rows)]
    return [_image_block(i, row, shown.with_reference) for i, row in enumerate(shown.rows)]


def _extent(blocks: list[Block]) -> tuple[int, int]:
    """The largest (height, width) of the images on the shared pixel scale."""
    sides = [
        panel.data.shape[:2]
        for _caption, lines in blocks
        for line in lines
        for panel in line
        if panel is not None and panel.data is not None and panel.pixels
    ]
    return (max(h for h, _w in sides), max(w for _h, w in sides)) if sides else (1, 1)


def _scales(lines: list[list[Panel | None]]) -> dict[str, tuple[float, float]]:
    """One (vmin, vmax) per colour group of a block, from the finite values of its panels."""
    scales: dict[str, tuple[float, float]] = {}
    for panel in (p for line in lines for p in line if p is not None and p.data is not None and not p.rgb):
        values = panel.data[np.isfinite(panel.data)]
        if not values.size:
            continue
        low, high = float(values.min()), float(values.max())
        if panel.group == "difference":
            low = 0.0
        if panel.group in scales:
            low, high = min(low, scales[panel.group][0]), max(high, scales[panel.group][1])
        scales[panel.group] = (low, high)
    return {group: (low, high if high > low else low + 1e-12) for group, (low, high) in scales.items()}


def draw_blocks(fig, blocks: list[Block]) -> None:
    """Each block a subfigure with its caption; panels of a group share a colour scale, images a pixel scale."""
    height, width = _extent(blocks)
    columns = max(len(line) for _caption, lines in blocks for line in lines)
    subfigures = fig.subfigures(len(blocks), 1, squeeze=False)[:, 0]
    for subfigure, (caption, lines) in zip(subfigures, blocks, strict=True):
        subfigure.suptitle(caption, fontsize="medium", fontweight="bold")
        scales = _scales(lines)
        axes = subfigure.subplots(len(lines), columns, squeeze=False)
        for line, axes_line in zip(lines, axes, strict=True):
            for column, ax in enumerate(axes_line):
                panel = line[column] if column < len(line) else None
                _draw_panel(subfigure, ax, panel, scales, (height, width))


def _draw_panel(subfigure, ax, panel: Panel | None, scales: dict, extent: tuple[int, int]) -> None:
    if panel is None:
        ax.set_axis_off()
        return
    ax.set_title(panel.title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
    if panel.data is None:
        ax.text(0.5, 0.5, panel.text, ha="center", va="center", wrap=True, fontsize="small", transform=ax.transAxes)
        ax.set_gid(panel.gid)
        return
    if panel.rgb:
        image = ax.imshow(np.clip(panel.data, 0.0, 1.0), interpolation="nearest")
    else:
        low, high = scales.get(panel.group, (None, None))
        image = ax.imshow(panel.data, cmap=panel.cmap, vmin=low, vmax=high, interpolation="nearest")
        if panel.colorbar:
            subfigure.colorbar(image, ax=ax, shrink=0.8)
    image.set_gid(panel.gid)
    if panel.pixels:
        ax.set_xlim(-0.5, extent[1] - 0.5)
        ax.set_ylim(extent[0] - 0.5, -0.5)


def _draw(fig, shown: Shown) -> None:
    draw_blocks(fig, _blocks(shown))


def _size(shown: Shown) -> tuple[float, float]:
    blocks = _blocks(shown)
    columns = max(len(line) for _caption, lines in blocks for line in lines)
    lines = sum(len(lines) for _caption, lines in blocks)
    return (PANEL_INCHES * columns + 0.6, PANEL_INCHES * lines + CAPTION_INCHES * len(blocks))


def _collect(exercise, task, path: Path | None, sample, options) -> Shown:
    return run_calls(exercise, task, path, sample, options)


KINDS: dict[str, Kind] = {
    "image": Kind(_collect, _draw, _size),
    "kernel": Kind(_collect, _draw, _size),
    "feature_maps": Kind(feature_map_kind.collect, feature_map_kind.draw, feature_map_kind.size),
}


def register(name: str, kind: Kind) -> None:
    """Add a kind of picture (exercise 6's feature maps): a task's `Showing(kind=name, ...)` then uses it."""
    KINDS[name] = kind
