"""Marking a class: every student (or one shard of them) in parallel marker processes, each report written as
soon as it is known, and the gradebook built from the reports; `merge` builds one from several shards.

Layout of the output folder:

    gradebook.csv            student, points per exercise, total, max, status
    reports/<student>.json   the `grade all --format json` report, plus student, status, hashes and files, and
                             each task's printed output and grids (for the feedback page)
    batch.json               what was marked: exercises, maxima, settings hash, language, shard, students
    marking.log              what the marker processes printed (TensorFlow's start-up chatter, a grader failure)
    feedback/<student>.html  the report as a page to hand back          } `classroom.handback`, from the reports
    scores.csv               points per task, for an LMS import          } and the kept code alone: a merge
    similarity.html          pairs of students whose code is alike       } writes them as one run would
    code/<student>/<exercise>.py  the code each student handed in, as text (never run), which similarity.html
                             compares; a shard keeps its students' so that a merge compares the whole class
"""

from __future__ import annotations

import dataclasses
import functools
import json
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from grader import backends
from grader.classroom import marking as marking_process
from grader.classroom import similarity
from grader.classroom.gradebook import ClassResult, gradebook_csv
from grader.classroom.marking import ERROR, Marker, error_report, settings_hash
from grader.classroom.roster import Student, shard, students
from grader.engine import Options
from grader.errors import GraderError
from grader.i18n import N_, _, default_language, translate
from grader.sandbox.worker import zygote_plans
from grader.spec import Exercise
from grader.storage import write_atomically

GRADEBOOK, MANIFEST, REPORTS = "gradebook.csv", "batch.json", "reports"
_STARTUP_SECONDS = 60.0  # a marker's own start, and TensorFlow's import for a Keras exercise


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def ceiling(exercises: tuple[Exercise, ...], options: Options) -> float:
    """Seconds after which a student's marking counts as stuck: every task and load at its time limit, twice."""
    steps = sum(len(e.tasks) + 1 for e in exercises)
    return 2 * steps * options.timeout + _STARTUP_SECONDS * (1 + sum(e.uses_tensorflow for e in exercises))


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _earlier_report(path: Path, submission: str, settings: str) -> dict | None:
    """The report already in `path` when it was made from the same submission and settings (for --resume)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = report.get("submission_sha256") == submission and report.get("settings_sha256") == settings
    return report if same and report.get("status") != ERROR else None


class _Class:
    """One marking run: the queue of students, the marker slots, and the reports as they arrive."""

    def __init__(self, submissions: Path, out: Path, exercises, options: Options, settings: str, progress):
        self.submissions, self.out, self.exercises = submissions, out, exercises
        self.options, self.settings = options, settings
        self.progress = progress
        self.reports: dict[str, dict] = {}
        self.reused: list[str] = []
        self.lock = threading.Lock()
        self.jobs: queue.Queue = queue.Queue()

    def job(self, student: Student) -> dict:
        return {
            "student": student.name,
            "root": str(student.root),
            "within": [str(folder) for folder in student.within],
            "exercises": [e.name for e in self.exercises],
            "options": dataclasses.asdict(self.options),
        }

    def files(self, student: Student) -> dict[str, str]:
        try:
            return student.files(self.exercises, self.submissions)
        except Exception:  # the report goes on without them (it cannot fail: paths are never resolved)
            return {}

    def record(self, student: Student, report: dict, reused: bool) -> None:
        """Keep the report (write it unless it was reused); one that cannot be written is kept as an `error`."""
        report = dict(report)
        content = report.pop("submission_sha256", "")  # of what the marker read and graded
        report.update(files=self.files(student), submission_sha256=content, settings_sha256=self.settings)
        if not reused:
            try:
                write_atomically(self.out / REPORTS / f"{student.name}.json", _dump(report))
            except (OSError, TypeError, ValueError) as exc:
                why = _("the batch could not write this student's report ({error})").format(error=_error(exc))
                report = {**error_report(student.name, self.exercises, why), "files": report["files"]}
        with self.lock:
            self.reports[student.name] = report
            if reused:
                self.reused.append(student.name)
            if self.progress:
                self.progress(report, reused)

    def mark(self, marker: Marker, student: Student, limit: float) -> dict:
        """The student's report from the marker, or an `error` report saying why there is none."""
        try:
            reply = marker.mark(self.job(student), limit)
            if isinstance(reply, str) and not marker.expired:
                reply = marker.mark(self.job(student), limit)  # once more, in a fresh marker
                if isinstance(reply, str):
                    reply += " (twice)"
        except Exception as exc:  # never lose the student: an error row says what happened
            marker.close()
            reply = f"the batch could not mark this student ({type(exc).__name__}: {exc})"
        return error_report(student.name, self.exercises, reply) if isinstance(reply, str) else reply

    @functools.cached_property
    def zygotes(self) -> list[dict]:
        return zygote_plans(e.banned_imports for e in self.exercises)

    @functools.cached_property
    def shared(self):
        return marking_process.shared_zygote(self.zygotes)

    def marker(self) -> Marker:
        """A marker for this class: its zygotes are started with it (a forked one shares the batch's)."""
        return Marker(self.out / "marking.log", self.zygotes, self.shared)

    def slot(self, marker: Marker) -> None:
        """One marker process, fed students until none is left."""
        limit = ceiling(self.exercises, self.options)
        try:
            while True:
                try:
                    student = self.jobs.get_nowait()
                except queue.Empty:
                    return
                self.record(student, self.mark(marker, student, limit), reused=False)
        finally:
            marker.close()

    def keep_code(self, student: Student) -> None:
        """Keep the student's code for the similarity report; files the roster refuses are not kept (the
        student's report says why)."""
        try:
            similarity.keep_code(self.out, student.name, student.read(self.exercises), write_atomically)
        except Exception:  # never in the way of marking: this student is only left out of the comparison
            similarity.forget_code(self.out, student.name)

    def queue_or_keep(self, student: Student, resume: bool) -> None:
        """With --resume, keep the student's earlier report of the same files and settings; else queue them.
        A student whose files cannot be read (`grader.files` refuses them) gets an `error` row here."""
        if not resume:
            self.jobs.put(student)
            return
        try:
            content = student.content_hash(self.exercises)
        except GraderError as exc:
            self.record(student, error_report(student.name, self.exercises, str(exc)), reused=False)
            return
        except Exception as exc:
            why = _("the batch could not read this student's files ({error})").format(error=_error(exc))
            self.record(student, error_report(student.name, self.exercises, why), reused=False)
            return
        earlier = _earlier_report(self.out / REPORTS / f"{student.name}.json", content, self.settings)
        if earlier is not None:
            self.record(student, earlier, reused=True)
        else:
            self.jobs.put(student)


def mark_class(
    submissions: Path,
    out: Path,
    exercises: tuple[Exercise, ...],
    options: Options,
    *,
    jobs: int = 1,
    resume: bool = False,
    share: tuple[int, int] | None = None,
    progress: Callable[[dict, bool], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ClassResult:
    """Mark every student under `submissions` (or the `share` = (K, N) shard of them) into `out`."""
    if jobs < 1:
        raise GraderError(_("--jobs {jobs} must be at least 1").format(jobs=jobs))
    backends.check_request(options.backend)
    roster = students(submissions)
    if share is not None:
        roster = shard(roster, *share)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError(_("cannot write into {out}: {error}").format(out=out, error=exc.strerror)) from None
    settings = settings_hash(exercises, options)
    marking = _Class(submissions, out, exercises, options, settings, progress)
    # Without --resume every student is marked: the markers start now (forked before any thread of ours runs,
    # the progress bar's included), and their zygotes import while the code is kept.
    markers = [] if resume else [marking.marker() for _ in range(min(jobs, len(roster)))]
    comparison = None
    try:
        for marker in markers:
            marker.start()
        if markers and marking.shared is not None:
            marking.shared.hand_over()  # the markers have it: it ends when they do
        if on_start:
            on_start(len(roster))
        for student in roster:
            marking.keep_code(student)
        comparison = _comparison(out, roster, exercises)
        for student in roster:
            marking.queue_or_keep(student, resume)
        markers += [marking.marker() for _ in range(min(jobs, marking.jobs.qsize()) - len(markers))]
        slots = [threading.Thread(target=marking.slot, args=(m,), daemon=True) for m in markers[: marking.jobs.qsize()]]
        for thread in slots:
            thread.start()
        for thread in slots:
            thread.join()
    except BaseException:
        if comparison is not None:
            comparison.close()
        raise
    finally:
        for marker in markers:
            marker.close()
        if "shared" in vars(marking) and marking.shared is not None:
            marking.shared.close()  # the markers let go of it: it has ended, or ends now
    result = ClassResult(
        exercises=tuple(e.name for e in exercises),
        maxima={e.name: e.max_score for e in exercises},
        settings_sha256=settings,
        reports=tuple(marking.reports.get(s.name) or _lost(s, exercises) for s in roster),
        shard=share,
        reused=tuple(sorted(marking.reused)),
    )
    write_class(out, result, options.lang, comparison)
    return result


def _comparison(out: Path, roster, exercises) -> similarity.Comparison | None:
    """The class's code comparison, started now to run while the class is marked (None if it cannot start: it
    is tried again once the class is marked, and the marks never wait for it)."""
    try:
        return similarity.Comparison(out, [s.name for s in roster], exercises)
    except Exception:
        return None


def _lost(student: Student, exercises: tuple[Exercise, ...]) -> dict:
    """The row of a student whose report never arrived (a bug of the batch's own): an error, never a gap."""
    return error_report(student.name, exercises, _("the batch lost this student's report; please report it"))


def write_class(
    out: Path, result: ClassResult, lang: str | None = None, comparison: similarity.Comparison | None = None
) -> None:
    """The gradebook, the manifest and what is handed back (feedback pages, scores, similarity; the reports are
    written as they come). `lang`: the reports' language, which the pages' fixed words follow; `comparison`:
    the class's code comparison, started while it was marked."""
    lang = lang or default_language()
    write_atomically(out / GRADEBOOK, gradebook_csv(result))
    manifest = {
        "exercises": list(result.exercises),
        "maxima": result.maxima,
        "settings_sha256": result.settings_sha256,
        "lang": lang,
        "shard": None if result.shard is None else f"{result.shard[0]}/{result.shard[1]}",
        "students": [r["student"] for r in result.reports],
    }
    write_atomically(out / MANIFEST, _dump(manifest))
    from grader.classroom.handback import write_handback  # the pages' code: not before the markers are forked

    write_handback(out, result, lang, write_atomically, comparison)


def write_formats(out: Path, result: ClassResult, fmt: str, lang: str) -> list[Path]:
    """The extra files `--format` asks for: `junit.xml` for the class, or a Gradescope `results.json` a student."""
    written = []
    if fmt == "junit":
        from grader.report.junit import render_junit

        path = out / "junit.xml"
        write_atomically(path, render_junit([(r["student"], r) for r in result.reports], lang))
        written.append(path)
    elif fmt == "gradescope":
        from grader.report.gradescope import render_gradescope

        for report in result.reports:
            path = out / "gradescope" / report["student"] / "results.json"
            write_atomically(path, render_gradescope(report, lang))
        written.append(out / "gradescope")
    return written


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraderError(
            _("cannot read {what} {path}: {error}").format(what=translate(what), path=path, error=exc.strerror)
        ) from None
    except ValueError:
        raise GraderError(_("{what} {path} is not valid JSON").format(what=translate(what), path=path)) from None


def merge(folders: tuple[Path, ...], out: Path, lang: str | None = None) -> ClassResult:
    """One class from the outputs of several shards: they must be marked alike and share no student. The pages
    handed back speak the shards' language (`lang` only for shards that do not say theirs)."""
    if not folders:
        raise GraderError(_("merge needs at least one folder written by grade batch"))
    seen: dict[Path, Path] = {}
    for folder in folders:
        earlier = seen.setdefault(folder.resolve(), folder)
        if earlier is not folder:
            also = "" if str(earlier) == str(folder) else _(" (as {earlier} and as {folder})")
            raise GraderError(
                _("the shard folder {earlier} was given twice{also}: give each shard's output folder once").format(
                    earlier=earlier, also=also.format(earlier=earlier, folder=folder)
                )
            )
    manifests = [_read_json(folder / MANIFEST, N_("the batch manifest")) for folder in folders]
    first = manifests[0]
    for folder, manifest in zip(folders, manifests, strict=True):
        if (manifest["exercises"], manifest["settings_sha256"]) != (first["exercises"], first["settings_sha256"]):
            raise GraderError(
                _(
                    "{folder} was marked with other exercises or settings than {first}: a merged gradebook would "
                    "be unfair; mark every shard with the same options and grader"
                ).format(folder=folder, first=folders[0])
            )
    by_shard: dict[str, Path] = {}
    for folder, manifest in zip(folders, manifests, strict=True):
        other = by_shard.setdefault(manifest["shard"], folder) if manifest["shard"] else folder
        if other is not folder:
            raise GraderError(
                _("shard {shard} was given twice, in {other} and in {folder}").format(
                    shard=manifest["shard"], other=other, folder=folder
                )
            )
    shards = {m["shard"] for m in manifests}
    if None not in shards:
        total = int(next(iter(shards)).split("/")[1])
        missing = sorted(set(range(1, total + 1)) - {int(s.split("/")[0]) for s in shards})
        if missing:
            raise GraderError(
                _("shard(s) {shards} missing from the merge").format(shards=", ".join(f"{k}/{total}" for k in missing))
            )
    reports: dict[str, dict] = {}
    for folder, manifest in zip(folders, manifests, strict=True):
        for name in manifest["students"]:
            if name in reports:
                raise GraderError(_("student {name} is in more than one of the merged folders").format(name=repr(name)))
            report = _read_json(folder / REPORTS / f"{name}.json", N_("the report"))
            reports[name] = report
            if folder.resolve() != out.resolve():
                write_atomically(out / REPORTS / f"{name}.json", _dump(report))
                similarity.copy_code(folder, out, name)
    result = ClassResult(
        exercises=tuple(first["exercises"]),
        maxima=first["maxima"],
        settings_sha256=first["settings_sha256"],
        reports=tuple(reports[name] for name in sorted(reports)),
    )
    write_class(out, result, first.get("lang") or lang)  # settings_sha256 says the shards share one language
    return result
