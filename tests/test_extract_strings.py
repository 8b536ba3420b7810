"""String assets: .properties, .po (tolerant), .strings, .txt, JSON / XML / Lua values, package resources;
filters, locales, the max_strings cap; the corpus string files."""

from __future__ import annotations

import collections
import json

from test_extract_support import corpus_extraction, extract

from clonedetect.extract.po import parse_po, po_strings
from clonedetect.extract.stringfiles import parse_properties
from clonedetect.extract.strings import is_text_evidence
from clonedetect.model import AssetKind, Category, LocalisedText, PackageFormat
from clonedetect.settings import Settings


def _texts(files: dict[str, bytes], **package: object) -> dict[str, tuple[str, str, str]]:
    """path -> (key, locale, text) of the text assets."""
    return {
        asset.path: (asset.key, asset.locale, asset.text)
        for asset in extract(files, **package).assets
        if asset.kind is AssetKind.TEXT
    }


def test_properties_escapes_continuations_and_separators() -> None:
    text = (
        "# comment\n! also\nhero.name = 勇者\n"
        "shop\\ title:Item\\u5546\\u5e97\nlong = first \\\n    second\nk v\n"
    )
    pairs, problems = parse_properties(text)
    assert pairs == [("hero.name", "勇者"), ("shop title", "Item商店"), ("long", "first second"), ("k", "v")]
    assert problems == []
    _, problems = parse_properties("bad = \\u12G4\n")
    assert problems and "malformed" in problems[0]


def test_properties_assets_with_locale_from_file_name() -> None:
    texts = _texts({"messages/ui_zh.properties": "start=开始游戏\ncount=%d\n".encode()})
    assert texts == {
        "messages/ui_zh.properties#start": ("start", "zh", "开始游戏")
    }  # '%d' alone is no evidence


def test_po_tolerates_bad_escapes_comments_and_missing_blank_lines() -> None:
    text = (
        'msgid ""\nmsgstr "Language: zh_CN\\n"\n\n'
        "#Release notes without a space\n"
        'msgid "town"\nmsgstr "a quiet\\, peaceful place"\n'
        'msgid "multi"\nmsgstr ""\n"line one "\n"line two"\n\n'
        '#, fuzzy\nmsgid "fuzzy"\nmsgstr "not shown"\n\n'
        'msgctxt "menu"\nmsgid "open"\nmsgstr "打开"\n\n'
        'msgid "apple"\nmsgid_plural "apples"\nmsgstr[0] "苹果"\nmsgstr[1] "苹果们"\n\n'
        '#~ msgid "old"\n#~ msgstr "obsolete"\n'
        "garbage line\n"
    )
    po = parse_po(text)
    assert po_strings(po) == [
        ("town", "a quiet, peaceful place"),
        ("multi", "line one line two"),
        ("menu|open", "打开"),
        ("apple", "苹果"),
        ("apple[1]", "苹果们"),
    ]
    assert po.problem_count == 2
    assert "invalid escape" in po.problems[0] and "unrecognised line" in po.problems[1]


def test_the_malformed_tuxemon_po_files_yield_strings_and_a_warning() -> None:
    extraction = corpus_extraction("tuxemon")
    for locale, path, minimum in (
        ("en-US", "mods/tuxemon/l18n/en_US/LC_MESSAGES/base.po", 4000),
        ("zh-CN", "mods/tuxemon/l18n/zh_CN/LC_MESSAGES/base.po", 2000),
    ):
        strings = [a for a in extraction.assets if a.entry == path]
        assert len(strings) >= minimum
        assert {a.locale for a in strings} == {locale}
        assert any(w.path == path for w in extraction.warnings)
    potion = {a.locale: a.text for a in extraction.assets if a.key == "potion" and a.found_by == "strings:po"}
    assert potion == {"en-US": "Potion", "zh-CN": "治疗药水"}


def test_freeciv_po_keeps_only_translated_non_fuzzy_entries() -> None:
    strings = [a for a in corpus_extraction("freeciv21").assets if a.entry == "translations/core/zh_CN.po"]
    assert 1300 <= len(strings) <= 1435  # polib: 1,435 translated; a few are numbers or placeholders only
    assert {a.locale for a in strings} == {"zh-CN"}


def test_shattered_properties_have_the_same_keys_in_every_language() -> None:
    keys: dict[str, set[str]] = collections.defaultdict(set)
    extraction = corpus_extraction("shattered-pixel-dungeon")
    for asset in extraction.assets:
        if asset.found_by == "strings:properties":
            keys[asset.locale].add(asset.key)
    assert set(keys) == {"", "zh", "zh-Hant"}
    assert keys[""] == keys["zh"] == keys["zh-Hant"]
    assert len(keys[""]) >= 4800  # 4,830 keys, less the few whose value is only '...' or empty
    assert not [w for w in extraction.warnings if w.path.endswith(".properties")]


def test_shattered_properties_parse_4830_keys_per_language() -> None:
    from test_extract_support import corpus_files

    keys: dict[str, set[str]] = collections.defaultdict(set)
    for path, data in corpus_files("shattered-pixel-dungeon").items():
        if path.endswith(".properties"):
            language = path.rsplit("_", 1)[-1].removesuffix(".properties") if "_zh" in path else "en"
            pairs, problems = parse_properties(data.decode("utf-8"))
            assert problems == []
            keys[language].update(key for key, _ in pairs)
    assert {language: len(found) for language, found in keys.items()} == {
        "en": 4830,
        "zh": 4830,
        "zh-hant": 4830,
    }


def test_apple_strings_utf16_and_binary_plist() -> None:
    import plistlib

    text = '/* title */\n"start" = "开始";\n"quit" = "Quit \\"now\\"";\n'.encode("utf-16")
    files = {
        "Payload/G.app/zh-Hans.lproj/Localizable.strings": text,
        "Payload/G.app/en.lproj/Localizable.strings": plistlib.dumps(
            {"start": "Start"}, fmt=plistlib.FMT_BINARY
        ),
        "Payload/G.app/fr.lproj/Broken.strings": b'"a" = "Un";\n"b" = ',
    }
    extraction = extract(files)
    texts = {a.path: (a.key, a.locale, a.text) for a in extraction.assets if a.kind is AssetKind.TEXT}
    assert texts["Payload/G.app/zh-Hans.lproj/Localizable.strings#start"] == ("start", "zh-Hans", "开始")
    assert texts["Payload/G.app/zh-Hans.lproj/Localizable.strings#quit"][2] == 'Quit "now"'
    assert texts["Payload/G.app/en.lproj/Localizable.strings#start"] == ("start", "en", "Start")
    assert texts["Payload/G.app/fr.lproj/Broken.strings#a"] == ("a", "fr", "Un")  # kept what parsed
    assert any(w.path == "Payload/G.app/fr.lproj/Broken.strings" for w in extraction.warnings)


def test_txt_json_xml_lua_string_values_with_key_paths() -> None:
    android = (
        '<?xml version="1.0" encoding="utf-8"?><resources><string name="app_name">屠龙</string>'
        '<string-array name="tips"><item>Tip one</item></string-array>'
        '<plurals name="gems"><item quantity="other">%d gems</item></plurals></resources>'
    )
    files = {
        "assets/story.txt": "第一章\n\n  \n第二章\n".encode(),
        "assets/dialog.json": json.dumps(
            {"npc": {"greet": ["Hello", "Bye"]}, "level": 3, "icon": "a/b.png"}
        ).encode(),
        "res/values-zh-rCN/strings.xml": android.encode(),
        "assets/lang.lua": b'local L = { title = "Dragon", names = {"Ann", "Bob"} }\nprint("hi there")\n',
        "LICENSE.txt": b"GNU GENERAL PUBLIC LICENSE\n",
    }
    texts = _texts(files)
    assert texts["assets/story.txt#1"] == ("1", "", "第一章")
    assert texts["assets/story.txt#4"] == ("4", "", "第二章")
    assert texts["assets/dialog.json#npc.greet[1]"] == ("npc.greet[1]", "", "Bye")
    assert not [p for p in texts if p.startswith("assets/dialog.json#icon")]  # a resource path is no text
    assert texts["res/values-zh-rCN/strings.xml#string/app_name"] == ("string/app_name", "zh-CN", "屠龙")
    assert texts["res/values-zh-rCN/strings.xml#array/tips[0]"][2] == "Tip one"
    assert texts["res/values-zh-rCN/strings.xml#plurals/gems#other"][2] == "%d gems"
    assert texts["assets/lang.lua#L.names[2]"][2] == "Bob"
    assert any(
        path.startswith("assets/lang.lua#") and value[2] == "hi there" for path, value in texts.items()
    )
    assert not [p for p in texts if p.startswith("LICENSE.txt")]  # licence text is shared by unrelated games


def test_package_resource_strings() -> None:
    resources = (
        LocalisedText("app_name", "", "Dragon"),
        LocalisedText("app_name", "zh-rCN", "屠龙"),
        LocalisedText("version", "", "1.0"),
    )
    assets = [
        a
        for a in extract(
            {"resources.arsc": b"\x02\x00\x0c\x00"}, format=PackageFormat.APK, resource_strings=resources
        ).assets
        if a.kind is AssetKind.TEXT
    ]
    assert [(a.path, a.locale, a.text, a.category) for a in assets] == [
        ("resources.arsc#string/app_name", "", "Dragon", Category.TEXT),
        ("resources.arsc#string/app_name@zh-CN", "zh-CN", "屠龙", Category.TEXT),
    ]


def test_evidence_filter() -> None:
    assert is_text_evidence("Attack!")
    assert is_text_evidence("攻击")
    for noise in ("", "   ", "42", "3.14", "%s", "%1$d / %2$d", "{0}", "${name}", "...", "img/ui/btn.png"):
        assert not is_text_evidence(noise), noise


def test_max_strings_cap_warns_once() -> None:
    text = "".join(f"key{n}=value {n}\n" for n in range(50)).encode()
    extraction = extract({"a.properties": text, "b.properties": text}, Settings().with_limits(max_strings=30))
    assert len([a for a in extraction.assets if a.kind is AssetKind.TEXT]) == 30
    assert [w.message for w in extraction.warnings if "max_strings" in w.message] == [
        "more than max_strings (30) strings; 70 further strings were skipped"
    ]
