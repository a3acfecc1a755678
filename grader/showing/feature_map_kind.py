"""Exercise 6's picture for `grade show`: the feature maps of the learner's `feature_map_model` on each layer of
a small fashion-like CNN, the sample image as its input, next to the reference's (`grader.feature_maps` runs
them, `grader.report.feature_maps` draws them). A `Kind` of `grader.showing.kinds`; TensorFlow is imported only
when a picture of this kind is asked for."""

from __future__ import annotations

from pathlib import Path

from grader import references
from grader.showing.run import Row, Shown
from grader.spec import Call


def collect(exercise, task, path: Path | None, sample, options) -> Shown:
    """One row per layer: the reference's maps as expected, the learner's as actual, and what differs."""
    from grader.feature_maps import learner_feature_maps

    found = learner_feature_maps(path, options, image=sample)
    rows = tuple(
        Row(layer.name, Call((layer.name,)), layer.reference, layer.yours, layer.problem)
        for layer in found.layers
        if layer.yours is not None or layer.reference is not None
    )
    extra = {"image": found.image, "shapes": found.shapes()}
    return Shown(
        exercise.name,
        task.name,
        task.show.kind,
        found.status,
        found.message,
        rows,
        sample,
        references.available(),
        found.output,
        extra,
    )


def _maps(shown: Shown) -> tuple[dict, dict]:
    yours = {row.caption: row.actual for row in shown.rows if row.actual is not None}
    reference = {row.caption: row.expected for row in shown.rows if row.expected is not None}
    return yours, reference


def draw(fig, shown: Shown) -> None:
    from grader.report.feature_maps import draw_feature_maps

    yours, reference = _maps(shown)
    draw_feature_maps(fig, yours, reference, image=shown.extra.get("image"), shapes=shown.extra.get("shapes"))


def size(shown: Shown) -> tuple[float, float]:
    from grader.report.feature_maps import feature_map_size

    yours, reference = _maps(shown)
    return feature_map_size(yours, reference, image=shown.extra.get("image"))
