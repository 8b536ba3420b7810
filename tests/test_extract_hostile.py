"""Hostile packages: deep nesting, oversized text, XML entity bombs, broken bytes, unreadable entries. Each
bad entry becomes a warning with its path and the rest of the package is still extracted; output is
deterministic."""

from __future__ import annotations

import io
import json
import plistlib
import random

from PIL import Image
from test_extract_support import extract, image_bytes, opened_package

from clonedetect.errors import EntryError
from clonedetect.extract import extract_assets
from clonedetect.extract.safeparse import ParseError, check_depth, load_plist
from clonedetect.model import AssetKind
from clonedetect.settings import Limits, Settings
from clonedetect.unpack.memory import MemorySource

GOOD = {"ui/button.png": image_bytes(), "lang/en.properties": b"start=Start game\n"}


def _warnings_for(extraction_warnings: tuple, path: str) -> list[str]:  # type: ignore[type-arg]
    return [w.message for w in extraction_warnings if w.path == path]


def _still_has_the_good_assets(paths: set[str]) -> None:
    assert "ui/button.png" in paths
    assert "lang/en.properties#start" in paths


def test_200000_deep_json_is_a_warning_not_a_crash() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    deep_object = b'{"a":' * 100 + b"1" + b"}" * 100  # deeper than max_depth (64) but parseable
    extraction = extract({**GOOD, "data/deep.json": deep, "data/deep2.json": deep_object})
    _still_has_the_good_assets({a.path for a in extraction.assets})
    assert any("max_depth" in m for m in _warnings_for(extraction.warnings, "data/deep.json"))
    assert any("max_depth" in m for m in _warnings_for(extraction.warnings, "data/deep2.json"))


def test_deep_lua_and_xml_are_bounded() -> None:
    lua = b"return " + b"{" * 5000 + b"}" * 5000
    xml = b"<a>" * 5000 + b"</a>" * 5000
    extraction = extract({**GOOD, "cfg/deep.lua": lua, "cfg/deep.xml": xml})
    _still_has_the_good_assets({a.path for a in extraction.assets})
    assert any("max_depth" in m for m in _warnings_for(extraction.warnings, "cfg/deep.xml"))
    assert not [a for a in extraction.assets if a.entry == "cfg/deep.lua"]


def test_text_over_the_limit_is_truncated_or_skipped_with_a_warning() -> None:
    settings = Settings().with_limits(max_text_bytes=1000)
    big_properties = b"".join(b"key%d=value number %d\n" % (n, n) for n in range(200))
    big_json = json.dumps([{"id": n, "name": f"n{n}"} for n in range(200)]).encode()
    extraction = extract({**GOOD, "lang/big.properties": big_properties, "data/big.json": big_json}, settings)
    _still_has_the_good_assets({a.path for a in extraction.assets})
    kept = [a for a in extraction.assets if a.entry == "lang/big.properties"]
    assert 0 < len(kept) < 200  # the head was read
    assert any(
        "only the first 1000 bytes" in m for m in _warnings_for(extraction.warnings, "lang/big.properties")
    )
    assert not [a for a in extraction.assets if a.entry == "data/big.json"]
    assert any("not parsed" in m for m in _warnings_for(extraction.warnings, "data/big.json"))


def test_xml_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<resources><string name="a">&lol2;</string></resources>'
    )
    external = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    extraction = extract({**GOOD, "res/values/strings.xml": bomb, "res/values/ext.xml": external})
    _still_has_the_good_assets({a.path for a in extraction.assets})
    assert not [a for a in extraction.assets if a.entry.startswith("res/values/")]
    assert any("refused" in m for m in _warnings_for(extraction.warnings, "res/values/strings.xml"))
    assert any("refused" in m for m in _warnings_for(extraction.warnings, "res/values/ext.xml"))


def test_broken_structured_files_and_plists() -> None:
    files = {
        **GOOD,
        "data/bad.json": b'{"a": [1, 2',
        "atlas/bad.plist": b"bplist00\xff\xff\xff",
        "atlas/notes.plist": plistlib.dumps({"title": "Dragon"}),
        "data/bad.csv": b"\xff\xfe\x00",
        "rules/bad.ruleset": b'[unit_x]\nname = "unterminated\n[[[\n',
        "gfx/trunc.png": image_bytes()[:20],
    }
    extraction = extract(files)
    paths = {a.path for a in extraction.assets}
    _still_has_the_good_assets(paths)
    assert "atlas/notes.plist#title" in paths  # a plist that is no atlas keeps its strings
    assert _warnings_for(extraction.warnings, "data/bad.json")
    assert _warnings_for(extraction.warnings, "atlas/bad.plist")
    assert "gfx/trunc.png" in paths  # still an image entry; decoding is the fingerprint stage's concern


def test_entries_are_read_only_as_far_as_their_extractor_uses_them() -> None:
    """What an entry is comes from its name and head; a large entry that is only listed (a sound) is never
    held in memory, a PNG's size comes from its head, while a picture renamed to .ogg is still an image and
    a large text file is read whole."""
    asked: dict[str, int] = {}  # entry -> the most bytes asked of it

    class Recording(MemorySource):
        def read(self, name: str) -> bytes:
            asked[name] = max(asked.get(name, 0), len(self._files[name]))
            return super().read(name)

        def head(self, name: str, size: int) -> bytes:
            asked[name] = max(asked.get(name, 0), size)
            return super().head(name, size)

    long_text = b"".join(b"line%d=value %d\n" % (n, n) for n in range(2000))
    page = io.BytesIO()  # a 64 x 32 atlas page of noise: a PNG far longer than the head
    Image.frombytes("RGBA", (64, 32), random.Random(0).randbytes(64 * 32 * 4)).save(page, format="PNG")
    inside, outside = {"x": 0, "y": 0, "w": 8, "h": 8}, {"x": 60, "y": 0, "w": 8, "h": 8}
    atlas = {"frames": {"in": {"frame": inside}, "out": {"frame": outside}}, "meta": {"image": "page.png"}}
    files = {
        **GOOD,
        "audio/theme.ogg": b"OggS" + bytes(1 << 20),
        "audio/hidden.ogg": image_bytes(),
        "lang/long.properties": long_text,
        "gfx/page.png": page.getvalue(),
        "gfx/page.json": json.dumps(atlas).encode(),
        "gfx/photo.jpg": image_bytes("JPEG", (300, 300)) + bytes(8192),
    }
    opened = opened_package(files)
    opened.source = Recording(files)
    extraction = extract_assets(opened, Settings())
    kinds = {a.path: a.kind for a in extraction.assets}
    _still_has_the_good_assets(set(kinds))
    assert asked["audio/theme.ogg"] <= 4096 and kinds["audio/theme.ogg"] is AssetKind.AUDIO
    assert kinds["audio/hidden.ogg"] is AssetKind.IMAGE
    assert asked["lang/long.properties"] == len(long_text) and "lang/long.properties#line1999" in kinds
    # the atlas page is never read whole, and its frames are still bounded by the size its head gives
    assert len(files["gfx/page.png"]) > 4096 >= asked["gfx/page.png"]
    assert "gfx/page.png#in" in kinds and "gfx/page.png#out" not in kinds
    assert asked["gfx/photo.jpg"] == len(files["gfx/photo.jpg"])  # other formats: Pillow reads the header


def test_unreadable_entry_is_a_warning() -> None:
    class FailingSource(MemorySource):
        def _file(self, name: str) -> bytes:
            if name == "broken.png":
                raise EntryError(name, "over max_entry_bytes")
            return super()._file(name)

    opened = opened_package({**GOOD, "broken.png": b"\x89PNG"})
    opened.source = FailingSource({**GOOD, "broken.png": b"\x89PNG"})
    extraction = extract_assets(opened, Settings())
    _still_has_the_good_assets({a.path for a in extraction.assets})
    assert _warnings_for(extraction.warnings, "broken.png") == ["not read: over max_entry_bytes"]


def test_plist_shared_references_cannot_explode_a_walk() -> None:
    shared: list[object] = ["x"] * 10
    for _ in range(30):
        shared = [shared] * 10  # a DAG of 10**30 paths in a few bytes of references
    try:
        check_depth(shared, 64, "plist", max_nodes=10_000)
    except ParseError as error:
        assert "more values" in str(error)
    else:
        raise AssertionError("the shared-reference DAG was walked")
    assert load_plist(plistlib.dumps({"a": [1, 2]}), Limits()) == {"a": [1, 2]}


def test_deterministic_output() -> None:
    files = {
        **GOOD,
        "b/hero.png": image_bytes(colour=(1, 2, 3)),
        "a/monster.png": image_bytes(colour=(3, 2, 1)),
        "data/items.json": json.dumps([{"id": 2}, {"id": 1}]).encode(),
        "cfg/server.txt": b"https://b.game.cn/ https://a.game.cn/\n",
    }
    first = extract(files)
    second = extract(dict(reversed(list(files.items()))))
    assert first == second
    assert [a.path for a in first.assets] == sorted(a.path for a in first.assets)
    assert first.facts.endpoints == ("https://a.game.cn/", "https://b.game.cn/")
    assert {a.kind for a in first.assets} == {AssetKind.IMAGE, AssetKind.TEXT, AssetKind.TABLE}
