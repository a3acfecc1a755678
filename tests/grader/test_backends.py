"""--backend: which devices the Keras exercise is graded on, decided from what the worker's TensorFlow has."""

from __future__ import annotations

import pytest

from grader import backends
from grader.backends import BackendUnavailable


@pytest.mark.parametrize(
    ("requested", "present", "graded"),
    [
        ("cpu", ("cpu", "gpu"), ("cpu",)),
        ("auto", ("cpu", "gpu"), ("cpu", "gpu")),
        ("auto", ("cpu",), ("cpu",)),
        ("gpu", ("cpu", "gpu"), ("gpu",)),
    ],
)
def test_the_devices_graded_on(requested, present, graded):
    assert backends.resolve(requested, present) == graded


def test_gpu_where_tensorflow_has_none_is_refused_with_a_way_out():
    with pytest.raises(BackendUnavailable, match=r"finds no GPU.*--backend cpu"):
        backends.resolve("gpu", ("cpu",))


def test_gpu_on_a_machine_without_nvidia_devices_is_refused_before_tensorflow_is_imported(monkeypatch):
    monkeypatch.setattr(backends, "nvidia_present", lambda: False)
    with pytest.raises(BackendUnavailable, match="no NVIDIA GPU"):
        backends.check_request("gpu")
    backends.check_request("auto")
    assert not backends.worker_may_use_gpu("auto")


def test_the_worker_keeps_the_callers_gpu_choice_while_the_grader_hides_its_own(monkeypatch):
    from grader.sandbox.worker import _environment

    monkeypatch.setattr(backends, "_CALLERS_CUDA_DEVICES", "1")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")  # what the grader set for its own TensorFlow
    assert _environment("/tmp", gpu=True)["CUDA_VISIBLE_DEVICES"] == "1"
    assert _environment("/tmp", gpu=False)["CUDA_VISIBLE_DEVICES"] == "-1"
