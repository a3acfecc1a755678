"""Exercise 6 judged on what matters, checked with Keras itself: a layer is the Keras class it is (not the name
its class gives itself), and a Dropout or a trainable BatchNormalization is also run in training mode, where
its behaviour is the point; an optimizer is its Keras class, its settings as Keras acts on them and the steps
it takes. Observed and compared in this process (no sandbox, so each case costs a fraction of a second); the
mutants fixtures/mutants/exercise6_* carry the same mistakes through real grading runs (test_verdicts)."""

from __future__ import annotations

import pytest

from grader.compare_models import architecture_table, compare_observations
from grader.keras_observe import KerasCheck, ModelRecipe, materialise, observe

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from keras import layers  # noqa: E402  (after the skip)
from keras.layers import Dropout as DropoutFromKerasLayers  # noqa: E402

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]


def _said(reference, learners, check: KerasCheck | None = None, seed: int = 11, args=()) -> str | None:
    """What the grader says about the learner's object against the reference's (None: the same)."""
    probe = (check or KerasCheck()).probe(seed, ("cpu",))
    return compare_observations(None, observe(reference, probe, args), observe(learners, probe, args), None)


def _dropout_cnn(dropout=None):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(100, activation="relu"),
            layers.Dropout(0.4) if dropout is None else dropout,
            layers.Dense(10, activation="softmax"),
        ]
    )


# --------------------------------------------------------------------------------------------- Dropout


class DropoutWithADocstring(layers.Dropout):
    """A subclass that changes nothing: it is a Dropout, and it behaves like one."""


class DropoutCallingSuper(layers.Dropout):
    def call(self, inputs, training=False):
        return super().call(inputs, training=training)


class NeverDrops(layers.Dropout):
    def call(self, inputs, training=None):
        return inputs


class ForgetsToScale(layers.Dropout):
    def call(self, inputs, training=False):
        return super().call(inputs, training=training) * (1 - self.rate)


class DropsMoreThanItSays(layers.Dropout):
    def call(self, inputs, training=False):
        return keras.random.dropout(inputs, 0.6, seed=self.seed_generator) if training else inputs


class HomeMadeDropout(layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": None, "noise_shape": None}


class HomeMadeDropoutThatDrops(HomeMadeDropout):
    def call(self, inputs, training=False):
        return keras.random.dropout(inputs, self.rate) if training else inputs


HomeMadeDropout.__name__ = HomeMadeDropout.__qualname__ = "Dropout"  # as a learner would name it
HomeMadeDropoutThatDrops.__name__ = HomeMadeDropoutThatDrops.__qualname__ = "Dropout"


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.Dropout(0.4),
        lambda: tf.keras.layers.Dropout(rate=0.4),
        lambda: DropoutFromKerasLayers(0.4),
        lambda: DropoutWithADocstring(0.4),
        lambda: DropoutCallingSuper(0.4),
    ],
    ids=["keras.layers", "tf.keras.layers", "from keras.layers import", "subclass", "subclass calling super"],
)
def test_a_real_dropout_passes_however_it_is_spelled(make):
    assert _said(_dropout_cnn(), _dropout_cnn(make())) is None


def test_a_real_dropout_passes_on_every_seed_its_share_of_zeros_is_random():
    """The share of zeroed units is random: 6 standard deviations wide, a right Dropout never fails."""
    assert [_said(_dropout_cnn(), _dropout_cnn(), seed=seed) for seed in range(8)] == [None] * 8


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: NeverDrops(0.4), "layer 7: Dropout(0.4) [own class NeverDrops]: in training, 0% of units were "
         "zeroed; Dropout(0.4) zeroes about 40%"),
        (lambda: ForgetsToScale(0.4), "in training, the units kept were multiplied by 1; Dropout(0.4) multiplies "
         "them by 1/(1 - rate) = 1.67"),
        (lambda: DropsMoreThanItSays(0.4), "of units were zeroed; Dropout(0.4) zeroes about 40%"),
        (lambda: HomeMadeDropout(0.4), "layer 7: expected Dropout(0.4), got Layer(0.4) [own class "
         "Dropout]: a class of your own, not keras.layers.Dropout; in training, 0% of units were zeroed; Dropout(0.4) "
         "zeroes about 40%"),
    ],
    ids=["subclass that never drops", "forgets to scale", "drops 60%", "home-made named Dropout"],
)  # fmt: skip
def test_a_dropout_that_does_not_drop_as_keras_does_fails_saying_what_it_did(make, words):
    said = _said(_dropout_cnn(), _dropout_cnn(make()))
    assert said is not None and words in said, said


def test_a_home_made_dropout_is_not_keras_dropout_even_when_it_drops():
    said = _said(_dropout_cnn(), _dropout_cnn(HomeMadeDropoutThatDrops(0.4)))
    assert said.endswith("[own class Dropout]: a class of your own, not keras.layers.Dropout"), said


def test_the_table_marks_the_dropout_that_does_not_drop():
    probe = KerasCheck().probe(3, ("cpu",))
    table = architecture_table(observe(_dropout_cnn(), probe), observe(_dropout_cnn(NeverDrops(0.4)), probe))
    assert table.first_difference == 6 and table.rows[6][4] == "Dropout(0.4) [own class NeverDrops]"


# --------------------------------------------------------------------------------------------- BatchNormalization


class NormalisesAsKerasDoes(layers.BatchNormalization):
    pass


class InferenceWhileTraining(layers.BatchNormalization):
    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=False, mask=mask)


class KeepsItsMovingStatistics(layers.BatchNormalization):
    def call(self, inputs, training=None, mask=None):
        mean, variance = self.moving_mean.numpy(), self.moving_variance.numpy()
        outputs = super().call(inputs, training=training, mask=mask)
        self.moving_mean.assign(mean)
        self.moving_variance.assign(variance)
        return outputs


def _normalised_cnn(normalisation=None, frozen: bool = False):
    model = keras.Sequential(
        [
            keras.Input((6, 5, 3)),
            layers.Conv2D(4, 3, padding="same"),
            layers.BatchNormalization() if normalisation is None else normalisation,
            layers.Flatten(),
            layers.Dense(3),
        ]
    )
    model.layers[1].trainable = not frozen
    return model


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (NormalisesAsKerasDoes, None),
        (InferenceWhileTraining, "in training, the per-channel mean of your layer's outputs differs from batch "
         "normalisation's by"),
        (KeepsItsMovingStatistics, "in training, your layer's moving_mean does not follow the batch as "
         "BatchNormalization's does (momentum 0.99"),
    ],
    ids=["subclass that changes nothing", "inference mode in training", "moving statistics kept"],
)  # fmt: skip
def test_batch_normalisation_in_training_normalises_by_the_batch_and_moves_its_statistics(make, words):
    said = _said(_normalised_cnn(), _normalised_cnn(make()))
    assert said is None if words is None else words in said, said


def test_a_frozen_batch_normalisation_runs_in_inference_mode_and_is_judged_by_its_outputs():
    assert _said(_normalised_cnn(frozen=True), _normalised_cnn(InferenceWhileTraining(), frozen=True)) is None


# --------------------------------------------------------------------------------------------- the optimizer

_CLASSIFIER = ModelRecipe(
    (5, 5, 1),
    (
        {"class_name": "Flatten", "name": "flatten"},
        {"class_name": "Dense", "units": 4, "activation": "softmax", "name": "classes"},
    ),
)


def _compiled(optimizer):
    (model,), _ = materialise((_CLASSIFIER,), {})
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _optimizer_said(reference, learners) -> str | None:
    """The verdict on a model compiled with the learner's optimizer against one compiled with the reference's."""
    return _said(_compiled(reference), _compiled(learners()), KerasCheck(labelled=True), seed=5)


class AdamThatChangesNothing(keras.optimizers.Adam):
    pass


class AdamWithTwiceTheStep(keras.optimizers.Adam):
    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient, variable, learning_rate * 2)


class PlainStepsNamedAdam(keras.optimizers.Optimizer):
    def update_step(self, gradient, variable, learning_rate):
        variable.assign_sub(gradient * learning_rate)


PlainStepsNamedAdam.__name__ = PlainStepsNamedAdam.__qualname__ = "Adam"
_CONSTANT = keras.optimizers.schedules.PiecewiseConstantDecay


@pytest.mark.parametrize(
    "make",
    [
        lambda: "Adam",
        lambda: keras.optimizers.Adam(),
        lambda: tf.keras.optimizers.Adam(),
        lambda: keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
        lambda: keras.optimizers.Adam(weight_decay=0.0, clipnorm=None, clipvalue=0.0, loss_scale_factor=1.0),
        lambda: keras.optimizers.Adam(ema_momentum=0.5),  # without use_ema Keras never reads it
        lambda: keras.optimizers.Adam(learning_rate=_CONSTANT([100], [0.001, 0.001])),
        lambda: AdamThatChangesNothing(),
    ],
    ids=["string", "object", "tf.keras", "defaults spelled out", "switched off", "ema unused", "constant", "subclass"],
)
def test_an_optimizer_keras_treats_as_adams_defaults_passes(make):
    assert _optimizer_said("adam", make) is None


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: keras.optimizers.Adam(learning_rate=5.0), "optimizer Adam: learning_rate expected 0.001, got 5"),
        (lambda: keras.optimizers.Adam(0.01), "optimizer Adam: learning_rate expected 0.001, got 0.01"),
        (lambda: keras.optimizers.Adam(beta_1=0.5), "optimizer Adam: beta_1 expected 0.9, got 0.5"),
        (lambda: keras.optimizers.Adam(epsilon=1e-3), "optimizer Adam: epsilon expected 1e-07, got 0.001"),
        (lambda: keras.optimizers.Adam(amsgrad=True), "optimizer Adam: amsgrad expected False, got True"),
        (lambda: keras.optimizers.Adam(clipnorm=1.0), "optimizer Adam: clipnorm expected None, got 1"),
        (lambda: keras.optimizers.Adam(use_ema=True), "optimizer Adam: use_ema expected False, got True"),
        (
            lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-3, 1000, 0.5)),
            "optimizer Adam: learning_rate expected 0.001, got a schedule: 0.001 at step 0, ",
        ),
        (lambda: AdamWithTwiceTheStep(), "optimizer Adam: with the same settings, yours moves the weights differently"),
        (lambda: PlainStepsNamedAdam(learning_rate=0.001), "optimizer: expected Adam, got Optimizer [own class Adam]"),
    ],
    ids=["lr 5", "lr 0.01", "beta_1", "epsilon", "amsgrad", "clipnorm", "use_ema", "decay", "own update", "home-made"],
)
def test_an_adam_setting_that_is_not_the_default_fails_and_is_named(make, words):
    said = _optimizer_said("adam", make)
    assert said is not None and said.startswith(words), said


def test_sgd_with_momentum_is_not_plain_sgd_and_nesterov_without_momentum_is():
    momentum = _optimizer_said("sgd", lambda: keras.optimizers.SGD(momentum=0.9))
    assert momentum == "optimizer SGD: momentum expected 0, got 0.9"
    assert _optimizer_said("sgd", lambda: keras.optimizers.SGD(nesterov=True)) is None
