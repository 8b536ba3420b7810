"""The baseline store with hand-made analyses: serialisation, indexes, catalogue migrations, metadata,
common assets, ranking, export/import and the suspect cache key. Real packages are in test_scan.py."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from clonedetect import fingerprint_versions as versions
from clonedetect.errors import InputError, UsageError
from clonedetect.model import (
    Analysis,
    AnalysisWarning,
    Asset,
    AssetKind,
    Category,
    Entry,
    Facts,
    Fingerprint,
    Frame,
    LocalisedText,
    Package,
    PackageFormat,
    Print,
    Signer,
    Table,
)
from clonedetect.settings import Limits, Settings
from clonedetect.store import (
    COMMON_WEIGHT,
    BaselineMetadata,
    BaselineStore,
    catalogue,
    common_weights,
    export_baseline,
    import_baseline,
    index,
    rank_baselines,
    serialise,
)
from clonedetect.store.baselines import print_row, slug
from clonedetect.store.cache import cache_key, input_sha256, settings_hash
from clonedetect.store.metadata import (
    apply_labels,
    parse_labels,
    read_labels_file,
    read_metadata,
    toml_string,
    write_metadata,
)
from clonedetect.store.thumbnails import load_thumbnail, save_thumbnail

SETTINGS = Settings()


# --------------------------------------------------------------------------------------------------------
# hand-made analyses


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (8, 8, 4), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, format="PNG")
    return out.getvalue()


def image(path: str, phash: int, category: Category = Category.CHARACTERS, thumb: bytes = b"") -> Print:
    asset = Asset(path, path, AssetKind.IMAGE, category, "image/png", sha(path), 100, "test")
    values = (
        Fingerprint("sha256", versions.IMAGE, sha(path)),
        Fingerprint("pixels", versions.IMAGE, sha(f"pixels {phash}")),
        Fingerprint("phash", versions.IMAGE, f"{phash:016x}"),
        Fingerprint("phash-mirror", versions.IMAGE, f"{phash ^ 0xFFFF_0000_0000_0000:016x}"),
        Fingerprint("detail", versions.IMAGE, "40"),
    )
    return Print(asset, values, 16, 16, thumb)


def text(path: str, value: str) -> Print:
    asset = Asset(
        path,
        "res/strings.xml",
        AssetKind.TEXT,
        Category.TEXT,
        "text/plain",
        sha("file"),
        9,
        "test",
        text=value,
    )
    values = (
        Fingerprint("sha256", versions.TEXT, sha(value)),
        Fingerprint("text", versions.TEXT, value.lower()),
    )
    return Print(asset, values)


def package(name: str, prints: list[Print], **changes: object) -> Analysis:
    base = Package(f"/home/analyst/{name}.apk", sha(name), 1000, PackageFormat.APK, app_name=name)
    return Analysis(replace(base, **changes), Facts(), tuple(prints))  # type: ignore[arg-type]


def hashes(seed: int, count: int) -> list[int]:
    return [int(v) for v in np.random.default_rng(seed).integers(0, 2**64, count, dtype=np.uint64)]


def flip(value: int, bits: int) -> int:
    return value ^ ((1 << bits) - 1)


def rich_analysis() -> Analysis:
    """Every field the model has, with awkward values."""
    table = Table(
        ("id", "名字", "price", "rare", "note"),
        (("1", "钻石", 6, True, None), ("2", "金币", 2.5, False, "")),
        "id",
    )
    frame = Frame(1, 2, 30, 40, rotated=True, offset_x=3, offset_y=4, source_width=32, source_height=44)
    prints = [
        image("atlas.png#hero", 0x0123_4567_89AB_CDEF, thumb=png(1)),
        replace(
            image("atlas.png#boss", 0xFEDC_BA98_7654_3210, thumb=png(2)),
            asset=replace(image("atlas.png#boss", 1).asset, frame=frame),
        ),
        text("resources.arsc#string/title@zh-rCN", '龙之传说 "quoted" \\ back\nslash'),
        Print(
            Asset(
                "data/shop.csv",
                "data/shop.csv",
                AssetKind.TABLE,
                Category.RULES,
                "text/csv",
                sha("t"),
                50,
                "csv",
                table=table,
                key="shop",
            ),
            (Fingerprint("sha256", versions.TABLE, sha("table")),),
        ),
    ]
    pkg = Package(
        source="original.apk",
        sha256=sha("rich"),
        size=4242,
        format=PackageFormat.APK,
        app_name="龙之传说",
        app_names=(("", "龙之传说"), ("en", "Legend")),
        package_id="com.example.legend",
        version_name="1.2.0",
        version_code="120",
        signers=(Signer("v2", "CN=Example", sha("cert"), "RSA"),),
        icon_entries=("res/icon.png",),
        resource_strings=(LocalisedText("app_name", "", "龙之传说"),),
        entries=(Entry("res/icon.png", 10, 8, sha("icon")),),
        warnings=(AnalysisWarning("bad.png", "image not decoded"),),
    )
    return Analysis(
        pkg,
        Facts(("https://s1.example:8443",), ("alipay",)),
        tuple(prints),
        (AnalysisWarning("x", "y"),),
        (("unpack", 0.5),),
    )


# --------------------------------------------------------------------------------------------------------
# serialisation


def test_analysis_round_trips_through_a_dict_and_a_blob() -> None:
    analysis = rich_analysis()
    assert serialise.analysis_from_dict(serialise.analysis_to_dict(analysis)) == analysis
    blob = serialise.encode_blob(serialise.analysis_to_dict(analysis))
    assert serialise.analysis_from_dict(serialise.decode_blob(blob)) == analysis


def test_table_cells_keep_their_types() -> None:
    analysis = rich_analysis()
    back = serialise.analysis_from_dict(json.loads(json.dumps(serialise.analysis_to_dict(analysis))))
    cells = back.prints[3].asset.table.rows[0]  # type: ignore[union-attr]
    assert [type(c) for c in cells] == [str, str, int, bool, type(None)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("package", "size"), True),  # a bool is not a count
        (("package", "format"), "exe"),
        (("prints", 0, "asset", "category"), "weapons"),
        (("prints", 0, "fingerprints"), [["phash", "1", "00"]]),
        (("prints", 0, "thumbnail"), "not base64!"),
        (("package", "signers"), [["v2", "CN=x"]]),
    ],
)
def test_malformed_stored_data_is_refused_with_a_clear_error(path: tuple[object, ...], value: object) -> None:
    data = serialise.analysis_to_dict(rich_analysis())
    target: object = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(InputError):
        serialise.analysis_from_dict(data)


def test_a_blob_that_inflates_past_its_limit_is_refused() -> None:
    import zlib

    with pytest.raises(InputError, match="inflates past"):
        serialise.decode_blob(zlib.compress(b"[" + b"0," * 100_000 + b"0]"), limit=1000)


# --------------------------------------------------------------------------------------------------------
# Hamming index and text bands


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(0, 400),
    radius=st.integers(0, 20),
    duplicates=st.integers(0, 50),
)
def test_multi_index_search_equals_brute_force(seed: int, count: int, radius: int, duplicates: int) -> None:
    rng = np.random.default_rng(seed)
    items = rng.integers(0, 2**64, count, dtype=np.uint64)
    if count:
        items[: min(duplicates, count)] = items[0]  # a crowded bucket
    near = items[: count // 2] ^ rng.integers(0, 2**64, count // 2, dtype=np.uint64) & np.uint64(
        0x0101_0101_0103_0507
    )
    queries = np.concatenate([near, rng.integers(0, 2**64, 20, dtype=np.uint64)])
    fast = index.HammingIndex.build(items).search(queries, radius)
    slow = index.brute_force_search(items, queries, radius)
    assert np.array_equal(fast.queries, slow.queries)
    assert np.array_equal(fast.items, slow.items)
    assert np.array_equal(fast.distances, slow.distances)


def test_search_batches_bound_the_work_of_a_crowded_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "CANDIDATE_BUDGET", 50)
    items = np.array([0x1234] * 300 + list(range(100)), dtype=np.uint64)
    queries = np.array([0x1234, 0x1235, 7], dtype=np.uint64)
    fast = index.HammingIndex.build(items).search(queries, 3)
    slow = index.brute_force_search(items, queries, 3)
    assert np.array_equal(fast.items, slow.items) and len(fast.items) > 300


def test_index_file_round_trip(tmp_path: Path) -> None:
    items = np.array(hashes(3, 1000), dtype=np.uint64)
    built = index.HammingIndex.build(items)
    built.save(tmp_path / "i.npz", {"owners": np.arange(1000)})
    loaded, extra = index.HammingIndex.load(tmp_path / "i.npz")
    assert np.array_equal(extra["owners"], np.arange(1000))
    queries = items[:10] ^ np.uint64(3)
    assert np.array_equal(loaded.search(queries, 4).items, built.search(queries, 4).items)


def test_hamming_bits_skip_blank_and_malformed_hashes() -> None:
    assert index.hamming_bits({"phash": "ffffffffffffffff"}) == -1
    assert index.hamming_bits({"phash": "0000000000000001", "detail": "00"}) is None  # blank image
    assert index.hamming_bits({"phash": "zz00000000000000"}) is None
    assert index.hamming_bits({"phash": "00"}) is None


def test_the_store_reads_catalogues_without_the_image_stack() -> None:
    # the store shares is_blank with the matcher (clonedetect.blank) without importing OpenCV through it
    probe = "import sys, clonedetect.store, clonedetect.store.index; print('cv2' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_text_bands_pair_edited_strings_and_not_different_ones() -> None:
    keys = index.text_band_keys(
        [
            "the dragon awakens in the northern valley",
            "the dragon awakens in the northern vally",
            "harvest ten carrots before the rain",
            "短",
        ]
    )
    assert len(set(keys[0]) & set(keys[1])) >= 2
    assert not set(keys[0]) & set(keys[2])
    assert len(keys[3]) == 0  # too short for MinHash: exact matching only
    # pinned: a change of the band scheme must be deliberate (stored bands would no longer match)
    assert index.text_band_keys(["the dragon awakens"])[0].tolist() == [
        -7872626869125627548,
        -3641312534303515034,
        -3970151645566198319,
        2611859066995012091,
        -7547660315113156768,
        -7600645093264952179,
        -7816120030587025923,
        3286828588312674952,
    ]
    assert len(keys[0]) == index.BANDS


# --------------------------------------------------------------------------------------------------------
# metadata


def test_baseline_toml_round_trips_awkward_text(tmp_path: Path) -> None:
    metadata = BaselineMetadata(
        name='龙之传说 "Legend" \\ of \t Dragons',
        owner="Example Games Ltd\nline two",
        rights="软著登字 2015SR000000 \x01",
        contact="legal@example.com",
        labels=(("assets/juese/*.png", Category.CHARACTERS), ('odd "glob"', Category.UI)),
    )
    write_metadata(tmp_path / "baseline.toml", metadata)
    assert read_metadata(tmp_path / "baseline.toml") == metadata
    assert toml_string('a"b') == '"a\\"b"'


def test_labels_file_and_errors(tmp_path: Path) -> None:
    (tmp_path / "labels.toml").write_text('"assets/juese/*" = "Characters"\n', encoding="utf-8")
    assert read_labels_file(tmp_path / "labels.toml") == (("assets/juese/*", Category.CHARACTERS),)
    (tmp_path / "nested.toml").write_text('[labels]\n"ui/*" = "ui"\n', encoding="utf-8")
    assert read_labels_file(tmp_path / "nested.toml") == (("ui/*", Category.UI),)
    with pytest.raises(UsageError, match="unknown category"):
        parse_labels({"x/*": "weapons"}, "labels.toml")
    (tmp_path / "bad.toml").write_text("= nope", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        read_labels_file(tmp_path / "bad.toml")


def test_labels_move_matching_assets_to_their_category() -> None:
    analysis = package(
        "g", [image("assets/juese/a.png", 1, Category.ART), image("assets/ui/b.png", 2, Category.UI)]
    )
    labelled = apply_labels(analysis, (("assets/juese/*", Category.CHARACTERS),))
    assert [p.asset.category for p in labelled.prints] == [Category.CHARACTERS, Category.UI]
    assert labelled.prints[0].asset.found_by == "test+label"


# --------------------------------------------------------------------------------------------------------
# the store


def test_add_load_remove(tmp_path: Path) -> None:
    root = tmp_path / "store"
    analysis = rich_analysis()
    with BaselineStore(root, create=True) as store:
        result = store.add(BaselineMetadata("Legend of Dragons", owner="Example"), [analysis])
        assert result.added == (analysis.package.sha256,) and result.skipped == ()
        again = store.add(BaselineMetadata("Legend of Dragons", rights="reg. 2015SR0"), [analysis])
        assert again.added == () and again.skipped == (analysis.package.sha256,)
        info = store.get("legend of dragons")  # case-insensitive when unambiguous
        assert info.metadata.owner == "Example" and info.metadata.rights == "reg. 2015SR0"
        assert info.folder == "legend-of-dragons" and (root / info.folder / "baseline.toml").is_file()
        assert dict(info.categories) == {"characters": 2, "rules": 1, "text": 1}
        loaded = store.load_package(info.packages[0].row_id)
        # the stored source is the file name only: a store must not record the analyst's folders
        assert loaded == replace(
            analysis, package=replace(analysis.package, source="original.apk"), timings=()
        )
        assert len(list((root / info.folder / "thumbnails").iterdir())) == 2
        with pytest.raises(UsageError, match="registered as a game"):
            store.add(BaselineMetadata("Legend of Dragons", common=True), [analysis])
        store.remove("Legend of Dragons")
        assert store.baselines() == [] and not (root / info.folder).exists()
        with pytest.raises(UsageError, match="no baseline named"):
            store.get("Legend of Dragons")


def test_fingerprints_of_another_version_are_reported_when_loading(tmp_path: Path) -> None:
    """A store written before an algorithm changed holds values a fresh print must not be compared with as if
    alike: loading it says which kind, which versions, and what to do."""
    root = tmp_path / "store"
    analysis = rich_analysis()
    with BaselineStore(root, create=True) as store:
        store.add(BaselineMetadata("Legend of Dragons"), [analysis])
        row = store.get("Legend of Dragons").packages[0].row_id
        assert store.load_package(row).warnings == analysis.warnings  # current versions: nothing to say
    with sqlite3.connect(root / "catalogue.sqlite") as db:
        stored = db.execute("SELECT ordinal, fingerprints FROM prints WHERE kind = 'image'").fetchall()
        for ordinal, fingerprints in stored:
            older = [[algorithm, 0, value] for algorithm, _, value in json.loads(fingerprints)]
            db.execute("UPDATE prints SET fingerprints = ? WHERE ordinal = ?", (json.dumps(older), ordinal))
    with BaselineStore(root) as store:
        warnings = store.load_package(row).warnings
    added = [w for w in warnings if w not in analysis.warnings]
    assert added == [
        AnalysisWarning(
            "original.apk",
            "stored image fingerprints are of version 0, this clonedetect computes version "
            f"{versions.IMAGE}: to compare like with like, remove the baseline and add its packages again",
        )
    ]


def test_labels_in_baseline_toml_apply_when_loading(tmp_path: Path) -> None:
    with BaselineStore(tmp_path, create=True) as store:
        info = store.add(
            BaselineMetadata("G"), [package("g", [image("assets/juese/a.png", 1, Category.ART)])]
        ).baseline
        path = tmp_path / info.folder / "baseline.toml"
        path.write_text(
            path.read_text(encoding="utf-8") + '"assets/juese/*" = "characters"\n', encoding="utf-8"
        )
        assert store.load_package(info.packages[0].row_id).prints[0].asset.category is Category.CHARACTERS


def test_remove_never_deletes_outside_the_store(tmp_path: Path) -> None:
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    with BaselineStore(tmp_path / "store", create=True) as store:
        store.add(BaselineMetadata("G"), [package("g", [image("a.png", 1)])])
        store.db.execute("UPDATE baselines SET folder = '../precious'")  # a hand-edited catalogue
        store.remove("G")
    assert (outside / "keep.txt").is_file()


def test_slugs_are_safe_folder_names() -> None:
    assert slug("Legend of Dragons") == "legend-of-dragons"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("龙之传说") == "baseline"


def test_a_missing_store_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no baseline store"):
        BaselineStore(tmp_path / "nothing")


# --------------------------------------------------------------------------------------------------------
# catalogue versions


def test_migration_from_version_1_keeps_the_data_and_fills_the_new_indexes(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    values = hashes(7, 12)
    prints = [image(f"assets/hero_{i}.png", v) for i, v in enumerate(values)]
    prints.append(text("strings#title", "the dragon awakens in the northern valley"))
    old = package("old game", prints)
    db = catalogue.connect(root / catalogue.CATALOGUE_NAME, target_version=1)
    assert catalogue.schema_version(db) == 1
    # what version 1 of clonedetect wrote: no hamming, no text bands, no category counts
    db.execute("INSERT INTO baselines (id, name, folder, common) VALUES (1, 'Old Game', 'old-game', 0)")
    db.execute(
        "INSERT INTO packages (id, baseline_id, sha256, source, format, app_name, package_id, version_name, "
        "prints, package, facts, warnings) VALUES (1, 1, ?, 'old.apk', 'apk', 'old', '', '', ?, ?, ?, '[]')",
        (
            old.package.sha256,
            len(prints),
            serialise.encode_blob(serialise.package_to_dict(old.package)),
            json.dumps({"endpoints": [], "sdks": []}),
        ),
    )
    db.executemany(
        f"INSERT INTO prints VALUES ({', '.join('?' * 19)})",
        [print_row(1, i, p, "") for i, p in enumerate(prints)],
    )
    db.executemany(
        "INSERT INTO digests VALUES (?, 1, ?)",
        [(k, i) for i, p in enumerate(prints) for k in index.exact_keys(p)],
    )
    db.close()

    with BaselineStore(root) as store:
        assert catalogue.schema_version(store.db) == catalogue.SCHEMA_VERSION == 2
        assert store.db.execute("SELECT COUNT(*) FROM hamming").fetchone()[0] == 12
        assert store.db.execute("SELECT COUNT(*) FROM text_bands").fetchone()[0] == index.BANDS
        assert json.loads(store.db.execute("SELECT categories FROM packages").fetchone()[0]) == {
            "characters": 12,
            "text": 1,
        }
        assert store.load_package(1).prints == old.prints
        # near copies only (no exact digest in common): found through the backfilled Hamming index
        suspect = package("suspect", [image(f"copy_{i}.png", flip(v, 3)) for i, v in enumerate(values)])
        ranked = rank_baselines(store, suspect, SETTINGS)
        assert [c.baseline for c in ranked] == ["Old Game"] and ranked[0].near == 12


def test_a_catalogue_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / catalogue.CATALOGUE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(InputError, match="newer than this clonedetect"):
        BaselineStore(tmp_path)


def test_a_file_that_is_not_a_catalogue_is_refused(tmp_path: Path) -> None:
    (tmp_path / catalogue.CATALOGUE_NAME).write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError, match="not a baseline catalogue"):
        BaselineStore(tmp_path)


# --------------------------------------------------------------------------------------------------------
# common assets and ranking


@pytest.fixture()
def three_games(tmp_path: Path) -> tuple[Path, list[int], list[int], list[int]]:
    """Games A and B share an SDK (exact copies in both) and a near copy of a splash from a common pack."""
    sdk = hashes(1, 6)
    a, b = hashes(2, 20), hashes(3, 20)
    splash = hashes(4, 1)[0]
    sdk_prints = [image(f"assets/sdk/btn_{i}.png", v, Category.UI) for i, v in enumerate(sdk)]
    with BaselineStore(tmp_path, create=True) as store:
        store.add(
            BaselineMetadata("Engine splash", common=True),
            [package("splash", [image("splash.png", splash, Category.UI)])],
        )
        store.add(
            BaselineMetadata("A"),
            [package("a", [image(f"a{i}.png", v) for i, v in enumerate(a)] + sdk_prints)],
        )
        store.add(
            BaselineMetadata("B"),
            [
                package(
                    "b",
                    [image(f"b{i}.png", v) for i, v in enumerate(b)]
                    + sdk_prints
                    + [image("b_splash.png", flip(splash, 2), Category.UI)],
                )
            ],
        )
        store.add(
            BaselineMetadata("C"),
            [package("c", [image(f"c{i}.png", v) for i, v in enumerate(hashes(5, 20))])],
        )
    return tmp_path, sdk, a, b


def test_common_weights_mark_shared_and_common_pack_assets(
    three_games: tuple[Path, list[int], list[int], list[int]],
) -> None:
    root, _sdk, _a, _b = three_games
    with BaselineStore(root) as store:
        row = store.get("B").packages[0].row_id
        weights = common_weights(store, row, SETTINGS)
        assert weights == tuple(
            sorted(
                [(f"assets/sdk/btn_{i}.png", COMMON_WEIGHT) for i in range(6)]
                + [("b_splash.png", COMMON_WEIGHT)]
            )
        )
        assert common_weights(store, row, SETTINGS) == weights  # cached
        assert common_weights(store, store.get("C").packages[0].row_id, SETTINGS) == ()
        # removing A leaves the SDK art in one game only: no longer common (the cache follows the change)
        store.remove("A")
        assert common_weights(store, row, SETTINGS) == (("b_splash.png", COMMON_WEIGHT),)


def test_ranking_finds_the_copied_game_and_discounts_common_assets(
    three_games: tuple[Path, list[int], list[int], list[int]],
) -> None:
    root, sdk, _a, b = three_games
    with BaselineStore(root) as store:
        copy = package(
            "copy",
            [image(f"x{i}.png", flip(v, 2)) for i, v in enumerate(b[:15])]
            + [image(f"sdk{i}.png", v, Category.UI) for i, v in enumerate(sdk)]
            + [text("t", "nothing in common here")],
        )
        ranked = rank_baselines(store, copy, SETTINGS)
        assert [c.baseline for c in ranked][:2] == ["B", "A"]  # never the common pack
        assert ranked[0].matched == 21 and ranked[0].near == 15 and ranked[0].exact == 6
        # A shares only the SDK art, which B has too: it counts a tenth
        assert ranked[1].score == pytest.approx(6 * COMMON_WEIGHT / 26, abs=1e-4)
        sdk_only = package("sdk only", [image(f"sdk{i}.png", v, Category.UI) for i, v in enumerate(sdk)])
        assert all(c.estimate < 0.05 for c in rank_baselines(store, sdk_only, SETTINGS))


def test_fuzzy_text_is_found_through_the_bands(tmp_path: Path) -> None:
    with BaselineStore(tmp_path, create=True) as store:
        store.add(
            BaselineMetadata("T"),
            [package("t", [text("a", "the dragon awakens in the northern valley"), text("b", "OK")])],
        )
        ranked = rank_baselines(
            store, package("s", [text("x", "the dragon awakens in the northern vally")]), SETTINGS
        )
        assert [(c.baseline, c.fuzzy, c.exact) for c in ranked] == [("T", 1, 0)]


# --------------------------------------------------------------------------------------------------------
# export / import


def test_export_import_round_trip_is_exact_and_deterministic(tmp_path: Path) -> None:
    analysis = rich_analysis()
    metadata = BaselineMetadata("Legend", owner="Example", rights="reg", labels=(("assets/*", Category.ART),))
    with BaselineStore(tmp_path / "one", create=True) as store:
        store.add(metadata, [analysis])
        export_baseline(store, "Legend", tmp_path / "legend.zip")
        export_baseline(store, "Legend", tmp_path / "again.zip")
        original = store.load_package(store.get("Legend").packages[0].row_id, labels=False)
    assert (tmp_path / "legend.zip").read_bytes() == (tmp_path / "again.zip").read_bytes()
    with BaselineStore(tmp_path / "two", create=True) as other:
        result = import_baseline(other, tmp_path / "legend.zip", SETTINGS.limits)
        assert result.baseline.metadata == metadata
        assert other.load_package(result.baseline.packages[0].row_id, labels=False) == original
        with pytest.raises(UsageError, match="already registered"):
            import_baseline(other, tmp_path / "legend.zip", SETTINGS.limits)
        renamed = import_baseline(other, tmp_path / "legend.zip", SETTINGS.limits, name="Legend (copy)")
        assert renamed.baseline.name == "Legend (copy)"


def test_import_refuses_a_tampered_thumbnail(tmp_path: Path) -> None:
    with BaselineStore(tmp_path / "one", create=True) as store:
        store.add(BaselineMetadata("Legend"), [rich_analysis()])
        export_baseline(store, "Legend", tmp_path / "legend.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tmp_path / "legend.zip") as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data if not info.filename.startswith("thumbnails/") else png(99))
    with BaselineStore(tmp_path / "two", create=True) as other:
        with pytest.raises(InputError, match="does not match its name"):
            import_baseline(other, tampered, SETTINGS.limits)
        assert other.baselines() == []


def test_import_refuses_what_is_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with BaselineStore(tmp_path / "s", create=True) as store, pytest.raises(InputError):
        import_baseline(store, tmp_path / "x.zip", SETTINGS.limits)


# --------------------------------------------------------------------------------------------------------
# suspect cache keys, thumbnails


def test_settings_hash_ignores_what_does_not_change_analysis() -> None:
    base = settings_hash(SETTINGS)
    assert settings_hash(replace(SETTINGS, jobs=8, reproducible=True)) == base
    assert settings_hash(replace(SETTINGS, thresholds=replace(SETTINGS.thresholds, clone=0.9))) == base
    assert settings_hash(SETTINGS.with_limits(max_pixels=10)) != base
    assert cache_key("ab", SETTINGS).startswith("ab:")


def test_input_hash_of_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"abc")
    assert input_sha256(tmp_path / "f.bin", SETTINGS.limits) == hashlib.sha256(b"abc").hexdigest()
    folder = tmp_path / "game"
    (folder / "res").mkdir(parents=True)
    (folder / "res" / "a.png").write_bytes(b"png")
    first = input_sha256(folder, SETTINGS.limits)
    (folder / "link").symlink_to(tmp_path / "f.bin")  # never followed
    assert input_sha256(folder, SETTINGS.limits) == first
    (folder / "res" / "a.png").write_bytes(b"changed")
    assert input_sha256(folder, SETTINGS.limits) != first
    assert input_sha256(folder, Limits(max_entries=0)) is None
    assert input_sha256(tmp_path / "missing", SETTINGS.limits) is None


def test_thumbnails_are_content_addressed_and_checked(tmp_path: Path) -> None:
    data = png(5)
    name = save_thumbnail(tmp_path, data)
    assert name == hashlib.sha256(data).hexdigest() and load_thumbnail(tmp_path, name) == data
    assert save_thumbnail(tmp_path, b"not a png") == ""
    (tmp_path / "thumbnails" / f"{name}.png").write_bytes(png(6))  # edited by hand
    assert load_thumbnail(tmp_path, name) == b""
    with pytest.raises(InputError):
        load_thumbnail(tmp_path, "../../etc/passwd")


# --------------------------------------------------------------------------------------------------------
# the benchmark stays runnable


def test_store_benchmark_runs_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "store_search.py"
    spec = importlib.util.spec_from_file_location("store_search", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    out = tmp_path / "result.json"
    assert (
        module.main(
            [
                "--baselines",
                "3",
                "--images",
                "200",
                "--suspect-images",
                "100",
                "--repeats",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["indexed_hashes"] == 3 * 200 + module.COMMON_IMAGES
    assert result["best_candidate"]["baseline"] == "Game 000" and result["best_candidate"]["matched"] >= 100
    assert result["store_bytes"]["total"] > 0
