"""What of a notebook is graded: the exercise's functions and the module-level values they read, as the kernel
held them, and none of the notebook's other work (training, data loading, plots, prints)."""

from __future__ import annotations

import textwrap

from grader.notebook import graded_cells
from grader.notebook_slice import slice_cells


def kept_source(cells: list[str], roots: tuple[str, ...]) -> list[list[str]]:
    """Per cell, the kept top-level statements as source lines (first line of each)."""
    import ast

    chosen = slice_cells([textwrap.dedent(c) for c in cells], roots)
    bodies = [ast.parse(textwrap.dedent(c)).body for c in cells]
    return [[ast.unparse(bodies[c][i]).splitlines()[0] for i in kept] for c, kept in enumerate(chosen.kept)]


def run_graded(cells: list[str], roots: tuple[str, ...]) -> dict:
    namespace: dict = {}
    labelled = [(f"In [{n}]", textwrap.dedent(c)) for n, c in enumerate(cells, start=1)]
    exec(compile(graded_cells(labelled, roots).source, "notebook", "exec"), namespace)
    return namespace


def test_training_plots_and_prints_are_left_out_and_counted():
    cells = [
        "import numpy as np\nimport keras\nimport matplotlib.pyplot as plt",
        "def flatten(x):\n    return np.reshape(x, (x.shape[0], -1))",
        "model = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x_train, y_train, epochs=40)",
        "plt.plot(history.history['loss'])\nplt.show()",
        "print(flatten(np.zeros((2, 3))))",
    ]
    chosen = slice_cells(cells, ("flatten",))
    assert chosen.kept == ((0,), (0,), (), (), ())
    assert chosen.left_out == 2 + 2 + 2 + 1  # keras and matplotlib imports, fit, the plot, the print


def test_an_import_is_kept_only_when_kept_code_reads_its_name():
    """A notebook that imports Keras to train is still graded on an exercise that bans Keras."""
    kept = kept_source(["import numpy as np, keras\nimport time", "def f(x):\n    return np.sum(x)"], ("f",))
    assert kept == [["import numpy as np, keras"], ["def f(x):"]]


def test_a_value_is_taken_as_the_kernel_held_it_where_it_is_read():
    """`x = f(y)` reads the `y` of its own time; the function reads the last `y` of the notebook."""
    cells = ["y = 2\nx = 10 * y\ny = 3\nunused = 99", "def g():\n    return x + y"]
    assert kept_source(cells, ("g",)) == [["y = 2", "x = 10 * y", "y = 3"], ["def g():"]]
    assert run_graded(cells, ("g",))["g"]() == 23


def test_the_last_definition_wins_and_the_earlier_ones_pull_nothing():
    cells = ["def f():\n    return SLOW_DATA", "SLOW_DATA = load()", "def f():\n    return 1"]
    chosen = slice_cells(cells, ("f",))
    assert chosen.kept == ((), (), (0,))


def test_decorators_defaults_and_base_classes_keep_what_they_read():
    cells = [
        "import functools\nLIMIT = 4\nclass Base:\n    pass\nSCALE = 2.0\nNOISE = 1",
        "class Layer(Base):\n    factor = SCALE\n\n"
        "@functools.lru_cache\ndef f(x, limit=LIMIT):\n    return Layer.factor * x",
    ]
    kept = kept_source(cells, ("f",))
    assert kept == [
        ["import functools", "LIMIT = 4", "class Base:", "SCALE = 2.0"],
        ["class Layer(Base):", "@functools.lru_cache"],
    ]
    assert run_graded(cells, ("f",))["f"](3) == 6.0


def test_a_change_in_place_keeps_the_binding_it_changes():
    cells = ["import numpy as np\nW = np.zeros(3)\nW[0] = 5.0\nW.flags.writeable = False", "def f():\n    return W[0]"]
    assert len(kept_source(cells, ("f",))[0]) == 4
    assert run_graded(cells, ("f",))["f"]() == 5.0


def test_an_if_or_try_block_is_kept_when_it_defines_a_needed_name_and_so_is_the_binding_before_it():
    cells = [
        "xp = None\ntry:\n    import cupy as xp\nexcept ImportError:\n    import numpy as xp",
        "if False:\n    RATE = 1\nelse:\n    RATE = 2\nif True:\n    print('left out')",
        "def f(x):\n    return xp.asarray(x) * RATE",
    ]
    kept = kept_source(cells, ("f",))
    assert kept == [["xp = None", "try:"], ["if False:"], ["def f(x):"]]
    assert run_graded(cells, ("f",))["f"](2) == 4


def test_a_name_only_a_loop_defines_is_reported_rather_than_rerunning_the_loop():
    cells = ["for epoch in range(100):\n    W = train_step()", "def f():\n    return W"]
    chosen = slice_cells(cells, ("f",))
    assert chosen.kept == ((), (0,)) and chosen.unbound == ("W",) and chosen.left_out == 1


def test_a_star_import_is_kept_when_a_needed_name_has_no_binding_of_its_own():
    cells = ["from math import *\nfrom os.path import *", "def f():\n    return sqrt(4.0)"]
    assert run_graded(cells, ("f",))["f"]() == 2.0
    assert slice_cells(["from math import *", "def f():\n    return 1"], ("f",)).kept == ((), (0,))


def test_functions_of_the_exercise_and_their_helpers_are_kept_but_not_other_functions():
    cells = [
        "def pad(x):\n    return x\n\ndef conv(x):\n    return pad(x)\n\ndef train():\n    return model.fit(DATA)",
        "DATA = load_everything()",
    ]
    assert slice_cells(cells, ("conv",)).kept == ((0, 1), ())


def test_without_roots_every_statement_runs_as_before():
    assert "None)]" in graded_cells([("In [1]", "x = 1\nprint(x)")]).source
