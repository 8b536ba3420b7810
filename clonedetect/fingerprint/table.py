"""Table fingerprints: one Print per data table, independent of its container (JSON, CSV, INI, Lua ...).

Fingerprints (all version 1, all text):
- `table`: the table itself as canonical JSON {"columns": [...], "key": column|null, "rows": [[cell, ...]]}
  with every cell as a display string. The matcher works from this alone, so a baseline kept in the store
  can be matched without the original package; differences quote these display values.
- `columns`: JSON list of the normalised column names, for a cheap schema pre-filter.
- `sha256`: of the canonical content: rows as {normalised column: canonical cell} sorted. The same records
  moved from JSON to CSV, with rows or columns reordered, hash the same.

Bounds: at most MAX_ROWS rows, MAX_COLUMNS columns, MAX_CELLS cells and MAX_CELL_CHARS characters per cell are
kept (with a warning), so one hostile table cannot make fingerprints, the store or matching arbitrarily large.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from clonedetect import fingerprint_versions as versions
from clonedetect.fingerprint.normalise import normalise_name, normalise_text
from clonedetect.model import AnalysisWarning, Asset, AssetKind, Cell, EntrySource, Fingerprint, Print, Table
from clonedetect.settings import Settings

MAX_ROWS = 20_000
MAX_COLUMNS = 512
MAX_CELL_CHARS = 1_000
MAX_CELLS = 200_000  # rows x columns kept: a wide table keeps fewer rows

_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def display_cell(cell: Cell) -> str:
    """A cell as people read it: numbers in their shortest form, None as the empty string."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return _number_text(cell)
    return str(cell)[:MAX_CELL_CHARS]


def canonical_cell(text: str) -> str:
    """The comparable form of a display cell: "20", "20.0" and " 20 " agree; strings are normalised text."""
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped):
        try:
            return (
                _number_text(float(stripped)) if not stripped.lstrip("+-").isdigit() else str(int(stripped))
            )
        except (ValueError, OverflowError):
            return stripped
    return normalise_text(stripped)


def _number_text(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True, slots=True)
class TableData:
    """The table as the matcher sees it: display columns/cells plus their comparable forms."""

    columns: tuple[str, ...]
    key_column: str | None
    rows: tuple[tuple[str, ...], ...]

    def to_json(self) -> str:
        return json.dumps(
            {"columns": list(self.columns), "key": self.key_column, "rows": [list(r) for r in self.rows]},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @staticmethod
    def from_json(text: str) -> TableData:
        data = json.loads(text)
        columns = tuple(str(c) for c in data["columns"])
        rows = tuple(tuple(str(c) for c in row) for row in data["rows"])
        key = data.get("key")
        return TableData(columns, None if key is None else str(key), rows)

    @staticmethod
    def from_table(table: Table) -> tuple[TableData, list[str]]:
        """Bounded, rectangular display form of a model.Table, and what had to be cut."""
        problems: list[str] = []
        columns = tuple(str(c)[:MAX_CELL_CHARS] for c in table.columns[:MAX_COLUMNS])
        if len(table.columns) > MAX_COLUMNS:
            problems.append(f"table has {len(table.columns)} columns, kept {MAX_COLUMNS}")
        width = len(columns)
        keep = min(MAX_ROWS, MAX_CELLS // max(1, width))
        source_rows = table.rows[:keep]
        if len(table.rows) > keep:
            problems.append(f"table has {len(table.rows)} rows, kept {keep}")
        rows = tuple(
            tuple(display_cell(c) for c in row[:width]) + ("",) * max(0, width - len(row))
            for row in source_rows
        )
        key = table.key_column if table.key_column in columns else None
        return TableData(columns, key, rows), problems

    def content_sha256(self) -> str:
        names = [normalise_name(c) for c in self.columns]
        records = sorted(
            json.dumps(
                sorted(zip(names, (canonical_cell(c) for c in row), strict=True)),
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for row in self.rows
        )
        return hashlib.sha256("\n".join(records).encode("utf-8")).hexdigest()


def table_fingerprints(data: TableData) -> tuple[Fingerprint, ...]:
    return (
        Fingerprint(
            "columns",
            versions.TABLE,
            json.dumps([normalise_name(c) for c in data.columns], ensure_ascii=False),
        ),
        Fingerprint("sha256", versions.TABLE, data.content_sha256()),
        Fingerprint("table", versions.TABLE, data.to_json()),
    )


def table_data(print_: Print) -> TableData | None:
    """The table of a Print: from its `table` fingerprint (stored baselines), else from the asset."""
    stored = print_.value("table")
    if stored is not None:
        try:
            return TableData.from_json(stored)
        except (ValueError, KeyError, TypeError):
            return None
    if print_.asset.table is None:
        return None
    return TableData.from_table(print_.asset.table)[0]


class TableFingerprinter:
    kind = AssetKind.TABLE

    def fingerprint(
        self, assets: Sequence[Asset], source: EntrySource, settings: Settings
    ) -> tuple[list[Print], list[AnalysisWarning]]:
        """Tables arrive parsed (`asset.table`); the entry bytes are not read again."""
        prints: list[Print] = []
        warnings: list[AnalysisWarning] = []
        for asset in assets:
            if asset.kind is not AssetKind.TABLE:
                continue
            if asset.table is None:
                warnings.append(AnalysisWarning(asset.path, "table asset without a parsed table, skipped"))
                continue
            data, problems = TableData.from_table(asset.table)
            warnings.extend(AnalysisWarning(asset.path, problem) for problem in problems)
            prints.append(Print(asset, table_fingerprints(data)))
        return prints, warnings
