"""`show()` for Jupyter and Colab: what `grade show` draws, shown inline in the notebook.

Like `check()`, it reads the functions of the cells this kernel has run (`grader.notebook.kernel_cells`, made a
module by `submission.converted_file`), or a submission given by path; the learner's function runs in the
sandboxed worker, never in the kernel. The picture is displayed with IPython's display (no pyplot, whatever
the notebook's `%matplotlib` backend), and the returned `Showed` holds the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.showing.run import Shown


@dataclass(frozen=True, repr=False)
class Showed:
    """What `show()` returns: the status and message, the calls' arrays (`reference`, `yours`; the reference's
    are None in a student release), and the picture as PNG bytes (None when nothing could be drawn)."""

    shown: Shown
    png: bytes | None

    @property
    def status(self):
        return self.shown.status

    @property
    def message(self) -> str:
        return self.shown.message

    @property
    def passed(self) -> bool:
        return self.shown.passed

    @property
    def calls(self) -> list:
        return [row.call for row in self.shown.rows]

    @property
    def reference(self) -> list:
        return [row.expected for row in self.shown.rows]

    @property
    def yours(self) -> list:
        return [row.actual for row in self.shown.rows]

    def __repr__(self) -> str:
        return f"<show {self.shown.exercise} {self.shown.task}: {self.shown.status.value}>"


def show(exercise, task: str, submission=None, *, lang: str | None = None, **options) -> Showed:
    """Run TASK of EXERCISE on the grader's sample image and show your result next to the reference's:
    `show("exercise1", "gaussian_filter")`. Without `submission`, your functions are those of the cells this
    kernel has run (as for `check`); `options` are `timeout` and `memory_mb`."""
    from grader import api
    from grader.i18n import default_language, language
    from grader.notebook import kernel_cells
    from grader.showing import api as showing
    from grader.submission import converted_file

    lang = lang or default_language()
    with language(lang):
        chosen, _task = showing.find_showable(str(exercise), task)
    if submission is None:
        submission = converted_file(chosen.file_name.removesuffix(".py"), kernel_cells(), chosen)
    api.keep_workers_for_process()  # the next show's or check's worker forks from this kernel's zygote
    shown = showing.show_task(chosen.name, task, submission, lang=lang, **options)
    with language(lang):
        print("\n".join(showing.summary(shown)))
        picture = showing.png(shown) if shown.drawable else None
    if picture is not None:
        _display(picture)
    return Showed(shown, picture)


def _display(picture: bytes) -> None:
    try:
        from IPython import display
    except ImportError:  # a plain script: the returned object holds the picture
        return
    display.display(display.Image(data=picture, format="png"))
