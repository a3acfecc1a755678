"""exercise6: Keras models (케라스로 CNN 만들기), graded by architecture and by behaviour."""

from grader import references
from grader.compare_models import compare_observations
from grader.drawing import Strategy
from grader.i18n import N_
from grader.keras_feature_maps import TRUNK
from grader.keras_observe import KerasCheck, ModelRecipe
from grader.spec import Call, Exercise, Showing, Task

_MODEL = KerasCheck()
_BUILDS = 2  # examples of a model builder: each draws other weights and inputs

# The course's transfer-learning case (no weights are downloaded: weights=None) and a small feature-map case.
_INCEPTION = Call((ModelRecipe((75, 75, 3), application="InceptionV3"), "mixed7", 10), {}, 7)
_SMALL_CNN = ModelRecipe(
    (28, 28, 1),
    (
        {"class_name": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu", "name": "conv1"},
        {"class_name": "MaxPooling2D", "pool_size": 2, "name": "pool1"},
        {"class_name": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu", "name": "conv2"},
    ),
)


def _builder(name: str, hint: str, doc: str, hints: tuple[str, ...]) -> Task:
    """A function of no arguments that builds a model: each example draws other weights and inputs."""
    return Task(
        name=name,
        points=2,
        strategy=Strategy("keras_strategies.seeded"),
        compare=compare_observations,
        observe=_MODEL,
        max_examples=_BUILDS,
        hint=hint,
        hints=hints,
        doc=doc,
    )


EXERCISE = Exercise(
    number=6,
    slug="keras_models",
    title="케라스로 CNN 만들기 (Keras models)",
    aliases=("keras", "models", "케라스"),
    banned_imports=references.NAMES,
    stub_imports=("import keras", "import numpy as np", "from keras import layers"),
    doc="""Exercise 6 — building CNNs with Keras (케라스로 CNN 만들기).

Each function returns a Keras object: a layer (층), a model (모델), a compiled model, callbacks (콜백). Use
Keras 3 (`import keras`, or `from tensorflow import keras`); images are channels_last (NHWC).

The grader compares your model with the reference layer by layer: the kind of layer, its settings (filters,
kernel size, strides, padding, activation, pool size, dropout rate, units), every output shape and the
parameter counts (파라미터 개수). Then it copies the reference's weights into your model and checks that both
compute the same outputs; a Dropout is also run in training mode, where it must drop. Keras' own layers are
expected (a class of yours named Dropout is not keras.layers.Dropout). Any spelling of the same model passes:
keras.Sequential or the functional API, MaxPool2D or MaxPooling2D, 3 or (3, 3), keras.Input(shape=...) or
input_shape=..., activation='relu' or an Activation layer. No weights or data are downloaded: use weights=None.

Concept: https://keras.io/guides/sequential_model/ and https://keras.io/guides/transfer_learning/
Check your work with:  grade exercise6
""",
    tasks=(
        Task(
            name="make_conv_layer",
            points=1,
            strategy=Strategy("keras_strategies.seeded"),
            compare=compare_observations,
            observe=KerasCheck(lone_layer=True),
            max_examples=3,
            hints=(
                N_(
                    "In Keras a convolution layer is keras.layers.Conv2D; its arguments are the number of filters, "
                    "the kernel size and options."
                ),
                N_("The task asks for 10 filters of 3x3 with ReLU, 'same' padding and stride 1."),
                N_("return keras.layers.Conv2D(10, 3, strides=1, padding='same', activation='relu')."),
            ),
            hint=N_("Conv2D(filters, kernel_size, ...): 10 filters, a 3x3 kernel, relu, 'same' padding, stride 1."),
            doc="""One convolution layer (합성곱 층): 10 filters of 3x3, relu, 'same' padding (세임 패딩), stride 1.

Returns:
    a keras.layers.Conv2D (not built: Keras builds it on the first input it sees).

Example:
    >>> layer = make_conv_layer()
    >>> layer(np.zeros((1, 28, 28, 3))).shape
    TensorShape([1, 28, 28, 10])
""",
        ),
        _builder(
            "build_fashion_cnn",
            N_("Input (28, 28, 1); each MaxPooling2D halves the map; Flatten before the Dense layers."),
            """The Fashion-MNIST CNN (패션 MNIST 합성곱 신경망), in this order:

    input (28, 28, 1)
    Conv2D 64 filters 3x3, 'same'          -> (28, 28, 64)
    MaxPooling2D 2, strides 2              -> (14, 14, 64)
    Conv2D 32 filters 3x3, 'same'          -> (14, 14, 32)
    MaxPooling2D 2, strides 2              -> (7, 7, 32)
    Conv2D 16 filters 3x3, 'same'          -> (7, 7, 16)
    Flatten                                -> (784,)
    Dense 256 relu, Dense 128 relu, Dense 10 softmax

The convolutions have no activation (linear). 258,874 parameters in all.

Returns:
    an uncompiled keras.Model (Sequential or functional).
""",
            (
                N_(
                    "A small CNN stacks convolution and pooling blocks, then flattens and classifies with Dense layers."
                ),
                N_("Follow the docstring's layer list in order, from the (28, 28, 1) input to a 10-way softmax."),
                N_(
                    "keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(...), "
                    "keras.layers.MaxPooling2D(2), ..., keras.layers.Flatten(), keras.layers.Dense(10, "
                    "activation='softmax')])."
                ),
            ),
        ),
        _builder(
            "build_dropout_cnn",
            N_("Dropout (드롭아웃) has no parameters: it goes between Dense 100 and the output layer, rate 0.4."),
            """The CNN with dropout (드롭아웃) from the course, in this order:

    input (28, 28, 1)
    Conv2D 32 filters 3x3, relu, 'same'    -> (28, 28, 32)
    MaxPooling2D 2                         -> (14, 14, 32)
    Conv2D 64 filters 3x3, relu, 'same'    -> (14, 14, 64)
    MaxPooling2D 2                         -> (7, 7, 64)
    Flatten                                -> (3136,)
    Dense 100 relu, Dropout 0.4, Dense 10 softmax

333,526 parameters in all.

Returns:
    an uncompiled keras.Model (Sequential or functional).
""",
            (
                N_(
                    "Dropout (드롭아웃) randomly silences units during training to fight overfitting; it has no "
                    "weights."
                ),
                N_("Take the fashion CNN and put a Dropout layer where the docstring says."),
                N_(
                    "..., keras.layers.Dense(100, activation='relu'), keras.layers.Dropout(0.4), "
                    "keras.layers.Dense(10, activation='softmax')."
                ),
            ),
        ),
        _builder(
            "build_lenet5",
            N_("LeNet-5 takes 32x32 images, 'valid' convolutions, tanh and average pooling (평균 풀링)."),
            """LeNet-5 (르넷-5), in this order:

    input (32, 32, 1)
    Conv2D 6 filters 5x5, tanh             -> (28, 28, 6)
    AveragePooling2D 2                     -> (14, 14, 6)
    Conv2D 16 filters 5x5, tanh            -> (10, 10, 16)
    AveragePooling2D 2                     -> (5, 5, 16)
    Conv2D 120 filters 5x5, tanh           -> (1, 1, 120)
    Flatten                                -> (120,)
    Dense 84 tanh, Dense 10 softmax

Convolutions are 'valid' (no padding). 61,706 parameters in all.

Returns:
    an uncompiled keras.Model (Sequential or functional).
""",
            (
                N_(
                    "LeNet-5 is the classic CNN of 1998: two convolution + average pooling blocks, then three fully "
                    "connected layers."
                ),
                N_(
                    "32x32 input; 6 then 16 filters of 5x5 with tanh, each followed by 2x2 average pooling; then "
                    "120, 84 and 10 units."
                ),
                N_(
                    "Conv2D(6, 5, activation='tanh'), AveragePooling2D(2), Conv2D(16, 5, activation='tanh'), "
                    "AveragePooling2D(2), Flatten(), Dense(120, 'tanh'), Dense(84, 'tanh'), Dense(10, 'softmax')."
                ),
            ),
        ),
        Task(
            name="compile_classifier",
            points=1,
            strategy=Strategy("keras_strategies.classifier_calls"),
            compare=compare_observations,
            observe=KerasCheck(labelled=True),
            max_examples=3,
            hints=(
                N_(
                    "Compiling (컴파일) a model chooses how it learns: the optimizer, the loss to minimise and the "
                    "metrics to report."
                ),
                N_(
                    "Labels given as class numbers (not one-hot) need the sparse categorical cross-entropy; "
                    "accuracy is the metric."
                ),
                N_(
                    "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy']); "
                    "return model."
                ),
            ),
            hint=N_(
                "Labels are class numbers (0-9): the loss is sparse categorical cross-entropy; metrics=['accuracy']."
            ),
            doc="""Compile (컴파일) a classifier whose last layer is a softmax, for labels that are class numbers.

Use the Adam optimizer with its default settings, sparse categorical cross-entropy
(sparse_categorical_crossentropy: the labels are integers, the outputs probabilities) and accuracy (정확도).

Args:
    model: an uncompiled keras.Model ending in Dense(k, activation='softmax').
Returns:
    the same model, compiled.

How it is graded: the optimizer's class and its settings (learning rate, beta_1, beta_2, epsilon, amsgrad and
the rest: Adam's defaults) and a few steps it takes, then the loss and the metric values your compiled model
gives on a labelled batch (with the reference's weights) against the reference's. Strings or objects both pass.
""",
        ),
        Task(
            name="training_callbacks",
            points=1,
            strategy=Strategy("keras_strategies.checkpoint_calls"),
            compare=compare_observations,
            observe=_MODEL,
            max_examples=3,
            hints=(
                N_(
                    "Callbacks (콜백) act during training: saving the best model, stopping when the validation loss "
                    "stops improving."
                ),
                N_(
                    "Two callbacks: ModelCheckpoint keeping only the best model, and EarlyStopping with patience 2 "
                    "that restores the best weights."
                ),
                N_(
                    "return [keras.callbacks.ModelCheckpoint(path, save_best_only=True), "
                    "keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]."
                ),
            ),
            hint=N_(
                "ModelCheckpoint(path, save_best_only=True) and EarlyStopping(patience=2, restore_best_weights=True)."
            ),
            doc="""The callbacks (콜백) of the course's training run: keep the best model, stop early.

Args:
    checkpoint_path: where the best model is saved (a file name ending in .keras).
Returns:
    [keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),
     keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]
    (in either order; every other setting left at Keras' default: both watch 'val_loss').
""",
        ),
        Task(
            name="transfer_model",
            points=3,
            strategy=Strategy("keras_strategies.transfer_calls"),
            compare=compare_observations,
            observe=_MODEL,
            max_examples=3,
            examples=(_INCEPTION,),
            own_worker=True,
            hints=(
                N_(
                    "Transfer learning (전이 학습) reuses a trained network's features and trains only a new head on "
                    "top."
                ),
                N_(
                    "Freeze the base model, take the output of the layer named cut_layer_name, and add the new "
                    "layers on it."
                ),
                N_(
                    "base_model.trainable = False; x = base_model.get_layer(cut_layer_name).output; ...; return "
                    "keras.Model(base_model.input, outputs)."
                ),
            ),
            hint=N_(
                "Freeze the base (base_model.trainable = False) and start the head from "
                "base_model.get_layer(cut_layer_name).output."
            ),
            doc="""Transfer learning (전이 학습): a new classifier head on a frozen (동결) pretrained base.

Args:
    base_model: a functional keras.Model (e.g. keras.applications.InceptionV3(weights=None,
        include_top=False, input_shape=(75, 75, 3))).
    cut_layer_name: the layer whose output the head starts from (e.g. 'mixed7').
    num_classes: the number of classes.
Returns:
    a keras.Model from base_model's inputs to:
        base_model.get_layer(cut_layer_name).output -> Flatten -> Dense 64 relu -> Dense num_classes softmax
    with every layer of base_model frozen (not trainable).

Example: InceptionV3 at 75x75 cut at 'mixed7' with 10 classes has 9,418,346 parameters, of which 443,082
are trainable (the head's).
""",
        ),
        Task(
            name="feature_map_model",
            points=1,
            # `grade show`: each layer of a seeded fashion-CNN trunk looked at on the sample image (the calls are
            # made by grader.feature_maps, which builds the model in both processes; here they are named).
            show=Showing(
                "feature_maps",
                lambda sample: tuple(Call((layer["name"],)) for layer in TRUNK),
                tuple(layer["name"] for layer in TRUNK),
            ),
            strategy=Strategy("keras_strategies.feature_map_calls"),
            compare=compare_observations,
            observe=_MODEL,
            max_examples=3,
            examples=(Call((_SMALL_CNN, "conv1"), {}, 11),),
            hints=(
                N_("A feature map (특성 맵) is what a layer outputs; a model that stops at that layer shows it."),
                N_(
                    "Build a functional model with the same inputs as the trained model and that layer's output as "
                    "its output: no new weights."
                ),
                N_("return keras.Model(model.inputs, model.get_layer(layer_name).output)."),
            ),
            hint=N_(
                "keras.Model(model.inputs, model.get_layer(layer_name).output): the same inputs, that layer's output."
            ),
            doc="""A model that shows a layer's feature maps (특성 맵): from the model's inputs to that layer's output.

Args:
    model: a functional keras.Model.
    layer_name: the name of one of its layers.
Returns:
    a keras.Model sharing model's inputs and layers, whose output is that layer's output: for an input batch
    it returns the feature maps the layer computes inside the model.
""",
        ),
    ),
)
