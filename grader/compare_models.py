"""Comparing two observations of Keras objects (see `keras_observe`): the first difference, named in words,
and a side-by-side table of the two architectures with that difference marked.

Runs in the grader's process on plain data only; imports nothing of Keras.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import zip_longest

import numpy as np

from grader.i18n import N_, _, label, translate
from grader.keras_observe import LEARNING_RATE_STEPS, training_input
from grader.results import Table
from grader.sandbox.codec import error_text, printable

_KIND_WORDS = {
    "model": N_("a Keras model (keras.Model or keras.Sequential)"),
    "layer": N_("a Keras layer"),
    "callbacks": N_("a list of Keras callbacks"),
}
# Config keys shown first in a layer's short form, in order (the first few without their names).
_SHOWN = {
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "activation"),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "AveragePooling2D": ("pool_size", "strides", "padding"),
    "Dense": ("units", "activation"),
    "Dropout": ("rate",),
}
_POSITIONAL = ("filters", "units", "rate", "pool_size", "kernel_size")
# Left out of the short form at Keras' default (a pooling layer's strides and every padding are always shown:
# they are where the classic mistakes are).
_USUAL = {
    "strides": [1, 1],
    "activation": "linear",
    "use_bias": True,
    "dilation_rate": [1, 1],
    "data_format": "channels_last",
    "groups": 1,
    "axis": -1,
    "momentum": 0.99,
    "epsilon": 0.001,
    "center": True,
    "scale": True,
    "synchronized": False,
    "renorm": False,
    "renorm_clipping": None,
    "renorm_momentum": 0.99,
    "noise_shape": None,
}
_ALWAYS_SHOWN = {"MaxPooling2D": {"strides"}, "AveragePooling2D": {"strides"}}
WINDOW = 5  # table rows shown either side of the first difference in a long model
OUTPUT_RTOL = 1e-3  # float32 on both sides, TF32 off (see README): a wrong model misses by far more
OUTPUT_ATOL = 1e-4
# A dropout's share of zeroed units may stray from its rate by this many standard deviations of a binomial
# share (6: a right layer fails about once in 500 million probes; on 20,000 units 0.43 does not pass for 0.4).
DROPOUT_SIGMAS = 6.0
SETTING_RTOL = 1e-6  # optimizer settings: Keras keeps the learning rate in float32 (0.001 is 0.0010000000475)


def _value(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def layer_text(entry: dict | None) -> str:
    """`Conv2D(64, (3, 3), padding='same', activation='relu')`: the settings that matter, defaults left out."""
    if entry is None:
        return "—"
    config, kind = entry["config"], entry["class"]
    keys = [k for k in _SHOWN.get(kind, ()) if k in config] + [k for k in config if k not in _SHOWN.get(kind, ())]
    always = _ALWAYS_SHOWN.get(kind, set())
    parts = []
    for key in keys:
        if key not in always and (config[key] is None or (key in _USUAL and config[key] == _USUAL[key])):
            continue
        positional = key in _POSITIONAL and len(parts) < 2 and all("=" not in p for p in parts)
        parts.append(_value(config[key]) if positional else f"{key}={_value(config[key])}")
    frozen = entry["given"] is not None and entry["trainable_params"] == 0 and entry["non_trainable_params"] > 0
    text = f"{kind}({', '.join(parts)})" + (" [frozen]" if frozen else "")
    return text + _own_class(entry.get("own_class"))


def _own_class(own) -> str:
    """` [own class MyDropout]` for a learner's class (a subclass of the Keras class, or a home-made one)."""
    return _(" [own class {name}]").format(name=printable(str(own))) if own else ""


def _shape(shape) -> str:
    return "?" if shape is None else "(" + ", ".join(str(n) for n in shape) + ")"


def _params(entry: dict) -> str:
    trainable, frozen = entry["trainable_params"], entry["non_trainable_params"]
    return f"{trainable:,}" + (f" + {frozen:,} n.t." if frozen else "")


def _entry_difference(expected: dict, actual: dict, probe: tuple[int | None, int]) -> str | None:
    """What differs between two layers, in words, or None. `probe` is the seed of the training-mode probes
    (the grader's own, from its reference's observation) and the position of the learner's layer."""
    if expected["class"] != actual["class"]:
        said = _("expected {expected}, got {actual}").format(expected=layer_text(expected), actual=layer_text(actual))
        if actual.get("own_class"):
            said += _(": a class of your own, not keras.layers.{name}").format(name=expected["class"])
            seen = _dropout_seen(expected, actual, probe) if expected["class"] == "Dropout" else None
            said += f"; {seen}" if seen else ""
        return said
    keys = [
        k for k in {**expected["config"], **actual["config"]} if expected["config"].get(k) != actual["config"].get(k)
    ]
    if keys:
        said = "; ".join(
            _("{key} expected {expected}, got {actual}").format(
                key=k, expected=_value(expected["config"].get(k)), actual=_value(actual["config"].get(k))
            )
            for k in keys
        )
        return f"{expected['class']}: {said}"
    if expected["given"] != actual["given"]:
        if actual["given"] is None:
            return _("expected the given model's own {layer}, got a new layer (reuse its layers)").format(
                layer=layer_text(expected)
            )
        return _("expected a new {layer}, got a layer of the given model").format(layer=layer_text(expected))
    if expected["output_shape"] != actual["output_shape"]:
        return _("{layer}: output shape expected {expected}, got {actual}").format(
            layer=layer_text(expected), expected=_shape(expected["output_shape"]), actual=_shape(actual["output_shape"])
        )
    if (expected["trainable_params"], expected["non_trainable_params"]) != (
        actual["trainable_params"],
        actual["non_trainable_params"],
    ):
        frozen = expected["trainable_params"] == 0 and expected["non_trainable_params"] > 0
        said = _("{layer}: parameters expected {expected}, got {actual}").format(
            layer=layer_text(expected), expected=_params(expected), actual=_params(actual)
        )
        return said + (_(" (freeze every layer of the base model: trainable = False)") if frozen else "")
    trained = _training_difference(expected, actual, probe)
    if trained is not None:
        return f"{layer_text(actual)}: {trained}"
    return None


def _number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _array(value) -> np.ndarray | None:
    """A learner's reported numbers as a float64 array, or None when they are not numbers."""
    if not isinstance(value, np.ndarray) and not (isinstance(value, list) and all(_number(v) for v in value)):
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind == "f" else None


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def _dropout_seen(expected: dict, actual: dict, probe: tuple[int | None, int]) -> str | None:
    """What the learner's layer did in training mode to the grader's input, against what Dropout(rate) does:
    about `rate` of the units zeroed, the others multiplied by 1/(1 - rate). None when it did just that."""
    seed, index = probe
    record, rate = actual.get("training"), expected["config"].get("rate")
    if seed is None or not _number(rate) or actual["output_shape"] is None or not isinstance(record, dict):
        return None
    if "error" in record:
        return _("in training mode your layer raised {error}").format(error=error_text(str(record["error"])))
    inputs = training_input(seed, index, actual["output_shape"]).astype(np.float64)
    output = _array(record.get("output"))
    if output is None or output.shape != inputs.shape:
        shape = "?" if output is None else output.shape
        return _("in training mode your layer turned {count} inputs of shape {expected} into {actual}").format(
            count=len(inputs), expected=_shape(actual["output_shape"]), actual=shape
        )
    zeroed = output == 0
    share = float(zeroed.mean())
    if abs(share - rate) > DROPOUT_SIGMAS * np.sqrt(rate * (1 - rate) / zeroed.size) + 1e-3:
        return _("in training, {share} of units were zeroed; Dropout({rate}) zeroes about {expected}").format(
            share=_percent(share), rate=f"{rate:g}", expected=_percent(rate)
        )
    kept, scale = ~zeroed, 1 / (1 - rate)
    if kept.any() and not np.allclose(output[kept], inputs[kept] * scale, rtol=1e-4, atol=1e-6):
        ratio = float(np.median(output[kept] / inputs[kept]))
        return _(
            "in training, the units kept were multiplied by {ratio}; Dropout({rate}) multiplies them by "
            "1/(1 - rate) = {scale}"
        ).format(ratio=f"{ratio:.3g}", rate=f"{rate:g}", scale=f"{scale:.3g}")
    return None


def _training_difference(expected: dict, actual: dict, probe: tuple[int | None, int]) -> str | None:
    """How the learner's layer behaves in training mode where that is the point: a dropout checked unit by unit
    on the grader's input; batch normalisation against the reference's layer (the same weights, the same
    input). None when the reference's layer was not probed (a frozen one)."""
    if not isinstance(expected.get("training"), dict) or "error" in expected["training"]:
        return None  # not probed (a frozen batch normalisation), or the reference's own could not be
    record = actual.get("training")
    if not isinstance(record, dict):
        return _("your layer could not be run in training mode")
    if "error" in record:
        return _("in training mode your layer raised {error}").format(error=error_text(str(record["error"])))
    if expected["class"] == "Dropout":
        return _dropout_seen(expected, actual, probe)
    wanted = expected["training"]
    statistics = {
        "mean": N_(
            "in training, the per-channel mean of your layer's outputs differs from batch normalisation's by {worst}"
        ),
        "std": N_(
            "in training, the per-channel standard deviation of your layer's outputs differs from batch "
            "normalisation's by {worst}"
        ),
    }
    for key, words in statistics.items():
        ours, theirs = _array(wanted.get(key)), _array(record.get(key))
        if ours is None:
            continue
        if theirs is None or theirs.shape != ours.shape or not np.allclose(theirs, ours, rtol=1e-3, atol=1e-4):
            worst = "?" if theirs is None or theirs.shape != ours.shape else f"{np.max(np.abs(theirs - ours)):.3g}"
            return translate(words).format(worst=worst) + _(
                ": BatchNormalization normalises each channel by the batch's own mean and variance while training"
            )
    for key in ("moving_mean", "moving_variance"):
        ours, theirs = _array(wanted.get(key)), _array(record.get(key))
        if ours is None:
            continue
        if theirs is None or theirs.shape != ours.shape or not np.allclose(theirs, ours, rtol=1e-5, atol=1e-6):
            return _(
                "in training, your layer's {name} does not follow the batch as BatchNormalization's does "
                "(momentum {momentum}: moving = momentum * moving + (1 - momentum) * batch)"
            ).format(name=key, momentum=expected["config"].get("momentum"))
    return None


def _aligned(expected: list, actual: list) -> list[tuple[dict | None, dict | None]]:
    """The two layer lists aligned as sequences by their kinds of layer: a layer inserted or left out is one row
    with `—` on the other side, and the layers after it meet their counterparts again (not every later row
    shifted)."""
    matcher = SequenceMatcher(None, [e["class"] for e in expected], [a["class"] for a in actual], autojunk=False)
    pairs: list[tuple[dict | None, dict | None]] = []
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():  # unequal runs: paired in order, the rest alone
        pairs.extend(zip_longest(expected[i1:i2], actual[j1:j2]))
    return pairs


def _layers_difference(
    pairs: list[tuple[dict | None, dict | None]], seed: int | None = None
) -> tuple[int | None, str | None]:
    """The first aligned row that differs and what differs there, in words (a layer numbered as in the model
    that has it). `seed` is the training-mode probes' (from the grader's own observation)."""
    numbers = [0, 0]
    for row, (e, a) in enumerate(pairs):
        numbers = [numbers[0] + (e is not None), numbers[1] + (a is not None)]
        if e is None:
            said = _("layer {number}: your model has an extra {layer} the contract does not ask for")
            return row, said.format(number=numbers[1], layer=layer_text(a))
        if a is None:
            if all(later is None for _e, later in pairs[row:]):
                said = _("layer {number}: expected {layer}, your model ends before it")
            else:
                said = _("layer {number}: expected {layer}, which your model leaves out")
            return row, said.format(number=numbers[0], layer=layer_text(e))
        problem = _entry_difference(e, a, (seed, numbers[1] - 1))
        if problem is not None:
            return row, _("layer {number}: {problem}").format(number=numbers[0], problem=problem)
    return None, None


def architecture_table(expected: dict, actual: dict) -> Table | None:
    """The two layer lists side by side, aligned, a window around the first difference when they are long.
    `#` is the expected model's layer number (`+` for a layer only yours has)."""
    if "layers" not in expected or "layers" not in actual:
        return None
    pairs = _aligned(expected["layers"], actual["layers"])
    first, _problem = _layers_difference(pairs, expected.get("seed"))
    rows, number = [], 0
    for e, a in pairs:
        number += e is not None
        rows.append(
            (
                str(number) if e is not None else "+",
                layer_text(e),
                _shape(e["output_shape"]) if e else "",
                _params(e) if e else "",
                layer_text(a),
                _shape(a["output_shape"]) if a else "",
                _params(a) if a else "",
            )
        )
    if len(rows) > 4 * WINDOW:
        centre = first if first is not None else len(rows) - 1
        start, stop = max(centre - WINDOW, 0), min(centre + WINDOW + 1, len(rows))
        before, more = _("{count} layers").format(count=start), _("{count} more").format(count=len(rows) - stop)
        gap = ("…", before, "", "", before, "", "")
        after = ("…", more, "", "", more, "", "")
        rows = [gap] * (start > 0) + rows[start:stop] + [after] * (stop < len(rows))
        first = None if first is None else first - start + (start > 0)
    output, params = _("output"), _("params")
    columns = ("#", label("expected"), output, params, label("yours"), output, params)
    return Table(columns, tuple(rows), first)


def _model_difference(expected: dict, actual: dict) -> str | None:
    if expected["input_shapes"] != actual["input_shapes"]:
        if actual["input_shapes"] is None:
            wanted = _shape(expected["input_shapes"][0])
            return _(
                "your model has no input shape (it was never built): start it with keras.Input(shape={shape})"
            ).format(shape=wanted)
        return _("input shape: expected {expected}, got {actual}").format(
            expected=_shape(expected["input_shapes"][0]), actual=_shape(actual["input_shapes"][0])
        )
    _row, problem = _layers_difference(_aligned(expected["layers"], actual["layers"]), expected.get("seed"))
    if problem is not None:
        return problem
    for key, words in (
        ("trainable_params", N_("trainable parameters: expected {expected:,}, got {actual:,}")),
        ("non_trainable_params", N_("non-trainable parameters: expected {expected:,}, got {actual:,}")),
    ):
        if expected[key] != actual[key]:
            return translate(words).format(expected=expected[key], actual=actual[key])
    return None


def _outputs_difference(expected: dict, actual: dict) -> str | None:
    if "outputs" not in expected:
        return None
    if "outputs" not in actual:
        return _("the reference's weights could not be copied into your model (its weights have other shapes)")
    reference = expected["outputs"]["cpu"]
    for device, output in actual["outputs"].items():
        placed = actual["placement"].get(device, "")
        if device.upper() not in placed.upper():
            # The backend was checked before grading; this is the grader's machine, never the learner's code.
            raise RuntimeError(f"asked to run on {device} but TensorFlow ran on {placed or 'an unknown device'}")
        if output.shape != reference.shape:
            return _("on {device}: output shape expected {expected}, got {actual}").format(
                device=device, expected=reference.shape, actual=output.shape
            )
        scale = float(np.max(np.abs(reference))) if reference.size else 0.0
        if not np.allclose(output, reference, rtol=OUTPUT_RTOL, atol=OUTPUT_ATOL * max(1.0, scale)):
            worst = float(np.max(np.abs(output.astype(np.float64) - reference)))
            return _(
                "the architecture matches, but with the same weights your model computes something else on {device} "
                "(largest difference {worst}): does a layer of yours compute differently?"
            ).format(device=device, worst=f"{worst:.3g}")
    return None


def _compiled_difference(expected: dict, actual: dict) -> str | None:
    if "compiled" not in expected:
        return None
    ours, theirs = expected["compiled"], actual.get("compiled", {})
    if not theirs.get("compiled"):
        return _("your model is not compiled: call model.compile(optimizer=..., loss=..., metrics=[...])")
    if theirs["optimizer"] != ours["optimizer"]:
        return _("optimizer: expected {expected}, got {actual}").format(
            expected=ours["optimizer"], actual=f"{theirs['optimizer']}{_own_class(theirs.get('optimizer_own_class'))}"
        )
    optimizer = _optimizer_difference(ours, theirs)
    if optimizer is not None:
        return _("optimizer {name}: {problem}").format(name=ours["optimizer"], problem=optimizer)
    if theirs.get("from_logits") != ours.get("from_logits"):
        return _(
            "loss: from_logits={actual}, expected {expected}: the last layer is a softmax, so the outputs are "
            "probabilities, not logits"
        ).format(actual=theirs.get("from_logits"), expected=ours.get("from_logits"))
    if "loss_error" in theirs:
        return _("the loss cannot be computed for class numbers as labels ({error})").format(
            error=error_text(str(theirs["loss_error"]))
        )
    if not np.isclose(theirs["loss"], ours["loss"], rtol=1e-4, atol=1e-6):
        return _(
            "loss: with the same weights and labels (class numbers) yours gives {actual}, the expected loss gives "
            "{expected}: is it sparse categorical cross-entropy on probabilities?"
        ).format(actual=f"{theirs['loss']:.6g}", expected=f"{ours['loss']:.6g}")
    if "metrics_error" in theirs:
        return _("the metrics cannot be computed for class numbers as labels ({error})").format(
            error=error_text(str(theirs["metrics_error"]))
        )
    wanted, got = sorted(ours["metrics"].values()), sorted(theirs["metrics"].values())
    if len(wanted) != len(got) or not np.allclose(wanted, got, rtol=1e-5, atol=1e-6):
        names = ", ".join(theirs["metrics"]) or _("none")
        return _("metrics: expected accuracy on class-number labels ({expected}), got {names} ({actual})").format(
            expected=", ".join(f"{v:.3g}" for v in wanted), names=names, actual=", ".join(f"{v:.3g}" for v in got)
        )
    return None


def _effective_settings(wanted: dict, got: dict) -> tuple[dict, dict]:
    """Two optimizers' settings as Keras acts on them: a setting that switches something off reads the same
    however it is spelled (clipping by None or 0, weight_decay None or 0, loss_scale_factor None or 1,
    gradient_accumulation_steps None or 0), and one that nothing reads on either side is left out (the EMA's
    momentum where one does not use_ema, nesterov where one has no momentum: that difference is named itself)."""
    sides = []
    for settings in (wanted, got):
        settings = dict(settings)
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if _number(settings.get(key)) and settings[key] <= 0:
                settings[key] = None
        for key, off in (("weight_decay", 0), ("loss_scale_factor", 1), ("gradient_accumulation_steps", 0)):
            if _number(settings.get(key)) and settings[key] == off:
                settings[key] = None
        sides.append(settings)
    unread = set()
    if any(side.get("use_ema") is False for side in sides):
        unread |= {"ema_momentum", "ema_overwrite_frequency"}
    if any(_number(side.get("momentum")) and side["momentum"] == 0 for side in sides):
        unread.add("nesterov")
    wanted, got = ({k: v for k, v in side.items() if k not in unread} for side in sides)
    return wanted, got


def _same_setting(expected, actual) -> bool:
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_same_setting(e, a) for e, a in zip(expected, actual, strict=True))
    if _number(expected) and _number(actual):
        return bool(np.isclose(float(actual), float(expected), rtol=SETTING_RTOL, atol=0.0))
    return type(expected) is type(actual) and expected == actual


def _setting_text(key: str, value) -> str:
    if key == "learning_rate" and isinstance(value, list) and value and all(_number(v) for v in value):
        if all(np.isclose(v, value[0], rtol=SETTING_RTOL, atol=0.0) for v in value):
            return f"{value[0]:.6g}"
        return _("a schedule: {first} at step 0, {last} at step {step:,}").format(
            first=f"{value[0]:.6g}", last=f"{value[-1]:.6g}", step=LEARNING_RATE_STEPS[-1]
        )
    return f"{value:.6g}" if _number(value) else printable(repr(value))


def _optimizer_difference(ours: dict, theirs: dict) -> str | None:
    """The optimizer's settings as Keras acts on them, then where a copy of it moves a variable in a few steps
    on the same gradients (an own class's update rule shows there)."""
    if "optimizer_settings" in ours:
        if "optimizer_settings" not in theirs or not isinstance(theirs["optimizer_settings"], dict):
            return _("its settings could not be read ({error})").format(
                error=error_text(str(theirs.get("optimizer_error", "?")))
            )
        wanted, got = _effective_settings(ours["optimizer_settings"], theirs["optimizer_settings"])
        keys = [k for k in {**wanted, **got} if not _same_setting(wanted.get(k), got.get(k))]
        if keys:
            return "; ".join(
                _("{key} expected {expected}, got {actual}").format(
                    key=printable(k), expected=_setting_text(k, wanted.get(k)), actual=_setting_text(k, got.get(k))
                )
                for k in keys
            )
    if "optimizer_steps" in ours:
        moved, wanted = _array(theirs.get("optimizer_steps")), _array(ours["optimizer_steps"])
        if moved is None and "optimizer_steps_error" in theirs:
            return _("a copy of it made from its settings could not take a step ({error})").format(
                error=error_text(str(theirs["optimizer_steps_error"]))
            )
        if moved is None or moved.shape != wanted.shape or not np.allclose(moved, wanted, rtol=1e-4, atol=1e-8):
            worst = "?" if moved is None or moved.shape != wanted.shape else f"{np.max(np.abs(moved - wanted)):.3g}"
            return _(
                "with the same settings, yours moves the weights differently (after {count} steps on the same "
                "gradients, by up to {worst}): does it compute {name}'s update?"
            ).format(count=len(wanted), worst=worst, name=ours["optimizer"])
    return None


def _callbacks_difference(expected: dict, actual: dict) -> str | None:
    ours = sorted(expected["callbacks"], key=lambda c: c["class"])
    theirs = sorted(actual["callbacks"], key=lambda c: c["class"])
    wanted, got = [c["class"] for c in ours], [c["class"] for c in theirs]
    if wanted != got:
        return _("callbacks: expected {expected}, got {actual}").format(
            expected=", ".join(wanted), actual=", ".join(got) or _("none")
        )
    for e, a in zip(ours, theirs, strict=True):
        keys = [k for k in {**e["settings"], **a["settings"]} if e["settings"].get(k) != a["settings"].get(k)]
        if keys:
            said = "; ".join(
                _("{key} expected {expected}, got {actual}").format(
                    key=k, expected=repr(e["settings"].get(k)), actual=repr(a["settings"].get(k))
                )
                for k in keys
            )
            return f"{e['class']}: {said}"
    return None


def compare_observations(call, expected: dict, actual, reference) -> str | None:
    """The comparator of every exercise-6 task: None when the learner's object is the same as the reference's."""
    if not isinstance(actual, dict) or "kind" not in actual:
        wanted = translate(_KIND_WORDS.get(expected["kind"], expected["kind"]))
        return _("expected {expected}, got {actual}").format(expected=wanted, actual=repr(actual))
    if actual["kind"] != expected["kind"]:
        wanted = translate(_KIND_WORDS.get(expected["kind"], expected["kind"]))
        hint = _(": did you forget `return`?") if actual["kind"] == "None" else ""
        return _("expected {expected}, got {actual}").format(expected=wanted, actual=actual["kind"]) + hint
    if expected["kind"] == "callbacks":
        return _callbacks_difference(expected, actual)
    if "layers" not in actual:
        return _("your {kind} could not be built on an input to look at").format(kind=actual["kind"])
    return (
        _model_difference(expected, actual)
        or _compiled_difference(expected, actual)
        or _outputs_difference(expected, actual)
    )


def summary(observation) -> str:
    """A short text of an observation, for the counterexample's expected/yours lines."""
    if not isinstance(observation, dict) or "kind" not in observation:
        return repr(observation)
    if observation["kind"] == "callbacks":
        return (
            "["
            + ", ".join(
                f"{c['class']}(" + ", ".join(f"{k}={v!r}" for k, v in c["settings"].items()) + ")"
                for c in observation["callbacks"]
            )
            + "]"
        )
    if "layers" not in observation:
        return observation["kind"]
    shapes = observation["input_shapes"]
    text = (
        f"{len(observation['layers'])} layers on input {_shape(shapes[0]) if shapes else '?'}, "
        f"{observation['trainable_params']:,} trainable + "
        f"{observation['non_trainable_params']:,} non-trainable parameters"
    )
    compiled = observation.get("compiled")
    if compiled and compiled.get("compiled"):
        metrics = ", ".join(compiled.get("metrics", {})) or "no metrics"
        loss = f"{compiled['loss']:.6g}" if "loss" in compiled else "not computable"
        text += f"; compiled with {compiled['optimizer']}, loss {loss}, {metrics}"
    return text
