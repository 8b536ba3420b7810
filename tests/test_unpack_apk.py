"""unpack of real APKs (aapt + zipalign + apksigner, through samples/build.py) and of APK sets.

Icons and strings are real game data from the corpus (Shattered Pixel Dungeon's launcher icons at every
density with its adaptive layers, and its title-screen strings in English, Simplified and Traditional
Chinese). Variants are made with the real Android tools: `aapt2 optimize` (shipped in Debian's `aapt`
package) shortens resource paths, encodes sparse entries, obfuscates resource names and splits languages out.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import CORPUS

from clonedetect.errors import InputError
from clonedetect.model import LocalisedText, Package, PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack import open_package
from clonedetect.unpack.apkres import ResourceSet, TablePart
from clonedetect.unpack.arsc import parse_table
from clonedetect.unpack.axml import parse_axml
from clonedetect.unpack.binres import ResFormatError
from samples.build import DENSITIES, SigningKey, build_apk, make_key, scheme_flags, sign_apk

SPD = CORPUS / "shattered-pixel-dungeon"
SPD_RES = SPD / "android/src/main/res"
SPD_SCENES = SPD / "core/src/main/assets/messages/scenes"
AAPT2 = shutil.which("aapt2") or "/usr/lib/android-sdk/build-tools/debian/aapt2"
LABELS = {
    "": "Shattered Pixel Dungeon",
    "zh-rCN": "破碎的像素地牢",
    "zh-rTW": "破碎的像素地下城",
    "fr": "Donjon",
}
SETTINGS = Settings()


def _titlescene(file_name: str) -> dict[str, str]:
    """The title-screen strings of one corpus .properties file, as Android resource names."""
    values: dict[str, str] = {}
    for line in (SPD_SCENES / file_name).read_text(encoding="utf-8").splitlines():
        if line.startswith("scenes.titlescene."):
            key, _, value = line.partition("=")
            values[key.replace(".", "_")] = value
    return values


STRINGS = {
    "": _titlescene("scenes.properties"),
    "zh-rCN": _titlescene("scenes_zh.properties"),
    "zh-rTW": _titlescene("scenes_zh-hant.properties"),
}
ICONS = {density: (SPD_RES / f"mipmap-{density}/ic_launcher.png").read_bytes() for density in DENSITIES}
FOREGROUND = (SPD_RES / "mipmap-xxxhdpi/ic_launcher_foreground.png").read_bytes()
BACKGROUND = (SPD_RES / "mipmap-xxxhdpi/ic_launcher_background.png").read_bytes()
SPRITE = (SPD / "core/src/main/assets/sprites/rat.png").read_bytes()


def _run(*args: str) -> str:
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{args[0]} failed: {proc.stderr or proc.stdout}"
    return proc.stdout


def _sign(unsigned: Path, out: Path, key: SigningKey, *schemes: str) -> Path:
    aligned = unsigned.with_name(unsigned.stem + "-aligned.apk")
    _run("zipalign", "-p", "-f", "4", str(unsigned), str(aligned))
    return sign_apk(aligned, out, key, ["--min-sdk-version", "24", *scheme_flags(schemes)])


def _apksigner_sha256(apk: Path) -> str:
    """The signer certificate's SHA-256 as apksigner itself reports it."""
    output = _run("apksigner", "verify", "--min-sdk-version", "24", "--print-certs", str(apk))
    match = re.search(r"certificate SHA-256 digest: ([0-9a-f]{64})", output)
    assert match, output
    return match.group(1)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Apks:
    root: Path
    rsa: SigningKey
    main: Path  # RSA, v1 + v2 + v3, every density, adaptive icon, an OBB in its assets
    ec: Path  # EC key, v1 + v2 + v3
    shortened: Path  # aapt2 optimize --enable-resource-path-shortening
    obfuscated: Path  # aapt2 optimize --enable-sparse-encoding --enable-resource-obfuscation
    base: Path  # aapt2 optimize --split: languages moved to `languages`; signed v2 only
    languages: Path


@pytest.fixture(scope="module")
def apks(tmp_path_factory: pytest.TempPathFactory) -> Apks:
    # keytool and apksigner are short JVM runs: the quick JIT tier and the serial GC halve their start-up
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        return _build_apks(tmp_path_factory.mktemp("apks"))


def _build_apks(root: Path) -> Apks:
    rsa, ec = make_key(root / "keys", "RSA"), make_key(root / "keys", "EC")
    obb = _zip({"sprites/rat.png": SPRITE, "readme.txt": b"expansion data"})

    def build(name: str, key: SigningKey, schemes: tuple[str, ...], assets: dict[str, bytes]) -> Path:
        return build_apk(
            root / name,
            package_id="com.shatteredpixel.shatteredpixeldungeon",
            version_code=873,
            version_name="3.3.6",
            label=LABELS,
            strings=STRINGS,
            icons=ICONS,
            adaptive_icon=(FOREGROUND, BACKGROUND),
            assets=assets,
            key=key,
            schemes=schemes,
        )

    main = build("main.apk", rsa, ("v1", "v2", "v3"), {"main.obb": obb})
    ec_apk = build("ec.apk", ec, ("v1", "v2", "v3"), {})
    # aapt2 optimize keeps META-INF, so it gets the APK without its old signature, as a real build step would
    unsigned = root / "main-unsigned.apk"
    unsigned.write_bytes(_zip({k: v for k, v in _members(main).items() if not k.startswith("META-INF/")}))
    optimize = (AAPT2, "optimize", str(unsigned), "-o")
    _run(*optimize, str(root / "short-u.apk"), "--enable-resource-path-shortening")
    _run(*optimize, str(root / "obf-u.apk"), "--enable-sparse-encoding", "--enable-resource-obfuscation")
    _run(*optimize, str(root / "base-u.apk"), "--split", f"{root / 'lang-u.apk'}:fr,zh-rCN,zh-rTW")
    return Apks(
        root=root,
        rsa=rsa,
        main=main,
        ec=ec_apk,
        shortened=_sign(root / "short-u.apk", root / "short.apk", rsa, "v2"),
        obfuscated=_sign(root / "obf-u.apk", root / "obf.apk", rsa, "v2"),
        base=_sign(root / "base-u.apk", root / "base.apk", rsa, "v2"),
        languages=_sign(root / "lang-u.apk", root / "lang.apk", rsa, "v2"),
    )


@pytest.fixture(scope="module")
def main_package(apks: Apks) -> Package:
    with open_package(apks.main, SETTINGS) as opened:
        return opened.package


@pytest.fixture(scope="module")
def rsa_sha256(apks: Apks) -> str:
    """The RSA signing certificate's SHA-256 as apksigner reports it (every RSA-signed APK here)."""
    return _apksigner_sha256(apks.main)


def test_manifest_ids_and_versions(apks: Apks, main_package: Package) -> None:
    assert main_package.format is PackageFormat.APK
    assert main_package.package_id == "com.shatteredpixel.shatteredpixeldungeon"
    assert main_package.version_name == "3.3.6"
    assert main_package.version_code == "873"
    assert main_package.sha256 == _sha(apks.main.read_bytes())
    assert main_package.size == apks.main.stat().st_size
    assert main_package.source == str(apks.main)


def test_every_entry_listed_with_its_sha256(apks: Apks, main_package: Package) -> None:
    members = _members(apks.main)
    listed = {entry.name: entry for entry in main_package.entries if "!/" not in entry.name}
    assert set(listed) == set(members)
    for name, data in members.items():
        assert listed[name].sha256 == _sha(data)
        assert listed[name].size == len(data)
    assert [entry.name for entry in main_package.entries] == sorted(
        entry.name for entry in main_package.entries
    )


def test_labels_per_locale(main_package: Package) -> None:
    assert main_package.app_name == LABELS[""]
    assert main_package.app_names == tuple(sorted(LABELS.items()))


def test_string_resources_of_every_locale(main_package: Package) -> None:
    texts = set(main_package.resource_strings)
    for locale, values in STRINGS.items():
        for name, value in values.items():
            assert LocalisedText(f"string/{name}", locale, value) in texts
    assert LocalisedText("string/app_name", "zh-rTW", LABELS["zh-rTW"]) in texts
    assert list(main_package.resource_strings) == sorted(
        main_package.resource_strings, key=lambda text: (text.key, text.locale, text.value)
    )


def test_string_resources_agree_with_apkutils_parser(apks: Apks, main_package: Package) -> None:
    """Differential check against apkutils' ARSCParser (the parser we measured and replaced)."""
    from apkutils.axml import ARSCParser

    parser = ARSCParser(_members(apks.main)["resources.arsc"])
    package_name = parser.get_packages_names()[0]
    theirs = set()
    for locale in parser.get_locales(package_name):
        for name, value in parser.values[package_name][locale].get("string", []):
            theirs.add((f"string/{name}", "" if locale == "\x00\x00" else locale, value))
    ours = {(text.key, text.locale, text.value) for text in main_package.resource_strings}
    assert ours == theirs


def test_launcher_icon_for_every_density_and_adaptive_layers(apks: Apks) -> None:
    with open_package(apks.main, SETTINGS) as opened:
        icons = opened.package.icon_entries
        by_bytes = {_sha(opened.source.read(name)): name for name in icons}
    expected = {_sha(data): f"res/mipmap-{density}-v4/ic_launcher.png" for density, data in ICONS.items()}
    expected[_sha(FOREGROUND)] = "res/mipmap-xxxhdpi-v4/ic_launcher_foreground.png"
    expected[_sha(BACKGROUND)] = "res/mipmap-xxxhdpi-v4/ic_launcher_background.png"
    assert by_bytes == expected
    assert len(icons) == len(DENSITIES) + 2
    assert not any(name.endswith(".xml") for name in icons)  # the adaptive XML is followed, not reported


def test_icons_resolve_through_table_when_paths_are_shortened(apks: Apks, main_package: Package) -> None:
    with open_package(apks.shortened, SETTINGS) as opened:
        package = opened.package
        icon_bytes = {_sha(opened.source.read(name)) for name in package.icon_entries}
    assert all(re.fullmatch(r"res/[^/]+\.png", name) for name in package.icon_entries), package.icon_entries
    assert not any("mipmap" in entry.name for entry in package.entries)  # really shortened
    with open_package(apks.main, SETTINGS) as opened:
        original = {_sha(opened.source.read(name)) for name in main_package.icon_entries}
    assert icon_bytes == original
    assert package.app_names == main_package.app_names


def test_sparse_table_and_obfuscated_names(apks: Apks, main_package: Package) -> None:
    with open_package(apks.obfuscated, SETTINGS) as opened:
        package = opened.package
    assert package.app_names == main_package.app_names
    assert len(package.icon_entries) == len(main_package.icon_entries)
    values = {(text.locale, text.value) for text in package.resource_strings}
    assert values == {(text.locale, text.value) for text in main_package.resource_strings}
    # names are gone from an obfuscated table: strings are keyed by resource id instead
    assert all(re.fullmatch(r"string/0x7f[0-9a-f]{6}", text.key) for text in package.resource_strings)


def test_rsa_signer_all_schemes(main_package: Package, rsa_sha256: str) -> None:
    assert {signer.scheme for signer in main_package.signers} == {"v1", "v2", "v3"}
    assert {signer.sha256 for signer in main_package.signers} == {rsa_sha256}
    assert {signer.key_algorithm for signer in main_package.signers} == {"RSA"}
    assert all("CN=Example Games" in signer.subject for signer in main_package.signers)


def test_ec_signer(apks: Apks) -> None:
    with open_package(apks.ec, SETTINGS) as opened:
        signers = opened.package.signers
    assert {signer.scheme for signer in signers} == {"v1", "v2", "v3"}
    assert {signer.key_algorithm for signer in signers} == {"EC"}
    assert {signer.sha256 for signer in signers} == {_apksigner_sha256(apks.ec)}


def test_v2_only_signer(apks: Apks, rsa_sha256: str) -> None:
    with open_package(apks.base, SETTINGS) as opened:
        package = opened.package
    assert [(signer.scheme, signer.sha256) for signer in package.signers] == [("v2", rsa_sha256)]
    assert not any(entry.name.startswith("META-INF/") for entry in package.entries)


def test_obb_inside_apk_is_listed_and_readable(apks: Apks) -> None:
    with open_package(apks.main, SETTINGS) as opened:
        names = {entry.name: entry for entry in opened.package.entries}
        assert "assets/main.obb" in names
        nested = names["assets/main.obb!/sprites/rat.png"]
        assert nested.sha256 == _sha(SPRITE)
        assert opened.source.read("assets/main.obb!/sprites/rat.png") == SPRITE


def test_nesting_limit_stops_opening_inner_archives(apks: Apks) -> None:
    with open_package(apks.main, SETTINGS.with_limits(max_nesting=0)) as opened:
        package = opened.package
    assert not any("!/" in entry.name for entry in package.entries)
    assert any(w.path == "assets/main.obb" and "nesting limit" in w.message for w in package.warnings)


def test_garbage_manifest_and_table_become_warnings(apks: Apks, tmp_path: Path) -> None:
    members = _members(apks.main)
    members["AndroidManifest.xml"] = b"\x03\x00\x08\x00" + bytes(range(64))
    members["resources.arsc"] = members["resources.arsc"][:100]
    broken = tmp_path / "broken.apk"
    broken.write_bytes(_zip(members))
    with open_package(broken, SETTINGS) as opened:
        package = opened.package
    assert package.format is PackageFormat.APK
    assert package.package_id == "" and package.icon_entries == ()
    assert {entry.name for entry in package.entries if "!/" not in entry.name} == set(members)
    paths = {warning.path for warning in package.warnings}
    assert {"AndroidManifest.xml", "resources.arsc"} <= paths


def test_xapk_labels_from_language_split(
    apks: Apks, main_package: Package, rsa_sha256: str, tmp_path: Path
) -> None:
    manifest = b'{"package_name": "com.shatteredpixel.shatteredpixeldungeon", "version_code": "873"}'
    xapk = tmp_path / "game.bin"  # the name says nothing: the container is sniffed by content
    xapk.write_bytes(
        _zip(
            {
                "manifest.json": manifest,
                "com.shatteredpixel.shatteredpixeldungeon.apk": apks.base.read_bytes(),
                "config.zh.apk": apks.languages.read_bytes(),
            },
            zipfile.ZIP_STORED,
        )
    )
    with open_package(xapk, SETTINGS) as opened:
        package = opened.package
    assert package.format is PackageFormat.XAPK
    assert package.package_id == main_package.package_id
    assert package.app_names == main_package.app_names  # fr / zh labels live in the split only
    assert package.icon_entries and all(
        name.startswith("com.shatteredpixel.shatteredpixeldungeon.apk!/res/") for name in package.icon_entries
    )
    assert LocalisedText(
        "string/scenes_titlescene_play", "zh-rTW", STRINGS["zh-rTW"]["scenes_titlescene_play"]
    ) in set(package.resource_strings)
    assert [(signer.scheme, signer.sha256) for signer in package.signers] == [("v2", rsa_sha256)]


def test_apks_set_from_bundletool_layout(apks: Apks, main_package: Package, tmp_path: Path) -> None:
    apks_file = tmp_path / "game.apks"
    apks_file.write_bytes(
        _zip(
            {
                "toc.pb": b"\x0a\x00",
                "splits/base-master.apk": apks.base.read_bytes(),
                "splits/base-zh.apk": apks.languages.read_bytes(),
            }
        )
    )
    with open_package(apks_file, SETTINGS) as opened:
        package = opened.package
        icon = opened.source.read(package.icon_entries[0])
    assert package.format is PackageFormat.APKS
    assert package.version_code == "873" and package.app_names == main_package.app_names
    assert icon.startswith(b"\x89PNG")


def test_plain_zip_is_an_obb_archive(tmp_path: Path) -> None:
    obb = tmp_path / "main.873.com.game.obb"
    obb.write_bytes(_zip({"sprites/rat.png": SPRITE}))
    with open_package(obb, SETTINGS) as opened:
        assert opened.package.format is PackageFormat.OBB
        assert [entry.name for entry in opened.package.entries] == ["sprites/rat.png"]
        assert opened.package.app_name == "" and opened.package.signers == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"just some text, not a package", "not a readable zip")],
)
def test_unusable_files_raise_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "game.apk"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_package(path, SETTINGS)


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_package(tmp_path / "absent.apk", SETTINGS)


def _mutations(data: bytes, rng: random.Random) -> bytes:
    """Byte flips, forged 32-bit fields and cuts: what a protector or a damaged download does to a file."""
    mutated = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 16))):
        at = rng.randrange(len(mutated))
        kind = rng.random()
        if kind < 0.6:
            mutated[at] = rng.randrange(256)
        elif kind < 0.9:
            mutated[at : at + 4] = rng.choice((b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f"))
        else:
            del mutated[at:]
        if not mutated:
            return b"\x00"
    return bytes(mutated)


def test_mutated_manifest_and_table_only_raise_format_errors(apks: Apks) -> None:
    """Seeded mutation run over the real files: every failure is a ResFormatError, never a crash or hang."""
    members = _members(apks.main)
    rng = random.Random(20240601)
    heads = {name: data[:16] for name, data in members.items()}
    adaptive = members["res/mipmap-anydpi-v26/ic_launcher.xml"]
    application = parse_axml(members["AndroidManifest.xml"], 64).iter("application")[0]
    icon_id, label_id = (application.attribute(res_id, "").value.data for res_id in (0x01010002, 0x01010001))
    outcomes: list[str] = []
    for _ in range(300):
        try:
            table = parse_table(_mutations(members["resources.arsc"], rng), 1_000_000)
            resources = ResourceSet([TablePart("", table)], heads, lambda _: _mutations(adaptive, rng), 64)
            resources.all_strings(100_000)
            resources.icon_files(icon_id)
            resources.strings(label_id)
            outcomes.append("table read")
        except ResFormatError:
            outcomes.append("table refused")
        try:
            parse_axml(_mutations(members["AndroidManifest.xml"], rng), 64).iter()
            outcomes.append("manifest read")
        except ResFormatError:
            outcomes.append("manifest refused")
    # both paths are exercised: damage the parsers tolerate, and damage they refuse cleanly
    assert set(outcomes) == {"table read", "table refused", "manifest read", "manifest refused"}
