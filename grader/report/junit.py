"""`--format junit`: JUnit XML for CI test reporters. One test suite per exercise (per student and exercise in a
batch), one test case per task; a task that did not pass is a `failure` (a wrong answer, a stub, a missing
function, a broken rule) or an `error` (the code raised, crashed or ran out of time), its message the verdict."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.report.plain import clean, exercises_of, task_details

_ERRORS = ("error", "timeout")


def _suite(parent: ET.Element, name: str, exercise: dict, lang: str) -> None:
    tasks = exercise["tasks"]
    failures = sum(t["status"] not in ("passed", *_ERRORS) for t in tasks)
    errors = sum(t["status"] in _ERRORS for t in tasks)
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=name,
        tests=str(len(tasks)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
    )
    properties = ET.SubElement(suite, "properties")
    for key in ("score", "max_score"):
        ET.SubElement(properties, "property", name=key, value=f"{exercise[key]:g}")
    for task in tasks:
        case = ET.SubElement(suite, "testcase", name=task["name"], classname=name.replace("/", "."))
        if task["status"] != "passed":
            kind = "error" if task["status"] in _ERRORS else "failure"
            first_line = clean(task["message"]).split("\n", 1)[0]
            problem = ET.SubElement(case, kind, message=first_line, type=task["status"])
            problem.text = task_details(task, lang)
        elif task.get("note"):  # passed, with a remark that costs no points (a wider dtype)
            ET.SubElement(case, "system-out").text = task_details(task, lang)


def render_junit(reports: list[tuple[str, dict]], lang: str = "en") -> str:
    """`reports`: (prefix, JSON report) pairs; the prefix (a student's name, or "") names the suites."""
    root = ET.Element("testsuites", name="cnn-exercises")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for prefix, data in reports:
        for exercise in exercises_of(data):
            name = f"{prefix}/{exercise['exercise']}" if prefix else exercise["exercise"]
            _suite(root, name, exercise, lang)
    for suite in root:
        for key in totals:
            totals[key] += int(suite.get(key))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
