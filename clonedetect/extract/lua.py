"""Lua source as data: its string literals (for text) and its literal table constructors (for rules tables).

Cocos and other mobile engines ship game data as Lua: `return { {id = 1, name = "剑", price = 100}, ... }` or
`ItemConfig = { [1001] = {...} }`. Nothing is executed: the file is tokenised and only literal tables are
read.
"""

from __future__ import annotations

import re
from typing import Any

# An unfinished long comment, long string or quoted string is one token to the end of the text (or line):
# left to fail, it would be retried at every later '[[' or quote, each scan running to the end (quadratic;
# 100 KB of '[[' took minutes).
LUA_TOKEN = re.compile(
    r"""
      (?P<comment>--\[(?P<ceq>=*)\[.*?(?:\](?P=ceq)\]|\Z)|--[^\n]*)
    | (?P<long>\[(?P<leq>=*)\[.*?\](?P=leq)\])
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<unfinished>\[=*\[.*|"(?:[^"\\\n]|\\.)*|'(?:[^'\\\n]|\\.)*)
    | (?P<number>0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
    | (?P<name>[A-Za-z_]\w*)
    | (?P<punct>[{}=\[\],;-])
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
LUA_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "\n": "\n"}

Token = tuple[str, str]


def tokenise(text: str) -> list[Token]:
    return [(m.lastgroup or "other", m.group()) for m in LUA_TOKEN.finditer(text) if m.lastgroup != "comment"]


def lua_strings(tokens: list[Token], max_depth: int) -> list[tuple[str, str]]:
    """String literals keyed by their table path ('dialog.intro.title', 'names[3]'); '' when outside tables.

    Only literals in value position are kept: table keys (`["name"] = ...`) are structure, not text. Paths
    stop growing below max_depth tables: 200,000 nested '{' would otherwise build paths of quadratic size.
    """
    pairs: list[tuple[str, str]] = []
    stack: list[tuple[str, int]] = []  # (path of the open table, next array index)
    pending_key: str | None = None
    for position, (kind, value) in enumerate(tokens):
        following = tokens[position + 1][1] if position + 1 < len(tokens) else ""
        if kind == "name" and following == "=":
            pending_key = value
        elif value == "{":
            stack.append((_path(stack, pending_key) if len(stack) < max_depth else stack[-1][0], 1))
            pending_key = None
        elif value == "}":
            if stack:
                stack.pop()
            pending_key = None
        elif kind in ("string", "long", "number"):
            literal = value if kind == "number" else _literal(kind, value)
            if following == "]" and position + 2 < len(tokens) and tokens[position + 2][1] == "=":
                pending_key = literal  # ["key"] = value, [1001] = value
                continue
            path = _path(stack, pending_key)  # numbers also take their array slot
            if kind != "number":
                pairs.append((path, literal))
            pending_key = None
        elif value in (",", ";"):
            pending_key = None
    return pairs


def _path(stack: list[tuple[str, int]], key: str | None) -> str:
    parent = stack[-1][0] if stack else ""
    if key is None:
        if stack:
            path, index = stack[-1]
            stack[-1] = (path, index + 1)
            return f"{parent}[{index}]"
        return ""
    return f"{parent}.{key}" if parent else key


def _literal(kind: str, value: str) -> str:
    if kind == "long":
        body = value[value.index("[", 1) + 1 : value.rindex("]", 0, -1)]
        return body[1:] if body.startswith("\n") else body
    body = value[1:-1]
    return re.sub(r"\\(.)", lambda m: LUA_ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)


class NotData(Exception):
    """The constructor holds an expression, not only literals."""


def lua_tables(tokens: list[Token], max_depth: int) -> dict[str, Any]:
    """Top-level `name = { ... }`, `local name = { ... }` and `return { ... }` made only of literals.

    Tables with only positional items become lists, others dicts (keys as strings). A table holding code (a
    function call, an operator) is skipped.
    """
    found: dict[str, Any] = {}
    depth = 0
    position = 0
    while position < len(tokens):
        value = tokens[position][1]
        if depth == 0 and value == "{" and position > 0:
            before = tokens[position - 1]
            name = None
            if before[1] == "return":
                name = "return"
            elif before[1] == "=" and position > 1 and tokens[position - 2][0] == "name":
                name = tokens[position - 2][1]
            if name is not None:
                try:
                    table, end = _table(tokens, position + 1, 1, max_depth)
                except (NotData, IndexError):
                    pass
                else:
                    found[name] = table
                    position = end
                    continue
        if value == "{":
            depth += 1
        elif value == "}":
            depth = max(0, depth - 1)
        position += 1
    return found


def _table(tokens: list[Token], position: int, depth: int, max_depth: int) -> tuple[Any, int]:
    """Parse after '{' up to its '}'; returns (list or dict, index after '}')."""
    if depth > max_depth:
        raise NotData("too deep")
    items: list[Any] = []
    fields: dict[str, Any] = {}
    while tokens[position][1] != "}":
        kind, value = tokens[position]
        key: str | None = None
        if value == "[":
            key_value, position = _value(tokens, position + 1, depth, max_depth)
            if tokens[position][1] != "]" or tokens[position + 1][1] != "=":
                raise NotData("bad key")
            key = _key_text(key_value)
            position += 2
        elif kind == "name" and tokens[position + 1][1] == "=":
            key = value
            position += 2
        item, position = _value(tokens, position, depth, max_depth)
        if key is None:
            items.append(item)
        else:
            fields[key] = item
        if tokens[position][1] in (",", ";"):
            position += 1
        elif tokens[position][1] != "}":
            raise NotData("expression")
    if items and fields:
        fields.update({str(index): item for index, item in enumerate(items, start=1)})
        return fields, position + 1
    return (fields if fields else items), position + 1


def _value(tokens: list[Token], position: int, depth: int, max_depth: int) -> tuple[Any, int]:
    kind, value = tokens[position]
    if value == "{":
        return _table(tokens, position + 1, depth + 1, max_depth)
    if value == "-" and tokens[position + 1][0] == "number":
        number, end = _value(tokens, position + 1, depth, max_depth)
        return -number, end
    if kind == "number":
        if value.lower().startswith("0x"):
            return int(value, 16), position + 1
        return (float(value) if re.search(r"[.eE]", value) else int(value)), position + 1
    if kind in ("string", "long"):
        return _literal(kind, value), position + 1
    if kind == "name" and value in ("true", "false", "nil"):
        return {"true": True, "false": False, "nil": None}[value], position + 1
    raise NotData(value)


def _key_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
