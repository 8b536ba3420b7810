"""Text table formats -> Tables: CSV/TSV, XML with repeated record elements, Freeciv `.ruleset` sections."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import Counter

from clonedetect.extract.registry import Registry
from clonedetect.extract.tables import Record, build_table, cell, typed_text
from clonedetect.model import Table

DELIMITERS = ",;\t|"
SKIPPED_SECTIONS = frozenset({"datafile"})  # file metadata, not game rules


def csv_table(text: str, problems: list[str] | None = None) -> Table | None:
    """Delimiter sniffed from the head; the first row is the header when no cell of it is a number.

    A line the csv module cannot read (a field over its size limit, a stray carriage return) ends the
    table there: the rows before it are kept and the reason is added to `problems`."""
    sample = text[:16384]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    rows: list[list[str]] = []
    # newline="": the csv module does its own line splitting, so quoted fields may hold line breaks
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows.extend(row for row in reader if any(field.strip() for field in row))
    except csv.Error as error:
        if problems is not None:
            problems.append(f"line {reader.line_num}: {error}; the rows before it are kept")
    if len(rows) < 2:
        return None
    width = max(len(row) for row in rows)
    first = rows[0]
    has_header = all(field.strip() and not isinstance(typed_text(field), int | float) for field in first)
    header = [field.strip() for field in first] if has_header else []
    header += [f"column{index}" for index in range(len(header) + 1, width + 1)]
    body = rows[1:] if has_header else rows
    records = [{header[i]: typed_text(value) for i, value in enumerate(row)} for row in body]
    return build_table(records)


def xml_table(root: ET.Element) -> Table | None:
    """The most repeated child element of the root (at least two), each child one row: its attributes and the
    text of its simple sub-elements."""
    counts = Counter(child.tag for child in root if isinstance(child.tag, str))
    if not counts:
        return None
    tag, count = counts.most_common(1)[0]
    if count < 2:
        return None
    records: list[Record] = []
    for child in root:
        if child.tag != tag:
            continue
        record: Record = {name: typed_text(value) for name, value in child.attrib.items()}
        for sub in child:
            if isinstance(sub.tag, str) and len(sub) == 0 and sub.tag not in record:
                record[sub.tag] = typed_text(sub.text or "")
        if len(child) == 0 and (child.text or "").strip() and "text" not in record:
            record["text"] = typed_text(child.text or "")
        if record:
            records.append(record)
    return build_table(records)


def ruleset_tables(registry: Registry) -> list[tuple[str, Table]]:
    """A table per section prefix: [unit_warriors], [unit_phalanx] -> table 'unit' with a 'section' column."""
    groups: dict[str, list[Record]] = {}
    for section in registry.sections:
        if not section.name or section.name in SKIPPED_SECTIONS:
            continue
        prefix, _, rest = section.name.partition("_")
        record: Record = {"section": rest or section.name}
        for key, value in section.values.items():
            record[key] = cell(list(value)) if isinstance(value, tuple) else value
        groups.setdefault(prefix, []).append(record)
    tables: list[tuple[str, Table]] = []
    for prefix, records in groups.items():
        table = build_table(records)
        if table is not None:
            tables.append((prefix, table))
    return tables
