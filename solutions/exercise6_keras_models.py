"""Reference solutions for exercise 6: Keras models (케라스로 CNN 만들기)."""

import keras
from keras import layers


def make_conv_layer():
    return layers.Conv2D(10, kernel_size=(3, 3), activation="relu", padding="same", strides=1)


def build_fashion_cnn():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, 3, padding="same"),
            layers.MaxPooling2D(2, strides=2),
            layers.Conv2D(32, 3, padding="same"),
            layers.MaxPooling2D(2, strides=2),
            layers.Conv2D(16, 3, padding="same"),
            layers.Flatten(),
            layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )


def build_dropout_cnn():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(100, activation="relu"),
            layers.Dropout(0.4),
            layers.Dense(10, activation="softmax"),
        ]
    )


def build_lenet5():
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 1)),
            layers.Conv2D(6, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(120, 5, activation="tanh"),
            layers.Flatten(),
            layers.Dense(84, activation="tanh"),
            layers.Dense(10, activation="softmax"),
        ]
    )


def compile_classifier(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def training_callbacks(checkpoint_path):
    return [
        keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),
        keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True),
    ]


def transfer_model(base_model, cut_layer_name, num_classes):
    base_model.trainable = False
    features = base_model.get_layer(cut_layer_name).output
    x = layers.Flatten()(features)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(base_model.inputs, outputs)


def feature_map_model(model, layer_name):
    return keras.Model(model.inputs, model.get_layer(layer_name).output)
