"""Hostile containers: not a zip, empty, truncated, zip slip, zip bombs (true, lying, overlapping, nested),
archives nested past max_nesting, fake encryption, duplicate names, symlinks in an IPA, odd member names.

The command line gives one of two outcomes and never writes where a member name points; the API checks the
details (which entries were kept, which bytes were read).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clonedetect.errors import InputError
from clonedetect.pipeline import analyse
from clonedetect.settings import Settings
from clonedetect.unpack import open_package
from hostile.builders import MIB, Member, build_zip, forged_offset_zip, stored
from hostile.cases import (
    APP,
    PACKAGE_ID,
    SAMPLE_APK,
    SAMPLE_ICON,
    SAMPLE_IMAGES,
    case,
    sample_members,
    slip_names,
)
from hostile.runner import (
    Sandbox,
    assert_unusable,
    assert_usable,
    inspect,
    run_cli,
    tree_listing,
    warned,
    warnings_of,
)

SETTINGS = Settings()
ONE_GIB_RSS = 1024.0  # MiB


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-a-zip", "not a readable zip archive"),
        ("empty", "empty file"),
        ("truncated-half", "not a readable zip archive"),
        ("truncated-end-record", "not a readable zip archive"),
    ],
)
def test_unusable_containers_are_exit_2_and_one_line(
    name: str, reason: str, inputs: Path, sandbox: Sandbox
) -> None:
    path = case(name).build(inputs)
    line = assert_unusable(inspect(path, sandbox), reason)
    assert path.name in line


def test_zip_slip_names_write_nothing_anywhere(tmp_path: Path, inputs: Path, sandbox: Sandbox) -> None:
    path = case("zip-slip").build(inputs)
    before = tree_listing(tmp_path)
    run = inspect(path, sandbox)
    after = tree_listing(tmp_path)
    report = assert_usable(run)
    assert after == before  # cwd, HOME, TMPDIR, the inputs and every folder the names climb to
    assert not any(Path(name).exists() for name in slip_names(inputs) if name.startswith("/"))
    assert report["package"]["package_id"] == PACKAGE_ID
    unsafe = [path for path, message in warnings_of(report) if "unsafe entry name" in message]
    assert len(unsafe) == len(slip_names(inputs))  # one warning per hostile name, nothing else lost
    assert report["assets"]["by_kind"]["image"] == SAMPLE_IMAGES


def test_zip_slip_names_are_kept_as_relative_data(inputs: Path) -> None:
    path = case("zip-slip").build(inputs)
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
    for name in (
        "escaped-relative.txt",
        "assets/escaped-deep.txt",
        "Windows/escaped-drive.txt",
        "escaped-drive-slash.txt",
        "escaped-backslash.txt",
        "server/share/escaped-unc.txt",
    ):
        assert name in names
    assert not any(name.startswith(("/", "..")) or "\\" in name or ":" in name for name in names)


def test_multi_gigabyte_bomb_is_skipped_quickly(inputs: Path, sandbox: Sandbox) -> None:
    path = case("zip-bomb-5gib").build(inputs)
    assert path.stat().st_size < 8 * MIB
    run = inspect(path, sandbox)
    report = assert_usable(run)
    assert warned(report, "assets/zeros.bin", "over the per-entry limit")
    assert report["package"]["package_id"] == PACKAGE_ID
    assert run.max_rss_mib < ONE_GIB_RSS and run.seconds < 60


def test_bomb_under_a_lying_size_is_read_only_to_its_declared_size(inputs: Path, sandbox: Sandbox) -> None:
    path = case("zip-bomb-lying-size").build(inputs)
    run = inspect(path, sandbox)
    assert_usable(run)
    assert run.seconds < 60 and run.max_rss_mib < ONE_GIB_RSS
    with open_package(path, SETTINGS) as opened:
        entry = next(e for e in opened.package.entries if e.name == "assets/small.bin")
        assert entry.size == 64 * 1024
        assert opened.source.read("assets/small.bin") == bytes(64 * 1024)


def test_overlapping_entries_bomb_reads_its_kernel_once(inputs: Path, sandbox: Sandbox) -> None:
    path = case("overlapping-bomb").build(inputs)
    assert path.stat().st_size < 2 * MIB
    run = inspect(path, sandbox)
    report = assert_usable(run)
    overlaps = [path for path, message in warnings_of(report) if "overlaps entry" in message]
    assert len(overlaps) == 9_999 and report["package"]["entries"] == 1
    assert run.seconds < 60


def test_nested_zip_bomb_is_bounded(inputs: Path, sandbox: Sandbox) -> None:
    path = case("nested-bomb").build(inputs)
    run = inspect(path, sandbox)
    report = assert_usable(run)
    for layer in range(4):
        for bomb in range(4):
            assert warned(report, f"layer{layer}.zip!/bomb{bomb}.zip!/assets/zeros.bin", "ratio")
    assert run.seconds < 60 and run.max_rss_mib < ONE_GIB_RSS


def test_archive_nested_beyond_max_nesting_is_listed_not_opened(inputs: Path, sandbox: Sandbox) -> None:
    path = case("xapk-apk-obb-zip").build(inputs)
    report = assert_usable(inspect(path, sandbox))
    apk = f"{PACKAGE_ID}.apk!/"
    assert report["package"]["format"] == "xapk"
    assert report["package"]["package_id"] == PACKAGE_ID
    assert warned(report, apk + "assets/main.obb!/inner.zip", "nesting limit 2")
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
    assert apk + "assets/main.obb!/images/obb-art.png" in names  # the OBB itself is analysed
    assert apk + "assets/main.obb!/inner.zip" in names  # the too-deep archive is an entry, by its hash
    assert not any("too-deep" in name for name in names)
    deeper = Settings().with_limits(max_nesting=3)
    with open_package(path, deeper) as opened:
        assert any(e.name.endswith("inner.zip!/deep/too-deep.png") for e in opened.package.entries)


def test_encrypted_flag_on_plain_members_is_ignored(inputs: Path, sandbox: Sandbox) -> None:
    path = case("encrypted-flag").build(inputs)
    report = assert_usable(inspect(path, sandbox))
    assert report["package"]["package_id"] == PACKAGE_ID
    assert report["assets"]["by_kind"]["image"] == SAMPLE_IMAGES
    assert SAMPLE_ICON in report["package"]["icons"]
    assert not any("encrypt" in message for _, message in warnings_of(report))


def test_duplicate_names_are_all_analysed(inputs: Path, sandbox: Sandbox) -> None:
    path = case("duplicate-names").build(inputs)
    report = assert_usable(inspect(path, sandbox))
    assert warned(report, "assets/ui/button.png", "duplicate entry name", "~dup2")
    assert warned(report, "assets/ui/button.png", "duplicate entry name", "~dup3")
    assert warned(report, "AndroidManifest.xml", "duplicate entry name")
    assert report["package"]["package_id"] == PACKAGE_ID  # the first manifest is the one Android reads
    analysis = analyse(path, SETTINGS)
    paths = {p.asset.path for p in analysis.prints}
    assert {"assets/ui/button.png", "assets/ui/button.png~dup2"} <= paths


def test_symlink_members_of_an_ipa_are_never_followed(tmp_path: Path, inputs: Path, sandbox: Sandbox) -> None:
    path = case("ipa-symlinks").build(inputs)
    before = tree_listing(tmp_path)
    report = assert_usable(inspect(path, sandbox))
    assert tree_listing(tmp_path) == before
    assert report["package"]["format"] == "ipa" and report["package"]["package_id"]
    for link in ("link-passwd.png", "res/up.json", "Frameworks", "Info.plist.link"):
        assert warned(report, APP + link, "symbolic link entry, not followed")
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
        assert APP + "link-passwd.png" not in names
        contents = b"".join(opened.source.read(name) for name in sorted(names) if name.endswith(".json"))
    assert b"root:" not in contents


def test_odd_member_names(inputs: Path, sandbox: Sandbox) -> None:
    path = case("odd-names").build(inputs)
    report = assert_usable(inspect(path, sandbox))
    assert report["package"]["package_id"] == PACKAGE_ID
    flagged = [where for where, message in warnings_of(report) if "not valid UTF-8" in message]
    assert flagged == ["assets/flagged-\ufffd\ufffd.txt"]
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
    assert "assets/" + "n" * 10_000 + ".txt" in names
    assert any(name.startswith("assets/legacy-") for name in names)  # GBK bytes, kept (as cp437 text)
    assert any(name.startswith("assets/line\nbreak") for name in names)


def test_a_flagged_invalid_name_does_not_make_the_archive_unusable(tmp_path: Path) -> None:
    """Python's zipfile refuses the whole archive for one such name; Android installs it."""
    path = tmp_path / "flagged-name.apk"
    path.write_bytes(build_zip([*sample_members(), stored(b"assets/\xc0\xaf.bin", b"x", flags=0x800)]))
    with open_package(path, SETTINGS) as opened:
        assert opened.package.package_id == PACKAGE_ID
        assert "assets/\ufffd\ufffd.bin" in {entry.name for entry in opened.package.entries}


def test_central_directory_damaged_part_way_keeps_the_records_before(tmp_path: Path) -> None:
    data = bytearray(build_zip([stored("a.txt", b"first"), stored("b.txt", b"second")]))
    second_record = data.rfind(b"PK\x01\x02")
    data[second_record : second_record + 4] = b"XXXX"
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    with open_package(path, SETTINGS) as opened:
        assert [entry.name for entry in opened.package.entries] == ["a.txt"]
        assert any("damaged central directory record" in w.message for w in opened.package.warnings)


def test_forged_offsets_and_sizes_are_entry_problems(tmp_path: Path) -> None:
    members = [
        stored("good.txt", b"fine"),
        Member("missing-data.bin", b"short", size=1000),  # stored, declares more than it holds
        Member("bad-deflate.bin", b"\xff" * 64, method=8, size=1000),
    ]
    path = tmp_path / "forged.zip"
    path.write_bytes(build_zip(members))
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
        problems = {w.path: w.message for w in opened.package.warnings}
    assert names == {"good.txt"}
    assert "truncated" in problems["missing-data.bin"] or "shorter" in problems["missing-data.bin"]
    assert "corrupt deflate data" in problems["bad-deflate.bin"]


def test_zip_with_only_directories_or_no_members_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    path.write_bytes(build_zip([]))
    with pytest.raises(InputError, match="no entries"):
        open_package(path, SETTINGS)


def test_compare_sees_through_fake_encryption(inputs: Path, sandbox: Sandbox) -> None:
    """The anti-unpacker trick does not hide a copy: the flagged repack is the sample byte for byte."""
    suspect = case("encrypted-flag").build(inputs)
    run = run_cli(["compare", str(SAMPLE_APK), str(suspect), "--json", "-", "-q"], sandbox)
    report = assert_usable(run, codes=(1,))
    assert report["verdict"]["clone"] is True


def test_compare_with_a_hostile_suspect_keeps_its_warnings(inputs: Path, sandbox: Sandbox) -> None:
    suspect = case("zip-slip").build(inputs)
    run = run_cli(["compare", str(SAMPLE_APK), str(suspect), "--json", "-", "-q"], sandbox)
    report = assert_usable(run, codes=(1,))
    assert sum("unsafe entry name" in message for _, message in warnings_of(report)) == len(
        slip_names(inputs)
    )


def test_compare_with_an_unusable_suspect_is_one_line(inputs: Path, sandbox: Sandbox) -> None:
    suspect = case("truncated-half").build(inputs)
    run = run_cli(["compare", str(SAMPLE_APK), str(suspect), "--json", "-"], sandbox)
    assert path_in(assert_unusable(run, "not a readable zip archive"), suspect)


def path_in(line: str, path: Path) -> bool:
    return path.name in line


@pytest.mark.parametrize("offset", [2**64 - 16, 2**63, 10**12, 0])
def test_forged_zip64_header_offsets_are_entry_problems(offset: int, tmp_path: Path) -> None:
    """Regression: an offset past 2**63 made the seek raise OverflowError, a crash of the whole run."""
    path = tmp_path / "forged-offset.zip"
    path.write_bytes(forged_offset_zip(offset))
    with open_package(path, SETTINGS) as opened:
        names = {entry.name for entry in opened.package.entries}
        problems = {w.path: w.message for w in opened.package.warnings}
    if offset == 0:
        assert names == {"a.txt"}
    else:
        assert names == set() and "outside the file" in problems["a.txt"]
