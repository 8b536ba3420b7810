"""The HTML exhibit: golden structure (parsed, not pixels), both languages, thumbnails, hostile values,
determinism, the report's own SHA-256, and the `exhibit` command. Browser and PDF checks are in
test_exhibit_browser.py."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from test_exhibit_sample import (
    COMMAND,
    ORIGINAL_CERT,
    ORIGINAL_SHA,
    SUSPECT_CERT,
    SUSPECT_SHA,
    Node,
    cells,
    parse_html,
    sample_report,
    sample_thumbnails,
    with_thumbnails,
)
from typer.testing import CliRunner

import clonedetect.match
from clonedetect.cli_exhibit import exhibit_command, notice_command
from clonedetect.errors import InputError
from clonedetect.report.html import (
    MAX_IMAGE_PAIRS,
    build_exhibit_view,
    css_string,
    encode_thumbnails,
    exhibit_thumbnail_keys,
    marked_pair,
    render_exhibit_html,
    report_sha256,
    thumbnails_from_report,
    visible,
    write_exhibit,
)
from clonedetect.report.json_report import render_json
from clonedetect.report.labels import Lang, all_tables, labels_for
from clonedetect.report.pdf import EPOCH_PDF_DATE, pdf_date, pin_pdf_dates

CATEGORY_NAMES = {
    Lang.ZH: ["图标", "角色", "界面", "规则", "文本"],
    Lang.EN: ["Icon", "Characters", "Interface", "Rules", "Text"],
}


def page(report: dict[str, Any] | None = None, lang: Lang = Lang.ZH, thumbs: bool = True) -> Node:
    html = render_exhibit_html(report or sample_report(), lang, sample_thumbnails() if thumbs else None)
    return parse_html(html)


def rows(table: Node) -> list[Node]:
    return table.find("tbody").find_all("tr")


# ------------------------------------------------------------------------------------- structure


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_sections_come_in_the_exhibit_order_with_translated_headings(lang: Lang) -> None:
    labels = labels_for(lang)
    body = page(lang=lang).find("body")
    sections = [s for s in body.elements() if s.tag == "section"]
    assert [s.attrs["id"] for s in sections] == ["summary", "pairs", "text-rules", "evidence"]
    headings = [s.find("h2").text() for s in sections]
    assert headings == [
        labels["section_summary"],
        labels["section_pairs"],
        labels["section_text_rules"],
        labels["section_evidence"],
    ]
    assert body.find("h1").text() == labels["exhibit_title"]
    html_tag = parse_html(render_exhibit_html(sample_report(), lang)).find("html")
    assert html_tag.attrs["lang"] == ("zh-CN" if lang is Lang.ZH else "en")


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_summary_table_follows_the_courts_order(lang: Lang) -> None:
    labels = labels_for(lang)
    table = page(lang=lang).find("table", id="summary-table")
    assert cells(table.find("thead").find("tr")) == [
        labels["category"],
        labels["original"],
        labels["suspect"],
        labels["finding"],
        labels["score"],
    ]
    body = rows(table)
    assert [r.attrs["data-category"] for r in body] == ["icon", "characters", "ui", "rules", "text"]
    assert [cells(r)[0] for r in body] == CATEGORY_NAMES[lang]
    icon = cells(body[0])
    assert icon[1] == labels["assets_count"].format(count=3)
    assert icon[2] == labels["found_count"].format(count=3)
    assert icon[3] == labels.finding("identical")
    assert icon[4] == "98.8%"
    verdict = page(lang=lang).find(id="verdict")
    assert labels["verdict_clone"] in verdict.text()
    assert "96.3%" in verdict.text()


def test_the_verdict_reason_is_said_in_the_exhibits_language() -> None:
    """The JSON's reason is one English sentence for CI logs; the exhibit says the same finding in its own
    language from the pattern and categories the verdict records, and falls back to the sentence for a
    report that records none."""
    report = sample_report()
    report["verdict"] |= {"pattern": "copied", "identical": ["icon", "characters"], "similar": ["text"]}
    assert (
        build_exhibit_view(report, Lang.ZH).verdict_reason
        == "在被诉作品中重现：相同：图标、角色；近似：文本。"
    )
    assert build_exhibit_view(report, Lang.EN).verdict_reason == (
        "Found again in the suspect: identical: Icon, Characters; similar: Text."
    )
    report["verdict"] |= {"pattern": "icon-only", "identical": ["icon"], "similar": []}
    assert build_exhibit_view(report, Lang.ZH).verdict_reason.startswith("仅图标被复制（相同：图标）")
    report["verdict"] |= {"pattern": "no such pattern", "reason": "Score 0.10 is below the threshold."}
    assert build_exhibit_view(report, Lang.ZH).verdict_reason == "Score 0.10 is below the threshold."


def test_differences_are_listed_in_the_courts_order_with_changes_marked() -> None:
    table = page(lang=Lang.EN).find("table", id="differences-table")
    body = rows(table)
    assert [r.attrs["data-field"] for r in body] == [
        "app_name",
        "package_id",
        "signer",
        "price",
        "price",
        "zone",
        "payment_sdk",
        "endpoint",
        "endpoint",
    ]
    diamonds = body[3]
    assert cells(diamonds) == ["Virtual currency price", "6", "3", "assets/db/shop.csv row 钻石 column price"]
    assert [m.text() for m in diamonds.find_all("mark")] == ["6", "3"]
    name = body[0]
    assert [m.text() for m in name.find_all("mark")] == ["-变态版"]  # only the added words are marked
    removed_sdk = cells(body[6])
    assert removed_sdk[2] == labels_for(Lang.EN)["absent"]


def test_report_without_endpoints_lists_no_server_rows() -> None:
    table = page(sample_report(endpoints=False), Lang.EN).find("table", id="differences-table")
    fields = [r.attrs["data-field"] for r in rows(table)]
    assert "endpoint" not in fields
    assert fields[:3] == ["app_name", "package_id", "signer"]


def test_image_pairs_show_both_thumbnails_most_significant_first() -> None:
    document = page(lang=Lang.ZH)
    thumbs = sample_thumbnails()
    report = sample_report()
    for name in ("icon", "characters", "ui"):
        section = document.find("section", id=f"category-{name}")
        table = section.find("table", class_="pairs")
        assert table.attrs["data-kind"] == "image"
        pairs = rows(table)
        assert len(pairs) == len(report["categories"][name]["matches"])
        similarities = [float(cells(r)[3].rstrip("%")) for r in pairs]
        assert similarities == sorted(similarities, reverse=True)
        for row in pairs:
            original, suspect = row.find_all("td")[1:3]
            for cell, side in ((original, "baseline"), (suspect, "suspect")):
                image = cell.find("img")
                prefix = "data:image/png;base64,"
                assert image.attrs["src"].startswith(prefix)
                path = cell.find("span", class_="path").text()
                assert base64.b64decode(image.attrs["src"][len(prefix) :]) == thumbs[f"{side}:{path}"]
    characters = rows(document.find("section", id="category-characters").find("table"))
    mage = next(r for r in characters if "hero_mage" in r.text())
    assert "镜像" in mage.text()  # the 'mirrored' transform, in Chinese
    assert "感知哈希" in mage.text()
    sprite = characters[0].find("img")
    assert sprite.attrs.get("class") == "pixelated"  # 32 px sprites are scaled up with hard edges
    assert sprite.attrs["width"] == "32"


def test_missing_thumbnails_become_no_image_boxes() -> None:
    labels = labels_for(Lang.EN)
    document = page(lang=Lang.EN, thumbs=False)
    section = document.find("section", id="category-icon")
    boxes = section.find_all("div", class_="thumb")
    assert len(boxes) == 6
    assert all("missing" in box.attrs["class"].split() for box in boxes)
    assert all(box.text() == labels["no_image"] for box in boxes)
    assert not document.find_all("img")


def test_thumbnails_travel_in_the_report_and_bad_ones_are_refused() -> None:
    saved = with_thumbnails(sample_report())
    key = "baseline:res/mipmap-xhdpi/ic_launcher.png"
    saved["thumbnails"][key] = base64.b64encode(b"<script>alert(1)</script>").decode("ascii")
    saved["thumbnails"]["suspect:res/mipmap-xhdpi/ic_launcher.png"] = "not base64!"
    decoded = thumbnails_from_report(saved)
    assert key not in decoded and "suspect:res/mipmap-xhdpi/ic_launcher.png" not in decoded
    assert len(decoded) == len(sample_thumbnails()) - 2
    document = parse_html(render_exhibit_html(saved, Lang.EN))
    section = document.find("section", id="category-icon")
    assert len(section.find_all("img")) == 4
    assert len(section.find_all("div", class_="missing")) == 2


def test_text_and_rules_show_strings_side_by_side_and_changed_values() -> None:
    labels = labels_for(Lang.ZH)
    document = page(lang=Lang.ZH)
    text = document.find("section", id="category-text")
    table = text.find("table", class_="pairs")
    assert table.attrs["data-kind"] == "text"
    pairs = rows(table)
    title = next(r for r in pairs if "app_name" in r.text())
    original, suspect = title.find_all("td")[1:3]
    assert original.find("span", class_="text").text() == "龙之传说"
    assert suspect.find("span", class_="text").text() == "龍之傳說"
    assert [m.text() for m in suspect.find_all("mark")] == ["龍", "傳說"]
    assert labels.transform("traditional") in title.text()
    recharge = next(r for r in pairs if "recharge_tip" in r.text())
    assert [m.text() for m in recharge.find_all("mark")] == ["6", "3"]
    po = next(r for r in pairs if "battle_start" in r.text())
    assert not po.find_all("span", class_="text")  # no strings in the report: paths only
    rules = document.find("section", id="category-rules")
    assert rules.find("table").attrs["data-kind"] == "table"
    assert "assets/db/shop.csv" in rules.text()
    changed = document.find("table", id="changed-values-table")
    assert [r.attrs["data-field"] for r in rows(changed)] == ["price", "price", "zone"]
    assert document.find("section", id="text-rules").find("p", class_="note").text() == labels["marked_note"]


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_evidence_block_identifies_inputs_tool_settings_and_the_report(lang: Lang) -> None:
    labels = labels_for(lang)
    report = sample_report()
    document = page(report, lang)
    packages = {cells(r)[0]: cells(r)[1:] for r in rows(document.find("table", id="evidence-packages"))}
    assert packages[labels["file_name"]] == ["dragons-1.2.0.apk", "dragons-bt.apk"]
    assert packages[labels["sha256"]] == [ORIGINAL_SHA, SUSPECT_SHA]
    assert packages[labels["size"]][0].startswith(labels["bytes"].format(value="48,213,770"))
    assert packages[labels["app_id"]] == ["com.example.dragons", "com.pirate.dragonsbt"]
    assert packages[labels["version"]] == ["1.2.0 (120)", "1.2.0 (120)"]
    assert ORIGINAL_CERT in packages[labels["signers"]][0]
    assert SUSPECT_CERT in packages[labels["signers"]][1]
    assert labels.format("apk") == packages[labels["format"]][0]
    run = {cells(r)[0]: cells(r)[1] for r in rows(document.find("table", id="evidence-run"))}
    assert run[labels["tool"]] == "clonedetect 0.1.0"
    assert run[labels["command"]] == " ".join(COMMAND)
    assert run[labels["generated_at"]] == "2024-05-01T08:30:00Z"
    assert document.find(id="report-sha256").text() == report_sha256(report)
    settings = {cells(r)[0]: cells(r)[1] for r in rows(document.find("table", id="evidence-settings"))}
    assert settings["thresholds.clone"] == "0.5"
    assert settings["limits.max_entries"] == "200000"
    warnings = rows(document.find("table", id="warnings-table"))
    assert cells(warnings[0]) == ["assets/sprites/broken.png", "not an image: truncated PNG"]


def test_report_sha256_is_that_of_the_json_file_without_thumbnails() -> None:
    report = sample_report()
    expected = hashlib.sha256(render_json(report).encode("utf-8")).hexdigest()
    assert report_sha256(report) == expected
    assert report_sha256(with_thumbnails(report)) == expected
    changed = copy.deepcopy(report)
    changed["differences"][5]["suspect"] = "4"
    assert report_sha256(changed) != expected
    meta = parse_html(render_exhibit_html(report)).find("meta", name="clonedetect-report-sha256")
    assert meta.attrs["content"] == expected


# ------------------------------------------------------------------------------ safety and bounds


def test_the_page_loads_nothing_from_outside() -> None:
    html = render_exhibit_html(with_thumbnails(sample_report()), Lang.EN)
    document = parse_html(html)
    assert not document.find_all("script")
    assert not document.find_all("link")
    for element in document.find_all():
        for attribute in ("src", "href"):
            value = element.attrs.get(attribute)
            assert value is None or value.startswith("data:image/"), value
    policy = document.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "default-src 'none'" in policy.attrs["content"]


def test_hostile_values_are_escaped_and_invisible_characters_shown() -> None:
    report = sample_report()
    report["suspect"]["app_name"] = "<script>alert(1)</script>\u202egpj.exe"
    report["differences"][0]["suspect"] = "</style><img src=http://x>"
    report["categories"]["text"]["matches"][0]["suspect_text"] = "a\u200bb\nc"
    html = render_exhibit_html(report, Lang.EN)
    document = parse_html(html)
    assert not document.find_all("script")
    assert all(img.attrs["src"].startswith("data:") for img in document.find_all("img"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;⟨U+202E⟩gpj.exe" in html
    assert "\u202e" not in html and "\u200b" not in html
    assert "a⟨U+200B⟩b↵c" in document.text()


def test_css_strings_cannot_end_the_style_element() -> None:
    assert css_string('a"</style>') == '"a\\000022\\00003C/style\\00003E"'
    assert css_string("证据") == '"\\008BC1\\00636E"'


def test_long_categories_are_capped_with_counts_of_what_is_left_out() -> None:
    report = sample_report()
    template = report["categories"]["characters"]["matches"][0]
    report["categories"]["characters"]["matches"] = [
        {**template, "baseline": f"s/{i:03}.png", "suspect": f"t/{i:03}.png", "similarity": 1 - i / 1000}
        for i in range(100)
    ]
    report["categories"]["characters"]["matched"] = 100
    report["categories"]["characters"]["baseline_assets"] = 130
    labels = labels_for(Lang.EN)
    section = page(report, Lang.EN, thumbs=False).find("section", id="category-characters")
    assert len(rows(section.find("table"))) == MAX_IMAGE_PAIRS
    expected = labels["shown_counts"].format(shown=24, matched=100, not_shown=76, not_found=30, total=130)
    assert section.find("p", class_="counts").text() == expected
    quest = next(m for m in report["categories"]["text"]["matches"] if "quest_dragon" in m["baseline"])
    quest["baseline_text"] = "龙" * 1000
    view = build_exhibit_view(report, Lang.EN)
    pair = next(p for p in view.text_sections[1].pairs if "quest_dragon" in p.baseline_path)
    shown = "".join(s.text for s in pair.baseline_text)
    assert len(shown) < 260
    assert shown.endswith("… (+760)")


def test_rendering_is_deterministic_whatever_the_key_order() -> None:
    report = sample_report()
    shuffled = json.loads(json.dumps(report, sort_keys=True))
    shuffled["categories"] = dict(reversed(list(shuffled["categories"].items())))
    thumbs = sample_thumbnails()
    first = render_exhibit_html(report, Lang.ZH, thumbs)
    assert render_exhibit_html(shuffled, Lang.ZH, dict(reversed(list(thumbs.items())))) == first


def test_not_a_version_1_report_is_refused() -> None:
    report = sample_report()
    report["schema_version"] = 2
    with pytest.raises(InputError, match="schema_version 2"):
        render_exhibit_html(report)
    del report["categories"]
    report["schema_version"] = 1
    with pytest.raises(InputError, match="categories"):
        render_exhibit_html(report)


def test_finding_falls_back_to_the_analysis_rule_when_absent() -> None:
    report = sample_report()
    for body in report["categories"].values():
        del body["finding"]
    report["categories"]["icon"]["score"] = 0.5
    report["categories"]["ui"]["baseline_assets"] = 0
    summary = {row.category: row.finding for row in build_exhibit_view(report).summary}
    assert summary == {
        "icon": "similar",
        "characters": "identical",
        "ui": "not present",
        "rules": "identical",
        "text": "identical",
    }


# ----------------------------------------------------------------------------------- helpers


def test_both_languages_have_every_label() -> None:
    for name, table in all_tables().items():
        assert set(table[Lang.ZH]) == set(table[Lang.EN]), name
        assert all(value.strip() or key.startswith("page_") for key, value in table[Lang.ZH].items()), name
    assert labels_for("zh").category("characters") == "角色"
    assert labels_for("en").category("novel-category") == "novel-category"


# what the matchers write into Match.method and Match.transforms, as string literals in their source
_NAMED_METHOD = re.compile(r'method(?:, evidence)?\s*=\s*"([a-z0-9-]+)"(?: if [^\n]* else "([a-z0-9-]+)")?')
_NAMED_TRANSFORM = re.compile(
    r'(?:transforms|found|out)\.(?:append|add)\("([a-z0-9-]+)"\)|transforms=\("([a-z0-9-]+)",\)'
)


def test_every_method_and_transform_a_matcher_names_has_a_label() -> None:
    """An exhibit must never show a raw key ('overlaid', 'letterboxed') where a sentence belongs, in either
    language: every name the matching code can write has a label."""
    sources = "\n".join(path.read_text() for path in Path(clonedetect.match.__file__).parent.glob("*.py"))
    methods = {name for pair in _NAMED_METHOD.findall(sources) for name in pair if name}
    transforms = {name for pair in _NAMED_TRANSFORM.findall(sources) for name in pair if name}
    # the scan sees the kinds of names the matchers write (a regression check that the patterns still work)
    assert {"sha256", "phash", "edges", "thumbnail", "inside-screenshot", "fuzzy", "table"} <= methods
    assert {"mirrored", "overlaid", "letterboxed", "repacked", "traditional", "converted"} <= transforms
    for lang in Lang:
        labels = labels_for(lang)
        assert methods <= set(labels.methods), (lang, methods - set(labels.methods))
        assert transforms <= set(labels.transforms), (lang, transforms - set(labels.transforms))


def test_marked_pair_marks_words_and_characters_not_noise() -> None:
    left, right = marked_pair("com.example.dragons", "com.pirate.dragons")
    assert [s.text for s in left if s.changed] == ["example"]
    assert [s.text for s in right if s.changed] == ["pirate"]
    left, right = marked_pair(ORIGINAL_CERT, SUSPECT_CERT)
    assert [(s.text, s.changed) for s in left] == [(ORIGINAL_CERT, True)]
    left, right = marked_pair("青龙区", "青龙区")
    assert [(s.text, s.changed) for s in right] == [("青龙区", False)]
    left, right = marked_pair("", "x")
    assert left == ()
    assert [(s.text, s.changed) for s in right] == [("x", True)]


def test_visible_shows_what_a_reader_could_not_see() -> None:
    assert visible("ab\u202ecd") == "ab⟨U+202E⟩cd"
    assert visible("x\u200by\r\nz") == "x⟨U+200B⟩y⟨U+000D⟩↵z"
    assert visible("龍之傳說 ok") == "龍之傳說 ok"


def test_thumbnail_keys_and_base64_round_trip() -> None:
    report = sample_report()
    assert exhibit_thumbnail_keys(report) == sorted(sample_thumbnails())
    thumbnails = sample_thumbnails()
    assert thumbnails_from_report({"thumbnails": encode_thumbnails(thumbnails)}) == thumbnails


def test_pdf_dates_are_pinned_without_moving_offsets() -> None:
    assert pdf_date("2024-05-01T08:30:00Z") == "D:20240501083000+00'00'"
    assert pdf_date("") == EPOCH_PDF_DATE
    assert pdf_date("0999-01-01T00:00:00Z") == EPOCH_PDF_DATE
    raw = b"1 0 obj <</CreationDate (D:20991231235959+00'00')\n/ModDate (D:20991231235959+00'00')>>"
    pinned = pin_pdf_dates(raw, pdf_date("2024-05-01T08:30:00Z"))
    assert len(pinned) == len(raw)
    assert pinned.count(b"D:20240501083000+00'00'") == 2


# ---------------------------------------------------------------------------------------- CLI


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("exhibit")(exhibit_command)
    app.command("notice")(notice_command)
    return app


def test_exhibit_command_renders_a_saved_report(tmp_path: Path) -> None:
    source = tmp_path / "report.json"
    source.write_text(render_json(with_thumbnails(sample_report())), encoding="utf-8")
    output = tmp_path / "out" / "exhibit.html"
    result = CliRunner().invoke(cli(), ["exhibit", str(source), "-o", str(output), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    document = parse_html(output.read_text(encoding="utf-8"))
    assert len(document.find("section", id="category-icon").find_all("img")) == 6
    run = {cells(r)[0]: cells(r)[1] for r in rows(document.find("table", id="evidence-run"))}
    assert run["报告文件 SHA-256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(output.read_bytes()).hexdigest() in result.output
    again = tmp_path / "again.html"
    CliRunner().invoke(cli(), ["exhibit", str(source), "-o", str(again), "--lang", "zh"])
    assert again.read_bytes() == output.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a JSON report"),
        (b"[1, 2]", "not a JSON report object"),
        (b'{"schema_version": 7}', "schema_version 7"),
        (b'{"schema_version": NaN}', "not a JSON report"),
        (b"[" * 100_000 + b"]" * 100_000, "not a JSON report"),
    ],
)
def test_exhibit_command_refuses_bad_reports_with_exit_2(
    tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "report.json"
    source.write_bytes(content)
    output = tmp_path / "exhibit.html"
    result = CliRunner().invoke(cli(), ["exhibit", str(source), "-o", str(output)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_exhibit_command_refuses_an_unknown_language(tmp_path: Path) -> None:
    source = tmp_path / "report.json"
    source.write_text(render_json(sample_report()), encoding="utf-8")
    result = CliRunner().invoke(
        cli(), ["exhibit", str(source), "-o", str(tmp_path / "x.html"), "--lang", "fr"]
    )
    assert result.exit_code == 2


def test_write_exhibit_leaves_no_partial_files(tmp_path: Path) -> None:
    files = write_exhibit(sample_report(), tmp_path / "e.html", None, Lang.EN, sample_thumbnails())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.html"]
    assert files.html_sha256 == hashlib.sha256((tmp_path / "e.html").read_bytes()).hexdigest()
    assert files.report_sha256 == report_sha256(sample_report())
