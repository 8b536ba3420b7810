"""Table assets: JSON (arrays, objects of objects, folders of records), CSV/TSV, XML records, Lua tables,
Freeciv rulesets; typed cells and key columns; the corpus tables."""

from __future__ import annotations

import json

from test_extract_support import corpus_extraction, extract

from clonedetect.model import Asset, AssetKind, Category, Table


def _tables(files: dict[str, bytes]) -> dict[str, Asset]:
    return {a.path: a for a in extract(files).assets if a.kind is AssetKind.TABLE}


def _column(table: Table, name: str) -> list[object]:
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def test_json_array_and_object_of_objects() -> None:
    heroes = [
        {"id": 1, "name": "剑士", "atk": 10.5, "rare": True, "stats": {"hp": 100}},
        {"id": 2, "name": "法师"},
    ]
    items = {"potion": {"price": 20}, "elixir": {"price": 200, "tags": ["heal", "rare"]}}
    tables = _tables(
        {"data/heroes.json": json.dumps(heroes).encode(), "data/items.json": json.dumps(items).encode()}
    )
    heroes_table = tables["data/heroes.json"].table
    assert heroes_table is not None
    assert heroes_table.columns == ("id", "name", "atk", "rare", "stats.hp")
    assert heroes_table.rows == ((1, "剑士", 10.5, True, 100), (2, "法师", None, None, None))
    assert heroes_table.key_column == "id"
    items_table = tables["data/items.json"].table
    assert items_table is not None
    assert items_table.key_column == "key"
    assert _column(items_table, "key") == ["potion", "elixir"]
    assert _column(items_table, "tags") == [None, "heal, rare"]
    assert tables["data/items.json"].category is Category.RULES


def test_tuxemon_economy_folder_is_one_table_with_prices() -> None:
    tables = {a.path: a for a in corpus_extraction("tuxemon").assets if a.kind is AssetKind.TABLE}
    economy = tables["mods/tuxemon/db/economy/*.json"]
    assert economy.key == "mods/tuxemon/db/economy"
    assert economy.found_by == "tables:json-folder"
    table = economy.table
    assert table is not None
    assert {"price", "cost", "item_name", "slug"} <= set(table.columns)
    assert table.key_column == "key"
    prices = dict(zip(_column(table, "key"), _column(table, "price"), strict=True))
    assert prices["cotton_scoop/potion"] == 20
    assert len(set(_column(table, "key"))) == len(table.rows)
    # the list file of shops of the same kind joined the folder's table instead of standing alone
    assert "mods/tuxemon/db/economy/spyder_scoops.json" not in tables
    monsters = tables["mods/tuxemon/db/monster/*.json"].table
    assert monsters is not None and len(monsters.rows) == 377 and monsters.key_column == "slug"
    assert tables["mods/tuxemon/db/shape/shapes.json"].table.key_column == "slug"  # type: ignore[union-attr]


def test_freeciv_rulesets_are_tables_per_section_prefix() -> None:
    tables = {a.path: a.table for a in corpus_extraction("freeciv21").assets if a.kind is AssetKind.TABLE}
    classic = tables["data/classic/units.ruleset#unit"]
    multiplayer = tables["data/multiplayer/units.ruleset#unit"]
    assert classic is not None and multiplayer is not None
    assert len(classic.rows) == 52 and classic.key_column == "name"
    warriors = dict(
        zip(classic.columns, classic.rows[_column(classic, "name").index("Warriors")], strict=True)
    )
    assert warriors["build_cost"] == 10 and warriors["section"] == "warriors"
    assert warriors["roles"] == "DefendOk, DefendOkStartUnit, FirstBuild"
    assert "data/classic/buildings.ruleset#building" in tables
    assert "data/classic/units.ruleset#datafile" not in tables


def test_csv_tsv_sniffed_with_header_and_types() -> None:
    csv_text = "id;name;price;on_sale\n1;钻石;6.0;true\n2;金币;0.99;false\n".encode()
    tsv_text = b"10\t20\n30\t40\n"
    tables = _tables({"cfg/shop.csv": csv_text, "cfg/grid.tsv": tsv_text})
    shop = tables["cfg/shop.csv"].table
    assert shop is not None
    assert shop.columns == ("id", "name", "price", "on_sale")
    assert shop.rows == ((1, "钻石", 6.0, True), (2, "金币", 0.99, False))
    grid = tables["cfg/grid.tsv"].table
    assert grid is not None and grid.columns == ("column1", "column2") and grid.rows == ((10, 20), (30, 40))


def test_xml_records_and_lua_tables() -> None:
    xml = b'<items><item id="1" name="Sword"><price>100</price></item><item id="2" name="Shield"/></items>'
    lua = (
        b'return {\n  [1001] = {name = "Sword", price = 100},\n  [1002] = {name = "Shield", price = 80},\n}\n'
    )
    tables = _tables({"cfg/items.xml": xml, "cfg/items.lua": lua})
    items = tables["cfg/items.xml"].table
    assert items is not None
    assert items.columns == ("id", "name", "price") and items.rows == ((1, "Sword", 100), (2, "Shield", None))
    lua_items = tables["cfg/items.lua"].table
    assert lua_items is not None
    assert lua_items.columns == ("key", "name", "price") and lua_items.rows[1] == ("1002", "Shield", 80)


def test_a_lone_record_keeps_its_strings() -> None:
    extraction = extract({"config/settings.json": json.dumps({"title": "Dragon Saga", "volume": 3}).encode()})
    assert not [a for a in extraction.assets if a.kind is AssetKind.TABLE]
    assert [a.text for a in extraction.assets if a.kind is AssetKind.TEXT] == ["Dragon Saga"]


def test_numbers_json_has_no_spelling_for_are_kept_as_text() -> None:
    """Python reads JSON's NaN and Infinity, Lua has 1e999: an analysis (cached and stored as JSON, which
    has no such numbers) must still be storable, so such cells are their JSON spelling."""
    units = b'[{"id": 1, "hp": NaN, "atk": Infinity}, {"id": 2, "hp": 5, "atk": -Infinity}, {"id": 3}]'
    lua = b"return { { id = 1, hp = 1e999, atk = -1e999 }, { id = 2, hp = 4, atk = 2 } }"
    tables = _tables({"data/units.json": units, "data/units.lua": lua})
    from_json, from_lua = tables["data/units.json"].table, tables["data/units.lua"].table
    assert from_json is not None and from_lua is not None
    assert _column(from_json, "hp") == ["NaN", 5, None]
    assert _column(from_json, "atk") == ["Infinity", "-Infinity", None]
    assert _column(from_lua, "hp") == ["Infinity", 4]
    assert _column(from_lua, "atk") == ["-Infinity", 2]
    stored = json.dumps([from_json.rows, from_lua.rows], allow_nan=False)  # what the caches and store write
    assert "NaN" in stored
