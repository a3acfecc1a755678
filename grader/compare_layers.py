"""Comparators for layer chains (exercises 4 and 5): on a difference, a small table, layer by layer."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from grader import references
from grader.compare import ExactValue, NotExact, describe_type, exact_form
from grader.i18n import _, label
from grader.spec import Call


def describe_layer(spec: dict) -> str:
    """`Conv2D(filters=64, kernel_size=3, padding='same')`: the spec as a learner would write the layer."""
    options = ", ".join(f"{key}={value!r}" for key, value in spec.items() if key != "class_name")
    return f"{spec.get('class_name', '?')}({options})"


def layer_table(layers: list, columns: dict[str, list], marked: set[int]) -> str:
    """Rows `#  layer  column...`, with `>` in front of the marked rows."""
    names = [describe_layer(layer) for layer in layers]
    header = ["#", _("layer"), *columns]
    rows = [[str(i + 1), names[i], *(str(values[i]) for values in columns.values())] for i in range(len(layers))]
    widths = [max(cell_len(row[j]) for row in [header, *rows]) for j in range(len(header))]
    lines = []
    for i, row in enumerate([header, *rows]):
        mark = ">" if i - 1 in marked else " "
        cells = (cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True))
        lines.append(mark + " " + "  ".join(cells))
    return "\n".join(line.rstrip() for line in lines)


@dataclass(frozen=True)
class ShapesPerLayer:
    """One output shape per layer, exactly; the table marks every layer whose shape differs."""

    def __call__(self, call: Call, expected, actual, reference) -> str | None:
        layers = call.args[1]
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            count = len(expected)
            return _("returned {kind} {value}; expected a list of {count} shapes, one per layer").format(
                kind=describe_type(actual), value=repr(actual), count=count
            )
        theirs = []
        for shape in actual:
            try:
                theirs.append(exact_form(shape))
            except NotExact:
                theirs.append(_("{shape} (not ints)").format(shape=repr(shape)))
        wrong = {i for i, (e, t) in enumerate(zip(expected, theirs, strict=True)) if e != t}
        if not wrong:
            return None
        first = min(wrong)
        table = layer_table(layers, {label("expected"): list(expected), label("yours"): theirs}, wrong)
        first_line = _("layer {number} {layer}: expected {expected}, got {actual}").format(
            number=first + 1, layer=describe_layer(layers[first]), expected=expected[first], actual=theirs[first]
        )
        return f"{first_line}\n{table}"


@dataclass(frozen=True)
class ParamTotals:
    """{"total", "trainable", "non_trainable"} exactly; the table shows what each layer should add."""

    def __call__(self, call: Call, expected, actual, reference) -> str | None:
        problem = ExactValue()(call, expected, actual, reference)
        if problem is None or not references.available():
            return problem  # a student release judges by recorded answers and has no reference to build the table
        layer_output_shape = references.module("exercise4_output_shapes").layer_output_shape
        input_shape, layers = call.args
        layer_params = reference.__globals__["layer_params"]  # the same module as the reference (or a wrong version)
        shapes, counts, shape = [], [], tuple(input_shape)
        for layer in layers:
            counts.append("{} / {}".format(*layer_params(shape, layer)))
            shape = layer_output_shape(shape, layer)
            shapes.append(shape)
        table = layer_table(layers, {_("output"): shapes, _("trainable / non-trainable"): counts}, set())
        heading = _("what each layer should add (input {shape}):").format(shape=tuple(input_shape))
        return f"{problem}\n{heading}\n{table}"
