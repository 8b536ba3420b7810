"""One table per folder of records: `db/economy/*.json` -> table `db/economy`.

Data-driven games keep one record per file (Tuxemon `db/monster/<slug>.json`); a single record is not a
table, the folder is. A file in the same folder holding a list of records of the same kind (Tuxemon's
`db/economy/spyder_scoops.json` next to one-shop files) joins the folder's table; a list of another kind
(field names shared less than half) stays a table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clonedetect.extract.tables import Record, build_table
from clonedetect.model import Entry, Table

SAME_KIND = 0.5  # Jaccard overlap of field names for a list file to join its folder's records


@dataclass(slots=True)
class FolderRecords:
    lone: list[tuple[Entry, Record]] = field(default_factory=list)
    lists: list[tuple[Entry, tuple[Record, ...]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FolderTable:
    members: tuple[Entry, ...]  # the files whose records the table holds
    table: Table
    grouped: bool  # True: the folder's table; False: one list file's own table


@dataclass(frozen=True, slots=True)
class FolderResult:
    tables: tuple[FolderTable, ...]
    leftover: tuple[
        tuple[Entry, Record], ...
    ]  # lone records with no siblings: their strings are kept instead


def resolve_folder(records: FolderRecords) -> FolderResult:
    lone_fields = {name for _, record in records.lone for name in record}
    joined: list[tuple[Entry, tuple[Record, ...]]] = []
    separate: list[tuple[Entry, tuple[Record, ...]]] = []
    for entry, rows in records.lists:
        fields = {name for row in rows for name in row}
        overlap = len(fields & lone_fields) / len(fields | lone_fields) if lone_fields else 0.0
        (joined if overlap >= SAME_KIND else separate).append((entry, rows))
    tables: list[FolderTable] = []
    leftover: list[tuple[Entry, Record]] = []
    if len(records.lone) + len(joined) >= 2:
        members = [entry for entry, _ in records.lone] + [entry for entry, _ in joined]
        rows = [record for _, record in records.lone] + [row for _, list_rows in joined for row in list_rows]
        table = build_table(rows)
        if table is not None:
            tables.append(FolderTable(tuple(sorted(members, key=lambda e: e.name)), table, grouped=True))
        else:
            leftover.extend(records.lone)
    else:
        leftover.extend(records.lone)
        separate.extend(joined)
    for entry, rows in separate:
        table = build_table(rows)
        if table is not None:
            tables.append(FolderTable((entry,), table, grouped=False))
    return FolderResult(tuple(tables), tuple(leftover))
