"""`show()` in a notebook: the picture goes to IPython's display, and the returned object holds the arrays."""

from __future__ import annotations

import numpy as np
import pytest

from grader import show
from grader.results import Status
from tests.conftest import SOLUTIONS
from tests.showing.conftest import SOBEL_X, correlated, grey, mistake


@pytest.fixture
def displayed(monkeypatch):
    display = pytest.importorskip("IPython.display")
    shown = []
    monkeypatch.setattr(display, "display", shown.append)
    return shown


def test_show_displays_the_picture_and_returns_the_arrays(displayed, capsys):
    showed = show("exercise1", "convolve2d", submission=SOLUTIONS, lang="en")

    assert len(displayed) == 1 and displayed[0].data.startswith(b"\x89PNG")
    assert displayed[0].data == showed.png
    assert showed.status is Status.PASSED and "convolve2d: passed" in capsys.readouterr().out
    np.testing.assert_allclose(showed.yours[0], correlated(grey(), SOBEL_X[::-1, ::-1]))
    np.testing.assert_allclose(showed.reference[0], showed.yours[0])


def test_show_of_a_wrong_function_displays_it_and_says_it_fails(displayed, tmp_path):
    showed = show("exercise1", "correlate2d", submission=mistake(tmp_path, "exercise1_convolution", "kernel_flipped"))

    assert showed.status is Status.FAILED and len(displayed) == 1
    np.testing.assert_allclose(showed.yours[0], -showed.reference[0])  # Sobel x flipped is minus Sobel x


def test_show_of_a_task_without_a_picture_is_refused_before_anything_runs(displayed):
    from grader.errors import GraderError

    with pytest.raises(GraderError, match="has no picture"):
        show("exercise2", "padding_amounts", submission=SOLUTIONS, lang="en")
    assert displayed == []


def test_show_without_a_submission_reads_the_cells_the_kernel_ran(displayed, monkeypatch):
    from grader import notebook

    cells = [
        ("In [1]", "import numpy as np\n%matplotlib inline"),
        ("In [2]", "def correlate2d(image, kernel):\n    return np.zeros((2, 2))"),
        ("In [3]", 'from grader import show\nshow("exercise1", "correlate2d")'),
    ]
    monkeypatch.setattr(notebook, "kernel_cells", lambda: cells)
    showed = show("exercise1", "correlate2d", lang="en")

    assert showed.status is Status.FAILED and "shape" in showed.message
    np.testing.assert_array_equal(showed.yours[0], np.zeros((2, 2)))
    assert len(displayed) == 1  # a wrong shape is still drawn, without a difference
