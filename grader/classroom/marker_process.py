"""The first steps of a marker process (`python -m grader.classroom.marker_process`): the zygotes of the class's
exercises are started before anything heavy is imported, so that theirs and the marker's own imports overlap
(the zygote, not the marker, is what the first student waits for); then `marking._serve` takes jobs.

The batch, which knows the exercises, computes each shared confinement (`worker.zygote_plans`) and hands them
over in the environment (`ZYGOTES`); the marker forks every worker from them, as it would from zygotes it
started on its first job (started on first use otherwise, or not at all where zygotes are off).
"""

from __future__ import annotations

import json
import os

from grader.sandbox import zygote
from grader.sandbox.confinement import Common

ZYGOTES = "GRADE_MARKER_ZYGOTES"


def main() -> None:
    try:
        plans = json.loads(os.environ.pop(ZYGOTES, "") or "[]")
    except ValueError:  # started by hand with something else there: the zygotes start on first use
        plans = []
    with zygote.kept() as kept:
        if zygote.current() is kept:
            for plan in plans:
                kept.prestart(Common.from_plain(plan), plan["environment"])
        from grader.classroom import marking

        marking._serve()


if __name__ == "__main__":
    main()
