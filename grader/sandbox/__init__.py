"""The boundary between the grader and the learner's code: everything that runs a submission lives here.

Learner code is untrusted: it may hang, crash, exit, allocate without end, print, import what it must not,
or try to cheat. It runs only in a worker process (`learner`), started and watched by the grader's side
(`worker`) as a fresh interpreter or forked from a kept `zygote` (a confined process that has imported numpy
and forks each worker in milliseconds), and split at start into a trusted guardian (`guardian`: the process
tree and its memory) and the learner's process, which confines itself before loading the file
(`confinement`: resource limits, Landlock for files, signals and TCP, a seccomp filter for other processes and
sockets). Its HOME is its scratch folder, given only matplotlib's font lists (`home`). What crosses back is
plain data (`codec`), never a pickle. The threat model (what each layer stops, on which kernels, and what a
report says where one is missing) is docs/threat-model.md.

This package imports nothing from the rest of the grader except `i18n`, `backends`, `spec` and
`keras_observe` (on the learner's side); the learner's process imports only `learner` and what it needs.
"""
