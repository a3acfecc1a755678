"""Feature maps of a `feature_map_model`, as plain data: what `grade show exercise6 feature_map_model` draws.

Both processes build the same small CNN (`SeededRecipe`: a fashion-like Conv2D/MaxPooling2D trunk whose
weights are drawn from a seed, as a trained model's would be fixed), call a `feature_map_model` on it for one
layer, and predict on a sample image (`FeatureMapProbe`). The learner's worker does this for the learner's
function and sends back only the maps (`FeatureMapProbe.observe`); the grader does it for the reference's.

This module runs inside the learner's process too (imported there before the sandbox is up, like
`keras_observe`): it imports nothing heavy at module level and nothing of the grader but `keras_observe`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from grader.keras_observe import ModelRecipe, _kind_of, canonical_layers, random_weights

CHANNELS = 16  # channels kept of each layer's maps (the course's first layer has 64)
MAX_SIDE = 128  # the largest sample image taken (a 128x128x16 float32 map is 1 MB)
MIN_SIDE = 8  # the smallest: two 2x2 poolings still leave a 2x2 map


_CONV = {"class_name": "Conv2D", "kernel_size": 3, "padding": "same", "activation": "relu"}
_POOL = {"class_name": "MaxPooling2D", "pool_size": 2, "strides": 2}
# The convolutional trunk of the course's `build_fashion_cnn`, every layer named: what feature maps are shown
# for. Each layer keeps or halves the side, so any image of at least MIN_SIDE pixels goes through.
TRUNK = (
    {**_CONV, "filters": 64, "name": "conv1"},
    {**_POOL, "name": "pool1"},
    {**_CONV, "filters": 32, "name": "conv2"},
    {**_POOL, "name": "pool2"},
    {**_CONV, "filters": 16, "name": "conv3"},
)


@dataclass(frozen=True, repr=False)  # the recipe's own short text
class SeededRecipe(ModelRecipe):
    """A `ModelRecipe` whose model is built with weights drawn from `weights_seed` (the same in both processes),
    before any function is given it: a stand-in for a trained model."""

    weights_seed: int = 0

    def build(self):
        model = super().build()
        random_weights(canonical_layers(model), np.random.default_rng([self.weights_seed, 21]))
        return model


def sample_image(side: int = 28) -> np.ndarray:
    """A simple picture drawn here, the same everywhere (no download): a ring, a filled square and a diagonal
    stroke on a dark ground, grayscale in [0, 1], shape (side, side)."""
    y, x = np.mgrid[0:side, 0:side] / (side - 1)
    ring = np.exp(-(((np.hypot(x - 0.6, y - 0.4) - 0.25) / 0.05) ** 2))
    square = ((np.abs(x - 0.22) < 0.12) & (np.abs(y - 0.75) < 0.12)) * 0.8
    stroke = np.clip(1 - np.abs(x - 1.4 * y + 0.02) / 0.06, 0, 1) * ((y > 0.1) & (y < 0.45)) * 0.6
    return np.clip(ring + square + stroke, 0, 1).astype(np.float32)


def grayscale(image) -> np.ndarray:
    """An image as float32 grayscale (H, W): (H, W), (H, W, 1) or (H, W, 3) (luminance); integers read as 0-255.
    ValueError for anything else."""
    array = np.asarray(image)
    integers = array.dtype.kind in "iu"  # read before luminance turns an RGB uint8 image into floats
    if array.ndim == 3 and array.shape[-1] in (1, 3, 4):
        array = array[..., 0] if array.shape[-1] == 1 else array[..., :3] @ np.array([0.299, 0.587, 0.114])
    if array.ndim != 2 or not MIN_SIDE <= min(array.shape) <= max(array.shape) <= MAX_SIDE:
        raise ValueError(
            f"a sample image is (H, W), (H, W, 1) or (H, W, 3) with sides from {MIN_SIDE} to {MAX_SIDE}, "
            f"not shape {np.shape(image)}"
        )
    if integers:
        array = array / 255.0
    array = np.asarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise ValueError("a sample image holds NaN or infinity")
    return array


@dataclass(frozen=True)
class FeatureMapProbe:
    """How a returned model is looked at: predicted on `image` (H, W) as a batch of one grayscale image; the
    first `channels` channels of the output are kept. A probe that brings its own observer: the learner's
    worker calls `observe` instead of `keras_observe.observe`."""

    image: np.ndarray
    channels: int = CHANNELS

    def observe(self, returned, args: tuple = (), kwargs: dict | None = None) -> dict:
        """What the returned object shows on the image, as plain data: `kind` ("model", or what it is
        instead), and for a model the output's `shape` and, when it has the four axes of feature maps, the
        kept `maps` (1, h, w, channels) as float32."""
        import keras

        if not isinstance(returned, keras.Model):
            return {"kind": "layer" if isinstance(returned, keras.layers.Layer) else _kind_of(returned)}
        batch = self.image[np.newaxis, :, :, np.newaxis].astype(np.float32)
        with warnings.catch_warnings():  # Keras' remarks on how inputs are structured are not the learner's output
            warnings.simplefilter("ignore")
            output = returned(batch, training=False)
        if isinstance(output, (list, tuple)):
            output = output[0]
        array = np.asarray(output, dtype=np.float32)
        observation = {"kind": "model", "shape": [int(n) for n in array.shape]}
        if array.ndim == 4:
            observation["maps"] = np.ascontiguousarray(array[:1, :, :, : self.channels])
        return observation
