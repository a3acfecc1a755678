"""exercise4: output shapes (출력 크기) by hand."""

from grader.catalog import misconceptions as m
from grader.catalog.layer_specs import LAYER_SPECS_DOC
from grader.compare import ExactValue
from grader.compare_layers import ShapesPerLayer
from grader.drawing import Strategy
from grader.i18n import N_
from grader.spec import Call, Exercise, Misconception, Task

# Corners where the classic mistakes show, run first whatever the seed.
_CONV3 = {"class_name": "Conv2D", "filters": 4, "kernel_size": 3}
_CHAIN = [
    {"class_name": "Conv2D", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
    {"class_name": "Conv2D", "filters": 3, "kernel_size": 3, "dilation_rate": 2},
    {"class_name": "MaxPooling2D"},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "units": 5},
]

_DILATION_IGNORED = Misconception(
    "dilation_ignored",
    N_(
        "Your count ignored the dilation: a kernel of size k with dilation d covers k' = d*(k-1)+1 cells, and k' "
        "is what the length rules and the receptive field use."
    ),
    m.PADDING,
)
_SAME_IGNORES_STRIDE = Misconception(
    "same_ignores_stride",
    N_(
        "Your 'same' output is as long as the input whatever the stride: 'same' gives ceil(n / s) positions, "
        "which is n only with stride 1."
    ),
    m.PADDING,
)
_VALID_WITHOUT_PLUS_ONE = Misconception(
    "valid_without_plus_one",
    N_(
        "Your 'valid' length misses the first position: it is floor((n - k') / s) + 1, the + 1 counting the "
        "window at the very start."
    ),
    m.PADDING,
)
# The mistakes of the output-length rule, which every shape built on it repeats.
_LENGTH_MISTAKES = (_DILATION_IGNORED, _SAME_IGNORES_STRIDE, _VALID_WITHOUT_PLUS_ONE)

EXERCISE = Exercise(
    number=4,
    slug="output_shapes",
    title="출력 크기 (output shapes)",
    aliases=("shapes", "출력"),
    doc=f"""Exercise 4 — output shapes (출력 크기) by hand: what model.summary() shows, without Keras.

Along one axis of length n, with kernel k, stride s and dilation d (effective kernel k' = d*(k-1)+1):
    'valid':  floor((n - k') / s) + 1   (0 when k' > n)
    'same':   ceil(n / s)
    'full':   ceil((n + k' - 1) / s)
Pooling uses the same rules with k = pool size (no dilation), and its stride defaults to the pool size.

{LAYER_SPECS_DOC}
Rules: numpy and the standard library only. Return Python ints (numpy ints are accepted, floats are not) and
shapes as tuples.

Concept: https://cs231n.github.io/convolutional-networks/#conv (spatial arrangement)
Check your work with:  grade exercise4
""",
    tasks=(
        Task(
            name="conv_output_length",
            points=2,
            strategy=Strategy("layer_strategies.conv_length_calls"),
            compare=ExactValue(),
            hints=(
                N_(
                    "An output position is a place where the (dilated) kernel fits; padding adds places, the stride "
                    "skips them."
                ),
                N_(
                    "With k' = d*(k-1)+1: 'valid' gives floor((n - k') / s) + 1 (0 if the kernel does not fit), "
                    "'same' gives ceil(n / s)."
                ),
                N_(
                    "k_eff = dilation * (k - 1) + 1; return -(-n // stride) if padding == 'same' else max((n - "
                    "k_eff) // stride + 1, 0)."
                ),
            ),
            hint=N_("'valid' is floor((n - k') / s) + 1 with k' = d*(k-1)+1; 'same' depends on the stride only."),
            misconceptions=(*_LENGTH_MISTAKES,),
            examples=(
                Call((7, 3), {"stride": 2}),
                Call((7, 3), {"stride": 2, "padding": "same"}),
                Call((10, 3), {"dilation": 2}),
                Call((5, 3), {"stride": 2, "padding": "full"}),
                Call((2, 3)),
            ),
            doc="""The output length of a convolution along one axis (합성곱 출력 길이).

Args:
    n: the input length; k: the kernel length; stride: the step (스트라이드); padding: 'valid', 'same'
    or 'full'; dilation: the dilation rate (팽창).
Returns:
    an int: floor((n - k') / s) + 1 for 'valid' (0 when k' > n), ceil(n / s) for 'same',
    ceil((n + k' - 1) / s) for 'full', with k' = dilation * (k - 1) + 1.

Example:
    >>> conv_output_length(28, 3, padding='same'), conv_output_length(28, 5), conv_output_length(7, 3, stride=2)
    (28, 24, 3)
""",
        ),
        Task(
            name="pool_output_length",
            points=1,
            strategy=Strategy("layer_strategies.pool_length_calls"),
            compare=ExactValue(),
            hints=(
                N_("A pooling window is placed like a kernel: the same length rules, with the pool size as k."),
                N_("The stride defaults to the pool size; 'valid' floors, 'same' gives ceil(n / stride)."),
                N_(
                    "s = pool if stride is None else stride; return -(-n // s) if padding == 'same' else (n - pool) "
                    "// s + 1."
                ),
            ),
            hint=N_("stride=None means the pool size; 'valid' floors: floor((n - pool) / stride) + 1."),
            misconceptions=(m.POOL_STRIDE_ONE,),
            examples=(Call((7, 2)), Call((7, 3), {"padding": "same"})),
            doc="""The output length of a pooling layer along one axis, as Keras computes it (풀링 출력 길이).

Args:
    n: the input length; pool_size: the window; stride: None (the pool size) or an int;
    padding: 'valid' (pool_size <= n) or 'same'.
Returns:
    an int: floor((n - pool_size) / stride) + 1 for 'valid', ceil(n / stride) for 'same'.

Example:
    >>> pool_output_length(28, 2), pool_output_length(7, 2), pool_output_length(7, 2, padding='same')
    (14, 3, 4)
""",
        ),
        Task(
            name="conv2d_output_shape",
            points=2,
            strategy=Strategy("layer_strategies.conv_shape_calls"),
            compare=ExactValue(),
            hints=(
                N_("A Conv2D layer's output is (H', W', filters): one feature map per filter."),
                N_(
                    "Apply the 1-D length rule to the height and the width, each with its own kernel size, stride "
                    "and dilation."
                ),
                N_(
                    "return (conv_output_length(H, kh, sh, padding, dh), conv_output_length(W, kw, sw, padding, "
                    "dw), filters)."
                ),
            ),
            hint=N_("Apply the length rule to height and width separately; the depth is the number of filters."),
            misconceptions=(*_LENGTH_MISTAKES,),
            examples=(
                Call(((9, 7, 3), 4, 3), {"strides": 2, "padding": "same"}),
                Call(((9, 9, 1), 2, 3), {"dilation_rate": 2}),
                Call(((8, 6, 2), 5, (3, 1))),
            ),
            doc="""The output shape of a Conv2D layer (batch excluded).

Args:
    input_shape: (H, W, C); filters: the number of filters; kernel_size, strides, dilation_rate: an int or
    an (h, w) pair; padding: 'valid' or 'same'.
Returns:
    (H', W', filters), a tuple of ints.

Example:
    >>> conv2d_output_shape((28, 28, 1), 32, 3)
    (26, 26, 32)
    >>> conv2d_output_shape((28, 28, 1), 32, (3, 5), strides=2, padding='same')
    (14, 14, 32)
""",
        ),
        Task(
            name="pool2d_output_shape",
            points=1,
            strategy=Strategy("layer_strategies.pool_shape_calls"),
            compare=ExactValue(),
            hints=(
                N_("Pooling shrinks the height and width and keeps the channels."),
                N_("Apply pool_output_length to height and width; strides=None means the pool size."),
                N_("return (pool_output_length(H, ph, sh, padding), pool_output_length(W, pw, sw, padding), C)."),
            ),
            hint=N_("Pooling keeps the channels; strides=None means the pool size."),
            misconceptions=(m.POOL_STRIDE_ONE,),
            examples=(Call(((7, 6, 2),), {"pool_size": 2}), Call(((7, 7, 1), 3, 2, "same"))),
            doc="""The output shape of a MaxPooling2D or AveragePooling2D layer (batch excluded).

Args:
    input_shape: (H, W, C); pool_size: an int or (h, w); strides: None (the pool size), an int or (h, w);
    padding: 'valid' or 'same'.
Returns:
    (H', W', C), a tuple of ints.

Example:
    >>> pool2d_output_shape((28, 28, 32)), pool2d_output_shape((7, 7, 8), 3, strides=1, padding='same')
    ((14, 14, 32), (7, 7, 8))
""",
        ),
        Task(
            name="model_output_shapes",
            points=3,
            strategy=Strategy("layer_strategies.model_calls"),
            compare=ShapesPerLayer(),
            hints=(
                N_("A model is a chain: each layer's output shape is the next layer's input shape."),
                N_(
                    "Write the rule of each layer kind (Conv2D, pooling, Flatten, Dense, the ones that keep the "
                    "shape) and apply them one after another."
                ),
                N_(
                    "shape = input_shape; shapes = []; for layer in layers: shape = layer_output_shape(shape, "
                    "layer); shapes.append(shape); return shapes."
                ),
            ),
            hint=N_("Work layer by layer: each layer's output shape is the next layer's input shape."),
            misconceptions=(
                _DILATION_IGNORED,
                m.POOL_STRIDE_ONE,
                _SAME_IGNORES_STRIDE,
                _VALID_WITHOUT_PLUS_ONE,
                m.FLATTEN_DROPS_CHANNELS,
            ),
            examples=(Call(((16, 14, 3), _CHAIN)),),
            doc="""The output shape of every layer of a chain, as model.summary() lists them (batch excluded).

Args:
    input_shape: (H, W, C); layers: a list of layer specs (see the top of this file).
Returns:
    a list with one shape (a tuple of ints) per layer. Flatten gives (H*W*C,), the global poolings (C,),
    Dense on (H, W, C) gives (H, W, units) (Keras applies it to the last axis).

Example:
    >>> model_output_shapes((28, 28, 1), [{"class_name": "Conv2D", "filters": 8, "kernel_size": 3},
    ...                                   {"class_name": "MaxPooling2D"}, {"class_name": "Flatten"}])
    [(26, 26, 8), (13, 13, 8), (1352,)]
""",
        ),
        Task(
            name="receptive_field",
            points=2,
            strategy=Strategy("layer_strategies.receptive_field_calls"),
            compare=ExactValue(),
            hints=(
                N_(
                    "The receptive field (수용 영역) is how many input pixels one output value depends on, along one "
                    "axis."
                ),
                N_(
                    "Each layer widens it by (k' - 1) input steps, and one step of that layer spans the product of "
                    "all earlier strides."
                ),
                N_("size, jump = 1, 1; for each layer: size += (k_eff - 1) * jump; jump *= stride; return size."),
            ),
            hint=N_("Each layer adds (k' - 1) times the product of the strides of the layers before it."),
            misconceptions=(
                _DILATION_IGNORED,
                Misconception(
                    "receptive_field_without_stride_product",
                    N_(
                        "Each of your layers added k' - 1 whatever came before: after strided layers one step "
                        "covers more input, so a layer adds (k' - 1) times the product of the earlier strides."
                    ),
                    m.RECEPTIVE_FIELD,
                ),
            ),
            examples=(
                Call(([_CONV3, {**_CONV3, "strides": 2}, {"class_name": "MaxPooling2D"}, _CONV3],)),
                Call(([_CONV3, {**_CONV3, "dilation_rate": 2}],)),
            ),
            doc="""The receptive field (수용 영역) of one unit of the last layer, in input pixels along one axis.

Args:
    layers: a chain of Conv2D, MaxPooling2D and AveragePooling2D specs with square sizes (int or (k, k));
    dilation counts, padding does not.
Returns:
    an int: r = 1, then for each layer r += (k' - 1) * j and j *= stride, where j (the jump) is the product
    of the strides of the layers before it and k' = dilation * (k - 1) + 1.

Example:
    >>> conv3 = {"class_name": "Conv2D", "filters": 8, "kernel_size": 3}
    >>> receptive_field([conv3, conv3]), receptive_field([conv3, {"class_name": "MaxPooling2D"}, conv3])
    (5, 8)
""",
        ),
    ),
)
