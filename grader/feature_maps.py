"""The feature maps a learner's `feature_map_model` shows, next to the reference's: exercise 6's picture.

The learner's function runs in the sandboxed worker that grades exercise 6, once for each layer of a small
fashion-like CNN whose weights both sides draw from the same seed (`keras_feature_maps`); only the maps come
back. The reference's maps are computed in the grader's process, as exercise 6's references are when no kept
observation serves (TensorFlow imported then), and kept in memory for the life of the process. A function that
raises, hangs, is a stub, is missing or returns something else than a model of feature maps is reported with
the grading statuses and messages; maps that differ from the reference's name the layer and the largest
difference. Drawing is `grader.report.feature_maps`'s.

What it costs (measured 2026-12-03 on a shared 2-core machine, load 1-6): loading the learner's file in the
worker (TensorFlow's import) 4-13 s, the reference's maps meanwhile in the grader's process 4-12 s on the first
call (none after, kept), the five calls 0.03-0.3 s each (the first traces the model); the figure 0.1-0.2 s and
its PNG (about 80 KB) 0.5-1 s. It adds nothing to the install: TensorFlow and matplotlib are dependencies.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader import catalog, engine, observations, references
from grader.compare_models import OUTPUT_ATOL, OUTPUT_RTOL, compare_observations
from grader.i18n import _, language, translate
from grader.keras_feature_maps import CHANNELS, TRUNK, FeatureMapProbe, SeededRecipe, grayscale, sample_image
from grader.keras_observe import materialise
from grader.results import Status
from grader.sandbox.worker import Worker
from grader.spec import Call

EXERCISE = "exercise6"
TASK = "feature_map_model"
_KEPT: dict[tuple, dict[str, dict]] = {}
# TensorFlow's own C++ log lines ("E0000 00:00:17.9 2575 cuda_platform.cc:52] failed call to cuInit ..."), written
# when the first model runs on a machine without a GPU driver: not what the learner's code printed.
_TENSORFLOW_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ [\w./-]+:\d+\] .*$\n?", re.MULTILINE)


def _without_tensorflow_logs(output: str) -> str:
    return _TENSORFLOW_LOG.sub("", output)  # the reference's observations, per (recipe, image, channels)


@dataclass(frozen=True)
class LayerMaps:
    """One layer's maps: the learner's and the reference's, each (1, h, w, c) float32 with at most `CHANNELS`
    channels (None where there are none), the layer's whole output shape, and how the two differ in words."""

    name: str
    kind: str  # the layer's Keras class in the sample model: Conv2D, MaxPooling2D
    yours: np.ndarray | None
    reference: np.ndarray | None
    shape: tuple[int, ...] | None  # the learner's model's whole output shape (all channels)
    problem: str | None = None


@dataclass(frozen=True)
class FeatureMaps:
    """What `learner_feature_maps` found: a grading status and message (passed: every layer's maps are the
    reference's), the sample image (H, W), each layer looked at, and what the learner's code printed."""

    status: Status
    message: str
    image: np.ndarray
    layers: tuple[LayerMaps, ...] = ()
    output: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def maps(self) -> dict[str, np.ndarray]:
        """The learner's maps by layer name (layers without maps left out)."""
        return {layer.name: layer.yours for layer in self.layers if layer.yours is not None}

    def reference_maps(self) -> dict[str, np.ndarray]:
        return {layer.name: layer.reference for layer in self.layers if layer.reference is not None}

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {layer.name: layer.shape for layer in self.layers if layer.shape is not None}


def sample_recipe(image: np.ndarray, seed: int = 0) -> SeededRecipe:
    """The model whose layers are looked at: the course's fashion CNN trunk on `image`'s size, seeded weights."""
    return SeededRecipe((*image.shape, 1), TRUNK, weights_seed=seed)


def learner_feature_maps(
    submission: Path | None,
    options: engine.Options | None = None,
    *,
    image=None,
    channels: int = CHANNELS,
) -> FeatureMaps:
    """The feature maps of the learner's `feature_map_model` (in `submission`, their exercise 6 file) for each
    layer of the sample model, on `image` (a grayscale (H, W) or (H, W, 1) array, or RGB; by default
    `keras_feature_maps.sample_image()`), with the reference's beside them. `options.seed` draws the weights;
    `options.timeout` bounds loading the file and, again, all the calls together. ValueError for an image that
    cannot be used."""
    options = options or engine.Options()
    picture = sample_image() if image is None else grayscale(image)
    if not 1 <= channels <= 256:
        raise ValueError(f"channels={channels} must be from 1 to 256")
    with language(options.lang):
        return _feature_maps(submission, options, picture, channels)


def _feature_maps(submission: Path | None, options: engine.Options, image: np.ndarray, channels: int) -> FeatureMaps:
    exercise = catalog.find(EXERCISE)
    if submission is None:
        return FeatureMaps(Status.MISSING, _("{file} was not found").format(file=exercise.file_name), image)
    recipe, probe = sample_recipe(image, options.seed), FeatureMapProbe(image, channels)
    expected: dict[str, dict] = {}
    computing = threading.Thread(target=_quietly, args=(expected, recipe, probe), daemon=True)
    if references.available():  # the grader's TensorFlow loads while the worker loads the learner's
        computing.start()
    with Worker(submission, exercise.banned_imports, options.memory_mb) as worker:
        loaded = worker.start(options.timeout)
        if computing.ident is not None:
            computing.join()
        warnings = engine.sandbox_warnings(loaded.unprotected)
        if loaded.kind != "loaded" or loaded.forbidden:
            status, message = engine._load_problem(loaded)
            return FeatureMaps(status, message, image, output=worker.output_tail(), warnings=warnings)
        if TASK not in loaded.names:
            return FeatureMaps(Status.MISSING, translate(engine.MESSAGES[Status.MISSING]), image, warnings=warnings)
        mark = worker.output_mark()
        observed, problem = _ask_each_layer(worker, recipe, probe, options.timeout)
        output = _without_tensorflow_logs(worker.output_tail(mark))
    if references.available() and len(expected) < len(recipe.layers):
        _reference_into(expected, recipe, probe)  # the thread failed: again here, so that its error shows
    layers = tuple(_layer(spec, observed.get(spec["name"]), expected.get(spec["name"])) for spec in recipe.layers)
    if problem is not None:
        status, message = problem
        return FeatureMaps(status, message, image, layers, output, warnings)
    wrong = [layer for layer in layers if layer.problem is not None]
    if wrong:
        return FeatureMaps(Status.FAILED, wrong[0].problem, image, layers, output, warnings)
    if not expected:
        message = _("your feature maps of {count} layers (no reference here to compare them with)")
        return FeatureMaps(Status.PASSED, message.format(count=len(layers)), image, layers, output, warnings)
    message = _("your feature maps are the reference's on all {count} layers").format(count=len(layers))
    return FeatureMaps(Status.PASSED, message, image, layers, output, warnings)


def _ask_each_layer(worker: Worker, recipe: SeededRecipe, probe: FeatureMapProbe, timeout: float):
    """The learner's observation for each layer, until the first reply that is not an answer: (observations
    by layer, None or the (status, message) that reply is reported with)."""
    deadline = time.monotonic() + timeout
    observed: dict[str, dict] = {}
    for name in recipe.layer_names():
        reply = worker.call(TASK, Call((recipe, name)), deadline - time.monotonic(), probe)
        problem = engine.reply_problem(reply, timeout, len(observed))
        if problem is not None and problem[0] in (Status.ERROR, Status.TIMEOUT):  # on this layer's call
            return observed, (problem[0], _("layer {layer}: {problem}").format(layer=name, problem=problem[1]))
        if problem is not None:
            return observed, problem
        observed[name] = reply.value
    return observed, None


def _layer(spec: dict, actual, expected: dict | None) -> LayerMaps:
    """One layer's maps and, when they are not the reference's, how they differ."""
    name, kind = spec["name"], spec["class_name"]
    reference = None if expected is None else expected.get("maps")
    if actual is None:
        return LayerMaps(name, kind, None, reference, None)
    shape, yours = _read(actual)
    if shape is None:
        # what it is instead, as grading says it (a reply that is no observation at all: not built to look at)
        told = actual.get("kind") if isinstance(actual, dict) else None
        seen = {"kind": told if isinstance(told, str) else "model"}
        said = compare_observations(None, {"kind": "model"}, seen, None)
        return LayerMaps(
            name, kind, None, reference, None, _("layer {layer}: {problem}").format(layer=name, problem=said)
        )
    if yours is None:
        said = _(
            "layer {layer}: your model's output has shape {actual}, not the four axes of feature maps (batch, "
            "height, width, channels)"
        ).format(layer=name, actual=shape)
        return LayerMaps(name, kind, None, reference, shape, said)
    if expected is None:
        return LayerMaps(name, kind, yours, None, shape)
    return LayerMaps(name, kind, yours, reference, shape, _difference(name, shape, yours, expected))


def _read(actual) -> tuple[tuple[int, ...] | None, np.ndarray | None]:
    """The whole output shape and the kept maps of a model's observation (see `FeatureMapProbe.observe`), as
    the learner's process sent them; (None, None) for anything else."""
    if not isinstance(actual, dict) or actual.get("kind") != "model":
        return None, None
    shape, maps = actual.get("shape"), actual.get("maps")
    if not isinstance(shape, list) or not all(type(n) is int for n in shape):
        return None, None
    if maps is None:
        return tuple(shape), None
    if not isinstance(maps, np.ndarray) or maps.ndim != 4 or maps.dtype != np.float32 or len(shape) != 4:
        return None, None
    return tuple(shape), maps


def _difference(name: str, shape: tuple[int, ...], yours: np.ndarray, expected: dict) -> str | None:
    wanted, reference = tuple(expected["shape"]), expected["maps"]
    if shape != wanted or yours.shape != reference.shape:
        return _(
            "layer {layer}: your feature maps have shape {actual}, the layer's output {expected}: is it that "
            "layer's output?"
        ).format(layer=name, actual=shape, expected=wanted)
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    if np.allclose(yours, reference, rtol=OUTPUT_RTOL, atol=OUTPUT_ATOL * max(1.0, scale)):
        return None
    worst = float(np.max(np.abs(yours.astype(np.float64) - reference)))
    return _(
        "layer {layer}: your feature maps differ from the layer's output in the model (largest difference "
        "{worst}): is it that layer's output, with the model's own weights?"
    ).format(layer=name, worst=f"{worst:.3g}")


def _quietly(expected: dict[str, dict], recipe: SeededRecipe, probe: FeatureMapProbe) -> None:
    with contextlib.suppress(BaseException):  # a failure shows again, and is raised, where it is needed
        _reference_into(expected, recipe, probe)


def _reference_into(expected: dict[str, dict], recipe: SeededRecipe, probe: FeatureMapProbe) -> None:
    """The reference's observation for each layer into `expected` (kept for the life of the process)."""
    image = hashlib.sha256(probe.image.tobytes()).hexdigest()
    key = (repr(recipe.layers), recipe.input_shape, recipe.weights_seed, image, probe.channels)
    if key not in _KEPT:
        observations.ready_tensorflow()
        exercise = catalog.find(EXERCISE)
        reference = exercise.reference(exercise.task(TASK))
        (model,), _kwargs = materialise((recipe,), {})
        _KEPT[key] = {name: probe.observe(reference(model, name)) for name in recipe.layer_names()}
    expected.update(_KEPT[key])
