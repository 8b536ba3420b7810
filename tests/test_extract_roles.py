"""Image assets and their categories: sniffing by magic bytes, package facts first, then the path-word table;
checked against the corpus MANIFEST.csv kinds."""

from __future__ import annotations

import csv
import hashlib

import pytest
from test_extract_support import CORPUS, corpus_extraction, extract, image_bytes, opened_package

from clonedetect.extract import extract_assets
from clonedetect.extract.roles import RoleClassifier
from clonedetect.model import AssetKind, Category, Package, PackageFormat
from clonedetect.settings import Settings

# MANIFEST kind -> the categories that agree with it (tileset/effect may be UI art or other art)
AGREES = {
    "icon": {Category.ICON},
    "character": {Category.CHARACTERS},
    "item": {Category.CHARACTERS},
    "ui": {Category.UI},
    "background": {Category.UI},
    "tileset": {Category.UI, Category.ART},
    "effect": {Category.UI, Category.ART},
}


def _role(
    path: str, format: PackageFormat = PackageFormat.FOLDER, icon_entries: tuple[str, ...] = ()
) -> tuple[Category, str]:
    package = Package(source="t", sha256="0" * 64, size=0, format=format, icon_entries=icon_entries)
    role = RoleClassifier(package).image_role(path)
    return role.category, role.found_by


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("assets/res/hero/warrior_01.png", Category.CHARACTERS),
        ("assets/juese/1001.png", Category.CHARACTERS),
        ("assets/guaiwu/slime.png", Category.CHARACTERS),
        ("assets/image/角色/a.png", Category.CHARACTERS),
        ("assets/herosprite_01.png", Category.CHARACTERS),  # glued words
        ("assets/NpcPortrait.png", Category.CHARACTERS),  # camelCase
        ("res/ui/monster/hp_bar.png", Category.UI),  # the folder a studio files it under decides
        ("res/sprites/ui/button.png", Category.UI),  # a strong folder word beats a weak one
        ("res/sprites/battle/rat-menu01.png", Category.CHARACTERS),  # folders before file names
        ("res/drawable/btnClose.png", Category.UI),
        ("res/jiemian/anniu_ok.png", Category.UI),
        ("assets/beijing/main.jpg", Category.UI),
        ("assets/mainbg.png", Category.UI),
        ("gfx/d-pad.png", Category.UI),  # 'd-pad' read as one glued word too
        ("assets/items/sword.png", Category.CHARACTERS),  # item art counts with the characters
        ("assets/environment/caves_boss.png", Category.ART),  # scenery folder: a boss tile is not a character
        ("assets/misc/governments.png", Category.ART),
        ("assets/unity_logo_glow.png", Category.UI),  # 'unity' is not 'unit'
    ],
)
def test_path_words(path: str, category: Category) -> None:
    assert _role(path)[0] is category


def test_declared_icons_win_and_undeclared_launcher_icons_are_not_invented() -> None:
    declared = ("res/mipmap-xxhdpi/ic_launcher.png",)
    assert _role("res/mipmap-xxhdpi/ic_launcher.png", icon_entries=declared) == (
        Category.ICON,
        "package-icon",
    )
    # the package declared its icon: an undeclared round launcher icon is not a second icon
    assert _role("res/mipmap-xxhdpi/ic_launcher_round.png", icon_entries=declared)[0] is not Category.ICON
    # with no declared icon, well-known launcher layouts are icons
    assert _role("res/mipmap-xxhdpi/ic_launcher_round.png") == (Category.ICON, "launcher-path")
    assert _role("Payload/A.app/AppIcon60x60@2x.png")[0] is Category.ICON
    assert _role("data/icons/48x48/game.png")[0] is Category.ICON


def test_store_listing_facts() -> None:
    assert _role("icon.png", format=PackageFormat.LISTING) == (Category.ICON, "listing-icon")
    assert _role("screenshots/1.jpg", format=PackageFormat.LISTING) == (Category.UI, "listing-screenshot")


def test_caller_mapping_overrides_path_words_first_match_wins() -> None:
    png = image_bytes()
    files = {"art/hero/a.png": png, "art/ui/b.png": png, "art/x.png": png}
    overrides = (("art/hero/*", Category.UI), ("art/*", Category.CHARACTERS))
    extraction = extract_assets(opened_package(files), Settings(), overrides)
    categories = {asset.path: (asset.category, asset.found_by) for asset in extraction.assets}
    assert categories["art/hero/a.png"] == (Category.UI, "override:art/hero/*")
    assert categories["art/ui/b.png"] == (Category.CHARACTERS, "override:art/*")


def test_images_are_sniffed_by_magic_not_extension() -> None:
    cgbi = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x04CgBI\x50\x00\x20\x06" + b"\x00\x00\x00\x00"
    files = {
        "a/renamed.dat": image_bytes("PNG"),
        "a/photo.png": image_bytes("JPEG"),
        "a/anim.bin": image_bytes("GIF"),
        "a/pic.webp": image_bytes("WEBP"),
        "a/old.bmp": image_bytes("BMP"),
        "Payload/A.app/hero.png": cgbi,
        "a/not_an_image.png": b"just text pretending",
        "sounds/hit.png": b"OggS" + b"\x00" * 28,
        "classes.dex": b"dex\n035\x00" + b"\x00" * 100,
        "lib/arm64-v8a/libgame.so": b"\x7fELF" + b"\x00" * 60,
    }
    assets = {asset.path: asset for asset in extract(files).assets}
    assert assets["a/renamed.dat"].media_type == "image/png"
    assert assets["a/photo.png"].media_type == "image/jpeg"
    assert assets["a/anim.bin"].media_type == "image/gif"
    assert assets["a/pic.webp"].media_type == "image/webp"
    assert assets["a/old.bmp"].media_type == "image/bmp"
    assert assets["Payload/A.app/hero.png"].media_type == "image/png; variant=cgbi"
    assert assets["Payload/A.app/hero.png"].category is Category.CHARACTERS
    assert "a/not_an_image.png" not in assets
    assert (assets["sounds/hit.png"].kind, assets["sounds/hit.png"].category) == (
        AssetKind.AUDIO,
        Category.AUDIO,
    )
    assert assets["classes.dex"].kind is AssetKind.CODE
    assert assets["lib/arm64-v8a/libgame.so"].category is Category.CODE
    assert assets["a/renamed.dat"].sha256 == hashlib.sha256(files["a/renamed.dat"]).hexdigest()


def test_package_icon_assets() -> None:
    png = image_bytes()
    extraction = extract(
        {"res/mipmap-hdpi/ic_launcher.png": png, "res/mipmap-hdpi/ic_launcher_round.png": png},
        format=PackageFormat.APK,
        icon_entries=("res/mipmap-hdpi/ic_launcher.png",),
    )
    roles = {asset.path: (asset.category, asset.found_by) for asset in extraction.assets}
    assert roles["res/mipmap-hdpi/ic_launcher.png"] == (Category.ICON, "package-icon")
    assert roles["res/mipmap-hdpi/ic_launcher_round.png"][0] is not Category.ICON


@pytest.mark.parametrize(
    ("game", "minimum"), [("shattered-pixel-dungeon", 0.95), ("tuxemon", 0.95), ("freeciv21", 0.9)]
)
def test_roles_agree_with_the_corpus_manifest(game: str, minimum: float) -> None:
    kinds = {row["path"]: row["kind"] for row in csv.DictReader((CORPUS / game / "MANIFEST.csv").open())}
    images = [a for a in corpus_extraction(game).assets if a.kind is AssetKind.IMAGE and a.frame is None]
    judged = [(a, kinds[a.path]) for a in images if kinds.get(a.path) in AGREES]
    agreeing = sum(1 for asset, kind in judged if asset.category in AGREES[kind])
    assert len(judged) >= 200
    assert agreeing / len(judged) >= minimum, f"{game}: {agreeing}/{len(judged)}"
    # every raster image the manifest lists is extracted (only SVG masters are not images we decode)
    raster = {p for p, k in kinds.items() if k in AGREES and not p.endswith(".svg")}
    assert raster <= {a.path for a in images}
