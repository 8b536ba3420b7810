"""Hostile containers: not a zip, empty, truncated, zip slip, zip bombs (true, lying, overlapping, nested),
archives nested past max_nesting, fake encryption, duplicate names, symlinks in an IPA, odd member names.

The command line gives one of two outcomes and never writes where a member name points; the API checks the
details (which entries were kept, which bytes were read).
"""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from pathlib import Path

import pytest

from clonedetect.errors import InputError
from clonedetect.pipeline import analyse
from clonedetect.settings import Settings
from clonedetect.unpack import open_package
from clonedetect.unpack.safezip import SafeZip
from hostile.builders import DEFLATED, MIB, Member, build_zip, deflated, forged_offset_zip, stored
from hostile.cases import (
    APP,
    PACKAGE_ID,
    SAMPLE_APK,
    SAMPLE_ICON,
    SAMPLE_IMAGES,
    SAMPLE_IPA,
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


# -- member data that disagree with their declared size --------------------------------------------------

CONFIG = b'{"server": "play.example.com", "coins": [1, 5, 10, 50]}\n' * 200  # 11,200 bytes
SIZE_MISMATCH_NAME = "assets/config/tampered.json"  # a name the sample does not have


def _deflated_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _size_mismatches() -> dict[str, tuple[Member, int, str]]:
    """Members built at test time whose data disagree with their headers: (member, bytes read, message)."""
    body = _deflated_raw(CONFIG)
    name = SIZE_MISMATCH_NAME
    return {
        "deflate-longer": (
            Member(name, body, DEFLATED, size=100, crc=zlib.crc32(CONFIG[:100])),
            100,
            "data longer than the declared size 100; read 100 bytes",
        ),
        "deflate-trailing-bytes": (
            Member(name, body + b"PAD!" * 4, DEFLATED, size=len(CONFIG), crc=zlib.crc32(CONFIG)),
            len(CONFIG),
            f"deflate stream ends 16 bytes before its declared compressed size {len(body) + 16}; "
            f"read {len(CONFIG)} bytes",
        ),
        "stored-longer": (
            Member(name, CONFIG, size=1000, crc=zlib.crc32(CONFIG[:1000])),
            1000,
            f"stored data ({len(CONFIG)} bytes) longer than the declared size 1000; read 1000 bytes",
        ),
    }


@pytest.mark.parametrize("kind", list(_size_mismatches()))
def test_member_data_that_disagree_with_the_declared_size_are_one_warning(kind: str) -> None:
    """Android's libziparchive refuses such a member (its inflate must end exactly at the declared size, with
    the compressed data): we read the declared size, as before, and say that the member was tampered with."""
    member, kept, message = _size_mismatches()[kind]
    archive = SafeZip(io.BytesIO(build_zip([*sample_members(), member])), SETTINGS.limits, "mismatch.apk")
    entries, problems = archive.entries()
    assert [(w.path, w.message) for w in problems] == [(SIZE_MISMATCH_NAME, message)]
    entry = next(e for e in entries if e.name == SIZE_MISMATCH_NAME)
    assert entry.size == kept and entry.sha256 == hashlib.sha256(CONFIG[:kept]).hexdigest()
    assert len(entries) == len(sample_members()) + 1  # the rest of the archive is read as ever
    assert archive.read(SIZE_MISMATCH_NAME) == CONFIG[:kept]
    assert archive.take_read_warnings() == []  # one warning per member, however often it is read


def test_a_5_gib_stream_under_a_64_kib_size_is_noticed_at_once(inputs: Path) -> None:
    path = case("zip-bomb-lying-size").build(inputs)
    start = time.perf_counter()
    with path.open("rb") as handle:
        archive = SafeZip(handle, SETTINGS.limits, path.name)
        assert archive.read("assets/small.bin") == bytes(64 * 1024)
        warnings = archive.take_read_warnings()
    assert time.perf_counter() - start < 5.0  # one more byte inflated, not the 5 GiB
    assert [(w.path, w.message) for w in warnings] == [
        ("assets/small.bin", "data longer than the declared size 65536; read 65536 bytes")
    ]


@pytest.mark.parametrize("sample", [SAMPLE_APK, SAMPLE_IPA], ids=["apk", "ipa"])
def test_well_formed_archives_have_no_size_warnings(sample: Path) -> None:
    """The sample packages as their tools wrote them, and re-deflated member by member, empty members too."""
    rebuilt = build_zip([*sample_members(sample), deflated("assets/empty.txt", b""), stored("e.bin", b"")])
    for data in (sample.read_bytes(), rebuilt):
        archive = SafeZip(io.BytesIO(data), SETTINGS.limits, sample.name)
        entries, problems = archive.entries()
        assert entries and problems == []


def test_size_mismatch_is_reported_by_the_command_line(inputs: Path, sandbox: Sandbox) -> None:
    member, _, message = _size_mismatches()["deflate-longer"]
    path = inputs / "mismatch.apk"
    path.write_bytes(build_zip([*sample_members(), member]))
    report = assert_usable(inspect(path, sandbox))
    assert report["package"]["package_id"] == PACKAGE_ID
    assert warned(report, SIZE_MISMATCH_NAME, message)
    sizes = [m for where, m in warnings_of(report) if where == SIZE_MISMATCH_NAME and "declared size" in m]
    assert sizes == [message]  # once, although the member is read again to parse it (100 bytes: bad JSON)
