"""Hypothesis strategies for exercise 6: calls whose arguments are small Keras models given as recipes.

Every call carries a probe seed (the random weights and inputs the two models are compared on). Base models
are chains of named layers built valid by construction (a kernel never larger than what reaches it): convs
with either padding, batch normalisation (so that freezing shows in the non-trainable count), activations
and pooling, on small odd and even, square and non-square inputs of one to three channels.
"""

from __future__ import annotations

from hypothesis import strategies as st

from grader.keras_observe import ModelRecipe
from grader.spec import Call

_SEEDS = st.integers(0, 2**32 - 1)


def seeded(args=None):
    """Calls of the drawn positional arguments (none by default), each with its own probe seed."""
    return st.builds(Call, st.just(()) if args is None else args, st.just({}), _SEEDS)


@st.composite
def base_models(draw, min_layers: int = 2, max_layers: int = 6) -> ModelRecipe:
    height, width, channels = draw(st.integers(5, 14)), draw(st.integers(5, 14)), draw(st.integers(1, 3))
    size = min(height, width)
    specs: list[dict] = []
    for i in range(draw(st.integers(min_layers, max_layers))):
        kind = draw(st.sampled_from(("conv", "conv", "batchnorm", "activation", "pool")))
        name = f"stage{i + 1}_{kind}"
        if kind == "pool" and size >= 2:
            specs.append({"class_name": "MaxPooling2D", "pool_size": 2, "name": name})
            size //= 2
        elif kind == "batchnorm":
            specs.append({"class_name": "BatchNormalization", "name": name})
        elif kind == "activation":
            specs.append({"class_name": "Activation", "activation": "relu", "name": name})
        else:
            kernel = draw(st.integers(1, min(3, size)))
            padding = draw(st.sampled_from(("valid", "same")))
            filters = draw(st.integers(2, 6))
            name = f"stage{i + 1}_conv"
            specs.append(
                {"class_name": "Conv2D", "filters": filters, "kernel_size": kernel, "padding": padding, "name": name}
            )
            size = size - kernel + 1 if padding == "valid" else size
    return ModelRecipe((height, width, channels), tuple(specs))


@st.composite
def base_and_layer(draw):
    """A base model and the name of one of its layers."""
    base = draw(base_models())
    return base, draw(st.sampled_from(base.layer_names()))


@st.composite
def classifiers(draw) -> ModelRecipe:
    """A small uncompiled classifier ending in a softmax over 2 to 10 classes."""
    height, width, channels = draw(st.integers(4, 10)), draw(st.integers(4, 10)), draw(st.integers(1, 3))
    specs: list[dict] = []
    if draw(st.booleans()):
        specs.append(
            {
                "class_name": "Conv2D",
                "filters": draw(st.integers(2, 4)),
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
                "name": "features",
            }
        )
    specs.append({"class_name": "Flatten", "name": "flatten_features"})
    specs.append({"class_name": "Dense", "units": draw(st.integers(2, 10)), "activation": "softmax", "name": "classes"})
    return ModelRecipe((height, width, channels), tuple(specs))


_PATH_PARTS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=10)


@st.composite
def checkpoint_paths(draw) -> str:
    """Where a checkpoint goes: Keras 3 saves whole models to files ending in .keras."""
    folders = draw(st.lists(_PATH_PARTS, max_size=2))
    root = draw(st.sampled_from(("", "/tmp/", "./")))
    return root + "/".join([*folders, draw(_PATH_PARTS) + ".keras"])


def classifier_calls():
    """Calls of one drawn classifier (a model ending in a softmax), each with its probe seed."""
    return seeded(st.tuples(classifiers()))


def checkpoint_calls():
    """Calls of one drawn checkpoint path, each with its probe seed."""
    return seeded(st.tuples(checkpoint_paths()))


def transfer_calls():
    def call(base_and_cut, classes, seed):
        base, cut = base_and_cut
        return Call((base, cut, classes), {}, seed)

    return st.builds(call, base_and_layer(), st.integers(2, 12), _SEEDS)


def feature_map_calls():
    def call(base_and_name, seed):
        base, name = base_and_name
        return Call((base, name), {}, seed)

    return st.builds(call, base_and_layer(), _SEEDS)
