"""unpack of folders and store listings: links are never followed, special files never opened."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from corpus import CORPUS

from clonedetect.errors import EntryError, InputError
from clonedetect.model import LocalisedText, Package, PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack import open_package
from samples.build import build_listing

SPD_ASSETS = CORPUS / "shattered-pixel-dungeon/core/src/main/assets"
GAME_FILES = {
    "sprites/rat.png": SPD_ASSETS / "sprites/rat.png",
    "sprites/warrior.png": SPD_ASSETS / "sprites/warrior.png",
    "messages/scenes/scenes_zh.properties": SPD_ASSETS / "messages/scenes/scenes_zh.properties",
    "splashes/sewers.jpg": SPD_ASSETS / "splashes/sewers.jpg",
}
SETTINGS = Settings()


def _game(root: Path) -> Path:
    for name, source in GAME_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, root / name)
    return root


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A game folder with links inside and outside it, a linked folder and a FIFO."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not part of the package")
    game = _game(tmp_path / "game")
    (game / "secret-link.txt").symlink_to(outside / "secret.txt")
    (game / "inner-link.png").symlink_to(game / "sprites/rat.png")
    (game / "linked-dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(game / "pipe")
    return game


def _open_in_thread(path: Path, settings: Settings) -> Package:
    """open_package in a thread with a deadline: a FIFO that got opened would block forever."""
    result: dict[str, Package] = {}

    def run() -> None:
        with open_package(path, settings) as opened:
            result["package"] = opened.package

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "open_package blocked (a FIFO was opened?)"
    return result["package"]


def test_folder_entries_and_hash(tmp_path: Path) -> None:
    game = _game(tmp_path / "game")
    with open_package(game, SETTINGS) as opened:
        package = opened.package
        assert opened.source.read("sprites/rat.png") == GAME_FILES["sprites/rat.png"].read_bytes()
    assert package.format is PackageFormat.FOLDER
    expected = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in GAME_FILES.items()}
    assert {entry.name: entry.sha256 for entry in package.entries} == expected
    assert [entry.name for entry in package.entries] == sorted(expected)
    listing = "".join(f"{name}\t{expected[name]}\n" for name in sorted(expected))
    assert package.sha256 == hashlib.sha256(listing.encode()).hexdigest()
    assert package.warnings == ()
    # the same files elsewhere are the same package
    with open_package(_game(tmp_path / "copy"), SETTINGS) as opened:
        assert opened.package.sha256 == package.sha256


def test_links_are_never_followed_and_fifos_skipped(hostile: Path) -> None:
    package = _open_in_thread(hostile, SETTINGS)
    names = {entry.name for entry in package.entries}
    assert names == set(GAME_FILES)
    warnings = {warning.path: warning.message for warning in package.warnings}
    for link in ("secret-link.txt", "inner-link.png", "linked-dir"):
        assert "symbolic link" in warnings[link]
    assert "FIFO" in warnings["pipe"]


def test_file_swapped_for_a_link_after_listing_is_not_read(tmp_path: Path) -> None:
    game = _game(tmp_path / "game")
    (tmp_path / "secret.txt").write_text("outside")
    with open_package(game, SETTINGS) as opened:
        (game / "sprites/rat.png").unlink()
        (game / "sprites/rat.png").symlink_to(tmp_path / "secret.txt")
        with pytest.raises(EntryError):
            opened.source.read("sprites/rat.png")
        with pytest.raises(EntryError, match="no such entry"):
            opened.source.read("../secret.txt")


def test_limits_bound_the_walk(tmp_path: Path) -> None:
    game = _game(tmp_path / "game")
    with open_package(game, SETTINGS.with_limits(max_entries=2)) as opened:
        assert len(opened.package.entries) == 2
        assert any("over 2 files" in warning.message for warning in opened.package.warnings)
    small = max(path.stat().st_size for path in GAME_FILES.values()) - 1
    with open_package(game, SETTINGS.with_limits(max_entry_bytes=small)) as opened:
        assert len(opened.package.entries) == len(GAME_FILES) - 1
        assert any("per-entry limit" in warning.message for warning in opened.package.warnings)


def test_empty_folder_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no regular file"):
        open_package(tmp_path / "empty", SETTINGS)


def test_store_listing(tmp_path: Path) -> None:
    icon = (CORPUS / "shattered-pixel-dungeon/desktop/src/main/assets/icons/icon_256.png").read_bytes()
    shots = [(SPD_ASSETS / f"splashes/{name}.jpg").read_bytes() for name in ("sewers", "prison")]
    listing = build_listing(
        tmp_path / "listing",
        icon=icon,
        screenshots=shots,
        title="破碎的像素地牢 - Shattered Pixel Dungeon",
        description="一款传统的 Roguelike 地牢探险游戏。",
    )
    with open_package(listing, SETTINGS) as opened:
        package = opened.package
        assert opened.source.read(package.icon_entries[0]) == icon
    assert package.format is PackageFormat.LISTING
    assert package.app_name == "破碎的像素地牢 - Shattered Pixel Dungeon"
    assert package.app_names == (("", package.app_name),)
    assert package.icon_entries == ("icon.png",)
    assert (
        LocalisedText("listing/description", "", "一款传统的 Roguelike 地牢探险游戏。")
        in package.resource_strings
    )
    assert {"screenshots/01.jpg", "screenshots/02.jpg"} <= {entry.name for entry in package.entries}
