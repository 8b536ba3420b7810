"""Peak memory: the real command line stays under 1 GB resident on default settings whatever the input's size.

Peak RSS is the kernel's count for the child process (os.wait4, the same figure as `/usr/bin/time -v`). The
inputs are generated at test time and are small on disk: repeated deflate blocks and sparse files.
"""

from __future__ import annotations

from pathlib import Path

from hostile.builders import MIB, png_bytes
from hostile.cases import PACKAGE_ID, case
from hostile.runner import Sandbox, assert_usable, inspect, warned

ONE_GIB = 1024.0  # MiB
SIXTEEN_BIT_BOUND_MIB = 700.0  # well under ONE_GIB: a regression to a uint16 decode would pass 1 GB again


def test_500_mib_entry_is_read_within_the_memory_bound(inputs: Path, sandbox: Sandbox) -> None:
    path = case("big-entry-500mib").build(inputs)
    assert path.stat().st_size < 40 * MIB
    run = inspect(path, sandbox)
    report = assert_usable(run)
    assert report["package"]["package_id"] == PACKAGE_ID
    assert report["assets"]["by_kind"].get("audio", 0) >= 1 or report["package"]["entries"] > 30
    assert run.max_rss_mib < ONE_GIB, f"peak RSS {run.max_rss_mib:.0f} MiB"


def test_64_megapixel_png_is_decoded_within_the_memory_bound(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("png-8000x8000").build(inputs), sandbox)
    assert_usable(run)
    assert run.max_rss_mib < ONE_GIB, f"peak RSS {run.max_rss_mib:.0f} MiB"


def test_64_megapixel_16_bit_png_is_decoded_within_the_memory_bound(inputs: Path, sandbox: Sandbox) -> None:
    """Pillow unpacks 16-bit colour to 8 bits row by row (decode.py): the page costs its 8-bit size twice at
    most, about 580 MiB in all, where OpenCV's uint16 decode and its copy peaked at 1.07 GB."""
    run = inspect(case("png16-8000x8000").build(inputs), sandbox)
    report = assert_usable(run)
    assert report["package"]["package_id"] == PACKAGE_ID
    assert not warned(report, "assets/ui/big.png")  # decoded, not refused
    assert run.max_rss_mib < SIXTEEN_BIT_BOUND_MIB, f"peak RSS {run.max_rss_mib:.0f} MiB"


def test_zip_bomb_costs_no_memory(inputs: Path, sandbox: Sandbox) -> None:
    run = inspect(case("zip-bomb-5gib").build(inputs), sandbox)
    assert_usable(run)
    assert run.max_rss_mib < 300, f"peak RSS {run.max_rss_mib:.0f} MiB"


def test_folder_with_huge_sparse_files(inputs: Path, sandbox: Sandbox) -> None:
    """A 500 MiB file is read (it is under the per-entry limit); a 600 MiB one is skipped by its size."""
    game = inputs / "game"
    game.mkdir()
    (game / "icon.png").write_bytes(png_bytes(48, 48))
    for name, size in (("data/theme.ogg", 500 * MIB), ("data/movie.bin", 600 * MIB)):
        (game / name).parent.mkdir(exist_ok=True)
        with (game / name).open("wb") as handle:
            handle.write(b"OggS")  # sniffed as audio: kept by its hash, not searched for server names
            handle.truncate(size)  # sparse: no disk space, but every other byte reads as zero
    run = inspect(game, sandbox)
    report = assert_usable(run)
    assert warned(report, "data/movie.bin", "over the per-entry limit")
    assert report["package"]["entries"] == 2
    assert run.max_rss_mib < ONE_GIB, f"peak RSS {run.max_rss_mib:.0f} MiB"
