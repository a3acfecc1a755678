"""Classic mistakes (오개념) that more than one exercise diagnoses, and where their concepts are explained.

Each exercise keeps its wrong version in its own `solutions/mistakes/<exercise module>/<name>.py`; the
declaration here gives the name and the words the report uses.
"""

from grader.i18n import N_
from grader.spec import Misconception

D2L = "https://d2l.ai/chapter_convolutional-neural-networks/"
CONV_LAYER = D2L + "conv-layer.html"
PADDING = D2L + "padding-and-strides.html"
CHANNELS = D2L + "channels.html"
POOLING = D2L + "pooling.html"
TF_PADDING = "https://www.tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2"
RECEPTIVE_FIELD = "https://distill.pub/2019/computing-receptive-fields/"
BATCH_NORMALIZATION = "https://keras.io/api/layers/normalization_layers/batch_normalization/"
TRANSFER_LEARNING = "https://keras.io/guides/transfer_learning/"

KERNEL_FLIPPED = Misconception(
    "kernel_flipped",
    N_(
        "Your function flipped the kernel: Keras' Conv1D and Conv2D and tf.nn.conv2d compute cross-correlation "
        "(교차상관), which slides the kernel as it is; only true convolution flips it."
    ),
    CONV_LAYER,
)

BIAS_FORGOTTEN = Misconception(
    "bias_forgotten",
    N_("Your output has no bias: the bias is added to every output value, after the weighted sum."),
    CONV_LAYER,
)

SAME_EXTRA_CELL_FIRST = Misconception(
    "same_extra_cell_first",
    N_(
        "Your 'same' padding put the odd extra cell first (top/left): TensorFlow puts it last, at the bottom/right "
        "(before = total // 2, after = total - before)."
    ),
    TF_PADDING,
)

POOL_STRIDE_ONE = Misconception(
    "pool_stride_one",
    N_(
        "Your pooling windows moved one cell at a time: a pooling window moves by its own size unless strides "
        "says otherwise (strides=None means strides=pool_size)."
    ),
    POOLING,
)

FLATTEN_DROPS_CHANNELS = Misconception(
    "flatten_drops_channels",
    N_("Your Flatten dropped the channels: it gives H*W*C values, one per cell of every channel."),
    "https://keras.io/api/layers/reshaping_layers/flatten/",
)
