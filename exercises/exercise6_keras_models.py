"""Exercise 6 — building CNNs with Keras (케라스로 CNN 만들기).

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
"""

import keras
import numpy as np
from keras import layers


def make_conv_layer():
    """One convolution layer (합성곱 층): 10 filters of 3x3, relu, 'same' padding (세임 패딩), stride 1.

    Returns:
        a keras.layers.Conv2D (not built: Keras builds it on the first input it sees).

    Example:
        >>> layer = make_conv_layer()
        >>> layer(np.zeros((1, 28, 28, 3))).shape
        TensorShape([1, 28, 28, 10])
    """
    raise NotImplementedError


def build_fashion_cnn():
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
    """
    raise NotImplementedError


def build_dropout_cnn():
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
    """
    raise NotImplementedError


def build_lenet5():
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
    """
    raise NotImplementedError


def compile_classifier(model):
    """Compile (컴파일) a classifier whose last layer is a softmax, for labels that are class numbers.

    Use the Adam optimizer with its default settings, sparse categorical cross-entropy
    (sparse_categorical_crossentropy: the labels are integers, the outputs probabilities) and accuracy (정확도).

    Args:
        model: an uncompiled keras.Model ending in Dense(k, activation='softmax').
    Returns:
        the same model, compiled.

    How it is graded: the optimizer's class and its settings (learning rate, beta_1, beta_2, epsilon, amsgrad and
    the rest: Adam's defaults) and a few steps it takes, then the loss and the metric values your compiled model
    gives on a labelled batch (with the reference's weights) against the reference's. Strings or objects both pass.
    """
    raise NotImplementedError


def training_callbacks(checkpoint_path):
    """The callbacks (콜백) of the course's training run: keep the best model, stop early.

    Args:
        checkpoint_path: where the best model is saved (a file name ending in .keras).
    Returns:
        [keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),
         keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]
        (in either order; every other setting left at Keras' default: both watch 'val_loss').
    """
    raise NotImplementedError


def transfer_model(base_model, cut_layer_name, num_classes):
    """Transfer learning (전이 학습): a new classifier head on a frozen (동결) pretrained base.

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
    """
    raise NotImplementedError


def feature_map_model(model, layer_name):
    """A model that shows a layer's feature maps (특성 맵): from the model's inputs to that layer's output.

    Args:
        model: a functional keras.Model.
        layer_name: the name of one of its layers.
    Returns:
        a keras.Model sharing model's inputs and layers, whose output is that layer's output: for an input batch
        it returns the feature maps the layer computes inside the model.
    """
    raise NotImplementedError
