"""Showing inputs and outputs to people: short, exact enough to reproduce, with shapes and dtypes."""

from __future__ import annotations

import numpy as np

from grader.sandbox.codec import Foreign


def show(value) -> str:
    """A readable rendering of one value; arrays with their shape and dtype on the first line."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, suppress_small=False, threshold=200, separator=", ")
        return f"array shape={value.shape} dtype={value.dtype}\n{body}"
    if isinstance(value, Foreign):
        return repr(value)
    if isinstance(value, np.generic):
        return f"numpy.{type(value).__name__}({value!r})"
    return repr(value)


def show_brief(value) -> str:
    """One short token for a call line: arrays as <shape dtype>."""
    if isinstance(value, np.ndarray):
        return f"<{value.dtype} array {value.shape}>"
    return repr(value)


def show_call(name: str, bound: dict) -> str:
    return f"{name}(" + ", ".join(f"{k}={show_brief(v)}" for k, v in bound.items()) + ")"
