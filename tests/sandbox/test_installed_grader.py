"""A grader installed from a wheel (a Gradescope image, a student's pip install) lives in site-packages, where
numpy and the sandbox's own packages live too: the learner's process must keep that folder on its path (taking
it off, as it takes a source checkout's folder off, left it without numpy, landlockpy and pyseccomp: every call
ended its process and the sandbox was reported missing). Measured with benchmarks/gradescope_kit.py install."""

from __future__ import annotations

import site

from grader.sandbox import worker


def test_a_source_checkout_is_put_on_the_learners_path_and_taken_off_again(tmp_path):
    assert worker._learner_package_root() == worker._PACKAGE_ROOT  # these tests run from the checkout
    assert worker._environment(str(tmp_path), gpu=False)["PYTHONPATH"].split(":")[0] == worker._PACKAGE_ROOT


def test_an_installed_grader_leaves_site_packages_where_the_interpreter_put_it(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "getsitepackages", lambda: [worker._PACKAGE_ROOT])
    assert worker._learner_package_root() is None
    assert worker._PACKAGE_ROOT not in worker._environment(str(tmp_path), gpu=False)["PYTHONPATH"].split(":")
