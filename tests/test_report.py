"""The report stage: Comparison -> report dict (the schema_version 1 contract) -> JSON bytes / console text.

The Comparison objects are made by hand: this tests the report layer on its own, with values chosen to
exercise sorting, rounding, de-duplication, hostile names and wide CJK text.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import re
from dataclasses import replace
from enum import IntEnum, StrEnum
from pathlib import Path
from types import MappingProxyType

import pytest
from rich.cells import cell_len
from rich.console import Console

import clonedetect
from clonedetect.model import (
    Analysis,
    AnalysisWarning,
    Asset,
    AssetKind,
    Category,
    CategoryScore,
    Comparison,
    Difference,
    Entry,
    Facts,
    Fingerprint,
    LocalisedText,
    Match,
    Package,
    PackageFormat,
    Print,
    Signer,
    Table,
    Verdict,
)
from clonedetect.report import RENDERERS, build_inspection, build_report, render_json, utc_timestamp
from clonedetect.report.console import (
    make_console,
    printable,
    render_console,
    render_inspection,
    render_timings,
    verdict_line,
)
from clonedetect.report.model import REPRODUCIBLE_TIMESTAMP, SCHEMA_VERSION, reported_thumbnails, stable
from clonedetect.report.thumbnails import exhibit_thumbnail_keys, significant_matches
from clonedetect.settings import Settings, Thresholds

GOLDEN = Path(__file__).parent / "golden" / "report.json"
COMMAND = ["clonedetect", "compare", "original.apk", "repack.apk", "--json", "report.json"]
WHEN = "2024-05-01T12:00:00Z"
# a real 1x1 PNG: the smallest thumbnail a report can carry
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _package(source: str, name: str, package_id: str, signer_subject: str, *, fmt: PackageFormat) -> Package:
    return Package(
        source=source,
        sha256=("ab" if "original" in source else "cd") * 32,
        size=123_456,
        format=fmt,
        app_name=name,
        app_names=(("zh-rTW", name + "（繁）"), ("", name)),  # deliberately unsorted
        package_id=package_id,
        version_name="1.4.2",
        version_code="142",
        signers=(
            Signer("v2", signer_subject, "11" * 32, "RSA"),
            Signer("v1", signer_subject, "11" * 32, "RSA"),
        ),
        icon_entries=("res/mipmap-xxhdpi/ic_launcher.png", "res/mipmap-hdpi/ic_launcher.png"),
        entries=(
            Entry("AndroidManifest.xml", 2048, 900, "00" * 32),
            Entry("res/mipmap-hdpi/ic_launcher.png", 4096, 4096, "01" * 32),
            Entry("assets/db/shop.csv", 512, 200, "02" * 32),
        ),
    )


def sample_comparison(*, clone: bool = True) -> Comparison:
    icon_matches = (
        Match(
            Category.ICON,
            "res/mipmap-xxhdpi/ic_launcher.png",
            "res/mipmap-xxhdpi/ic_launcher.png",
            0.96874999,
            "phash",
            ("scaled", "recoloured"),  # unsorted on purpose
            "phash distance 2/64",
        ),
        Match(Category.ICON, "res/mipmap-hdpi/ic_launcher.png", "res/drawable/icon.png", 1.0, "sha256"),
    )
    character_matches = (
        Match(
            Category.CHARACTERS,
            "assets/sprites/rat.png",
            "assets/img/mouse.png",
            0.912345678,
            "orb",
            ("mirrored",),
        ),
    )
    text_matches = (
        Match(
            Category.TEXT,
            "assets/strings.json#hero.name@zh-CN",
            "assets/lang.json#hero@zh-TW",
            0.9,
            "normalised-text",
            ("traditional",),
            "OpenCC s2t equal",
            0.25,
        ),
    )
    categories = (
        CategoryScore(Category.ICON, 0.984375, 2, 2, icon_matches),
        CategoryScore(Category.CHARACTERS, 0.3333333333, 3, 1, character_matches),
        CategoryScore(Category.UI, 0.0, 4, 0),
        CategoryScore(Category.TEXT, 0.123456789, 8, 1, text_matches),
        # rules left out on purpose: the report must still list it ('not present')
        CategoryScore(Category.AUDIO, -1e-9, 1, 0),  # rounding noise must not print as -0.0
    )
    return Comparison(
        baseline=_package(
            "/home/analyst/cases/original.apk",
            "像素地牢",
            "com.studio.pixel",
            "CN=Studio",
            fmt=PackageFormat.APK,
        ),
        suspect=_package(
            "/tmp/downloads/repack.apk",
            "像素地牢 私服",
            "com.pirate.pixel",
            "CN=Android Debug",
            fmt=PackageFormat.APK,
        ),
        categories=categories,
        verdict=Verdict(
            0.6666666667 if clone else 0.1,
            clone,
            0.5,
            "3 of 5 categories reappear; the icon is identical.",
            pattern="copied",
            identical=("icon",),
            similar=("characters", "text"),
        ),
        differences=(
            Difference("price", "6", "1", "assets/db/shop.csv row 钻石 column price"),
            Difference("app_name", "像素地牢", "像素地牢 私服"),
            Difference("endpoint", "https://api.studio.example", "http://203.0.113.7:8080"),
            Difference("app_name", "像素地牢", "像素地牢 私服"),  # duplicate: reported once
        ),
        warnings=(
            AnalysisWarning("res/raw/broken.png", "not a PNG: bad signature"),
            AnalysisWarning("assets/a.json", "nesting deeper than 64"),
            AnalysisWarning("res/raw/broken.png", "not a PNG: bad signature"),
        ),
        timings=(("baseline.unpack", 0.5), ("match", 1.25)),
        baseline_facts=Facts(endpoints=("https://api.studio.example",), sdks=("payment:Alipay",)),
        suspect_facts=Facts(endpoints=("http://203.0.113.7:8080",)),
        thumbnails=(
            ("baseline:res/mipmap-xxhdpi/ic_launcher.png", PNG),
            ("suspect:res/mipmap-xxhdpi/ic_launcher.png", PNG),
            ("baseline:assets/not-matched.png", PNG),  # not shown in any exhibit: must not travel
        ),
        texts=(
            ("baseline:assets/strings.json#hero.name@zh-CN", "龙骑士"),
            ("suspect:assets/lang.json#hero@zh-TW", "龍騎士"),
        ),
    )


def _report(settings: Settings | None = None, comparison: Comparison | None = None) -> dict:
    return build_report(
        comparison or sample_comparison(), settings or Settings(), command=COMMAND, generated_at=WHEN
    )


def test_report_carries_the_shown_thumbnails_and_the_matched_strings() -> None:
    report = _report()
    assert set(report["thumbnails"]) == {
        "baseline:res/mipmap-xxhdpi/ic_launcher.png",
        "suspect:res/mipmap-xxhdpi/ic_launcher.png",
    }
    assert set(report["thumbnails"]) <= set(exhibit_thumbnail_keys(report))
    assert base64.b64decode(report["thumbnails"]["baseline:res/mipmap-xxhdpi/ic_launcher.png"]) == PNG
    text = report["categories"]["text"]["matches"][0]
    assert (text["baseline_text"], text["suspect_text"]) == ("龙骑士", "龍騎士")
    assert "baseline_text" not in report["categories"]["icon"]["matches"][0]
    assert report["suspect"]["endpoints"] == ["http://203.0.113.7:8080"]
    assert report["baseline"]["sdks"] == ["payment:Alipay"]


def test_reported_thumbnails_are_the_ones_the_report_carries() -> None:
    """What the comparison cache keeps (reported_thumbnails) is exactly what build_report puts in."""
    comparison = sample_comparison()
    kept = reported_thumbnails(comparison)
    assert sorted(key for key, _ in kept) == sorted(_report()["thumbnails"])
    assert _report(comparison=replace(comparison, thumbnails=kept)) == _report()


def test_the_most_significant_matches_are_the_first_of_the_full_order() -> None:
    """significant_matches(category, n) picks n without sorting all: the same n as sorting all."""
    matches = [
        {"baseline": f"b{n % 7}", "suspect": f"s{n}", "similarity": (n * 37 % 11) / 10, "method": method}
        for n, method in zip(range(60), ["phash", "sha256", "pixels", "orb"] * 15, strict=True)
    ]
    category = {"matches": matches}
    for limit in (0, 1, 5, 24, 59, 60, 100):
        assert significant_matches(category, limit) == significant_matches(category)[:limit]


class Kind(StrEnum):
    ICON = "icon"


class Level(IntEnum):
    HIGH = 3


def test_stable_copies_exact_types_fast_and_others_by_the_general_rules() -> None:
    value = {
        "a": [1, "x", None, True, 0.123456, -1e-9, (2.000049, "t")],
        Kind.ICON: Kind.ICON,  # a str subclass key becomes its text; the value is kept as it is
        "level": Level.HIGH,
        "view": MappingProxyType({"f": 0.33333}),  # any Mapping becomes a dict
        "nan": math.nan,
    }
    copied = stable(value)
    assert copied["a"] == [1, "x", None, True, 0.1235, 0.0, [2.0, "t"]]
    assert str(copied["a"][5]) == "0.0"  # not -0.0
    assert list(copied) == ["a", "icon", "level", "view", "nan"]
    assert {type(key) for key in copied} == {str}
    assert copied["icon"] is Kind.ICON and copied["level"] is Level.HIGH
    assert copied["view"] == {"f": 0.3333} and type(copied["view"]) is dict
    assert math.isnan(copied["nan"])
    with pytest.raises(TypeError, match="set"):
        stable({"a": {1, 2}})


def test_render_timings_prints_each_stage_and_the_total() -> None:
    console, buffer = _console()
    render_timings((("cache.hash", 0.001), ("comparison.cache", 0.25), ("report", 0.5)), console)
    out = buffer.getvalue()
    assert "report" in out and "0.500" in out and "0.751" in out


def test_report_has_every_contract_field() -> None:
    report = _report()
    assert report["schema_version"] == SCHEMA_VERSION == 1
    assert report["tool"] == {"name": "clonedetect", "version": clonedetect.__version__}
    assert report["settings"] == Settings().as_dict()
    assert set(report) >= {
        "schema_version",
        "tool",
        "settings",
        "baseline",
        "suspect",
        "verdict",
        "categories",
        "differences",
        "warnings",
        "generated_at",
        "command",
    }
    assert report["verdict"] == {
        "score": 0.6667,
        "clone": True,
        "threshold": 0.5,
        "reason": "3 of 5 categories reappear; the icon is identical.",
        "pattern": "copied",
        "identical": ["icon"],
        "similar": ["characters", "text"],
    }
    assert report["generated_at"] == WHEN
    assert report["command"] == COMMAND


def test_package_summary_uses_file_name_and_sorted_metadata() -> None:
    baseline = _report()["baseline"]
    assert baseline["path"] == "original.apk"  # never the analyst's absolute path
    assert baseline["format"] == "apk"
    assert baseline["app_name"] == "像素地牢"
    assert baseline["app_names"] == [
        {"locale": "", "name": "像素地牢"},
        {"locale": "zh-rTW", "name": "像素地牢（繁）"},
    ]
    assert (baseline["version"], baseline["version_code"]) == ("1.4.2", "142")
    assert [s["scheme"] for s in baseline["signers"]] == ["v1", "v2"]
    assert baseline["signers"][0] == {
        "scheme": "v1",
        "subject": "CN=Studio",
        "sha256": "11" * 32,
        "key_algorithm": "RSA",
    }
    assert baseline["icons"] == ["res/mipmap-hdpi/ic_launcher.png", "res/mipmap-xxhdpi/ic_launcher.png"]
    assert baseline["entries"] == 3
    assert baseline["size"] == 123_456


def test_categories_always_include_the_five_court_categories() -> None:
    categories = _report()["categories"]
    assert set(categories) == {"icon", "characters", "ui", "text", "rules", "audio"}
    assert categories["rules"] == {
        "score": 0.0,
        "baseline_assets": 0,
        "matched": 0,
        "finding": "not present",
        "matches": [],
    }
    assert [categories[name]["finding"] for name in ("icon", "characters", "ui", "text")] == [
        "identical",
        "similar",
        "different",
        "different",
    ]
    assert categories["characters"]["score"] == 0.3333
    assert categories["text"]["score"] == 0.1235


def test_matches_are_all_listed_sorted_and_rounded() -> None:
    icon = _report()["categories"]["icon"]
    assert [m["baseline"] for m in icon["matches"]] == [
        "res/mipmap-hdpi/ic_launcher.png",
        "res/mipmap-xxhdpi/ic_launcher.png",
    ]
    assert icon["matches"][1] == {
        "baseline": "res/mipmap-xxhdpi/ic_launcher.png",
        "suspect": "res/mipmap-xxhdpi/ic_launcher.png",
        "similarity": 0.9687,
        "method": "phash",
        "transforms": ["recoloured", "scaled"],
        "evidence": "phash distance 2/64",
        "weight": 1.0,
    }
    assert _report()["categories"]["text"]["matches"][0]["weight"] == 0.25


def test_differences_and_warnings_are_sorted_and_deduplicated() -> None:
    report = _report()
    assert [d["field"] for d in report["differences"]] == ["app_name", "endpoint", "price"]
    assert report["differences"][2] == {
        "field": "price",
        "baseline": "6",
        "suspect": "1",
        "where": "assets/db/shop.csv row 钻石 column price",
    }
    assert report["warnings"] == [
        {"path": "assets/a.json", "message": "nesting deeper than 64"},
        {"path": "res/raw/broken.png", "message": "not a PNG: bad signature"},
    ]


def test_reproducible_pins_the_only_clock_field() -> None:
    report = _report(Settings(reproducible=True))
    assert report["generated_at"] == REPRODUCIBLE_TIMESTAMP == "1970-01-01T00:00:00Z"
    assert report["settings"]["reproducible"] is True


def test_timings_never_enter_the_report_body() -> None:
    text = render_json(_report())
    assert "timings" not in text
    assert "baseline.unpack" not in text


def test_render_json_is_stable_readable_and_newline_terminated() -> None:
    first = render_json(_report())
    second = render_json(_report())
    assert first == second
    assert first.endswith("}\n") and not first.endswith("\n\n")
    assert "像素地牢" in first  # ensure_ascii=False: evidence stays readable
    assert "-0.0" not in first
    assert json.loads(first)["categories"]["audio"]["score"] == 0.0
    keys = re.findall(r'^  "([a-z_]+)":', first, flags=re.MULTILINE)
    assert keys == sorted(keys)


def test_render_json_does_not_depend_on_insertion_order() -> None:
    report = _report()
    reordered = dict(reversed(list(report.items())))
    assert render_json(reordered) == render_json(report)


def test_render_json_refuses_non_finite_numbers() -> None:
    broken = sample_comparison()
    broken = Comparison(
        broken.baseline,
        broken.suspect,
        broken.categories,
        Verdict(float("nan"), False, 0.5, "bug"),
        broken.differences,
        broken.warnings,
    )
    with pytest.raises(ValueError):
        render_json(_report(comparison=broken))


def test_json_renderer_is_registered() -> None:
    assert RENDERERS["json"].format == "json"
    assert RENDERERS["json"].render(_report()) == render_json(_report())


def test_golden_report() -> None:
    """The whole JSON contract, byte for byte. CLONEDETECT_REGENERATE=1 rewrites the golden file after an
    intended change; review its diff like code. The tool version is normalised: it depends on installation."""
    report = _report(Settings(reproducible=True))
    report["tool"]["version"] = "<version>"
    text = render_json(report)
    if os.environ.get("CLONEDETECT_REGENERATE") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_utc_timestamp_format() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_timestamp())


# --- console ---------------------------------------------------------------------------------------


def _console(width: int = 100) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, highlight=False, emoji=False, markup=False), buffer


def test_console_shows_side_by_side_categories_verdict_and_differences() -> None:
    console, buffer = _console()
    render_console(_report(), console)
    out = buffer.getvalue()
    assert "\x1b" not in out  # not a terminal: no colour codes
    for expected in ("original", "suspect", "com.studio.pixel", "com.pirate.pixel", "CN=Android Debug"):
        assert expected in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 5}
    assert "2 / 2" in rows["icon"] and "identical" in rows["icon"] and "0.98" in rows["icon"]
    assert "1 / 3" in rows["characters"] and "similar" in rows["characters"]
    assert "not present" in rows["rules"]
    assert "CLONE: score 0.67 >= threshold 0.50. 3 of 5 categories reappear" in out
    assert "http://203.0.113.7:8080" in out
    assert "钻石" in out
    assert "Timings" not in out


def test_console_quiet_prints_only_the_verdict_line() -> None:
    console, buffer = _console()
    render_console(_report(comparison=sample_comparison(clone=False)), console, quiet=True)
    assert buffer.getvalue().splitlines() == [
        "not a clone: score 0.10 < threshold 0.50. 3 of 5 categories reappear; the icon is identical."
    ]


def test_verdict_line_uses_the_report_threshold() -> None:
    report = _report(Settings(thresholds=Thresholds(clone=0.8)))
    # the verdict's own threshold is what scoring used; the line shows it as reported
    assert verdict_line(report).startswith("CLONE: score 0.67 >= threshold 0.50.")


def test_console_warnings_are_counted_and_truncated_unless_verbose() -> None:
    many = tuple(AnalysisWarning(f"res/raw/{index:02d}.png", "truncated") for index in range(15))
    base = sample_comparison()
    comparison = Comparison(base.baseline, base.suspect, base.categories, base.verdict, (), many)
    console, buffer = _console()
    render_console(_report(comparison=comparison), console, warnings_shown=10)
    out = buffer.getvalue()
    assert "15 warnings:" in out
    assert "res/raw/09.png" in out and "res/raw/10.png" not in out
    assert "... and 5 more (use -v to see all)" in out
    assert "No differences" in out
    console, buffer = _console()
    render_console(_report(comparison=comparison), console, verbose=True)
    assert "res/raw/14.png" in buffer.getvalue() and "more" not in buffer.getvalue()


def test_console_differences_are_capped_per_field_unless_verbose() -> None:
    """A reskin changes hundreds of prices: each field keeps a few rows, so the signer row stays in sight."""
    prices = tuple(Difference("price", str(100 + n), str(50 + n), f"shop.csv row {n:02d}") for n in range(40))
    signer = (Difference("signer", "CN=Studio", "CN=Pirate"),)
    base = sample_comparison()
    comparison = Comparison(base.baseline, base.suspect, base.categories, base.verdict, prices + signer, ())
    console, buffer = _console(width=160)
    render_console(_report(comparison=comparison), console)
    out = buffer.getvalue()
    assert "shop.csv row 04" in out and "shop.csv row 05" not in out
    assert "CN=Pirate" in out
    assert "... and 35 more (35 price; use -v to see all)" in out
    console, buffer = _console(width=160)
    render_console(_report(comparison=comparison), console, verbose=True)
    assert "shop.csv row 39" in buffer.getvalue() and "more" not in buffer.getvalue()


def test_console_timings_table_when_asked() -> None:
    console, buffer = _console()
    render_console(_report(), console, timings=(("baseline.unpack", 0.5), ("match", 1.25)))
    out = buffer.getvalue()
    assert "Timings" in out
    assert "baseline.unpack" in out and "0.500" in out
    assert "1.750" in out  # total


def test_console_escapes_hostile_names() -> None:
    """Pirates choose app names: no terminal escape, rich markup or direction override may pass through."""
    hostile = "\x1b[2J[bold red]免费[/] \u202egpj.exe :smile:"
    base = sample_comparison()
    suspect = _package("x.apk", hostile, "com.x", "CN=x", fmt=PackageFormat.APK)
    comparison = Comparison(base.baseline, suspect, base.categories, base.verdict, base.differences, ())
    console, buffer = _console(width=160)
    render_console(_report(comparison=comparison), console)
    out = buffer.getvalue()
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J[bold red]免费[/] \\u202egpj.exe :smile:" in out
    assert printable("a\nb\tc") == "a\\x0ab\\x09c"
    assert printable("x" * 400).endswith("… (+100 chars)")


def test_wide_cjk_text_keeps_the_table_aligned() -> None:
    long_name = "像素地牢：无尽的地下城冒险与宝藏猎人的传说" * 3
    base = sample_comparison()
    suspect = _package("x.apk", long_name, "com.x", "CN=x", fmt=PackageFormat.APK)
    comparison = Comparison(
        base.baseline,
        suspect,
        base.categories,
        base.verdict,
        (Difference("app_name", "像素地牢", long_name),),
        (),
    )
    console, buffer = _console(width=80)
    render_console(_report(comparison=comparison), console)
    lines = buffer.getvalue().splitlines()
    tables: list[list[str]] = [[]]
    for line in lines:
        if line[:1] in "┏┃┡│└":
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [table for table in tables if table]
    assert len(tables) == 3  # packages, categories, differences
    for table in tables:
        # every line of one table has the same display width: the borders line up despite wide characters
        assert len({cell_len(line) for line in table}) == 1
        assert cell_len(table[0]) <= 80
    # folded, not cut: every character of the name is still printed
    folded = "".join(line.replace("│", "").replace(" ", "") for line in lines)
    assert long_name in folded


def test_make_console_has_no_colour_and_a_log_width_without_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    buffer = io.StringIO()
    console = make_console(buffer)
    assert not console.is_terminal
    assert console.color_system is None
    assert console.width == 120


# --- inspection ------------------------------------------------------------------------------------


def _print(path: str, kind: AssetKind, category: Category, **extra: object) -> Print:
    asset = Asset(
        path=path,
        entry=path.split("#")[0],
        kind=kind,
        category=category,
        media_type="image/png" if kind is AssetKind.IMAGE else "text/plain",
        sha256="ee" * 32,
        size=10,
        found_by="test",
        key=str(extra.get("key", "")),
        locale=str(extra.get("locale", "")),
        text=str(extra.get("text", "")),
        table=extra.get("table"),  # type: ignore[arg-type]
    )
    return Print(asset, (Fingerprint("sha256", 1, asset.sha256),), width=48, height=48)


def sample_analysis() -> Analysis:
    prints = [
        _print("res/mipmap-hdpi/ic_launcher.png", AssetKind.IMAGE, Category.ICON),
        *(_print(f"assets/sprites/m{i:02d}.png", AssetKind.IMAGE, Category.CHARACTERS) for i in range(7)),
        _print("assets/ui/button.png", AssetKind.IMAGE, Category.UI),
        _print("s.json#hello", AssetKind.TEXT, Category.TEXT, key="hello", text="Hello"),
        _print("s.json#hello@zh-CN", AssetKind.TEXT, Category.TEXT, key="hello", locale="zh-CN", text="你好"),
        _print(
            "db/shop.csv",
            AssetKind.TABLE,
            Category.RULES,
            key="shop",
            table=Table(("item", "price"), (("钻石", 6), ("金币", 1)), "item"),
        ),
    ]
    package = Package(
        "game.apk",
        "aa" * 32,
        1000,
        PackageFormat.APK,
        app_name="像素地牢",
        package_id="com.studio.pixel",
        resource_strings=(LocalisedText("app_name", "", "像素地牢"),),
    )
    return Analysis(
        package=package,
        facts=Facts(endpoints=("https://b.example", "https://a.example"), sdks=("alipay",)),
        prints=tuple(reversed(prints)),
        warnings=(AnalysisWarning("res/raw/x.png", "bad"),),
    )


def test_build_inspection_counts_and_samples() -> None:
    inspection = build_inspection(sample_analysis(), samples=5)
    assert inspection["package"]["app_name"] == "像素地牢"
    assert inspection["assets"] == {
        "total": 12,
        "by_kind": {"image": 9, "table": 1, "text": 2},
        "by_category": {"characters": 7, "icon": 1, "rules": 1, "text": 2, "ui": 1},
    }
    assert [icon["path"] for icon in inspection["icons"]] == ["res/mipmap-hdpi/ic_launcher.png"]
    assert inspection["images"]["characters"]["count"] == 7
    assert [i["path"] for i in inspection["images"]["characters"]["first"]] == [
        f"assets/sprites/m{i:02d}.png" for i in range(5)
    ]
    assert inspection["strings"]["count"] == 2
    assert inspection["strings"]["locales"]["default"] == {
        "count": 1,
        "samples": [{"key": "hello", "text": "Hello"}],
    }
    assert inspection["tables"] == [
        {"name": "shop", "path": "db/shop.csv", "columns": ["item", "price"], "rows": 2, "key_column": "item"}
    ]
    assert inspection["package"]["endpoints"] == ["https://a.example", "https://b.example"]
    assert inspection["package"]["sdks"] == ["alipay"]
    assert inspection["warnings"] == [{"path": "res/raw/x.png", "message": "bad"}]
    assert render_json(inspection) == render_json(build_inspection(sample_analysis(), samples=5))


def test_render_inspection_prints_every_section() -> None:
    console, buffer = _console(width=120)
    render_inspection(build_inspection(sample_analysis()), console)
    out = buffer.getvalue()
    for expected in (
        "com.studio.pixel",
        "Assets: 12",
        "Icons",
        "48x48",
        "Images by role",
        "assets/sprites/m04.png",
        "Strings: 2",
        "你好",
        "Tables",
        "item, price",
        "https://a.example",
        "alipay",
        "1 warning:",
    ):
        assert expected in out, expected
    assert "assets/sprites/m05.png" not in out
