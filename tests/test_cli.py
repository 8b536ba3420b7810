"""The command-line layer on its own: argument handling, Settings, exit codes, error lines, output routing.

This is a legitimate unit test of the CLI layer: `clonedetect.pipeline` is replaced by a stand-in module
whose analyse()/compare() return hand-made Analysis/Comparison objects, so each test controls exactly what
the analysis "found" (or how it fails) and checks only what the CLI does with it. The real pipeline is
exercised end to end in tests/test_cli_e2e.py.
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import clonedetect
from clonedetect import cli
from clonedetect.errors import InputError, UsageError
from clonedetect.model import (
    Analysis,
    AnalysisWarning,
    Category,
    CategoryScore,
    Comparison,
    Difference,
    Facts,
    Match,
    Package,
    PackageFormat,
    Verdict,
)
from clonedetect.settings import Limits, Settings


def _package(path: Path, name: str) -> Package:
    return Package(
        source=str(path),
        sha256="ab" * 32,
        size=10,
        format=PackageFormat.APK,
        app_name=name,
        package_id="com.x",
    )


@dataclass
class FakePipeline:
    """Records what the CLI asked for and answers with hand-made results."""

    clone: bool = True
    fail_with: BaseException | None = None
    analysed: list[tuple[Path, Settings]] = field(default_factory=list)
    compared: int = 0

    def analyse(self, path: Path, settings: Settings) -> Analysis:
        self.analysed.append((path, settings))
        if self.fail_with is not None:
            raise self.fail_with
        return Analysis(
            package=_package(path, path.stem), facts=Facts(), prints=(), timings=(("unpack", 0.01),)
        )

    def compare(self, baseline: Analysis, suspect: Analysis, settings: Settings) -> Comparison:
        self.compared += 1
        score = 0.95 if self.clone else 0.05
        icon = CategoryScore(
            Category.ICON, score, 1, 1, (Match(Category.ICON, "icon.png", "icon.png", 1.0, "sha256"),)
        )
        return Comparison(
            baseline=baseline.package,
            suspect=suspect.package,
            categories=(icon,),
            verdict=Verdict(score, score >= settings.thresholds.clone, settings.thresholds.clone, "the icon"),
            differences=(Difference("app_name", baseline.package.app_name, suspect.package.app_name),),
            warnings=(AnalysisWarning("res/x.png", "unreadable"),),
            timings=(("baseline.unpack", 0.01), ("match", 0.02)),
        )


@pytest.fixture
def pipeline(monkeypatch: pytest.MonkeyPatch) -> FakePipeline:
    fake = FakePipeline()
    module = types.ModuleType("clonedetect.pipeline")
    module.analyse = fake.analyse  # type: ignore[attr-defined]
    module.compare = fake.compare  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "clonedetect.pipeline", module)
    monkeypatch.setattr(clonedetect, "pipeline", module, raising=False)
    for name in [name for name in os.environ if name.startswith("CLONEDETECT_LIMIT_")]:
        monkeypatch.delenv(name)
    return fake


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    original, suspect = tmp_path / "original.apk", tmp_path / "suspect.apk"
    original.write_bytes(b"PK\x03\x04original")
    suspect.write_bytes(b"PK\x03\x04suspect")
    return original, suspect


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*args: str | Path) -> tuple[int, str, str]:
        code = cli.run([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("clonedetect: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_clone_exits_1_and_prints_the_comparison(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    code, out, err = run("compare", *inputs)
    assert code == 1
    assert err == ""
    assert "CLONE: score 0.95 >= threshold 0.50. the icon" in out
    assert "Comparison by category" in out and "Differences" in out and "1 warning:" in out
    assert [path for path, _ in pipeline.analysed] == list(inputs)
    assert pipeline.compared == 1


def test_no_clone_exits_0(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    pipeline.clone = False
    code, out, _ = run("compare", *inputs)
    assert code == 0
    assert "not a clone: score 0.05 < threshold 0.50." in out


def test_threshold_reaches_settings(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    code, out, _ = run("compare", *inputs, "--threshold", "0.99")
    assert code == 0  # 0.95 is below the raised threshold
    assert pipeline.analysed[0][1].thresholds.clone == 0.99
    assert "threshold 0.99" in out


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "abc"])
def test_threshold_outside_0_1_is_bad_usage(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, value: str
) -> None:
    code, out, err = run("compare", *inputs, "--threshold", value)
    assert code == 2
    assert "threshold" in _one_error_line(err)
    assert out == "" and pipeline.analysed == []


def test_json_file_holds_the_report(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    code, out, _ = run("compare", *inputs, "--json", target)
    assert code == 1
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["schema_version"] == 1
    assert report["command"] == ["clonedetect", "compare", *map(str, inputs), "--json", str(target)]
    assert report["baseline"]["path"] == "original.apk"
    assert set(report["categories"]) == {"icon", "characters", "ui", "text", "rules"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["generated_at"])
    assert "CLONE" in out
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary file left behind


def test_json_to_stdout_keeps_stdout_pure_json(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    code, out, err = run("compare", *inputs, "--json", "-")
    assert code == 1
    assert json.loads(out)["verdict"]["clone"] is True
    assert "CLONE" in err  # the human view moved to stderr


def test_reproducible_runs_are_byte_identical(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    first = run("compare", *inputs, "--reproducible", "--json", "-")[1]
    second = run("compare", *inputs, "--reproducible", "--json", "-")[1]
    assert first == second
    assert json.loads(first)["generated_at"] == "1970-01-01T00:00:00Z"
    assert json.loads(first)["settings"]["reproducible"] is True


def test_quiet_prints_one_line(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    code, out, _ = run("compare", *inputs, "-q")
    assert code == 1
    assert out.splitlines() == ["CLONE: score 0.95 >= threshold 0.50. the icon"]


def test_quiet_and_verbose_conflict(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    code, _, err = run("compare", *inputs, "-q", "-v")
    assert code == 2
    assert "--quiet and --verbose" in _one_error_line(err)


def test_timings_only_when_asked(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    assert "Timings" not in run("compare", *inputs)[1]
    code, out, _ = run("compare", *inputs, "--timings")
    assert code == 1 and "Timings" in out and "baseline.unpack" in out


def test_missing_input_is_one_line_before_any_analysis(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.apk"
    code, out, err = run("compare", inputs[0], missing)
    assert code == 2
    assert _one_error_line(err) == f"clonedetect: error: {missing}: no such file or directory"
    assert out == "" and pipeline.analysed == []


def test_unusable_input_is_one_line(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    pipeline.fail_with = InputError("original.apk: not a package (no zip, plist or folder)")
    code, _, err = run("compare", *inputs)
    assert code == 2
    assert _one_error_line(err) == "clonedetect: error: original.apk: not a package (no zip, plist or folder)"


def test_error_message_from_hostile_names_stays_one_line(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    pipeline.fail_with = InputError("evil\nname\x1b[2J.apk: bad")
    code, _, err = run("compare", *inputs)
    assert code == 2
    assert _one_error_line(err) == "clonedetect: error: evil name\\x1b[2J.apk: bad"


def test_internal_error_is_exit_2_without_traceback(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    """A crash proves neither innocence (0) nor copying (1)."""
    pipeline.fail_with = ZeroDivisionError("division by zero")
    code, out, err = run("compare", *inputs)
    assert code == 2
    line = _one_error_line(err)
    assert "internal error: ZeroDivisionError: division by zero" in line
    assert "--debug" in line
    assert out == ""


def test_debug_shows_the_traceback(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    pipeline.fail_with = ZeroDivisionError("division by zero")
    code, _, err = run("compare", *inputs, "--debug")
    assert code == 2
    assert "Traceback" in err and "ZeroDivisionError" in err
    assert err.splitlines()[-1].startswith("clonedetect: error: internal error")


def test_closed_output_is_exit_2_with_one_line(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run
) -> None:
    pipeline.fail_with = BrokenPipeError()
    code, _, err = run("compare", *inputs)
    assert code == 2
    assert "broken pipe" in _one_error_line(err)


def test_interrupt_is_130(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    pipeline.fail_with = KeyboardInterrupt()
    code, _, _ = run("compare", *inputs)
    assert code == 130


def test_limits_from_command_line_override_environment(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLONEDETECT_LIMIT_MAX_ENTRIES", "50")
    monkeypatch.setenv("CLONEDETECT_LIMIT_MAX_PIXELS", "999")
    code, _, _ = run("compare", *inputs, "--limit", "max-pixels=1000", "--limit", "max_ratio=50.5", "-j", "2")
    assert code == 1
    settings = pipeline.analysed[0][1]
    assert settings.limits.max_entries == 50
    assert settings.limits.max_pixels == 1000
    assert settings.limits.max_ratio == 50.5
    assert settings.limits.max_text_bytes == Limits().max_text_bytes
    assert settings.jobs == 2


@pytest.mark.parametrize("bad", ["max_pixels", "max_pixels=lots", "max_pixels=-1", "no_such_limit=1"])
def test_bad_limit_is_bad_usage(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, bad: str
) -> None:
    code, _, err = run("compare", *inputs, "--limit", bad)
    assert code == 2
    assert "limit" in _one_error_line(err)
    assert pipeline.analysed == []


def test_jobs_must_be_positive(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    code, _, err = run("compare", *inputs, "--jobs", "0")
    assert code == 2
    assert "--jobs" in _one_error_line(err)


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--bogus"],
        ["compare"],
        ["compare", "only-one.apk"],
        ["frobnicate"],
        [],
    ],
)
def test_click_usage_errors_are_one_line_exit_2(pipeline: FakePipeline, run: Run, args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert "--help" in _one_error_line(err)
    assert out == ""


def test_group_without_command_shows_its_help(run: Run) -> None:
    code, out, err = run("baseline")
    assert code == 2 and out == ""
    assert err.startswith("Usage: clonedetect baseline") and "Commands:" in err


def test_every_command_is_registered_with_an_example(run: Run) -> None:
    for command in ("compare", "inspect", "scan", "exhibit", "notice"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out, command


def test_json_never_overwrites_an_input(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    before = inputs[1].read_bytes()
    code, _, err = run("compare", *inputs, "--json", inputs[1])
    assert code == 2
    assert "would overwrite the input" in _one_error_line(err)
    assert inputs[1].read_bytes() == before
    assert pipeline.analysed == []


def test_unwritable_json_target_is_one_line(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    code, _, err = run("compare", *inputs, "--json", tmp_path / "missing-dir" / "r.json")
    assert code == 2
    assert "cannot write" in _one_error_line(err)


def test_version_and_help(run: Run) -> None:
    code, out, _ = run("--version")
    assert code == 0 and out == f"clonedetect {clonedetect.__version__}\n"
    for args in (["--help"], ["compare", "--help"], ["inspect", "--help"], ["compare", "-h"]):
        code, out, _ = run(*args)
        assert code == 0, args
        assert "Example" in out, args
    assert "--threshold" in run("compare", "--help")[1]


def test_inspect_prints_tables_and_json(pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run) -> None:
    code, out, err = run("inspect", inputs[0])
    assert code == 0 and err == ""
    assert "Package" in out and "original" in out and "Assets: 0" in out
    code, out, _ = run("inspect", inputs[0], "--json")
    assert code == 0
    inspection = json.loads(out)
    assert inspection["package"]["path"] == "original.apk"
    assert inspection["assets"]["total"] == 0


def test_inspect_missing_package(pipeline: FakePipeline, run: Run, tmp_path: Path) -> None:
    code, _, err = run("inspect", tmp_path / "gone.ipa")
    assert code == 2
    assert "no such file or directory" in _one_error_line(err)


def test_build_settings_directly() -> None:
    settings = cli.build_settings(
        threshold=0.7,
        limits=["MAX_DEPTH=8"],
        jobs=3,
        reproducible=True,
        environ={"CLONEDETECT_LIMIT_MAX_NESTING": "1"},
    )
    assert settings.thresholds.clone == 0.7
    assert settings.limits.max_depth == 8 and settings.limits.max_nesting == 1
    assert settings.jobs == 3 and settings.reproducible
    with pytest.raises(UsageError):
        cli.build_settings(threshold=1.0001, limits=[], jobs=1, reproducible=False, environ={})
    assert (
        cli.build_settings(threshold=0.0, limits=[], jobs=1, reproducible=False, environ={}).thresholds.clone
        == 0.0
    )


def test_an_unwritable_exhibit_is_one_clear_line(
    pipeline: FakePipeline, inputs: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    assert run("compare", *inputs, "--json", report)[0] == 1
    code, _, err = run("exhibit", report, "-o", report / "e.html")  # a file cannot hold a file
    assert code == 2
    line = _one_error_line(err)
    assert "internal error" not in line and "report.json" in line
