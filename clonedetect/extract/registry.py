"""A tolerant reader for the Freeciv registry format (`.ruleset`, `.spec`, `.tilespec`): INI-like sections.

    [unit_warriors]              ; comments start with ';' or '#'
    name       = _("Warriors")   ; translatable string
    build_cost = 10
    roles      = "DefendOk", "FirstBuild"
    tiles      = { "row", "column", "tag"
                   0, 0, "unit.hp_100"
                 }

A `{ ... }` table's first row names the columns and every later line is one row. Strings may span lines and
continue with a backslash at the line end. Anything the reader does not understand is skipped with a message,
never raised: pirates and modders both write broken files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clonedetect.model import Cell

Value = Cell | tuple[Cell, ...] | tuple[dict[str, Cell], ...]

# An unfinished string is one token to the end of the text: left to fail, it would be retried at every later
# quote, each scan running to the end (quadratic; 64 KB of '"\\' took seconds).
TOKEN = re.compile(
    r"""
      (?P<newline>\n)
    | (?P<space>[ \t\r\f\v]+)
    | (?P<comment>[;#][^\n]*)
    | (?P<section>^\[[^\]\n]*\])
    | (?P<i18n>_\(\s*"(?:[^"\\]|\\.)*"\s*\))
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<unfinished>"(?:[^"\\]|\\.)*)
    | (?P<number>[-+]?\d+(?:\.\d+)?(?![\w.]))
    | (?P<name>[A-Za-z_*$][\w.*$-]*)
    | (?P<punct>[={},])
    | (?P<other>.)
    """,
    re.VERBOSE | re.MULTILINE | re.DOTALL,
)
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "\n": ""}


@dataclass(slots=True)
class Section:
    name: str
    values: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Registry:
    sections: tuple[Section, ...]
    problems: tuple[str, ...]  # one line each, for warnings

    def section(self, name: str) -> Section | None:
        return next((section for section in self.sections if section.name == name), None)


def parse_registry(text: str, max_problems: int = 20) -> Registry:
    tokens = _tokenise(text)
    sections: list[Section] = []
    problems: list[str] = []
    current: Section | None = None
    index = 0
    while index < len(tokens):
        kind, value, line = tokens[index]
        if kind == "section":
            current = Section(value[1:-1].strip())
            sections.append(current)
            index += 1
        elif kind == "name" and index + 1 < len(tokens) and tokens[index + 1][1] == "=":
            parsed, index = _parse_value(tokens, index + 2)
            if current is None:
                current = Section("")
                sections.append(current)
            current.values[value] = parsed
        else:
            # '*include "file"' names another entry, which is read on its own: nothing to follow here
            if kind != "newline" and value != "*include" and len(problems) < max_problems:
                problems.append(f"line {line}: unexpected {value[:40]!r}")
            index = _next_line(tokens, index)
    return Registry(tuple(sections), tuple(problems))


def _tokenise(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, line) without spaces and comments; strings already unquoted."""
    tokens: list[tuple[str, str, int]] = []
    line = 1
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        raw = match.group()
        if kind == "i18n":
            tokens.append(("string", _unquote(raw[raw.index('"') : raw.rindex('"') + 1]), line))
        elif kind == "string":
            tokens.append(("string", _unquote(raw), line))
        elif kind not in ("space", "comment"):
            tokens.append((kind, raw, line))
        line += raw.count("\n")
    return tokens


def _unquote(quoted: str) -> str:
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)


def _parse_value(tokens: list[tuple[str, str, int]], index: int) -> tuple[Value, int]:
    """A scalar, a comma-separated vector, or a { } table, starting at index; returns the index after it."""
    while index < len(tokens) and tokens[index][0] == "newline":
        index += 1  # 'flags =' followed by the table on the next line
    if index < len(tokens) and tokens[index][1] == "{":
        return _parse_table(tokens, index + 1)
    items, index = _parse_row(tokens, index)
    if len(items) == 1:
        return items[0], index
    return tuple(items), index


def _parse_row(tokens: list[tuple[str, str, int]], index: int) -> tuple[list[Cell], int]:
    """Comma-separated scalars up to the end of the line; a trailing comma continues the row on the next line,
    and '}' ends a row inside a table."""
    items: list[Cell] = []
    while index < len(tokens):
        kind, value, _ = tokens[index]
        if value == "}":
            break
        if kind == "newline":
            if index > 0 and tokens[index - 1][1] == ",":
                while index < len(tokens) and tokens[index][0] == "newline":
                    index += 1  # blank and comment-only lines inside a continued row
                continue
            break
        if value != ",":
            items.append(_scalar(kind, value))
        index += 1
    return items, index


def _parse_table(tokens: list[tuple[str, str, int]], index: int) -> tuple[Value, int]:
    header: list[str] | None = None
    rows: list[dict[str, Cell]] = []
    while index < len(tokens) and tokens[index][1] != "}":
        if tokens[index][0] == "newline":
            index += 1
            continue
        row, index = _parse_row(tokens, index)
        if header is None:
            header = [str(cell) for cell in row]
        elif row:
            rows.append(
                {name: row[position] if position < len(row) else None for position, name in enumerate(header)}
            )
    return tuple(rows), index + 1


def _scalar(kind: str, value: str) -> Cell:
    if kind == "number":
        return float(value) if "." in value else int(value)
    if kind == "name" and value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    return value


def _next_line(tokens: list[tuple[str, str, int]], index: int) -> int:
    while index < len(tokens) and tokens[index][0] != "newline":
        index += 1
    return index + 1
