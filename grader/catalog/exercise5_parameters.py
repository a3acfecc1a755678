"""exercise5: parameter counts (파라미터 개수) by hand."""

from grader.catalog import misconceptions as m
from grader.catalog.layer_specs import LAYER_SPECS_DOC
from grader.compare import ExactValue
from grader.compare_layers import ParamTotals
from grader.drawing import Strategy
from grader.i18n import N_
from grader.spec import Call, Exercise, Misconception, Task

# Corners where the classic mistakes show, run first whatever the seed.
_CONV = {"class_name": "Conv2D", "filters": 2, "kernel_size": 3}
_BN = {"class_name": "BatchNormalization"}
_CHAIN = [
    {"class_name": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"},
    _BN,
    {"class_name": "MaxPooling2D"},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "units": 5, "trainable": False},
    {"class_name": "Dense", "units": 3},
]
_SHAPES = (Call(((8, 8, 3), 4, 3), {"strides": 2, "padding": "same"}), Call(((7, 5, 2), 3, (3, 1))))

_BIAS_FORGOTTEN = Misconception(
    "bias_forgotten",
    N_(
        "Your count has no biases: each filter has one bias, so a Conv2D has (kh*kw*C_in + 1) * filters "
        "parameters (unless use_bias=False)."
    ),
    m.CHANNELS,
)
_BIAS_PER_INPUT_CHANNEL = Misconception(
    "bias_per_input_channel",
    N_(
        "Your count gave each filter one bias per input channel: a filter sums over all its input channels and "
        "has one bias, (kh*kw*C_in + 1) * filters in all."
    ),
    m.CHANNELS,
)
_INPUT_DEPTH_IGNORED = Misconception(
    "input_depth_ignored",
    N_(
        "Your filters have kh*kw weights, as if the input had one channel: a filter is as deep as its input, "
        "kh*kw*C_in weights plus one bias."
    ),
    m.CHANNELS,
)
_BATCHNORM_ALL_TRAINABLE = Misconception(
    "batchnorm_all_trainable",
    N_(
        "Your count trains BatchNormalization's moving mean and variance: of its 4C parameters only gamma and "
        "beta (2C) are trained; the moving statistics (2C) are non-trainable."
    ),
    m.BATCH_NORMALIZATION,
)
_FROZEN_FLAG_IGNORED = Misconception(
    "frozen_flag_ignored",
    N_(
        'Your count still trains a frozen layer: with "trainable": False all its parameters are non-trainable '
        "(they still count in the total)."
    ),
    m.TRANSFER_LEARNING,
)
# The mistakes of counting a filter's parameters, and of counting a layer's (a filter's, plus BatchNormalization
# and frozen layers).
_FILTER_COUNT_MISTAKES = (_BIAS_FORGOTTEN, _BIAS_PER_INPUT_CHANNEL, _INPUT_DEPTH_IGNORED)
_LAYER_COUNT_MISTAKES = (*_FILTER_COUNT_MISTAKES, _BATCHNORM_ALL_TRAINABLE, _FROZEN_FLAG_IGNORED)

EXERCISE = Exercise(
    number=5,
    slug="parameters",
    title="파라미터 개수 (parameter counts)",
    aliases=("params", "파라미터"),
    doc=f"""Exercise 5 — parameter counts (파라미터 개수), multiplications and memory by hand, as Keras counts them.

A Dense layer has one weight per (input, unit) pair plus one bias per unit. A Conv2D layer shares its
weights across positions (가중치 공유): (kh * kw * C_in + 1) * filters with the bias, whatever the image size.
DepthwiseConv2D has kh * kw * C * depth_multiplier weights (plus C * depth_multiplier biases);
SeparableConv2D adds a 1x1 pointwise convolution: C * depth_multiplier * filters weights plus filters biases.

{LAYER_SPECS_DOC}
Rules: numpy and the standard library only. Return Python ints (numpy ints are accepted, floats are not).

Concept: https://cs231n.github.io/convolutional-networks/#conv (parameter sharing)
Check your work with:  grade exercise5
""",
    tasks=(
        Task(
            name="dense_params",
            points=1,
            strategy=Strategy("layer_strategies.dense_param_calls"),
            compare=ExactValue(),
            hints=(
                N_("A Dense layer connects every input to every unit: one weight per pair, plus one bias per unit."),
                N_("Count n_inputs * units weights, and add units biases when use_bias is true."),
                N_("return n_inputs * units + (units if use_bias else 0)."),
            ),
            hint=N_("n_inputs * units weights, plus units biases when use_bias."),
            examples=(Call((100, 10)), Call((7, 3), {"use_bias": False})),
            doc="""The parameters of a Dense layer (밀집층): weights plus biases.

Example:
    >>> dense_params(784, 256), dense_params(10, 3, use_bias=False)
    (200960, 30)
""",
        ),
        Task(
            name="conv2d_params",
            points=2,
            strategy=Strategy("layer_strategies.conv_param_calls"),
            compare=ExactValue(),
            hints=(
                N_(
                    "A Conv2D layer's parameters are its filters: the same weights serve every position (weight "
                    "sharing), so the image size does not count."
                ),
                N_("Each filter has kh*kw*C_in weights (it is as deep as its input) and one bias."),
                N_("return (kh * kw * in_channels + (1 if use_bias else 0)) * filters."),
            ),
            hint=N_("Each filter has kh*kw*in_channels weights and one bias: (kh*kw*C_in + 1) * filters."),
            misconceptions=(*_FILTER_COUNT_MISTAKES,),
            examples=(Call((3, 3, 8)), Call(((3, 5), 4, 2), {"use_bias": False})),
            doc="""The parameters of a Conv2D layer (합성곱 층).

Args:
    kernel_size: an int or (kh, kw); in_channels: the input depth C_in; filters: the number of filters;
    use_bias: whether each filter has a bias.
Returns:
    an int: kh * kw * in_channels * filters, plus filters when use_bias.

Example:
    >>> conv2d_params(3, 1, 32), conv2d_params((3, 3), 32, 64), conv2d_params(5, 3, 6, use_bias=False)
    (320, 18496, 450)
""",
        ),
        Task(
            name="layer_params",
            points=3,
            strategy=Strategy("layer_strategies.single_layer_calls"),
            compare=ExactValue(),
            hints=(
                N_(
                    "Keras splits a layer's parameters into trainable ones (changed by training) and non-trainable "
                    "ones."
                ),
                N_(
                    "Conv2D and Dense: all trainable; BatchNormalization: gamma and beta trainable, the moving mean "
                    "and variance not; pooling, Flatten, Dropout: none; a frozen layer: all non-trainable."
                ),
                N_(
                    "Count the layer's total, then return (0, total) if layer.get('trainable') is False, else "
                    "(trainable, non_trainable) by kind."
                ),
            ),
            hint=N_("BatchNormalization: 2C trainable and 2C non-trainable; a frozen layer has nothing trainable."),
            misconceptions=(*_LAYER_COUNT_MISTAKES,),
            examples=(
                Call(((5, 5, 3), _CONV)),
                Call(((4, 4, 3), _BN)),
                Call(((5, 5, 2), {**_CONV, "trainable": False})),
                Call(((4, 4, 3), {**_BN, "trainable": False})),
                Call(((7,), {"class_name": "Dense", "units": 3})),
                Call(
                    (
                        (5, 5, 2),
                        {"class_name": "SeparableConv2D", "filters": 3, "kernel_size": 3, "depth_multiplier": 2},
                    )
                ),
                Call(((5, 5, 2), {"class_name": "DepthwiseConv2D", "kernel_size": 3})),
            ),
            doc="""(trainable, non_trainable) parameter counts of one layer spec, given its input shape.

Args:
    input_shape: the layer's input shape (batch excluded), (H, W, C) or (n,); layer: a layer spec.
Returns:
    a tuple of two ints. BatchNormalization on C channels gives (2*C, 2*C); a spec with
    "trainable": False gives (0, all of its parameters); pooling, Flatten, Dropout and ZeroPadding2D (0, 0).

Example:
    >>> layer_params((28, 28, 1), {"class_name": "Conv2D", "filters": 32, "kernel_size": 3})
    (320, 0)
    >>> layer_params((14, 14, 32), {"class_name": "BatchNormalization"})
    (64, 64)
""",
        ),
        Task(
            name="model_params",
            points=3,
            strategy=Strategy("layer_strategies.model_calls"),
            compare=ParamTotals(),
            hints=(
                N_("A model's parameter counts are the sums of its layers' counts, as model.summary() shows them."),
                N_(
                    "Walk the layers in order, carrying the shape so that each layer knows its input (a Dense after "
                    "Flatten gets H*W*C inputs)."
                ),
                N_(
                    "for layer in layers: t, n = layer_params(shape, layer); shape = layer_output_shape(shape, "
                    "layer); add t and n; return {'total': t+n, 'trainable': t, 'non_trainable': n}."
                ),
            ),
            hint=N_("Sum layer by layer, carrying each layer's output shape to the next (Flatten keeps H*W*C)."),
            misconceptions=(
                *_LAYER_COUNT_MISTAKES,
                Misconception(
                    "flatten_drops_channels",
                    N_(
                        "Your Flatten dropped the channels, so the Dense layer after it got H*W inputs instead of "
                        "H*W*C and too few weights."
                    ),
                    "https://keras.io/api/layers/reshaping_layers/flatten/",
                ),
            ),
            examples=(Call(((8, 8, 3), _CHAIN)),),
            doc="""The parameter counts of a chain of layers, as model.summary() totals them.

Args:
    input_shape: (H, W, C); layers: a list of layer specs.
Returns:
    {"total": int, "trainable": int, "non_trainable": int}.

Example (the Fashion-MNIST CNN at the top of this file):
    >>> model_params((28, 28, 1), [{"class_name": "Conv2D", "filters": 8, "kernel_size": 3},
    ...                            {"class_name": "Flatten"}, {"class_name": "Dense", "units": 10}])
    {'total': 54170, 'trainable': 54170, 'non_trainable': 0}
""",
        ),
        Task(
            name="conv2d_multiplications",
            points=2,
            strategy=Strategy("layer_strategies.conv_shape_calls", dilation=False),
            compare=ExactValue(),
            hints=(
                N_(
                    "The cost of a convolution is counted in multiplications: one per kernel weight, at every "
                    "output value."
                ),
                N_("There are H'*W'*filters output values, each a sum over kh*kw*C_in products."),
                N_("oh, ow, f = conv2d_output_shape(...); return oh * ow * f * kh * kw * C_in."),
            ),
            hint=N_("Count on the OUTPUT: each of H'*W'*filters outputs takes kh*kw*C multiplications."),
            misconceptions=(
                Misconception(
                    "multiplications_per_input_position",
                    N_(
                        "Your count used the input's positions: each filter is applied once per OUTPUT position, "
                        "so there are H'*W'*filters*kh*kw*C_in multiplications."
                    ),
                    m.CONV_LAYER,
                ),
            ),
            examples=_SHAPES,
            doc="""The multiplications a Conv2D layer makes for one image (곱셈 횟수), bias additions not counted.

Args:
    input_shape: (H, W, C); filters; kernel_size, strides: an int or (h, w); padding: 'valid' or 'same'.
Returns:
    an int: H' * W' * filters * kh * kw * C, with (H', W') the output size.

Example:
    >>> conv2d_multiplications((28, 28, 1), 32, 3)
    194688
""",
        ),
        Task(
            name="conv2d_output_bytes",
            points=1,
            strategy=Strategy("layer_strategies.output_bytes_calls"),
            compare=ExactValue(),
            hints=(
                N_("Activations take memory too: every value of the output, for every image of the batch."),
                N_("Multiply the number of output values per image by the batch size and by the bytes per value."),
                N_("return batch_size * oh * ow * filters * bytes_per_value."),
            ),
            hint=N_("batch_size * H' * W' * filters values, each bytes_per_value bytes (4 for float32)."),
            examples=(Call(((8, 8, 3), 4, 3), {"padding": "same", "batch_size": 16, "bytes_per_value": 2}),),
            doc="""The memory of a Conv2D layer's output feature maps (특성 맵 메모리), in bytes.

Args:
    input_shape: (H, W, C); filters; kernel_size, strides; padding: 'valid' or 'same';
    batch_size: images per batch; bytes_per_value: 4 for float32, 2 for float16.
Returns:
    an int: batch_size * H' * W' * filters * bytes_per_value.

Example:
    >>> conv2d_output_bytes((28, 28, 1), 32, 3, padding='same', batch_size=64)
    6422528
""",
        ),
        Task(
            name="dense_equivalent_params",
            points=2,
            strategy=Strategy("layer_strategies.conv_shape_calls", dilation=False),
            compare=ExactValue(),
            hints=(
                N_(
                    "A convolution is a Dense layer with most weights forced to zero and the rest shared: counting "
                    "the Dense layer that does the same shows what sharing saves."
                ),
                N_("The Dense layer maps all H*W*C_in inputs to all H'*W'*filters outputs, with one bias per output."),
                N_(
                    "outputs = math.prod(conv2d_output_shape(...)); return dense_params(math.prod(input_shape), "
                    "outputs)."
                ),
            ),
            hint=N_("A Dense layer from H*W*C inputs to H'*W'*filters outputs, with one bias per output."),
            misconceptions=(
                Misconception(
                    "dense_equivalent_bias_forgotten",
                    N_(
                        "Your equivalent Dense layer has no biases: like any Dense layer it has one bias per output, "
                        "H*W*C_in * H'*W'*filters weights plus H'*W'*filters biases."
                    ),
                    m.CHANNELS,
                ),
            ),
            examples=_SHAPES,
            doc="""What weight sharing saves: the parameters of a Dense layer (with bias) that maps the flattened
input to the flattened output of the same Conv2D layer.

Args:
    input_shape: (H, W, C); filters; kernel_size, strides; padding: 'valid' or 'same'.
Returns:
    an int: (H*W*C) * (H'*W'*filters) + H'*W'*filters.

Example:
    >>> dense_equivalent_params((28, 28, 1), 32, 3)
    16981120
""",
        ),
    ),
)
