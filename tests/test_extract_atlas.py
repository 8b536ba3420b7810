"""Atlas slicing: Cocos/TexturePacker plists (XML and binary, formats 0-3), TexturePacker JSON (hash, array),
Freeciv .spec grids from the corpus; frames outside the page are warned about and skipped."""

from __future__ import annotations

import json
import plistlib

from test_extract_support import corpus_extraction, corpus_files, extract, image_bytes

from clonedetect.extract.images import image_size
from clonedetect.model import AssetKind, Category, Frame

PAGE = image_bytes("PNG", size=(64, 32))


def _frames(files: dict[str, bytes]) -> dict[str, Frame]:
    extraction = extract(files)
    return {asset.path: asset.frame for asset in extraction.assets if asset.frame is not None}


def test_cocos_plist_format_2_and_3_xml_and_binary() -> None:
    format2 = {
        "frames": {
            "hero_01.png": {
                "frame": "{{0,0},{16,16}}",
                "offset": "{1,-1}",
                "rotated": False,
                "sourceSize": "{20,20}",
            },
            "hero_02.png": {
                "frame": "{{16,0},{16,24}}",
                "offset": "{0,0}",
                "rotated": True,
                "sourceSize": "{16,24}",
            },
        },
        "metadata": {"format": 2, "textureFileName": "heroes.png", "size": "{64,32}"},
    }
    format3 = {
        "frames": {
            "btn_ok": {
                "textureRect": "{{40,0},{10,8}}",
                "textureRotated": False,
                "spriteOffset": "{0,0}",
                "spriteSourceSize": "{10,8}",
            }
        },
        "metadata": {"format": 3, "textureFileName": "ui.png", "realTextureFileName": "ui.png"},
    }
    frames = _frames(
        {
            "res/heroes.plist": plistlib.dumps(format2),
            "res/heroes.png": PAGE,
            "res/ui.plist": plistlib.dumps(format3, fmt=plistlib.FMT_BINARY),
            "res/ui.png": PAGE,
        }
    )
    # trimmed: 16x16 pixels centred in a 20x20 sprite, then one right and one down (Cocos y points up)
    assert frames["res/heroes.png#hero_01.png"] == Frame(0, 0, 16, 16, False, 3, 3, 20, 20)
    # rotated: the sprite is 16x24, stored turned in a 24x16 region of the page
    assert frames["res/heroes.png#hero_02.png"] == Frame(16, 0, 16, 24, True, 0, 0, 16, 24)
    assert frames["res/ui.png#btn_ok"] == Frame(40, 0, 10, 8, False, 0, 0, 10, 8)


def test_frame_categories_and_page_stays_an_asset() -> None:
    description = {
        "frames": {"monster/slime.png": {"x": 0, "y": 0, "width": 8, "height": 8}},
        "metadata": {"format": 0, "textureFileName": "pack0.png"},
    }
    extraction = extract(
        {"assets/atlas/pack0.plist": plistlib.dumps(description), "assets/atlas/pack0.png": PAGE}
    )
    assets = {asset.path: asset for asset in extraction.assets}
    frame = assets["assets/atlas/pack0.png#monster/slime.png"]
    assert frame.category is Category.CHARACTERS
    assert frame.entry == "assets/atlas/pack0.png"
    assert frame.sha256 == assets["assets/atlas/pack0.png"].sha256
    assert frame.found_by.startswith("cocos-plist/")
    assert assets["assets/atlas/pack0.png"].frame is None


def test_texturepacker_json_hash_and_array() -> None:
    hash_format = {
        "frames": {
            "enemy_bat.png": {
                "frame": {"x": 2, "y": 2, "w": 12, "h": 10},
                "rotated": False,
                "trimmed": True,
                "spriteSourceSize": {"x": 1, "y": 3, "w": 12, "h": 10},
                "sourceSize": {"w": 16, "h": 16},
            }
        },
        "meta": {"image": "sheet.png", "size": {"w": 64, "h": 32}},
    }
    array_format = {
        "frames": [{"filename": "panel", "frame": {"x": 30, "y": 0, "w": 20, "h": 30}, "rotated": True}],
        "meta": {"image": "sheet2.png"},
    }
    frames = _frames(
        {
            "gfx/sheet.json": json.dumps(hash_format).encode(),
            "gfx/sheet.png": PAGE,
            "gfx/sheet2.json": json.dumps(array_format).encode(),
            "gfx/sheet2.png": PAGE,
        }
    )
    assert frames["gfx/sheet.png#enemy_bat.png"] == Frame(2, 2, 12, 10, False, 1, 3, 16, 16)
    # rotated 20x30 sprite occupies 30x20 of the page: x 30..60 fits in 64
    assert frames["gfx/sheet2.png#panel"] == Frame(30, 0, 20, 30, True, 0, 0, 20, 30)


def test_frames_outside_the_page_are_skipped_with_a_warning() -> None:
    description = {
        "frames": {
            "inside": {"frame": {"x": 0, "y": 0, "w": 8, "h": 8}},
            "outside": {"frame": {"x": 60, "y": 0, "w": 8, "h": 8}},
            "rotated_out": {"frame": {"x": 0, "y": 20, "w": 16, "h": 8}, "rotated": True},
        },
        "meta": {"image": "p.png"},
    }
    extraction = extract({"p.json": json.dumps(description).encode(), "p.png": PAGE})
    paths = {asset.path for asset in extraction.assets}
    assert "p.png#inside" in paths
    assert "p.png#outside" not in paths
    assert "p.png#rotated_out" not in paths  # 8 wide x 16 tall on the page: y 20..36 is past 32
    messages = " ".join(w.message for w in extraction.warnings if w.path == "p.json")
    assert "outside" in messages and "rotated_out" in messages


def test_missing_page_is_a_warning() -> None:
    description = {"frames": {"a": {"frame": "{{0,0},{1,1}}"}}, "metadata": {"textureFileName": "gone.png"}}
    extraction = extract({"x/a.plist": plistlib.dumps(description)})
    assert not [asset for asset in extraction.assets if asset.frame]
    assert any("page image not found" in w.message for w in extraction.warnings)


def test_freeciv_spec_grids_from_the_corpus() -> None:
    files = corpus_files("freeciv21")
    frames = [a for a in corpus_extraction("freeciv21").assets if a.frame is not None]
    assert len(frames) > 1000
    pages = {a.entry for a in frames}
    assert "data/amplio2/tiles.png" in pages and "data/misc/techs.png" in pages
    for asset in frames:
        frame = asset.frame
        assert frame is not None
        width, height = image_size(files[asset.entry]) or (0, 0)
        assert frame.x >= 0 and frame.x + frame.width <= width
        assert frame.y >= 0 and frame.y + frame.height <= height
        assert asset.kind is AssetKind.IMAGE
    by_path = {a.path: a.frame for a in frames}
    # [grid_main] x_top_left = 1, y_top_left = 1, dx = 96, dy = 48, pixel_border = 1; row 0 column 1
    assert by_path["data/amplio2/tiles.png#unit.hp_90"] == Frame(
        98, 1, 96, 48, source_width=96, source_height=48
    )
