"""Keras objects as plain data: what exercise 6's grading looks at, computed the same way on both sides.

A Keras model cannot cross the process boundary as data, so the worker describes what the learner built
(`observe`) and sends the description back; the grader describes its reference the same way and compares the
two (`grader.compare_models`). An observation holds:

- the architecture: every layer in a canonical order (layers of a model passed in first, by their position
  there; then the new ones in order; nested models flattened; an `Activation`/`ReLU`/`Softmax` layer folded
  into the layer before it), each with its class, the configuration that matters, its output shape and its
  trainable and non-trainable parameter counts;
- the behaviour: random weights and inputs drawn from a seed both sides share (see `Probe`), and the outputs
  in inference mode on every device graded (with where TensorFlow really ran them); and, for the layers whose
  training behaviour is the point (Dropout, BatchNormalization), what each does in training mode on an input
  drawn from the seed (`training_input`), which the grader checks against what that layer must do;
- for a compiled model, the optimizer (its Keras class, its settings and a few steps it takes on fixed
  gradients), and the loss and metric values on a labelled batch;
- for callbacks, their settings.

A layer's or an optimizer's class is the Keras class it is (`keras_class`): the first class of its type's MRO
that Keras publishes under that name, so a subclass of `keras.layers.Dropout` is a Dropout (and its behaviour
decides) and a home-made class that is merely named `Dropout` is not. Everything here is computed in the
learner's process, which runs the learner's code: what it reports is what that process says. Behaviour
checked by the grader against inputs it draws itself is what a mislabelled layer cannot talk its way past.

This module runs inside the learner's process too: it imports nothing heavy at module level (TensorFlow is
imported when first needed, after the sandbox is up) and nothing from the grader.
"""

from __future__ import annotations

import collections
import contextlib
import math
import os
import sys
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
PROBE_UNITS = 20_000  # units of a training-mode probe: a dropout rate shows within about 1% (3 sigma)
# Learning rates are compared as the rate at these optimizer steps: a schedule that never changes is the float.
LEARNING_RATE_STEPS = (0, 1, 10, 100, 1_000, 10_000, 100_000)
OPTIMIZER_STEPS = 3  # steps an optimizer's copy takes on fixed gradients: its update rule, seen at work
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
        with _zero_kernels(keras):
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


@contextlib.contextmanager
def _zero_kernels(keras):
    """Kernels made of zeros, not drawn, while a recipe's model is built: whatever the learner does with the model,
    the probe sets every weight it observes (`random_weights`), so drawing them first would only cost time
    (InceptionV3's 22 million: 0.1-0.3 s). Glorot's and He's initializers are `VarianceScaling`s."""
    scaling = keras.initializers.VarianceScaling
    drawn = scaling.__call__
    scaling.__call__ = lambda self, shape, dtype=None: np.zeros(shape, keras.backend.standardize_dtype(dtype))
    try:
        yield
    finally:
        scaling.__call__ = drawn


def materialise(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The call's arguments with every recipe built into a Keras model (a lone one taken from `prepare`'s models
    when it holds one built from it)."""
    recipes = [v for v in (*args, *kwargs.values()) if isinstance(v, ModelRecipe)]
    prepared = _take_prepared(recipes[0]) if len(recipes) == 1 else None

    def build(value):
        if not isinstance(value, ModelRecipe):
            return value
        return prepared if prepared is not None else value.build()

    return tuple(build(a) for a in args), {k: build(v) for k, v in kwargs.items()}


# --------------------------------------------------------------------------------------------- the learner's process

# Models `prepare` built ahead, each with Keras' name counters as they stood after its build: (recipe, model, names).
_PREPARED: list[tuple[ModelRecipe, object, dict | None]] = []


def _name_state():
    """Keras' module of global state, where it counts names; None while Keras is not imported."""
    return sys.modules.get("keras.src.backend.common.global_state")


def layer_names() -> dict | None:
    """Keras' counters of the names it gives new layers and models (`dense`, `dense_1`, ...), copied; None
    while Keras is not imported (then nothing is counted yet)."""
    state = _name_state()
    if state is None:
        return None
    with contextlib.suppress(Exception):  # another Keras' internals: names are then simply counted on
        return dict(state.get_global_attribute("object_name_uids") or {})
    return None


def name_layers_from(counters: dict | None) -> None:
    """Set Keras' name counters back to `counters` (`layer_names`): in the learner's process each Keras call
    starts with them as they were when the submission was loaded, so the layers it makes get the same names
    (in a Keras error the learner reads) whatever other tasks or calls ran before it, and in whichever worker."""
    state = _name_state()
    if state is not None:
        with contextlib.suppress(Exception):
            state.set_global_attribute("object_name_uids", collections.defaultdict(int, counters or {}))


def prepare(recipes, counters: dict | None) -> int:
    """Build these recipes' models ahead of the calls that are given them (a worker of its own does it while
    the other tasks are graded: InceptionV3 takes 1-2 s). Each is built as a call would build it, from the
    name counters `counters`, so that a call taking it (`materialise`) gets what it would have built itself."""
    for recipe in recipes:
        name_layers_from(counters)
        _PREPARED.append((recipe, recipe.build(), layer_names()))
    name_layers_from(counters)
    return len(_PREPARED)


def _take_prepared(recipe: ModelRecipe):
    """A model `prepare` built from an equal recipe (once), the name counters then set as its build left them."""
    for index, (held, model, counters) in enumerate(_PREPARED):
        if held == recipe:
            del _PREPARED[index]
            name_layers_from(counters)
            return model
    return None


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
    probed: list[tuple[int, object]] = []
    observation = {"kind": kind, "seed": probe.seed, **_describe_model(model, layers, positions, probed)}
    if observation["input_shapes"] is None:
        return observation
    random_weights(layers, rng)
    inputs = rng.standard_normal((probe.batch, *observation["input_shapes"][0])).astype("float32")
    observation["outputs"], observation["placement"] = _outputs(model, inputs, probe.devices)
    with _tf().device(_device_name("cpu")):  # like the reference's, wherever the outputs were computed
        for index, layer in probed:
            entry = observation["layers"][index]
            entry["training"] = training_behaviour(layer, entry, probe.seed, index)
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


def keras_class(value, namespace) -> tuple[str, str | None]:
    """The Keras class `value` is, by name, and the name of its own class when that is not the Keras class
    itself (a subclass, or a home-made class): the first class in its type's MRO that is Keras' own (defined in
    a `keras` module) and that `namespace` (`keras.layers`, `keras.optimizers`) publishes under its name. A
    home-made layer named `Dropout` is a `Layer` with its own class `Dropout`."""
    kind = type(value)
    own = kind.__qualname__
    for cls in kind.__mro__:
        if cls.__module__.partition(".")[0] == "keras" and getattr(namespace, cls.__name__, None) is cls:
            return cls.__name__, None if cls is kind else own
    return kind.__name__, own


def _describe_model(model, layers: list, positions: dict[int, int], probed: list | None = None) -> dict:
    """The architecture; `probed` receives (entry index, layer) for each layer to probe in training mode."""
    keras = _keras()
    entries = []
    for layer in layers:
        kind, own = keras_class(layer, keras.layers)
        entry = {
            "class": kind,
            "own_class": own,
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
        if probed is not None and _probed_in_training(kind, own, layer):
            probed.append((len(entries), layer))
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


def _probed_in_training(kind: str, own: str | None, layer) -> bool:
    """Dropout always (it drops whether or not it is trainable); BatchNormalization when trainable (a frozen
    one runs in inference mode, as the outputs already show); a home-made class named after either too."""
    name = own.rpartition(".")[2] if own else None
    if "Dropout" in (kind, name):
        return True
    return "BatchNormalization" in (kind, name) and bool(getattr(layer, "trainable", False))


def training_input(seed: int, index: int, shape) -> np.ndarray:
    """The input a layer is probed on in training mode: at least `PROBE_UNITS` units in batches of the layer's
    input shape, drawn from the probe's seed and the layer's position, so that the grader draws it too."""
    shape = tuple(int(n) for n in shape)
    count = max(2, math.ceil(PROBE_UNITS / max(1, math.prod(shape))))
    return np.random.default_rng([seed, 1, index]).standard_normal((count, *shape), dtype=np.float32)


def training_behaviour(layer, entry: dict, seed: int, index: int) -> dict:
    """What the layer does in training mode on `training_input`: a dropout's whole output (the grader checks
    every unit against the input it draws itself); batch normalisation's per-channel output mean and standard
    deviation and its moving statistics after the step (compared with the reference's), its weights restored
    afterwards. An exception is part of the answer."""
    if entry["output_shape"] is None or None in entry["output_shape"]:
        return {"error": "no known input shape"}
    inputs = training_input(seed, index, entry["output_shape"])
    dropout = "Dropout" in (entry["class"], (entry["own_class"] or "").rpartition(".")[2])
    saved = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if dropout:
                return {"output": np.asarray(layer(inputs, training=True), dtype=np.float32)}
            saved = layer.get_weights()
            outputs = np.asarray(layer(inputs, training=True), dtype=np.float64)
            axis = entry["config"].get("axis", -1)
            channel = (axis if isinstance(axis, int) else -1) % outputs.ndim
            axes = tuple(i for i in range(outputs.ndim) if i != channel)
            moving = {
                name: np.asarray(getattr(layer, name), dtype=np.float64)
                for name in ("moving_mean", "moving_variance")
                if getattr(layer, name, None) is not None
            }
            return {"mean": outputs.mean(axis=axes), "std": outputs.std(axis=axes), **moving}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    finally:
        if saved is not None:
            with contextlib.suppress(Exception):
                layer.set_weights(saved)


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
    description = {"compiled": compiled, "optimizer": None}
    if optimizer is not None:
        description["optimizer"], description["optimizer_own_class"] = keras_class(optimizer, _keras().optimizers)
    if not compiled:
        return description
    if optimizer is not None:
        description |= _describe_optimizer(optimizer)
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


def _describe_optimizer(optimizer) -> dict:
    """The optimizer's settings (its config, the learning rate as the rate at `LEARNING_RATE_STEPS`) and where a
    copy of it moves a small variable in `OPTIMIZER_STEPS` steps on fixed gradients (the same on both sides)."""
    description: dict = {}
    try:
        config = optimizer.get_config()
        settings = {str(k): _plain(v) for k, v in config.items() if k != "name"}
        settings["learning_rate"] = _learning_rates(optimizer, config.get("learning_rate"))
        description["optimizer_settings"] = settings
    except Exception as exc:
        description["optimizer_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        return description
    try:
        description["optimizer_steps"] = _optimizer_steps(optimizer, config)
    except Exception as exc:
        description["optimizer_steps_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return description


def _learning_rates(optimizer, configured) -> list[float] | None:
    """The learning rate at each of `LEARNING_RATE_STEPS`: a float is the same at every step."""
    keras = _keras()
    rate = getattr(optimizer, "_learning_rate", configured)
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule) or callable(rate):
        return [float(np.asarray(rate(step))) for step in LEARNING_RATE_STEPS]
    try:
        return [float(np.asarray(rate))] * len(LEARNING_RATE_STEPS)
    except (TypeError, ValueError):
        return None


def _optimizer_steps(optimizer, config: dict) -> np.ndarray:
    """How far a fresh copy of the optimizer moves a variable in each of its first steps on fixed gradients."""
    keras = _keras()
    rng = np.random.default_rng(6)
    start = (0.5 * rng.standard_normal(8)).astype("float32")
    gradients = (rng.standard_normal((OPTIMIZER_STEPS, 8)) * np.geomspace(0.01, 10, 8)).astype("float32")
    moved = []
    with warnings.catch_warnings(), _tf().device(_device_name("cpu")):
        warnings.simplefilter("ignore")
        copy, variable = type(optimizer).from_config(config), keras.Variable(start)
        for gradient in gradients:
            copy.apply_gradients([(gradient, variable)])
            moved.append(np.asarray(variable, dtype=np.float64) - start)
    return np.array(moved)


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
