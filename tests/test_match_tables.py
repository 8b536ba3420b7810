"""Table matching on real game data: Tuxemon shop prices and Freeciv unit rulesets."""

from __future__ import annotations

import json
import random
import re

import pytest
from corpus import CORPUS

from clonedetect.fingerprint.table import TableFingerprinter
from clonedetect.match.tables import TableMatcher, difference_field, pair_columns
from clonedetect.model import Asset, AssetKind, Category, Cell, Difference, MatchResult, Print, Table
from clonedetect.settings import Settings

SHOPS = CORPUS / "tuxemon/mods/tuxemon/db/economy/spyder_scoops.json"
FREECIV = CORPUS / "freeciv21/data"
SETTINGS = Settings()


def table_asset(path: str, table: Table, media_type: str) -> Asset:
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


def prints(*assets: Asset) -> list[Print]:
    result, warnings = TableFingerprinter().fingerprint(list(assets), None, SETTINGS)  # type: ignore[arg-type]
    assert warnings == []
    return result


def match(baseline: list[Print], suspect: list[Print]) -> MatchResult:
    return TableMatcher().match(baseline, suspect, SETTINGS)


# -- Tuxemon shops: JSON records -> CSV with changed prices ----------------------------------------------


def shop_table() -> Table:
    """db/economy/spyder_scoops.json as the extractor sees it: one row per (shop, item), typed cells."""
    shops = json.loads(SHOPS.read_text(encoding="utf-8"))
    rows = tuple(
        (shop["slug"], item["item_name"], item["price"], item["cost"])
        for shop in shops
        for item in shop["items"]
    )
    return Table(columns=("slug", "item_name", "price", "cost"), rows=rows)


def as_csv(table: Table, changes: dict[tuple[str, str], int]) -> Table:
    """The same records written to CSV by a private server: text cells, other column order, shuffled rows,
    and some prices changed."""
    rows: list[tuple[Cell, ...]] = []
    for slug, item, price, cost in table.rows:
        new_price = changes.get((str(slug), str(item)), price)
        rows.append((str(item), str(cost), str(new_price), str(slug)))
    random.Random(3).shuffle(rows)
    return Table(columns=("ItemName", "Cost", "Price", "Shop Slug"), rows=tuple(rows))


def test_shop_table_copied_to_csv_with_two_prices_changed() -> None:
    table = shop_table()
    assert len(table.rows) == 34
    baseline = prints(table_asset("mods/tuxemon/db/economy/spyder_scoops.json", table, "application/json"))
    changes = {("spyder_cotton_scoop", "potion"): 3, ("spyder_candy_scoop", "imperial_potion"): 5000}
    suspect = prints(table_asset("assets/data/shop.csv", as_csv(table, changes), "text/csv"))
    result = match(baseline, suspect)

    (found,) = result.matches
    assert (found.category, found.method, found.suspect) == (Category.RULES, "table", "assets/data/shop.csv")
    # "Shop Slug" pairs with "slug" by its words; the shop and item name the rows together
    assert found.evidence == (
        "34/34 rows, 4/4 columns, 66/68 cells equal, 0 rows added, 0 removed (rows by key 'slug+item_name')"
    )
    assert found.similarity == pytest.approx(0.3 + 0.7 * 66 / 68, abs=1e-4)
    assert found.transforms == ("converted", "edited", "reordered")
    assert list(result.differences) == [
        Difference(
            "price",
            "500",
            "5000",
            "assets/data/shop.csv: row spyder_candy_scoop/imperial_potion column price",
        ),
        Difference("price", "20", "3", "assets/data/shop.csv: row spyder_cotton_scoop/potion column price"),
    ]


def test_unchanged_copy_is_identical_and_has_no_differences() -> None:
    table = shop_table()
    baseline = prints(table_asset("a.json", table, "application/json"))
    result = match(baseline, prints(table_asset("b.csv", as_csv(table, {}), "text/csv")))
    assert [(m.similarity, m.transforms) for m in result.matches] == [(1.0, ("converted", "reordered"))]
    assert result.differences == ()
    same = match(baseline, prints(table_asset("a.json", table, "application/json")))
    assert [(m.similarity, m.transforms) for m in same.matches] == [(1.0, ())]


def test_rows_added_and_removed_are_counted() -> None:
    table = shop_table()
    trimmed = Table(table.columns, (*table.rows[:20], ("spyder_new_scoop", "potion", 1, 1)))
    result = match(
        prints(table_asset("a.json", table, "application/json")),
        prints(table_asset("b.json", trimmed, "application/json")),
    )
    (found,) = result.matches
    assert "20/34 rows" in found.evidence and "1 rows added, 14 removed" in found.evidence


def test_too_few_rows_found_again_is_no_match() -> None:
    table = shop_table()
    few = Table(table.columns, table.rows[:10])
    assert (
        match(
            prints(table_asset("a.json", table, "application/json")),
            prints(table_asset("b.json", few, "application/json")),
        ).matches
        == ()
    )


# -- Freeciv: three related rulesets ---------------------------------------------------------------------

UNIT_COLUMNS = (
    "name", "class", "tech_req", "obsolete_by", "build_cost", "pop_cost", "attack", "defense", "hitpoints",
    "firepower", "move_rate", "vision_radius_sq", "transport_cap", "fuel", "uk_happy", "uk_shield", "uk_food",
    "uk_gold",
)  # fmt: skip


def ruleset_units(ruleset: str) -> Table:
    """units.ruleset [unit_*] sections as a table: one row per unit, the numeric and naming fields."""
    rows = []
    section: dict[str, Cell] | None = None
    for line in (FREECIV / ruleset / "units.ruleset").read_text(encoding="utf-8").splitlines():
        header = re.match(r"\[(\w+)\]", line)
        if header:
            if section is not None:
                rows.append(tuple(section.get(c) for c in UNIT_COLUMNS))
            section = {} if header.group(1).startswith("unit_") else None
            continue
        field = re.match(r"(\w+)\s*=\s*(.*)", line)
        if section is None or field is None or field.group(1) not in UNIT_COLUMNS:
            continue
        raw = field.group(2).strip()
        text = re.fullmatch(r'_?\(?"(.*)"\)?', raw)
        section[field.group(1)] = text.group(1) if text else int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    if section is not None:
        rows.append(tuple(section.get(c) for c in UNIT_COLUMNS))
    return Table(columns=UNIT_COLUMNS, rows=tuple(rows), key_column="name")


def test_freeciv_classic_and_civ2civ3_units_are_partly_the_same_table() -> None:
    classic, civ2civ3 = ruleset_units("classic"), ruleset_units("civ2civ3")
    assert len(classic.rows) == 52 and len(civ2civ3.rows) == 56
    result = match(
        prints(table_asset("data/classic/units.ruleset", classic, "text/x-ini")),
        prints(table_asset("data/civ2civ3/units.ruleset", civ2civ3, "text/x-ini")),
    )
    (found,) = result.matches
    print(f"\nclassic vs civ2civ3 units: {found.similarity:.3f} ({found.evidence})")
    assert 0.4 < found.similarity < 0.95
    assert "rows by key 'name'" in found.evidence
    fields = {d.field for d in result.differences}
    assert fields == {"price", "value"}
    build_costs = [d for d in result.differences if d.where.endswith("column build_cost")]
    assert build_costs and all(d.field == "price" for d in build_costs)
    assert len(result.differences) <= 100
    assert result.differences == tuple(
        sorted(result.differences, key=lambda d: (d.field, d.where, d.baseline, d.suspect))
    )


def test_units_do_not_match_unrelated_tables() -> None:
    result = match(
        prints(table_asset("data/classic/units.ruleset", ruleset_units("classic"), "text/x-ini")),
        prints(table_asset("db/economy/spyder_scoops.json", shop_table(), "application/json")),
    )
    assert result.matches == () and result.differences == ()


def test_each_baseline_table_takes_its_best_suspect_table() -> None:
    classic, multiplayer, civ2civ3 = (ruleset_units(r) for r in ("classic", "multiplayer", "civ2civ3"))
    result = match(
        prints(table_asset("classic/units.ruleset", classic, "text/x-ini")),
        prints(
            table_asset("civ2civ3/units.ruleset", civ2civ3, "text/x-ini"),
            table_asset("multiplayer/units.ruleset", multiplayer, "text/x-ini"),
            table_asset("shop.json", shop_table(), "application/json"),
        ),
    )
    (found,) = result.matches
    alone = match(
        prints(table_asset("classic/units.ruleset", classic, "text/x-ini")),
        prints(table_asset("civ2civ3/units.ruleset", civ2civ3, "text/x-ini")),
    )
    assert found.similarity >= alone.matches[0].similarity


# -- helpers ---------------------------------------------------------------------------------------------


def test_columns_pair_by_name_then_by_words_then_by_values() -> None:
    assert pair_columns(["item name", "price", "cost"], ["cost", "item name", "prices"]) == {0: 1, 1: 2, 2: 0}
    assert pair_columns(["slug", "attack"], ["shop slug", "defense"]) == {0: 0}
    values = [frozenset({"10", "20", "30"}), frozenset({"a", "b"})]
    translated = [frozenset({"10", "20", "30", "40"}), frozenset({"a", "b"})]
    # 价格 holds the prices: paired by values; two-valued columns are too common to pair that way
    assert pair_columns(["price", "flag"], ["价格", "标志"], values, translated) == {0: 0}


def test_price_like_columns() -> None:
    prices = ("price", "build_cost", "Gold", "钻石", "售价", "价格(元)")
    assert [difference_field(c) for c in prices] == ["price"] * len(prices)
    assert difference_field("attack") == "value"


def test_matching_is_deterministic_and_order_independent() -> None:
    tables = [
        table_asset(f"{r}/units.ruleset", ruleset_units(r), "text/x-ini")
        for r in ("classic", "civ2civ3", "multiplayer")
    ]
    first = match(prints(*tables), prints(*tables[1:]))
    second = match(list(reversed(prints(*tables))), list(reversed(prints(*tables[1:]))))
    assert first == second
    assert [m.baseline for m in first.matches] == sorted(m.baseline for m in first.matches)
