"""See what your code does (issue 21): `grade show EXERCISE TASK` and a notebook's `show(...)` run the learner's
function on a sample image bundled with the package and draw its result next to the reference's.

It owns the sample image (`sample`), running a task's shown calls (`run`: in the sandboxed worker exactly as
grading does, the reference in the grader's process, the grading's statuses and messages), the kinds of picture
and their drawing (`kinds`, through `grader.report.figures`: matplotlib only here, never in the learner's
process), and what a command or a notebook gets (`api`: a PNG, a self-contained HTML page, a text summary;
`notebook`: `show()`). It may import the engine, the sandbox, the catalogue and `grader.report.figures`; nothing
of the grading imports it. What a task shows is declared with the task (`spec.Showing`, in `grader/catalog/`).

The package is `grader.showing`, not `grader.show`: `from grader import show` is the notebook's function, and
a subpackage of that name would shadow it once imported.
"""
