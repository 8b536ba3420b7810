"""Hostile folders: FIFOs, sockets and devices (a FIFO that got opened would block forever, a device would
never end), symbolic-link loops, links to the folder itself and links pointing outside it. None is followed
or opened; each is one warning; the regular files are analysed. A special file given as the input itself is
unusable input.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from clonedetect.pipeline import analyse
from clonedetect.settings import Settings
from hostile.builders import png_bytes
from hostile.cases import case, special_files
from hostile.runner import Sandbox, assert_unusable, assert_usable, inspect, tree_listing, warned

RUN_TIMEOUT = 60.0  # a FIFO that was opened would hang the run until this kills it


def test_special_files_and_links_are_skipped_with_a_warning_each(
    tmp_path: Path, inputs: Path, sandbox: Sandbox
) -> None:
    game = case("folder-special-files").build(inputs)
    made = special_files_in(game)
    before = tree_listing(tmp_path)
    run = inspect(game, sandbox, timeout=RUN_TIMEOUT)
    report = assert_usable(run)
    assert tree_listing(tmp_path) == before
    assert report["package"]["format"] == "folder"
    assert report["package"]["entries"] == 2  # sprites/hero.png and strings.json, nothing reached by a link
    for name, kind in made.items():
        expected = "symbolic link, not followed" if "link" in kind else "not a regular file"
        assert warned(report, name, expected), (name, kind)
    assert len(report["warnings"]) == len(made)
    assert "secret" not in run.stdout


def special_files_in(game: Path) -> dict[str, str]:
    """What the case builder made: every non-regular item at the top of the folder, by kind."""
    kinds: dict[str, str] = {}
    for item in sorted(game.iterdir()):
        if item.is_symlink():
            kinds[item.name] = "link"
        elif item.is_fifo():
            kinds[item.name] = "fifo"
        elif item.is_socket():
            kinds[item.name] = "socket"
        elif item.is_char_device() or item.is_block_device():
            kinds[item.name] = "device"
    return kinds


def test_folder_of_only_special_files_is_unusable(inputs: Path, sandbox: Sandbox) -> None:
    game = case("folder-only-special").build(inputs)
    assert_unusable(inspect(game, sandbox, timeout=RUN_TIMEOUT), "holds no regular file")


@pytest.mark.parametrize("kind", ["fifo", "socket", "device", "link-loop"])
def test_a_special_file_as_the_input_itself_is_unusable(kind: str, inputs: Path, sandbox: Sandbox) -> None:
    path = inputs / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        listener.close()
    elif kind == "device":
        path = Path("/dev/zero")  # endless: must never be read
    else:
        path.symlink_to(inputs / "loop-other")
        (inputs / "loop-other").symlink_to(path)
    line = assert_unusable(inspect(path, sandbox, timeout=RUN_TIMEOUT))
    assert str(path) in line


def test_a_store_listing_whose_icon_is_a_link_reads_no_outside_file(tmp_path: Path) -> None:
    listing = tmp_path / "listing"
    (listing / "screenshots").mkdir(parents=True)
    (listing / "screenshots/01.png").write_bytes(png_bytes(64, 36, seed=30))
    (listing / "title.txt").symlink_to("/etc/hostname")
    (listing / "icon.png").symlink_to(tmp_path / "outside.png")
    (tmp_path / "outside.png").write_bytes(png_bytes(32, 32, seed=31))
    (listing / "description.txt").write_text("A game.")
    os.mkfifo(listing / "screenshots/02.png")
    analysis = analyse(listing, Settings())
    names = {entry.name for entry in analysis.package.entries}
    assert names == {"screenshots/01.png", "description.txt"}
    assert analysis.package.app_name == ""  # title.txt was a link: not read
    messages = {w.path: w.message for w in analysis.warnings}
    assert "not followed" in messages["icon.png"] and "not followed" in messages["title.txt"]
    assert "not a regular file" in messages["screenshots/02.png"]


def test_folders_nested_past_max_depth_stop_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "game"
    deep = root
    for level in range(80):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    (deep / "bottom.png").write_bytes(png_bytes(8, 8))
    (root / "top.png").write_bytes(png_bytes(8, 8, seed=2))
    analysis = analyse(root, Settings())
    assert [entry.name for entry in analysis.package.entries] == ["top.png"]
    assert any("nested deeper than 64" in w.message for w in analysis.warnings)


def test_special_files_inside_nested_folders(tmp_path: Path) -> None:
    game = tmp_path / "game"
    inner = game / "assets" / "sub"
    inner.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png_bytes(40, 40, seed=12))
    (outside / "secret.json").write_text("{}")
    made = special_files(inner, outside)
    (game / "assets/ok.png").write_bytes(png_bytes(16, 16))
    analysis = analyse(game, Settings())
    assert [entry.name for entry in analysis.package.entries] == ["assets/ok.png"]
    flagged = {w.path for w in analysis.warnings}
    assert flagged == {f"assets/sub/{name}" for name in made}
