"""Records -> typed Tables: the shapes game data takes (JSON, Lua, CSV, XML, Freeciv rulesets) end up here.

A private server changes prices and stats and keeps the structure, so tables must come out the same for the
same data however it is stored: columns in first-seen order, cells typed (int/float/bool/str/None), nested
values flattened to dotted columns, and a key column that names each row so the matcher can pair rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clonedetect.model import Cell, Table

Record = dict[str, Any]
KEY_NAMES = ("id", "key", "slug", "name", "section", "code", "uid")
MIN_ROWS = 2  # a single record is not a table


@dataclass(frozen=True, slots=True)
class Shaped:
    """What a parsed data value looks like: table rows, or one record to be grouped with its siblings."""

    records: tuple[Record, ...] = ()
    record: Record | None = None  # a lone record (Tuxemon db/<kind>/<slug>.json)
    key_hint: str | None = None  # column holding the dict keys of an object of objects


def shape_value(value: Any) -> Shaped:
    """Classify a parsed JSON / Lua / plist value as rows, a single record, or neither."""
    if isinstance(value, list):
        records = [item for item in value if isinstance(item, dict)]
        if len(records) >= MIN_ROWS and len(records) * 10 >= len(value) * 9:
            return Shaped(records=tuple(records))
        return Shaped()
    if not isinstance(value, dict) or not value:
        return Shaped()
    dict_values = [child for child in value.values() if isinstance(child, dict)]
    if len(dict_values) >= MIN_ROWS and len(dict_values) == len(value):
        # an object of objects keyed by id: the key becomes a column
        rows = tuple({"key": str(key), **child} for key, child in value.items())
        return Shaped(records=rows, key_hint="key")
    lists = [child for child in value.values() if _is_record_list(child)]
    if len(lists) == 1 and len(value) == 1:
        return Shaped(records=tuple(lists[0]))  # {"monsters": [ {...}, ... ]}
    if _is_record(value):
        return Shaped(record=value)
    return Shaped()


def build_table(records: Sequence[Record], key_hint: str | None = None) -> Table | None:
    """A typed table from records; a record list with one list of child records each is exploded into rows."""
    exploded = _explode(records)
    rows_as_dicts = exploded if exploded is not None else [_flatten(record) for record in records]
    if len(rows_as_dicts) < MIN_ROWS and not (exploded and rows_as_dicts):
        return None
    columns: dict[str, None] = {}
    for row in rows_as_dicts:
        columns.update(dict.fromkeys(row))
    names = tuple(columns)
    rows = tuple(tuple(row.get(name) for name in names) for row in rows_as_dicts)
    key_column = "key" if exploded is not None else (key_hint or choose_key_column(names, rows))
    return Table(columns=names, rows=rows, key_column=key_column)


def choose_key_column(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str | None:
    """id/key/slug/name (or the first column) whose values are all present and unique."""
    lowered = [column.lower() for column in columns]
    preferred = [columns[lowered.index(name)] for name in KEY_NAMES if name in lowered]
    for column in [*preferred, *columns]:
        index = columns.index(column)
        values = [row[index] for row in rows]
        if all(isinstance(value, str | int) and not isinstance(value, bool) for value in values) and len(
            set(values)
        ) == len(values):
            return column
    return None


def cell(value: Any) -> Cell:
    """A typed cell: scalars as they are, anything nested as compact JSON with sorted keys (deterministic).

    A NaN or infinite number (JSON's NaN and Infinity, which Python's reader accepts, a Lua 1e999, a plist
    real) is kept as its JSON spelling, like typed_text keeps 'nan' as text: an analysis is stored as JSON,
    which has no such numbers, and a hostile table must not stop it being stored."""
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def typed_text(text: str) -> Cell:
    """A cell read from text (CSV, XML, INI): '' -> None, numbers -> int/float, true/false -> bool."""
    stripped = text.strip()
    if stripped == "":
        return None
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        return text
    return number if number == number and abs(number) != float("inf") else text  # keep 'nan'/'inf' as text


def _flatten(record: Record) -> dict[str, Cell]:
    """Nested objects become dotted columns ('stats.hp'); lists become one cell."""
    flat: dict[str, Cell] = {}
    stack: list[tuple[str, Any]] = [(str(key), value) for key, value in reversed(record.items())]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict) and value:
            stack.extend((f"{name}.{key}", child) for key, child in reversed(value.items()))
        else:
            flat[name] = cell(value)
    return flat


def _explode(records: Sequence[Record]) -> list[dict[str, Cell]] | None:
    """Records that each hold one list of child records under the same field (a shop and its items) become
    one row per child: the parent's fields, the child's fields, and a 'key' column 'parent/child'."""
    fields = {_only_record_list_field(record) for record in records}
    if len(fields) != 1 or None in fields:
        return None
    (field_name,) = fields
    assert field_name is not None
    rows: list[dict[str, Cell]] = []
    parent_rows = [_flatten({k: v for k, v in record.items() if k != field_name}) for record in records]
    parent_key = (
        choose_key_column(tuple(parent_rows[0]), [tuple(row.values()) for row in parent_rows])
        if all(tuple(row) == tuple(parent_rows[0]) for row in parent_rows)
        else None
    )
    for record, parent in zip(records, parent_rows, strict=True):
        parent_id = parent.get(parent_key) if parent_key else None
        for position, child in enumerate(record[field_name], start=1):
            flat_child = _flatten(child)
            child_id = next((v for v in flat_child.values() if isinstance(v, str)), position)
            row: dict[str, Cell] = {
                "key": f"{parent_id}/{child_id}" if parent_id is not None else str(child_id)
            }
            row.update(parent)
            for name, value in flat_child.items():
                row[name if name not in parent and name != "key" else f"{field_name}.{name}"] = value
            rows.append(row)
    keys = [row["key"] for row in rows]
    if len(set(keys)) != len(keys):
        for position, row in enumerate(rows, start=1):
            row["key"] = f"{row['key']}#{position}"  # still unique and stable when a shop lists an item twice
    return rows


def _only_record_list_field(record: Record) -> str | None:
    names = [name for name, value in record.items() if _is_record_list(value)]
    return names[0] if len(names) == 1 else None


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _is_record(value: Record) -> bool:
    """Mostly scalar fields: a data record, not a document or a free-form config tree."""
    scalars = sum(
        1 for child in value.values() if child is None or isinstance(child, bool | int | float | str)
    )
    return scalars >= 1 and scalars * 2 >= len(value)
