"""Hostile documents: garbage AndroidManifest.xml / resources.arsc, 200,000-deep JSON / XML / plists / Lua, a
30 MB text file, entity-expansion ('billion laughs') and external-entity XML, and the unfinished strings that
used to make the Lua and Freeciv tokenisers quadratic.

Every unreadable document is a warning with its path; the package around it is still analysed.
"""

from __future__ import annotations

import contextlib
import random
import time
import zipfile
from pathlib import Path

import pytest

from clonedetect.extract.safeparse import ParseError, load_json, load_plist, parse_xml
from clonedetect.pipeline import analyse
from clonedetect.settings import Limits, Settings
from clonedetect.unpack.arsc import parse_table
from clonedetect.unpack.axml import parse_axml
from clonedetect.unpack.binres import ResFormatError
from clonedetect.unpack.plist import PlistError, StringsFormatError, parse_plist, parse_strings_file
from hostile.builders import billion_laughs_plist, build_zip, deep_binary_plist, stored
from hostile.cases import APP, DEEP, PACKAGE_ID, SAMPLE_APK, SAMPLE_ICON, case, sample_members
from hostile.runner import Sandbox, assert_usable, inspect, warned, warnings_of

LIMITS = Limits()
SETTINGS = Settings()


def test_garbage_manifest_and_resource_table(inputs: Path, sandbox: Sandbox) -> None:
    report = assert_usable(inspect(case("garbage-manifest-arsc").build(inputs), sandbox))
    assert warned(report, "AndroidManifest.xml", "manifest unreadable")
    assert warned(report, "resources.arsc", "resource table unreadable")
    assert report["assets"]["by_kind"]["image"] >= 30  # the art is still there to compare
    assert report["package"]["format"] == "apk"


def _sample_entry(name: str) -> bytes:
    with zipfile.ZipFile(SAMPLE_APK) as archive:
        return archive.read(name)


def _parse_manifest(data: bytes) -> object:
    return parse_axml(data, LIMITS.max_depth)


def _parse_table(data: bytes) -> object:
    return parse_table(data, 1_000_000)


@pytest.mark.parametrize("cut", [8, 100, 1000, -1])
def test_truncated_binary_xml_and_table_raise_format_errors_only(cut: int) -> None:
    manifest = _sample_entry("AndroidManifest.xml")
    table = _sample_entry("resources.arsc")
    for data, parse in ((manifest, _parse_manifest), (table, _parse_table)):
        with contextlib.suppress(ResFormatError):
            parse(data[:cut])


def test_bit_flipped_manifests_never_escape_as_other_errors() -> None:
    manifest = _sample_entry("AndroidManifest.xml")
    table = _sample_entry("resources.arsc")
    rng = random.Random(6)
    for _ in range(300):
        for data, parse in ((manifest, _parse_manifest), (table, _parse_table)):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            with contextlib.suppress(ResFormatError):
                parse(bytes(mutated))


def test_200000_deep_documents_are_warnings(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("deep-200000").build(inputs), sandbox)
    report = assert_usable(run)
    for name in ("deep.json", "deep-object.json", "deep.xml", "deep-xml.plist"):
        assert warned(report, f"assets/data/{name}", "nested deeper than"), name
    assert warned(report, "assets/data/deep.plist", "nesting over 64")
    assert report["package"]["package_id"] == PACKAGE_ID
    assert SAMPLE_ICON in report["package"]["icons"]
    assert run.seconds < 60


@pytest.mark.parametrize(
    ("load", "data"),
    [
        (lambda d: load_json(d.decode(), LIMITS), b"[" * DEEP + b"]" * DEEP),
        (lambda d: load_json(d.decode(), LIMITS), b'{"a":' * DEEP + b"0" + b"}" * DEEP),
        (lambda d: parse_xml(d, LIMITS), b"<a>" * DEEP + b"</a>" * DEEP),
        (lambda d: load_plist(d, LIMITS), deep_binary_plist(DEEP)),
        (
            lambda d: load_plist(d, LIMITS),
            b"<plist>" + b"<dict><key>k</key>" * DEEP + b"</dict>" * DEEP + b"</plist>",
        ),
    ],
    ids=["json-array", "json-object", "xml", "binary-plist", "xml-plist"],
)
def test_deep_nesting_is_refused_without_recursion(load: object, data: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError, match=r"deeper|nesting"):
        load(data)  # type: ignore[operator]
    assert time.perf_counter() - start < 5


def test_30mb_text_is_cut_and_a_30mb_json_skipped(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("text-30mb").build(inputs), sandbox)
    report = assert_usable(run)
    assert warned(report, "assets/big.txt", "only the first")
    assert warned(report, "assets/data/big.json", "not parsed")
    assert "https://s9.example.net:9000/api" in report["package"]["endpoints"]  # the head was still read
    assert run.max_rss_mib < 1024


def test_billion_laughs_plists_are_refused(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("billion-laughs-ipa").build(inputs), sandbox)
    report = assert_usable(run)
    for name in ("Info.plist", "res/atlas/laughs.plist", "fr.lproj/InfoPlist.strings"):
        assert warned(report, APP + name, "refused"), name
    assert report["package"]["format"] == "ipa"
    assert report["assets"]["by_kind"]["image"] >= 20
    assert run.seconds < 30 and run.max_rss_mib < 1024


def test_deep_binary_info_plist(inputs: Path, sandbox: Sandbox) -> None:
    report = assert_usable(inspect(case("deep-binary-plist-ipa").build(inputs), sandbox))
    assert warned(report, APP + "Info.plist", "nesting over")
    assert report["assets"]["by_kind"]["image"] >= 20


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<resources><string name="a">&secret;</string></resources>"""
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 50_000 + b'">]><r>' + b"&a;" * 50_000 + b"</r>"
)


@pytest.mark.parametrize("data", [XXE, QUADRATIC, billion_laughs_plist()], ids=["xxe", "quadratic", "laughs"])
def test_xml_entities_are_refused_everywhere(data: bytes) -> None:
    with pytest.raises(ParseError, match="refused"):
        parse_xml(data, LIMITS)
    with pytest.raises(PlistError, match="refused"):
        parse_plist(data, LIMITS)
    with pytest.raises(PlistError, match="refused"):
        parse_strings_file(data, LIMITS)


def test_xxe_in_a_package_leaks_nothing(tmp_path: Path) -> None:
    path = tmp_path / "xxe.apk"
    path.write_bytes(build_zip([*sample_members(), stored("res/values/strings.xml", XXE)]))
    analysis = analyse(path, SETTINGS)
    assert not any("root:" in p.asset.text for p in analysis.prints)
    assert any(w.path == "res/values/strings.xml" and "refused" in w.message for w in analysis.warnings)


def test_broken_strings_files_keep_what_parsed() -> None:
    text = '"a" = "first";\n"b" = "second";\n"c" = "never closed'.encode("utf-16")
    with pytest.raises(StringsFormatError) as raised:
        parse_strings_file(text, LIMITS)
    assert raised.value.pairs == [("a", "first"), ("b", "second")]


UNFINISHED = {
    "scripts/brackets.lua": b"[[" * 100_000,
    "scripts/quotes.lua": b'"\\' * 100_000,
    "scripts/apostrophes.lua": b"'\\" * 100_000,
    "scripts/comments.lua": b"--[[\n" * 50_000,
    "scripts/nested.lua": b"x = " + b"{" * 100_000,
    "rules/quotes.ruleset": b'"\\' * 100_000,
    "tiles/quotes.spec": b'[grid]\ntiles = "' + b'\\"' * 100_000,
}


def test_unfinished_strings_tokenise_in_linear_time(tmp_path: Path) -> None:
    """Regression: each of these took minutes (tokenisers retried an unfinished string at every quote)."""
    path = tmp_path / "unfinished.zip"
    path.write_bytes(build_zip([stored(name, data) for name, data in UNFINISHED.items()]))
    start = time.perf_counter()
    analysis = analyse(path, SETTINGS)
    assert time.perf_counter() - start < 20
    assert {entry.name for entry in analysis.package.entries} == set(UNFINISHED)


def test_deep_lua_strings_have_bounded_paths(tmp_path: Path) -> None:
    """Regression: 200,000 nested Lua tables built string paths of quadratic total size (gigabytes)."""
    path = tmp_path / "deep-lua.zip"
    lua = b"return " + b'{"deep", ' * DEEP + b"}" * DEEP
    path.write_bytes(build_zip([stored("scripts/deep.lua", lua)]))
    analysis = analyse(path, SETTINGS)
    texts = [p.asset for p in analysis.prints if p.asset.kind == "text"]
    assert texts and max(len(asset.path) for asset in texts) < 2_000


def test_documents_report_per_file(inputs: Path, sandbox: Sandbox) -> None:
    """Several broken documents in one package: one warning each, and nothing else is lost."""
    members = [
        *sample_members(),
        stored("assets/data/broken.json", b'{"a": [1, 2,'),
        stored("assets/data/broken.xml", b"<items><item id='1'></items>"),
        stored("assets/data/broken.plist", b"bplist00" + b"\xff" * 40),
        stored("assets/data/broken.csv", b'"a,"b\n"\x00\x00\n'),
        stored("assets/lang/zh.strings", b'"k" = "v'),
    ]
    path = inputs / "broken-docs.apk"
    path.write_bytes(build_zip(members))
    report = assert_usable(inspect(path, sandbox))
    for name in ("broken.json", "broken.xml", "broken.plist"):
        assert warned(report, f"assets/data/{name}"), name
    assert warned(report, "assets/lang/zh.strings", "unreadable")
    assert report["package"]["package_id"] == PACKAGE_ID
    assert len({where for where, _ in warnings_of(report)}) == len(warnings_of(report))
