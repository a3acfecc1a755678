"""Exercise 6's picture: the feature maps a learner's `feature_map_model` shows, next to the reference's.

A right function shows the reference's maps on every layer of the sample CNN; each classic mistake of
fixtures/mutants/exercise6_feature_map_* is reported as differing, naming the layer; a function that raises,
hangs, is a stub or is missing gets the grading statuses and messages; and the figure is drawn from the very
arrays found (each heatmap's data is checked, not its pixels).
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from grader import engine
from grader.feature_maps import FeatureMaps, LayerMaps, learner_feature_maps
from grader.keras_feature_maps import CHANNELS, TRUNK, grayscale, sample_image
from grader.report.feature_maps import COLUMNS, feature_map_figure, feature_map_png, mosaic
from grader.results import Status
from tests.conftest import EXERCISES, FIXTURES, ROOT, solution_file

OPTIONS = engine.Options(timeout=60)
LAYERS = [spec["name"] for spec in TRUNK]
WHOLE_SHAPES = {"conv1": (1, 28, 28, 64), "pool1": (1, 14, 14, 64), "conv2": (1, 14, 14, 32)}
REFERENCE = solution_file(6).read_text(encoding="utf-8")


def _with(fixture_or_source: str, submission) -> object:
    """The reference solution with `feature_map_model` replaced by a mutant's (a fixture name) or by source."""
    path = FIXTURES / "mutants" / f"exercise6_{fixture_or_source}.py"
    replaced = path.read_text(encoding="utf-8") if path.is_file() else fixture_or_source
    return submission(6, REFERENCE + "\n\n" + replaced)


@pytest.fixture(scope="module")
def right() -> FeatureMaps:
    return learner_feature_maps(solution_file(6), OPTIONS)


def _tiles(shown: np.ndarray, channels: int, side: int) -> list[np.ndarray]:
    """The heatmaps of a mosaic, back out of it (see `mosaic`)."""
    step = side + 1
    return [
        np.asarray(shown[(k // COLUMNS) * step : (k // COLUMNS) * step + side, (k % COLUMNS) * step :][:, :side])
        for k in range(channels)
    ]


# --------------------------------------------------------------------------------------------- right answers


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_right_feature_map_model_shows_the_reference_maps_on_every_layer(right):
    assert right.status is Status.PASSED, right.message
    assert [layer.name for layer in right.layers] == LAYERS
    for layer in right.layers:
        assert layer.problem is None
        assert layer.yours.dtype == np.float32 and layer.yours.shape[-1] == CHANNELS
        np.testing.assert_allclose(layer.yours, layer.reference, rtol=1e-5, atol=1e-6)
        assert np.abs(layer.yours).max() > 0  # maps of something: a comparison of zeros could not fail
    assert {name: right.shapes()[name] for name in WHOLE_SHAPES} == WHOLE_SHAPES
    first, second = right.maps()["conv1"], right.maps()["conv2"]
    assert first.shape != second.shape  # each layer is looked at, not the same one five times


@pytest.mark.slow
@pytest.mark.tensorflow
def test_the_figure_of_a_right_answer_is_drawn_from_its_maps_and_the_references(right):
    fig = feature_map_figure(right.maps(), right.reference_maps(), image=right.image, shapes=right.shapes())
    images = [image for axes in fig.get_axes() for image in axes.get_images()]
    np.testing.assert_array_equal(images[0].get_array(), right.image)
    for index, layer in enumerate(right.layers):
        yours, theirs = images[1 + 2 * index], images[2 + 2 * index]
        side = layer.yours.shape[1]
        for k, tile in enumerate(_tiles(yours.get_array(), CHANNELS, side)):
            np.testing.assert_array_equal(tile, layer.yours[0, :, :, k])
        for k, tile in enumerate(_tiles(theirs.get_array(), CHANNELS, side)):
            np.testing.assert_array_equal(tile, layer.reference[0, :, :, k])
        assert yours.get_clim() == theirs.get_clim()  # one colour scale for both
    titles = [t.get_text() for sub in fig.subfigs for t in [sub._suptitle] if t is not None]
    assert "conv1 (1, 28, 28, 64)" in titles


# --------------------------------------------------------------------------------------------- wrong answers


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("mutant", "layer", "says"),
    [
        ("feature_map_whole_model", "conv1", "shape (1, 7, 7, 16), the layer's output (1, 28, 28, 64)"),
        ("feature_map_first_layer", "pool1", "shape (1, 28, 28, 64), the layer's output (1, 14, 14, 64)"),
        ("feature_map_the_layer_itself", "conv1", "expected a Keras model"),
        ("feature_map_fresh_weights", "conv1", "largest difference"),
    ],
)
def test_a_wrong_feature_map_model_is_reported_at_the_first_layer_it_gets_wrong(mutant, layer, says, submission):
    found = learner_feature_maps(_with(mutant, submission), OPTIONS)
    assert found.status is Status.FAILED
    assert found.message.startswith(f"layer {layer}: ") and says in found.message, found.message
    wrong = [each.name for each in found.layers if each.problem is not None]
    assert wrong[0] == layer
    if mutant == "feature_map_first_layer":  # right by chance for the first layer only
        assert wrong == LAYERS[1:]


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_model_without_the_four_axes_of_feature_maps_is_said_so(submission):
    source = "def feature_map_model(model, layer_name):\n    return keras.Sequential([model, layers.Flatten()])\n"
    found = learner_feature_maps(_with(source, submission), OPTIONS)
    assert found.status is Status.FAILED
    assert "layer conv1: your model's output has shape (1, 784)" in found.message  # 7 x 7 x 16, flattened
    assert "four axes" in found.message


# --------------------------------------------------------------------------------------------- like grading


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_function_that_raises_is_an_error_with_its_line_and_no_traceback(submission):
    source = "def feature_map_model(model, layer_name):\n    raise ValueError('which layer?')\n"
    found = learner_feature_maps(_with(source, submission), OPTIONS)
    assert found.status is Status.ERROR
    assert "your function raised ValueError: which layer?" in found.message
    assert "line " in found.message and "Traceback" not in found.message
    assert found.layers[0].yours is None


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_function_that_hangs_times_out_within_the_limit(tmp_path):
    path = tmp_path / solution_file(6).name
    path.write_text(REFERENCE + "\n\n" + (FIXTURES / "hostile" / "exercise6_feature_map_model_sleeps.py").read_text())
    started = time.monotonic()
    found = learner_feature_maps(path, engine.Options(timeout=20))
    assert found.status is Status.TIMEOUT
    assert "time limit (20 s)" in found.message and "Traceback" not in found.message
    assert time.monotonic() - started < 60  # loading (20 s at most), the calls (20 s), ending the worker


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_stub_is_not_implemented_and_a_missing_function_is_missing(submission, tmp_path):
    stub = learner_feature_maps(next(EXERCISES.glob("exercise6_*.py")), OPTIONS)
    assert stub.status is Status.NOT_IMPLEMENTED and "NotImplementedError" in stub.message
    missing = learner_feature_maps(submission(6, "import keras\n"), OPTIONS)
    assert missing.status is Status.MISSING
    assert learner_feature_maps(None, OPTIONS).status is Status.MISSING


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_submission_that_does_not_load_is_reported_as_grading_reports_it(submission):
    found = learner_feature_maps(submission(6, "def feature_map_model(model, layer_name):\n    return (\n"), OPTIONS)
    assert found.status is Status.ERROR
    assert "could not be loaded" in found.message and "SyntaxError" in found.message


# --------------------------------------------------------------------------------------------- drawing


def _maps(seed: int, side: int, channels: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((1, side, side, channels)).astype(np.float32)


def test_each_heatmap_of_the_figure_holds_its_channel_and_both_sides_share_a_scale():
    yours = {"conv1": _maps(1, 6, 10), "pool1": _maps(2, 3, 10)}
    reference = {"conv1": _maps(3, 6, 10), "pool1": _maps(4, 3, 10)}
    fig = feature_map_figure(yours, reference, image=sample_image(12))
    images = [image for axes in fig.get_axes() for image in axes.get_images()]
    assert len(images) == 5  # the input, then yours and the reference's for each layer
    np.testing.assert_array_equal(images[0].get_array(), sample_image(12))
    for index, name in enumerate(yours):
        side = yours[name].shape[1]
        for drawn, maps in ((images[1 + 2 * index], yours[name]), (images[2 + 2 * index], reference[name])):
            for k, tile in enumerate(_tiles(drawn.get_array(), 10, side)):
                np.testing.assert_array_equal(tile, maps[0, :, :, k])
        low = min(yours[name].min(), reference[name].min())
        assert (
            images[1 + 2 * index].get_clim()
            == images[2 + 2 * index].get_clim()
            == (low, pytest.approx(max(yours[name].max(), reference[name].max())))
        )


def test_the_gaps_between_heatmaps_are_blank_not_zero():
    tiled = mosaic(np.ones((2, 2, 3), dtype=np.float32), columns=2)
    assert tiled.shape == (5, 5)
    assert tiled.mask[2].all() and tiled.mask[:, 2].all()  # the blank row and column between tiles
    assert tiled.mask[3:, 3:].all()  # no fourth channel
    assert not tiled.mask[:2, :2].any() and tiled[0, 0] == 1


def test_a_layer_without_maps_says_so_and_the_png_is_an_image():
    fig = feature_map_figure({"conv1": _maps(1, 4, 2)}, {"conv1": _maps(2, 4, 2), "pool1": _maps(3, 2, 2)})
    texts = [text.get_text() for axes in fig.get_axes() for text in axes.texts]
    assert texts == ["yours: no feature maps"]  # pool1: only the reference's
    png = feature_map_png({"conv1": _maps(1, 4, 2)})
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_feature_maps_result_gives_the_drawing_its_arrays_by_layer():
    maps, shape = _maps(1, 4, 2), (1, 4, 4, 64)
    found = FeatureMaps(
        Status.FAILED,
        "layer pool1: ...",
        sample_image(),
        (LayerMaps("conv1", "Conv2D", maps, maps, shape), LayerMaps("pool1", "MaxPooling2D", None, maps, None, "x")),
    )
    assert list(found.maps()) == ["conv1"] and list(found.reference_maps()) == ["conv1", "pool1"]
    assert found.shapes() == {"conv1": shape} and not found.passed


# --------------------------------------------------------------------------------------------- the sample image


def test_the_sample_image_is_the_same_everywhere_and_a_picture():
    image = sample_image()
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1 and (image > 0.5).mean() > 0.05  # something to see
    np.testing.assert_array_equal(image, sample_image())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (np.full((10, 12), 255, dtype=np.uint8), np.ones((10, 12))),
        (np.full((10, 12, 1), 0.5), np.full((10, 12), 0.5)),
        (np.stack([np.ones((9, 9)), np.zeros((9, 9)), np.zeros((9, 9))], axis=-1), np.full((9, 9), 0.299)),
    ],
    ids=["uint8", "one channel", "rgb"],
)
def test_a_given_image_is_read_as_grayscale_in_zero_to_one(given, expected):
    np.testing.assert_allclose(grayscale(given), expected, rtol=1e-6)
    assert grayscale(given).dtype == np.float32


@pytest.mark.parametrize("shape", [(28,), (4, 4), (1, 28, 28, 1), (200, 28)])
def test_an_image_that_cannot_be_used_is_refused_before_anything_runs(shape):
    with pytest.raises(ValueError, match="sample image"):
        learner_feature_maps(solution_file(6), OPTIONS, image=np.zeros(shape))


def test_looking_at_feature_maps_imports_no_tensorflow_until_it_runs():
    code = (
        "import sys, grader.feature_maps, grader.report.feature_maps\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "forged",
    [
        5,
        {"kind": "layer"},
        {"kind": "model"},
        {"kind": "model", "shape": ["1", 2]},
        {"kind": "model", "shape": [1, 4, 4, 2], "maps": [[1.0]]},
        {"kind": "model", "shape": [1, 4, 4, 2], "maps": np.zeros((1, 3, 3, 2), dtype=np.float32)},
        {"kind": "model", "shape": [1, 4, 4, 2], "maps": np.zeros((4, 4), dtype=np.float32)},
    ],
    ids=["a number", "a layer", "no shape", "a shape of text", "a list", "maps of another shape", "two axes"],
)
def test_whatever_the_learners_process_sends_back_is_a_difference_never_a_crash(forged):
    from grader.feature_maps import _layer

    reference = np.ones((1, 4, 4, 2), dtype=np.float32)
    found = _layer({"name": "conv1", "class_name": "Conv2D"}, forged, {"shape": [1, 4, 4, 2], "maps": reference})
    assert found.problem is not None and found.problem.startswith("layer conv1: ")


def test_a_difference_is_said_in_the_language_asked():
    from grader.feature_maps import _layer
    from grader.i18n import language

    reference = np.ones((1, 4, 4, 2), dtype=np.float32)
    with language("ko"):
        found = _layer(
            {"name": "pool1", "class_name": "MaxPooling2D"},
            {"kind": "model", "shape": [1, 10]},
            {"shape": [1, 4, 4, 2], "maps": reference},
        )
    assert found.problem.startswith("층 pool1: 모델 출력의 모양이 (1, 10)입니다")
