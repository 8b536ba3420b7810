"""Scan results -> reports -> JUnit XML, and the scan exit codes, on hand-made results (no packages)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from clonedetect.model import Category, CategoryScore, Comparison, Package, PackageFormat, Verdict
from clonedetect.report.junit import JunitRenderer, render_junit, xml_text
from clonedetect.scan import (
    EXIT_CLONE,
    EXIT_ERROR,
    EXIT_NO_CLONE,
    NO_CANDIDATE_REASON,
    BaselineComparison,
    ScanResult,
    SuspectResult,
    scan_reports,
)
from clonedetect.settings import Settings
from clonedetect.store import Candidate

SETTINGS = Settings(reproducible=True)


def package(name: str) -> Package:
    return Package(
        source=f"/downloads/{name}",
        sha256=name.encode().hex().ljust(64, "0"),
        size=1,
        format=PackageFormat.APK,
    )


def compared(suspect: str, baseline: str, score: float) -> SuspectResult:
    verdict = Verdict(score, score >= 0.5, 0.5, f"Score {score:.2f}.")
    comparison = Comparison(
        baseline=package(f"{baseline}.apk"),
        suspect=package(suspect),
        categories=(CategoryScore(Category.ICON, score, 4, 4 if score else 0),),
        verdict=verdict,
        differences=(),
        warnings=(),
    )
    candidate = Candidate(
        baseline=baseline,
        package_row=1,
        estimate=score,
        score=score,
        matched=10,
        assets=10,
        exact=10,
        near=0,
        fuzzy=0,
    )
    return SuspectResult(
        path=f"downloads/{suspect}",
        sha256="ab" * 32,
        package=comparison.suspect,
        candidates=(candidate,),
        comparisons=(BaselineComparison(baseline, candidate, comparison),),
    )


def reports(*results: SuspectResult) -> list[dict[str, object]]:
    return scan_reports(ScanResult(results), SETTINGS, command=["clonedetect", "scan"], generated_at="now")


def test_exit_codes() -> None:
    clone, innocent = compared("a.apk", "Legend", 0.9), compared("b.apk", "Legend", 0.1)
    broken = SuspectResult(path="c.apk", error="c.apk: not a readable zip archive")
    assert ScanResult((innocent,)).exit_code == EXIT_NO_CLONE
    assert ScanResult((innocent, clone, broken)).exit_code == EXIT_CLONE
    # a suspect that could not be checked has not been shown innocent
    assert ScanResult((innocent, broken)).exit_code == EXIT_ERROR


def test_reports_for_a_clone_an_unmatched_suspect_and_an_error() -> None:
    unmatched = SuspectResult(path="downloads/x.apk", sha256="cd" * 32, package=package("x.apk"))
    broken = SuspectResult(path="downloads/c.apk", error="c.apk: not a readable zip archive")
    clone, alone, error = reports(compared("a.apk", "Legend", 0.9), unmatched, broken)
    assert clone["schema_version"] == 1 and clone["verdict"]["clone"] is True  # type: ignore[index]
    assert clone["scan"]["baseline_name"] == "Legend"  # type: ignore[index]
    assert clone["scan"]["candidates"][0]["verdict_score"] == 0.9  # type: ignore[index]
    assert clone["generated_at"] == "1970-01-01T00:00:00Z"  # --reproducible pins it
    assert alone["baseline"] is None and alone["verdict"]["reason"] == NO_CANDIDATE_REASON  # type: ignore[index]
    assert set(alone["categories"]) >= {"icon", "characters", "ui", "text", "rules"}  # type: ignore[arg-type]
    assert error["error"] == "c.apk: not a readable zip archive" and "verdict" not in error
    assert error["suspect"] == {"path": "c.apk", "sha256": ""}


def test_junit_has_one_case_per_suspect_with_failures_and_errors() -> None:
    hostile = SuspectResult(path="downloads/\x00evil\x1b[31m.apk", error="bad \udcff name")
    document = render_junit(
        reports(compared("a.apk", "Legend", 0.9), compared("b.apk", "Farm", 0.1), hostile)
    )
    root = ET.fromstring(document)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    first, second, third = suite.findall("testcase")
    failure = first.find("failure")
    assert failure is not None and failure.get("message") == "clone of Legend: score 0.90 >= threshold 0.50"
    assert "icon: 0.90 (4 of 4 baseline assets" in (failure.text or "")
    assert second.find("failure") is None and "baseline: Farm" in (second.findtext("system-out") or "")
    assert third.get("name") == "downloads/\\x00evil\\x1b[31m.apk"  # escaped, not dropped, not invalid XML
    assert third.find("error") is not None
    assert render_junit(reports(compared("a.apk", "Legend", 0.9))) == render_junit(
        reports(compared("a.apk", "Legend", 0.9))
    )


def test_junit_renderer_takes_a_single_compare_report() -> None:
    (report,) = reports(compared("a.apk", "Legend", 0.2))
    del report["scan"]
    root = ET.fromstring(JunitRenderer().render(report))
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "a.apk" and case.find("failure") is None


def test_xml_text_keeps_what_xml_can_hold() -> None:
    assert xml_text("龙之传说 tab\tnew\nline") == "龙之传说 tab\tnew\nline"
    assert xml_text("\x07\ufffe") == "\\x07\\xfffe"
