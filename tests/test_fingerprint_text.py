"""Text normalisation and the text/table fingerprints."""

from __future__ import annotations

import glob
import hashlib
import json
import time
from pathlib import Path

import pytest
from corpus import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC
from textprints import text_asset

from clonedetect.fingerprint.normalise import (
    normalise,
    normalise_name,
    normalise_text,
    strip_placeholders,
    to_simplified,
)
from clonedetect.fingerprint.table import (
    TableData,
    TableFingerprinter,
    canonical_cell,
    display_cell,
    table_data,
)
from clonedetect.fingerprint.text import TextFingerprinter, text_fingerprints
from clonedetect.model import Asset, AssetKind, Category, Print, Table
from clonedetect.settings import Settings

MESSAGES = CORPUS / "shattered-pixel-dungeon/core/src/main/assets/messages"


def table_asset(path: str, table: Table | None, media_type: str = "application/json") -> Asset:
    return Asset(
        path=path,
        entry=path,
        kind=AssetKind.TABLE,
        category=Category.RULES,
        media_type=media_type,
        sha256="0" * 64,
        size=0,
        found_by="test",
        key=path,
        table=table,
    )


# -- normalisation ---------------------------------------------------------------------------------------


def test_full_width_and_half_width_forms_become_ordinary() -> None:
    assert normalise_text("Ｈｅｌｌｏ，Ｗｏｒｌｄ！") == "hello world"
    assert normalise_text("ｶﾀｶﾅ") == "カタカナ"
    assert normalise_text("ＡＢＣ１２３") == normalise_text("abc123")


def test_traditional_becomes_simplified_and_is_reported() -> None:
    converted = normalise("歡迎來到龍之傳說")
    assert converted.text == "欢迎来到龙之传说"
    assert converted.traditional
    simplified = normalise("欢迎来到龙之传说")
    assert simplified.text == converted.text
    assert not simplified.traditional
    assert not normalise("Welcome").traditional


def test_punctuation_symbols_and_case_are_ignored() -> None:
    assert normalise_text("你好，世界！") == normalise_text("你好 世界") == "你好世界"
    assert normalise_text("「地牢」第一层。") == "地牢第一层"
    assert normalise_text("Hello, World!!") == normalise_text("hello   world") == "hello world"
    assert normalise_text("★Attack★ → +10%") == "attack 10"
    assert normalise_text("STRASSE") == normalise_text("straße")  # casefold, not lower
    assert normalise_text("a\u200bb") == "ab"  # zero-width space is a format character: dropped


def test_spaces_next_to_chinese_do_not_matter() -> None:
    assert normalise_text("使用 HP 药水") == normalise_text("使用HP药水") == "使用hp药水"


def test_placeholders_are_dropped_so_templates_compare() -> None:
    assert (
        normalise_text("Level %d") == normalise_text("Level {0}") == normalise_text("Level %1$d") == "level"
    )
    assert normalise_text("Hello {name}, you have %s gold") == normalise_text("Hello %@, you have {0} gold")
    assert normalise_text("为_第%d层_的自定义备注拟题：") == "为第层的自定义备注拟题"
    assert strip_placeholders("%(count)d items, {{player}} and %{user}").split() == ["items,", "and"]
    assert normalise_text("50%% off") == "50 off"
    # '% d' is not a placeholder: the space flag is deliberately not accepted
    assert normalise_text("100% done") == "100 done"


def test_literal_escapes_and_markup_are_word_breaks() -> None:
    assert normalise_text(r"first\nsecond") == "first second"
    assert normalise_text("<b>Bold</b> <font color='red'>text</font>") == "bold text"
    assert normalise_text("a < b > c") == "a b c"


def test_names_compare_across_naming_styles() -> None:
    assert (
        normalise_name("itemName")
        == normalise_name("ITEM_NAME")
        == normalise_name("item-name")
        == "item name"
    )
    assert normalise_name("价格") == "价格"


# the characters a string is made of, to exercise the t2s pre-filter: Simplified, Traditional, shared, Latin
REFERENCE_T2S = OpenCC("t2s")  # one converter: each new one reloads its dictionaries on first use
_CJK_SAMPLE = "欢迎来到龙之传说歡迎來到龍之傳說后後发發髮乾干幹著着麵面里裡台臺鍾钟獨独的了是在一不"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_CJK_SAMPLE) + list("ab ,。")), max_size=24))
def test_t2s_prefilter_gives_exactly_what_the_converter_gives(text: str) -> None:
    assert to_simplified(text) == REFERENCE_T2S.convert(text)


def test_t2s_prefilter_on_the_real_chinese_messages() -> None:
    values = []
    for path in sorted(glob.glob(str(MESSAGES / "*" / "*_zh*.properties"))):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if "=" in line:
                values.append(line.split("=", 1)[1])
    assert len(values) > 9000
    start = time.perf_counter()
    fast = [to_simplified(v) for v in values]
    elapsed = time.perf_counter() - start
    assert fast == [REFERENCE_T2S.convert(v) for v in values]
    print(f"\nt2s over {len(values)} zh + zh-hant strings: {elapsed:.2f} s (pre-filter + cache)")


@given(st.text(max_size=40))
def test_normalisation_is_idempotent_and_total(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once


# -- text fingerprints -----------------------------------------------------------------------------------


def test_text_fingerprints_are_pinned() -> None:
    values = {f.algorithm: f.value for f in text_fingerprints("歡迎, Hero!")}
    assert values == {
        "sha256": hashlib.sha256("歡迎, Hero!".encode()).hexdigest(),
        "text": "欢迎hero",
        "traditional": "1",
    }
    assert all(f.version == 1 for f in text_fingerprints("x"))


def test_text_fingerprinter_makes_one_print_per_string_and_bounds_length() -> None:
    assets = [text_asset("a.properties#k1", "Hello"), text_asset("a.properties#k2", "x" * 50)]
    small = Settings().with_limits(max_text_bytes=10)
    prints, warnings = TextFingerprinter().fingerprint(assets, source=None, settings=small)  # type: ignore[arg-type]
    assert [p.asset.path for p in prints] == ["a.properties#k1", "a.properties#k2"]
    assert prints[0].value("text") == "hello"
    assert prints[1].value("text") == "x" * 10
    assert [w.path for w in warnings] == ["a.properties#k2"]


# -- table fingerprints ----------------------------------------------------------------------------------


def test_cells_compare_by_value_not_by_spelling() -> None:
    assert canonical_cell(display_cell(20)) == canonical_cell("20") == canonical_cell("20.0") == "20"
    assert canonical_cell(display_cell(2.5)) == canonical_cell(" 2.50 ") == "2.5"
    assert canonical_cell(display_cell(True)) == canonical_cell("TRUE") == "true"
    assert display_cell(None) == ""
    assert canonical_cell("Potion!") == canonical_cell("potion")


def _economy_table(path: str) -> Table:
    data = json.loads((CORPUS / "tuxemon/mods/tuxemon/db/economy" / path).read_text(encoding="utf-8"))
    rows = tuple((item["item_name"], item["price"], item["cost"]) for item in data["items"])
    return Table(columns=("item_name", "price", "cost"), rows=rows, key_column="item_name")


def test_same_records_in_another_container_hash_the_same() -> None:
    table = _economy_table("cotton_scoop.json")
    as_csv = Table(
        columns=(
            "Cost",
            "ItemName",
            "Price",
        ),  # columns renamed in style and reordered, rows reversed, text cells
        rows=tuple((str(c), n, f"{p}.0") for n, p, c in reversed(table.rows)),
    )
    prints, warnings = TableFingerprinter().fingerprint(
        [table_asset("db/economy/cotton_scoop.json", table), table_asset("shop.csv", as_csv, "text/csv")],
        source=None,  # type: ignore[arg-type]
        settings=Settings(),
    )
    assert warnings == []
    assert prints[0].value("sha256") == prints[1].value("sha256")
    assert json.loads(prints[0].value("columns") or "") == ["item name", "price", "cost"]
    restored = table_data(prints[0])
    assert restored == TableData(
        columns=("item_name", "price", "cost"),
        key_column="item_name",
        rows=(("potion", "20", "5"), ("revive", "100", "20"), ("tuxeball", "50", "10")),
    )


def test_table_fingerprint_changes_when_a_price_changes() -> None:
    table = _economy_table("cotton_scoop.json")
    changed = Table(
        table.columns, ((table.rows[0][0], 3, table.rows[0][2]), *table.rows[1:]), table.key_column
    )
    first = TableFingerprinter().fingerprint([table_asset("a.json", table)], None, Settings())[0]  # type: ignore[arg-type]
    second = TableFingerprinter().fingerprint([table_asset("a.json", changed)], None, Settings())[0]  # type: ignore[arg-type]
    assert first[0].value("sha256") != second[0].value("sha256")


def test_hostile_tables_are_bounded_and_missing_tables_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    import clonedetect.fingerprint.table as table_module

    monkeypatch.setattr(table_module, "MAX_ROWS", 3)
    monkeypatch.setattr(table_module, "MAX_CELLS", 7)  # 2 columns: 3 rows
    ragged = Table(columns=("a", "b"), rows=((1,), (1, 2, 3), (1, 2), (1, 2), ("x" * 5000, 1)))
    prints, warnings = TableFingerprinter().fingerprint(
        [table_asset("big.csv", ragged), table_asset("none.json", None)],
        None,  # type: ignore[arg-type]
        Settings(),
    )
    data = table_data(prints[0])
    assert data is not None
    assert data.rows == (("1", ""), ("1", "2"), ("1", "2"))  # padded, cut to the columns, cut to MAX_ROWS
    assert sorted(w.path for w in warnings) == ["big.csv", "none.json"]


def test_table_data_falls_back_to_the_asset_and_rejects_broken_json() -> None:
    table = Table(columns=("k", "v"), rows=(("a", 1),))
    bare = Print(table_asset("t.json", table), ())
    assert table_data(bare) == TableData(("k", "v"), None, (("a", "1"),))
    broken = Print(
        table_asset("t.json", None), (text_fingerprints("x")[0].__class__("table", 1, "{not json"),)
    )
    assert table_data(broken) is None
