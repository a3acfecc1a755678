"""Keras objects as plain data: what exercise 6's grading looks at, computed the same way on both sides.

A Keras model cannot cross the process boundary as data, so the worker describes what the learner built
(`observe`) and sends the description back; the grader describes its reference the same way and compares the
two (`grader.compare_models`). An observation holds:

- the architecture: every layer in a canonical order (layers of a model passed in first, by their position
  there; then the new ones in order; nested models flattened; an `Activation`/`ReLU`/`Softmax` layer folded
  into the layer before it), each with its class, the configuration that matters, its output shape and its
  trainable and non-trainable parameter counts;
- the behaviour: random weights and inputs drawn from a seed both sides share (see `Probe`), and the outputs
  in inference mode on every device graded (with where TensorFlow really ran them);
- for a compiled model, the optimizer, and the loss and metric values on a labelled batch;
- for callbacks, their settings.

This module runs inside the learner's process too: it imports nothing heavy at module level (TensorFlow is
imported when first needed, after the sandbox is up) and nothing from the grader.
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from dataclasses import dataclass, replace

import numpy as np

# Set before Keras is imported anywhere in the process: the grader compares TensorFlow with TensorFlow.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Config keys that do not change what a layer computes once the weights are copied in.
_IGNORED_CONFIG = {"name", "trainable", "dtype", "build_config", "seed", "activity_regularizer"}
_IGNORED_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
_FOLDED_ACTIVATIONS = {"Activation", "ReLU", "Softmax"}
# Callback attributes that are run-time state or chatter, not settings.
_CALLBACK_STATE = {"verbose", "best", "wait", "stopped_epoch", "best_weights", "best_epoch", "params"}


def _keras():
    import keras

    return keras


def _tf():
    import tensorflow as tf

    return tf


# --------------------------------------------------------------------------------------------- arguments


@dataclass(frozen=True)
class ModelRecipe:
    """A Keras model given to a learner's function, as plain data, so both processes build the same model.

    `layers` are layer specs as in exercises 4 and 5 (`{"class_name": "Conv2D", "filters": 4, ...}`), each
    with a `name`; they are chained on `keras.Input(input_shape)` into a functional model. `application`
    names a `keras.applications` model built with `weights=None` instead.
    """

    input_shape: tuple[int, ...]
    layers: tuple[dict, ...] = ()
    application: str | None = None

    def build(self):
        keras = _keras()
        if self.application is not None:
            application = getattr(keras.applications, self.application)
            return application(weights=None, include_top=False, input_shape=self.input_shape)
        inputs = keras.Input(shape=self.input_shape, name="image")
        x = inputs
        for spec in self.layers:
            config = {k: v for k, v in spec.items() if k != "class_name"}
            x = getattr(keras.layers, spec["class_name"])(**config)(x)
        return keras.Model(inputs, x, name="base_model")

    def layer_names(self) -> tuple[str, ...]:
        return tuple(spec["name"] for spec in self.layers)

    def __repr__(self) -> str:
        if self.application is not None:
            shape = self.input_shape
            return f"keras.applications.{self.application}(weights=None, include_top=False, input_shape={shape})"
        chain = " → ".join(f"{s['name']}:{s['class_name']}" for s in self.layers)
        return f"<model Input{self.input_shape} → {chain}>"


def materialise(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The call's arguments with every recipe built into a Keras model."""
    build = lambda v: v.build() if isinstance(v, ModelRecipe) else v  # noqa: E731
    return tuple(build(a) for a in args), {k: build(v) for k, v in kwargs.items()}


# --------------------------------------------------------------------------------------------- the probe


@dataclass(frozen=True)
class Probe:
    """How the worker (and the grader, for its reference) probes a returned Keras object.

    Both sides draw from the same `seed`, in the same order: a lone layer's input shape, then the weights of
    every layer in canonical order, then the input batch, then the labels. So when the two architectures
    agree, the two models hold the same weights and see the same inputs, and nothing but the seed is sent.
    """

    seed: int = 0
    devices: tuple[str, ...] = ("cpu",)  # where the outputs are computed: "cpu", "gpu"
    batch: int = 2
    lone_layer: bool = False  # the function returns one layer: build it on a drawn input shape
    labelled: bool = False  # a compiled model: its loss and metrics on labels


def observe(result, probe: Probe, args: tuple = (), kwargs: dict | None = None) -> dict:
    """Everything the grader compares about one returned object, as plain data."""
    arguments = [v for v in (*args, *(kwargs or {}).values()) if _is_model(v)]
    keras = _keras()
    rng = np.random.default_rng(probe.seed)
    if isinstance(result, (list, tuple)) and all(isinstance(c, keras.callbacks.Callback) for c in result):
        return {"kind": "callbacks", "callbacks": [_describe_callback(c) for c in result]}
    if _is_model(result):
        model, kind = result, "model"
    elif isinstance(result, keras.layers.Layer) and probe.lone_layer:
        input_shape = (int(rng.integers(3, 11)), int(rng.integers(3, 11)), int(rng.integers(1, 5)))
        model, kind = keras.Sequential([keras.Input(shape=input_shape), result]), "layer"
    else:
        return {"kind": "layer" if isinstance(result, keras.layers.Layer) else _kind_of(result)}
    positions = _argument_positions(arguments)
    layers = canonical_layers(model, positions)
    observation = {"kind": kind, **_describe_model(model, layers, positions)}
    if observation["input_shapes"] is None:
        return observation
    random_weights(layers, rng)
    inputs = rng.standard_normal((probe.batch, *observation["input_shapes"][0])).astype("float32")
    observation["outputs"], observation["placement"] = _outputs(model, inputs, probe.devices)
    if probe.labelled:
        observation["compiled"] = _describe_compiled(model, inputs, _labels(observation["outputs"], rng))
    return observation


def _labels(outputs: dict, rng: np.random.Generator) -> np.ndarray:
    """Class numbers: every other one the model's own prediction, the rest drawn (so accuracy is informative)."""
    probabilities = next(iter(outputs.values()))
    predicted = probabilities.reshape(len(probabilities), -1).argmax(axis=-1)
    guessed = rng.integers(0, probabilities.shape[-1], size=predicted.shape)
    return np.where(np.arange(len(predicted)) % 2 == 0, predicted, guessed)


def _is_model(value) -> bool:
    keras = _keras()
    return isinstance(value, keras.Model)


def _kind_of(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        names = ", ".join(sorted({type(v).__name__ for v in value})) or "nothing"
        return f"a {type(value).__name__} of {names}"
    return type(value).__name__


# --------------------------------------------------------------------------------------------- architecture


def canonical_layers(model, positions: dict[int, int] | None = None) -> list:
    """The model's layers, nested models flattened, input layers left out: first those of a model it was
    given (in that model's order, `positions` from `_argument_positions`), then its own in order."""
    keras = _keras()
    positions = positions or {}
    flat: list = []
    seen: set[int] = set()

    def walk(container) -> None:
        for layer in container.layers:
            if isinstance(layer, keras.Model):
                walk(layer)
            elif not isinstance(layer, keras.layers.InputLayer) and id(layer) not in seen:
                seen.add(id(layer))
                flat.append(layer)

    walk(model)
    given = sorted((layer for layer in flat if id(layer) in positions), key=lambda layer: positions[id(layer)])
    return given + [layer for layer in flat if id(layer) not in positions]


def _argument_positions(arguments) -> dict[int, int]:
    """Each layer of the models passed in (by identity), numbered in their canonical order."""
    positions: dict[int, int] = {}
    for model in arguments:
        for layer in canonical_layers(model):
            positions.setdefault(id(layer), len(positions))
    return positions


def _describe_model(model, layers: list, positions: dict[int, int]) -> dict:
    entries = []
    for layer in layers:
        entry = {
            "class": type(layer).__name__,
            "config": _config(layer),
            "output_shape": _output_shape(layer),
            "trainable_params": _count(layer.trainable_weights),
            "non_trainable_params": _count(layer.non_trainable_weights),
            "given": positions.get(id(layer)),  # its position in the model passed in, or None: a new layer
        }
        if entries and entry["class"] in _FOLDED_ACTIVATIONS and _folds_into(entries[-1], entry):
            entries[-1]["config"]["activation"] = _activation_name(entry)
            entries[-1]["output_shape"] = entry["output_shape"]
            continue
        entries.append(entry)
    inputs = _safe_inputs(model)
    return {
        "input_shapes": [list(t.shape[1:]) for t in inputs] if inputs else None,
        "layers": entries,
        "trainable_params": _count(model.trainable_weights),
        "non_trainable_params": _count(model.non_trainable_weights),
    }


def _folds_into(previous: dict, entry: dict) -> bool:
    """An activation layer right after a layer without one is the same as that layer's `activation=`."""
    activation = _activation_name(entry)
    return activation is not None and previous["config"].get("activation") == "linear"


def _activation_name(entry: dict) -> str | None:
    config = entry["config"]
    if entry["class"] == "Activation":
        return config.get("activation")
    if entry["class"] == "ReLU" and config == {"max_value": None, "negative_slope": 0.0, "threshold": 0.0}:
        return "relu"
    if entry["class"] == "Softmax" and config.get("axis") in (-1, [-1]):
        return "softmax"
    return None


def _safe_inputs(model) -> list:
    try:
        return list(model.inputs or [])
    except Exception:
        return []


def _output_shape(layer) -> list | None:
    try:
        return list(layer.output.shape[1:])
    except Exception:  # never called on anything: a model with no input shape
        return None


def _count(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _config(layer) -> dict:
    try:
        config = layer.get_config()
    except Exception as exc:
        return {"get_config": f"failed: {type(exc).__name__}"}
    kept = {
        key: _plain(value)
        for key, value in config.items()
        if key not in _IGNORED_CONFIG and not key.endswith(_IGNORED_SUFFIXES)
    }
    if "activation" in kept:
        kept["activation"] = _activation(kept["activation"])
    return kept


def _activation(value):
    """`"relu"`, `keras.activations.relu`, `tf.nn.relu` and a default `ReLU()` object all say relu."""
    if isinstance(value, dict):
        if value.get("class_name") == "ReLU" and _plain(value.get("config", {})).get("negative_slope") == 0.0:
            return "relu"
        if isinstance(value.get("config"), str):
            return value["config"]
    return value


def _plain(value):
    """A config value as codec-safe builtins (tuples become lists, objects their text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if str(k) not in _IGNORED_CONFIG}
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


# --------------------------------------------------------------------------------------------- behaviour


def random_weights(layers, rng: np.random.Generator) -> None:
    """Weights drawn at random for these layers (scaled by fan-in so activations stay moderate), set into them."""
    for layer in layers:
        drawn = []
        for variable in layer.weights:
            shape = tuple(variable.shape)
            name = variable.name.rsplit("/", 1)[-1]
            normal = rng.standard_normal(shape, dtype=np.float32)
            if "variance" in name:
                value = 1.0 + 0.5 * np.tanh(normal)  # in (0.5, 1.5): a variance is positive
            elif name == "gamma":
                value = 1.0 + 0.1 * normal
            elif len(shape) > 1:
                value = normal / np.float32(math.sqrt(math.prod(shape[:-1])))
            else:
                value = 0.1 * normal
            drawn.append(value.astype(variable.dtype))
        layer.set_weights(drawn)


def _device_name(device: str) -> str:
    return f"/{device.upper()}:0"


def _outputs(model, inputs: np.ndarray, devices: tuple[str, ...]) -> tuple[dict, dict]:
    """The model's outputs in inference mode on each device, and where TensorFlow really computed them."""
    tf = _tf()
    tf.config.experimental.enable_tensor_float_32_execution(False)  # see README: grading is exact float32
    outputs, placement = {}, {}
    for device in devices:
        with tf.device(_device_name(device)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = model(inputs, training=False)
        tensor = result[0] if isinstance(result, (list, tuple)) else result
        placement[device] = str(getattr(tensor, "device", ""))
        outputs[device] = np.asarray(tensor)
    return outputs, placement


def _describe_compiled(model, inputs: np.ndarray, labels: np.ndarray) -> dict:
    optimizer = getattr(model, "optimizer", None)
    compiled = bool(getattr(model, "compiled", False))
    description = {"compiled": compiled, "optimizer": type(optimizer).__name__ if optimizer is not None else None}
    if not compiled:
        return description
    description["from_logits"] = _from_logits(getattr(model, "loss", None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predictions = model(inputs, training=False)
        try:
            description["loss"] = float(model.compute_loss(x=inputs, y=labels, y_pred=predictions))
        except Exception as exc:
            description["loss_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        try:
            for metric in model.metrics:
                with contextlib.suppress(Exception):
                    metric.reset_state()
            values = model.compute_metrics(inputs, labels, predictions, sample_weight=None)
            description["metrics"] = {
                name: float(np.asarray(value)) for name, value in values.items() if name != "loss"
            }
        except Exception as exc:
            description["metrics_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return description


def _from_logits(loss) -> bool:
    """Whether the loss reads the outputs as logits (Keras may compute the same value either way on a softmax
    output, but the setting is still wrong for probabilities)."""
    try:
        config = loss.get_config() if hasattr(loss, "get_config") else {}
    except Exception:
        return False
    return bool(isinstance(config, dict) and config.get("from_logits"))


def _describe_callback(callback) -> dict:
    settings = {
        key: _plain(value)
        for key, value in sorted(vars(callback).items())
        if not key.startswith("_")
        and key not in _CALLBACK_STATE
        and (value is None or isinstance(value, (bool, int, float, str)))
    }
    return {"class": type(callback).__name__, "settings": settings}


# --------------------------------------------------------------------------------------------- the grader's side


@dataclass(frozen=True)
class KerasCheck:
    """How a task's Keras object is probed (declared next to the task in the catalog); see `Probe`."""

    batch: int = 2
    lone_layer: bool = False
    labelled: bool = False

    def probe(self, seed: int, devices: tuple[str, ...]) -> Probe:
        return Probe(seed, devices, self.batch, self.lone_layer, self.labelled)

    @staticmethod
    def expected(returned, probe: Probe, args: tuple, kwargs: dict) -> dict:
        """The reference's observation, computed in the grader's process, on the CPU."""
        return observe(returned, replace(probe, devices=("cpu",)), args, kwargs)

    @staticmethod
    def show(observation) -> str:
        from grader.compare_models import summary

        return summary(observation)

    @staticmethod
    def table(expected, actual):
        from grader.compare_models import architecture_table

        return architecture_table(expected, actual) if isinstance(actual, dict) else None
