"""The JUnit XML renderer: scan reports -> one <testcase> per suspect, for CI dashboards.

A suspect found to be a clone is a <failure> (the check "this is not a copy of our game" failed); a suspect
that could not be checked is an <error>; otherwise the test case passes. Like every renderer it reads the
report dicts only. No timestamps or durations are written, so the same reports give the same bytes.

Package-controlled text (file names, app names, reasons quoting them) may hold characters XML 1.0 cannot
carry at all (NUL, most C0 controls, lone surrogates): they are written as visible \\xNN escapes rather than
producing a file CI parsers reject.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

SUITE_NAME = "clonedetect.scan"
CATEGORY_ORDER: tuple[str, ...] = ("icon", "characters", "ui", "text", "rules")
# The characters XML 1.0 forbids, listed directly: the negated form of the allowed ranges is the same set but
# costs ~6-16 ms to compile, on every start-up of the command line (cli_store imports this module).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class JunitRenderer:
    """The report renderer for format 'junit' (see clonedetect.report.Renderer): one report, one case."""

    format = "junit"

    def render(self, report: dict[str, Any]) -> str:
        return render_junit([report])


def render_junit(reports: Sequence[Mapping[str, Any]]) -> str:
    """A JUnit XML document with one test case per report (scan: one report per suspect)."""
    failures = sum(1 for report in reports if _is_clone(report))
    errors = sum(1 for report in reports if report.get("error"))
    counts = {"tests": str(len(reports)), "failures": str(failures), "errors": str(errors), "skipped": "0"}
    root = ET.Element("testsuites", {"name": "clonedetect", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts})
    for report in reports:
        _testcase(suite, report)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, report: Mapping[str, Any]) -> None:
    case = ET.SubElement(suite, "testcase", {"classname": SUITE_NAME, "name": xml_text(_case_name(report))})
    error = report.get("error")
    if error:
        ET.SubElement(case, "error", {"type": "unusable", "message": xml_text(str(error))}).text = xml_text(
            str(error)
        )
        return
    verdict = report.get("verdict", {})
    baseline = _baseline_name(report)
    if _is_clone(report):
        message = f"clone of {baseline}: score {verdict['score']:.2f} >= threshold {verdict['threshold']:.2f}"
        failure = ET.SubElement(case, "failure", {"type": "clone", "message": xml_text(message)})
        failure.text = xml_text(_details(report))
    else:
        ET.SubElement(case, "system-out").text = xml_text(_details(report))


def _is_clone(report: Mapping[str, Any]) -> bool:
    verdict = report.get("verdict")
    return not report.get("error") and isinstance(verdict, Mapping) and bool(verdict.get("clone"))


def _case_name(report: Mapping[str, Any]) -> str:
    scan = report.get("scan")
    if isinstance(scan, Mapping) and scan.get("input"):
        return str(scan["input"])
    suspect = report.get("suspect")
    return str(suspect.get("path", "suspect")) if isinstance(suspect, Mapping) else "suspect"


def _baseline_name(report: Mapping[str, Any]) -> str:
    scan = report.get("scan")
    if isinstance(scan, Mapping) and scan.get("baseline_name"):
        return str(scan["baseline_name"])
    baseline = report.get("baseline")
    return str(baseline.get("path", "the baseline")) if isinstance(baseline, Mapping) else "no baseline"


def _details(report: Mapping[str, Any]) -> str:
    """Plain lines a person reads in the CI view: verdict, category scores, other candidates."""
    verdict = report.get("verdict", {})
    lines = [f"baseline: {_baseline_name(report)}", f"verdict: {verdict.get('reason', '')}"]
    categories = report.get("categories", {})
    for name in sorted(categories, key=lambda c: (CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99, c)):
        entry = categories[name]
        lines.append(
            f"  {name}: {entry['score']:.2f} ({entry['matched']} of {entry['baseline_assets']} "
            f"baseline assets, {entry.get('finding', '')})"
        )
    scan = report.get("scan")
    if isinstance(scan, Mapping):
        for candidate in scan.get("candidates", []):
            compared = (
                f", verdict {candidate['verdict_score']:.2f}"
                if candidate.get("verdict_score") is not None
                else ""
            )
            lines.append(
                f"candidate {candidate['rank']}: {candidate['baseline']} (index estimate "
                f"{candidate['estimate']:.2f}{compared})"
            )
    return "\n".join(lines)


def xml_text(value: str) -> str:
    """`value` with every character XML 1.0 cannot hold written as a visible escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
