"""Comparing two observations of Keras objects (see `keras_observe`): the first difference, named in words,
and a side-by-side table of the two architectures with that difference marked.

Runs in the grader's process on plain data only; imports nothing of Keras.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import zip_longest

import numpy as np

from grader.i18n import N_, _, label, translate
from grader.results import Table
from grader.sandbox.codec import error_text

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
    return f"{kind}({', '.join(parts)})" + (" [frozen]" if frozen else "")


def _shape(shape) -> str:
    return "?" if shape is None else "(" + ", ".join(str(n) for n in shape) + ")"


def _params(entry: dict) -> str:
    trainable, frozen = entry["trainable_params"], entry["non_trainable_params"]
    return f"{trainable:,}" + (f" + {frozen:,} n.t." if frozen else "")


def _entry_difference(expected: dict, actual: dict) -> str | None:
    """What differs between two layers, in words, or None."""
    if expected["class"] != actual["class"]:
        return _("expected {expected}, got {actual}").format(expected=layer_text(expected), actual=layer_text(actual))
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


def _layers_difference(pairs: list[tuple[dict | None, dict | None]]) -> tuple[int | None, str | None]:
    """The first aligned row that differs and what differs there, in words (a layer numbered as in the model
    that has it)."""
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
        problem = _entry_difference(e, a)
        if problem is not None:
            return row, _("layer {number}: {problem}").format(number=numbers[0], problem=problem)
    return None, None


def architecture_table(expected: dict, actual: dict) -> Table | None:
    """The two layer lists side by side, aligned, a window around the first difference when they are long.
    `#` is the expected model's layer number (`+` for a layer only yours has)."""
    if "layers" not in expected or "layers" not in actual:
        return None
    pairs = _aligned(expected["layers"], actual["layers"])
    first, _problem = _layers_difference(pairs)
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
    _row, problem = _layers_difference(_aligned(expected["layers"], actual["layers"]))
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
            expected=ours["optimizer"], actual=theirs["optimizer"]
        )
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
