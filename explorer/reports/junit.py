"""A parity run as JUnit XML, the report format CI systems read: one test case per request.

Built from the ``parity --json`` document (secrets already hidden), like the other reports. A request
with undeclared differences is a ``failure``; one that got no answer or could not be compared is an
``error``; declared differences and noise go to the case's ``system-out``, so they are on record
without failing it. A stale declaration is a failure under ``--strict``, else a line of output.
Setup and teardown steps are cases of their own. Answers are data: any character XML 1.0 cannot
hold (control characters, a lone surrogate) is written as its escape, so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from explorer.runtime.userdata.bounded import escape_character, printable
from explorer.runtime.userdata.outfile import write_outputs

__all__ = ["junit_xml", "write_junit"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_TEXT = 64 * 1024


def _clean(text: Any) -> str:
    value = str(text)
    if len(value) > _MAX_TEXT:
        value = value[:_MAX_TEXT] + "\n… cut"
    return _NOT_XML.sub(lambda m: escape_character(m.group()), printable(value, keep="\t\n\r"))


def _seconds(ms: Any) -> str:
    return f"{ms / 1000:.3f}" if isinstance(ms, (int, float)) and not isinstance(ms, bool) else "0.000"


def _lines(items: Any, key: str = "line") -> list[str]:
    return [str(item.get(key, "")) for item in items or [] if isinstance(item, dict)]


def junit_xml(document: dict[str, Any]) -> bytes:
    """The JUnit XML of one parity document, as UTF-8 bytes with an XML declaration."""
    source = str(document.get("source") or "parity")
    strict = bool((document.get("options") or {}).get("strict"))
    suite_name = f"parity {Path(source).name}"
    suite = ET.Element("testsuite", name=_clean(suite_name), timestamp=_clean(document.get("started_at", "")))
    counts = {"tests": 0, "failures": 0, "errors": 0}

    def case(name: str, classname: str, seconds: str, failure: tuple[str, str, str] | None, out: list[str]) -> None:
        element = ET.SubElement(suite, "testcase", name=_clean(name), classname=_clean(classname), time=seconds)
        counts["tests"] += 1
        if failure is not None:
            tag, message, text = failure
            counts["failures" if tag == "failure" else "errors"] += 1
            child = ET.SubElement(element, tag, message=_clean(message), type=tag)
            child.text = _clean(text)
        if out:
            ET.SubElement(element, "system-out").text = _clean("\n".join(out))

    for step in [*document.get("setup", []), *document.get("teardown", [])]:
        if isinstance(step, dict):
            failed = None if step.get("ok") else ("error", str(step.get("line")), "\n".join(step.get("output", [])))
            case(
                f"{step.get('phase')}: {step.get('name')} ({step.get('framework')})",
                f"{suite_name}.steps",
                "0.000",
                failed,
                list(step.get("output", [])) if step.get("ok") else [],
            )
    for result in document.get("results", []):
        if not isinstance(result, dict):
            continue
        exchanges = result.get("exchanges") or {}
        seconds = _seconds(sum(e.get("elapsed_ms") or 0 for e in exchanges.values() if isinstance(e, dict)))
        differences = _lines(result.get("differences"))
        more = result.get("more_differences")
        if isinstance(more, int) and more > 0:
            differences.append(f"… and {more:,} more differences")
        stale = [
            f"stale declared difference: {d.get('aspect')} {', '.join(d.get('where', []))}: {d.get('reason')}"
            for d in result.get("stale", [])
            if isinstance(d, dict)
        ]
        out = [
            f"declared: {d.get('line')} ({d.get('reason')})" for d in result.get("declared", []) if isinstance(d, dict)
        ]
        out += [f"noise: {line}" for line in _lines(result.get("noise"))]
        logs = result.get("log_tail") or {}
        for framework, printed in logs.items() if isinstance(logs, dict) else ():  # why a 5xx happened
            if isinstance(printed, list):
                out += [f"{framework} log | {line}" for line in printed if isinstance(line, str)]
        failure = None
        if result.get("outcome") == "error":
            failure = ("error", differences[0] if differences else "error", "\n".join(differences))
        elif differences:
            failure = ("failure", differences[0], "\n".join(differences))
        elif stale and strict:
            failure = ("failure", stale[0], "\n".join(stale))
        if not strict or (failure is not None and failure[0] == "error"):
            out += stale
        name = f"{result.get('name')} ({result.get('line')})"
        case(name, f"{suite_name}.requests", seconds, failure, out)
    file_stale = [
        f"stale declared difference (file): {d.get('aspect')} {', '.join(d.get('where', []))}: {d.get('reason')}"
        for d in document.get("stale", [])
        if isinstance(d, dict)
    ]
    if file_stale:
        failure = ("failure", file_stale[0], "\n".join(file_stale)) if strict else None
        case(
            "file-level declared differences", f"{suite_name}.declared", "0.000", failure, [] if strict else file_stale
        )
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("skipped", "0")
    suite.set("time", _seconds(document.get("duration_ms")))
    root = ET.Element(
        "testsuites",
        name="explorer parity",
        tests=str(counts["tests"]),
        failures=str(counts["failures"]),
        errors=str(counts["errors"]),
    )
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_junit(
    document: dict[str, Any], path: str | Path, inputs: Iterable[str | Path | None] = (), force: bool = False
) -> Path:
    """Write the XML safely (:func:`~explorer.runtime.userdata.outfile.write_outputs`): never over an input, nor
    over any file unless ``force``, never into a FIFO, never half a file."""
    return write_outputs([(path, junit_xml(document))], "--junit", inputs, force)[0]
