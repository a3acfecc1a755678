"""Feature maps drawn (exercise 6's `feature_map_model`): the sample image, then for each layer its channels as
small heatmaps, the learner's beside the reference's, on one colour scale per layer.

Drawing only: the maps come from `grader.feature_maps` (or anyone with arrays); nothing here judges. A figure is
a matplotlib `Figure` made without pyplot (`figures`), so it draws the same in a terminal, a notebook and CI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from grader.i18n import _
from grader.report import figures

CELL = 0.55  # inches per channel heatmap
COLUMNS = 8  # channel heatmaps per row of a layer's grid
MAPS_COLOURS = "viridis"
IMAGE_COLOURS = "gray"


def feature_map_figure(
    maps_by_layer: Mapping[str, np.ndarray],
    reference_by_layer: Mapping[str, np.ndarray] | None = None,
    *,
    image: np.ndarray | None = None,
    shapes: Mapping[str, tuple[int, ...]] | None = None,
):
    """A figure of each layer's maps ((1, h, w, c) or (h, w, c) arrays, by layer name, in order): a grid of its
    channels titled with the layer's name and shape (`shapes` gives the whole output's shape where only some
    channels are drawn), and the reference's grid beside it when `reference_by_layer` has the layer; `image`
    (the sample input, (H, W)) is drawn first. Yours and the reference's share one colour scale per layer."""
    fig = figures.new(*feature_map_size(maps_by_layer, reference_by_layer, image=image))
    draw_feature_maps(fig, maps_by_layer, reference_by_layer, image=image, shapes=shapes)
    return fig


def _names(maps_by_layer: Mapping, reference_by_layer: Mapping) -> list[str]:
    return list(maps_by_layer) + [n for n in reference_by_layer if n not in maps_by_layer]


def _layer_rows(maps_by_layer: Mapping, reference_by_layer: Mapping) -> list[int]:
    names = _names(maps_by_layer, reference_by_layer)
    return [_rows_of(_channels(maps_by_layer.get(n, reference_by_layer.get(n)))) for n in names]


def feature_map_size(maps_by_layer, reference_by_layer=None, *, image=None) -> tuple[float, float]:
    """The (width, height) in inches `draw_feature_maps` needs for these maps."""
    reference_by_layer = reference_by_layer or {}
    rows = _layer_rows(maps_by_layer, reference_by_layer)
    height = (2.2 if image is not None else 0) + sum(0.45 + CELL * r for r in rows)
    width = max(4.0, (2 if reference_by_layer else 1) * (COLUMNS * CELL + 0.4))
    return width, max(height, 1.0)


def draw_feature_maps(fig, maps_by_layer, reference_by_layer=None, *, image=None, shapes=None) -> None:
    """Draw `feature_map_figure`'s content into `fig` (a figure someone else made and sized)."""
    reference_by_layer = reference_by_layer or {}
    shapes = shapes or {}
    names = _names(maps_by_layer, reference_by_layer)
    sides = 2 if reference_by_layer else 1
    rows = _layer_rows(maps_by_layer, reference_by_layer)
    parts = fig.subfigures(len(names) + (image is not None), 1, height_ratios=_ratios(image, rows), squeeze=False)
    places = list(parts[:, 0])
    if image is not None:
        _draw_image(places.pop(0), image)
    for place, name in zip(places, names, strict=True):
        _draw_layer(place, name, maps_by_layer.get(name), reference_by_layer.get(name), shapes.get(name), sides)


def feature_map_png(*args, **kwargs) -> bytes:
    """`feature_map_figure(...)` as PNG bytes (see `figures.data_uri` to inline them)."""
    fig = feature_map_figure(*args, **kwargs)
    try:
        return figures.png(fig)
    finally:
        fig.clear()


def _ratios(image, rows: list[int]) -> list[float]:
    return ([2.2] if image is not None else []) + [0.45 + CELL * r for r in rows]


def _channels(maps: np.ndarray | None) -> np.ndarray | None:
    """Maps as (h, w, c): the first image of a batch."""
    if maps is None:
        return None
    array = np.asarray(maps, dtype=np.float32)
    return array[0] if array.ndim == 4 else array


def _rows_of(channels: np.ndarray | None) -> int:
    return 1 if channels is None else max(1, math.ceil(channels.shape[-1] / COLUMNS))


def _draw_image(place, image: np.ndarray) -> None:
    axes = place.subplots()
    axes.imshow(np.asarray(image, dtype=np.float32), cmap=IMAGE_COLOURS, vmin=0.0, vmax=1.0)
    axes.set_title(_("the sample input {shape}").format(shape=tuple(np.shape(image))), fontsize=9)
    axes.set_axis_off()


def _draw_layer(place, name: str, yours, reference, shape, sides: int) -> None:
    mine, theirs = _channels(yours), _channels(reference)
    drawn = [a for a in (mine, theirs) if a is not None]
    low = min((float(a.min()) for a in drawn if a.size), default=0.0)
    high = max((float(a.max()) for a in drawn if a.size), default=1.0)
    high = high if high > low else low + 1.0
    whole = tuple(shape) if shape is not None else tuple(np.shape(yours if yours is not None else reference))
    place.suptitle(f"{name} {whole}", fontsize=9, x=0.01, ha="left")
    halves = place.subfigures(1, sides, squeeze=False)[0]
    _draw_channels(halves[0], mine, _("yours"), low, high)
    if sides == 2:
        _draw_channels(halves[1], theirs, _("reference"), low, high)


def mosaic(channels: np.ndarray, columns: int = COLUMNS) -> np.ma.MaskedArray:
    """Channels (h, w, c) tiled into one picture, `columns` to a row, a masked (blank) pixel between tiles:
    channel k is at row k // columns, column k % columns, its top-left pixel at (row * (h + 1), col * (w + 1))."""
    h, w, count = channels.shape
    rows = max(1, math.ceil(count / columns))
    size = (rows * (h + 1) - 1, min(count, columns) * (w + 1) - 1)
    tiled = np.ma.masked_array(np.zeros(size, dtype=np.float32), mask=True)  # zeros: no garbage under the mask
    for k in range(count):
        top, left = (k // columns) * (h + 1), (k % columns) * (w + 1)
        tiled[top : top + h, left : left + w] = channels[:, :, k]
    return tiled


def _draw_channels(place, channels: np.ndarray | None, caption: str, low: float, high: float) -> None:
    """The channels as one mosaic of heatmaps (one image: a grid of small axes draws ten times slower),
    captioned; 'no feature maps' where there are none."""
    axes = place.subplots()
    axes.set_axis_off()
    if channels is None:
        axes.text(0.5, 0.5, _("{whose}: no feature maps").format(whose=caption), ha="center", va="center", fontsize=8)
        return
    axes.imshow(mosaic(channels), cmap=MAPS_COLOURS, vmin=low, vmax=high, interpolation="nearest")
    axes.set_title(caption, fontsize=8)
