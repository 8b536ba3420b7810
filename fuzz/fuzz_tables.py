"""Fuzz the game-data readers: CSV/TSV, JSON records, XML records and Android string XML, Lua tables and
string literals, Freeciv rulesets, gettext .po, Java .properties, and text decoding; each through to the
typed Table the matcher gets. Allowed errors: ParseError from the bounded JSON/XML loaders; every other
reader must never raise (broken files give problems, not exceptions).

Input: selector byte (0 CSV, 1 JSON, 2 XML, 3 Lua, 4 Freeciv registry, 5 .po, 6 .properties, 7 raw text),
then the file.

    python -m fuzz.fuzz_tables -max_total_time=60 [CORPUS_DIR]
"""

from __future__ import annotations

from typing import Any

import atheris

from fuzz.common import fuzz_main
from fuzz.seeds import tables

with atheris.instrument_imports(include=["clonedetect"]):
    from clonedetect.extract import lua, stringfiles, tablefiles
    from clonedetect.extract.po import parse_po, po_strings
    from clonedetect.extract.registry import parse_registry
    from clonedetect.extract.safeparse import ParseError, load_json, parse_xml
    from clonedetect.extract.tables import build_table, shape_value
    from clonedetect.extract.textfiles import decode_text, looks_like_text
    from clonedetect.model import Table
    from clonedetect.settings import Limits

LIMITS = Limits()


def _check(table: Table | None) -> None:
    if table is not None:
        assert all(len(row) == len(table.columns) for row in table.rows)
        assert table.key_column is None or table.key_column in table.columns


def _shaped(value: Any) -> None:
    shaped = shape_value(value)
    if shaped.records:
        _check(build_table(shaped.records, shaped.key_hint))
    stringfiles.json_strings(value)


def one_input(data: bytes) -> None:
    selector, body = data[:1], data[1:]
    looks_like_text(body)
    text = decode_text(body, LIMITS.max_text_bytes).text
    try:
        if selector == b"\x00":
            _check(tablefiles.csv_table(text))
        elif selector == b"\x01":
            _shaped(load_json(text, LIMITS))
        elif selector == b"\x02":
            root = parse_xml(body, LIMITS)
            _check(tablefiles.xml_table(root))
            stringfiles.xml_strings(root)
        elif selector == b"\x03":
            tokens = lua.tokenise(text)
            for value in lua.lua_tables(tokens, LIMITS.max_depth).values():
                _shaped(value)
            lua.lua_strings(tokens, LIMITS.max_depth)
        elif selector == b"\x04":
            for _, table in tablefiles.ruleset_tables(parse_registry(text)):
                _check(table)
        elif selector == b"\x05":
            po_strings(parse_po(text))
        elif selector == b"\x06":
            stringfiles.parse_properties(text)
        else:
            stringfiles.text_lines(text)
    except ParseError:
        pass


if __name__ == "__main__":
    fuzz_main(one_input, tables)
