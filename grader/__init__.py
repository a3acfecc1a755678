"""An auto-grader for CNN exercises (합성곱, 패딩, 스트라이드, 풀링): property-based, kind, fast.

The library API, for scripts and notebooks::

    from grader import grade
    result = grade("exercise3")            # the learner's exercises/exercise3_*.py
    result = grade(3, submission="path/")  # another copy

and inside a Jupyter or Colab notebook, on the functions of the cells run so far::

    from grader import check
    check("exercise3")                     # shows the report in the notebook
    from grader import show
    show("exercise1", "gaussian_filter")   # your result on a sample image, next to the reference's

This module stays light: the worker process imports the package too.
"""

import time as _time

__all__ = ["check", "grade", "grade_all", "show"]
ENTERED = _time.time()  # when the package was entered: `grader.timings` tells the interpreter's start from it


def __getattr__(name):
    if name == "check":
        from grader import notebook

        return notebook.check
    if name == "show":
        from grader.showing import notebook as showing

        return showing.show
    if name in __all__:
        from grader import api

        return getattr(api, name)
    raise AttributeError(name)
