"""The real command line on the real sample packages: `python -m clonedetect` in a subprocess, exactly as a
user or a CI job runs it, through every stage (unpack, extract, fingerprint, match, score, report).

The samples (samples/original.apk, repack.apk, unrelated.apk, original.ipa, repack.ipa, listing-original/,
listing-knockoff/) are built by samples/build.py with the real Android/iOS packaging tools. What each one
must produce is the specification of the tool as a whole:
- the private-server repack is a clone: exit 1, every court category >= 0.9, and the differences name the
  changed app name, package id, signer, server endpoint and price;
- an unrelated game is not: exit 0 with a verdict score below 0.2;
- IPAs and store-listing folders are inputs like APKs;
- a file that is no package at all is exit 2 with one line on stderr and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
COURT_CATEGORIES = ("icon", "characters", "ui", "text", "rules")
RUN_TIMEOUT_S = 300


@dataclass(frozen=True)
class Completed:
    code: int
    out: str
    err: str

    def report(self) -> dict[str, Any]:
        return json.loads(self.out)


def clonedetect(*args: str | Path) -> Completed:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "clonedetect", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Completed(proc.returncode, proc.stdout, proc.stderr)


def compare_json(original: str, suspect: str) -> Completed:
    return clonedetect("compare", SAMPLES / original, SAMPLES / suspect, "--json", "-", "--reproducible")


@dataclass(frozen=True)
class FileRun:
    """A compare whose JSON went to a file, so stdout holds the console view (as in a CI log)."""

    result: Completed
    json_bytes: bytes
    args: tuple[str, ...]
    target: Path

    def report(self) -> dict[str, Any]:
        return json.loads(self.json_bytes)


def compare_to_file(original: str, suspect: str, target: Path, *extra: str) -> FileRun:
    args = ("compare", str(SAMPLES / original), str(SAMPLES / suspect), "--json", str(target), *extra)
    result = clonedetect(*args)
    return FileRun(result, target.read_bytes() if target.exists() else b"", args, target)


@pytest.fixture(scope="module")
def repack(tmp_path_factory: pytest.TempPathFactory) -> FileRun:
    target = tmp_path_factory.mktemp("repack") / "report.json"
    return compare_to_file("original.apk", "repack.apk", target, "--reproducible", "--timings")


@pytest.fixture(scope="module")
def unrelated(tmp_path_factory: pytest.TempPathFactory) -> FileRun:
    target = tmp_path_factory.mktemp("unrelated") / "report.json"
    return compare_to_file("original.apk", "unrelated.apk", target, "-q")


def test_repack_is_a_clone_in_every_category(repack: FileRun) -> None:
    assert repack.result.code == 1, repack.result.err
    report = repack.report()
    assert report["verdict"]["clone"] is True
    for category in COURT_CATEGORIES:
        assert report["categories"][category]["score"] >= 0.9, (category, report["categories"][category])
        assert report["categories"][category]["matches"], category


def test_repack_differences_name_what_the_pirate_changed(repack: FileRun) -> None:
    fields = {difference["field"] for difference in repack.report()["differences"]}
    assert fields >= {"app_name", "package_id", "signer", "endpoint", "price"}, fields


def test_repack_report_identifies_both_packages(repack: FileRun) -> None:
    report = repack.report()
    assert report["schema_version"] == 1
    assert report["generated_at"] == "1970-01-01T00:00:00Z"
    assert report["command"] == ["clonedetect", *repack.args]
    assert (report["baseline"]["path"], report["suspect"]["path"]) == ("original.apk", "repack.apk")
    assert report["baseline"]["format"] == report["suspect"]["format"] == "apk"
    assert report["baseline"]["package_id"] != report["suspect"]["package_id"]
    assert report["baseline"]["signers"] and report["suspect"]["signers"]


def test_console_output_without_a_terminal(repack: FileRun) -> None:
    out = repack.result.out
    assert "\x1b[" not in out  # a pipe is not a terminal: no colour codes in CI logs
    for expected in ("Comparison by category", "CLONE: score", "Differences", "Timings"):
        assert expected in out, expected
    assert repack.result.err == ""


def test_two_runs_give_byte_identical_json(repack: FileRun) -> None:
    """Same inputs, same settings, same command line: the same bytes."""
    again = clonedetect(*repack.args)
    assert again.code == repack.result.code
    assert repack.target.read_bytes() == repack.json_bytes


def test_unrelated_game_is_not_a_clone(unrelated: FileRun) -> None:
    assert unrelated.result.code == 0, unrelated.result.err
    report = unrelated.report()
    assert report["verdict"]["clone"] is False
    assert report["verdict"]["score"] < 0.2


def test_quiet_prints_only_the_verdict(unrelated: FileRun) -> None:
    lines = unrelated.result.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("not a clone: score ")


def test_ipa_inputs() -> None:
    result = compare_json("original.ipa", "repack.ipa")
    assert result.code == 1, result.err
    report = result.report()
    assert report["baseline"]["format"] == report["suspect"]["format"] == "ipa"
    assert report["baseline"]["app_name"]


def test_store_listing_folders() -> None:
    result = compare_json("listing-original", "listing-knockoff")
    assert result.code in (0, 1), result.err
    report = result.report()
    assert report["baseline"]["format"] == report["suspect"]["format"] == "listing"
    assert (report["baseline"]["path"], report["suspect"]["path"]) == ("listing-original", "listing-knockoff")
    assert report["verdict"]["clone"] is (result.code == 1)
    assert set(report["categories"]) >= set(COURT_CATEGORIES)


def test_text_file_is_unusable_input(tmp_path: Path) -> None:
    notes, other = tmp_path / "notes.txt", tmp_path / "other.txt"
    notes.write_text("not a game package\n", encoding="utf-8")
    other.write_text("nor is this\n", encoding="utf-8")
    result = clonedetect("compare", notes, other)
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("clonedetect: error: "), result.err
    assert "internal error" not in lines[0]  # recognised as unusable input, not a crash
    assert "notes.txt" in lines[0]
    assert result.out == ""


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such.apk"
    result = clonedetect("compare", missing, tmp_path / "also-missing.apk")
    assert result.code == 2
    assert result.err.splitlines() == [f"clonedetect: error: {missing}: no such file or directory"]


def test_inspect_the_original() -> None:
    result = clonedetect("inspect", SAMPLES / "original.apk", "--json")
    assert result.code == 0, result.err
    inspection = result.report()
    assert inspection["package"]["package_id"]
    assert inspection["assets"]["total"] > 0
    assert inspection["icons"]
    assert inspection["strings"]["count"] > 0


def test_version_and_help() -> None:
    version = clonedetect("--version")
    assert version.code == 0 and version.out.startswith("clonedetect ")
    help_text = clonedetect("compare", "--help")
    assert help_text.code == 0 and "Example" in help_text.out
