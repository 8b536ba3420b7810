"""Readers that turn one string file into (key, value) pairs: .properties, .txt, JSON values, XML text.

Each returns the pairs in file order plus one-line problems; none raises on malformed input.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

Pairs = list[tuple[str, str]]

PROPERTY_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def parse_properties(text: str) -> tuple[Pairs, list[str]]:
    """Java .properties: '=' / ':' / whitespace separators, \\uXXXX escapes, backslash line continuations."""
    pairs: Pairs = []
    problems: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        logical = lines[index].lstrip()
        index += 1
        if not logical or logical[0] in "#!":
            continue
        while _continues(logical) and index < len(lines):
            logical = logical[:-1] + lines[index].lstrip()
            index += 1
        key, value = _split_property(logical)
        key_text, key_problem = _unescape_property(key)
        value_text, value_problem = _unescape_property(value)
        for problem in (key_problem, value_problem):
            if problem:
                problems.append(f"line {number}: {problem}")
        pairs.append((key_text, value_text))
    return pairs, problems


def _continues(line: str) -> bool:
    """An odd number of trailing backslashes joins the next line."""
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _split_property(line: str) -> tuple[str, str]:
    position = 0
    while position < len(line):
        char = line[position]
        if char == "\\":
            position += 2
            continue
        if char in "=:" or char.isspace():
            break
        position += 1
    key = line[:position]
    rest = line[position:].lstrip()
    if rest[:1] in ("=", ":"):
        rest = rest[1:].lstrip()
    return key, rest


def _unescape_property(text: str) -> tuple[str, str]:
    if "\\" not in text:
        return text, ""
    out: list[str] = []
    problem = ""
    position = 0
    while position < len(text):
        char = text[position]
        if char != "\\" or position + 1 >= len(text):
            out.append(char)
            position += 1
            continue
        escaped = text[position + 1]
        if escaped == "u":
            digits = text[position + 2 : position + 6]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                position += 6
                continue
            problem = problem or f"malformed \\u escape {text[position : position + 6]!r}"
            out.append("u")
        else:
            out.append(PROPERTY_ESCAPES.get(escaped, escaped))
        position += 2
    return _join_surrogates("".join(out)), problem


def _join_surrogates(text: str) -> str:
    """\\uD83D\\uDE00 arrives as two surrogates; UTF-16 round-trip joins them into one character."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def text_lines(text: str) -> Pairs:
    """A plain text file: one string per non-empty line, keyed by its line number."""
    return [(str(number), line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def json_strings(value: Any) -> Pairs:
    """Every string value with its key path ('menu.items[2].label'); iterative, the value is depth-checked."""
    pairs: Pairs = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            pairs.append((path, node))
        elif isinstance(node, dict):
            children = [(f"{path}.{key}" if path else str(key), child) for key, child in node.items()]
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{path}[{index}]", child) for index, child in enumerate(node)]))
    return pairs


def xml_strings(root: ET.Element) -> Pairs:
    """Android resource strings by their names; any other XML: element text keyed by the element path."""
    if root.tag == "resources":
        return _android_resources(root)
    pairs: Pairs = []
    stack: list[tuple[str, ET.Element]] = [(root.tag, root)]
    while stack:
        path, element = stack.pop()
        text = "".join(element.itertext()) if len(element) == 0 else (element.text or "")
        if text.strip():
            pairs.append((path, text))
        counts: dict[str, int] = {}
        children: list[tuple[str, ET.Element]] = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            counts[child.tag] = counts.get(child.tag, 0) + 1
            children.append((f"{path}/{child.tag}[{counts[child.tag]}]", child))
        stack.extend(reversed(children))
    return pairs


def _android_resources(root: ET.Element) -> Pairs:
    pairs: Pairs = []
    for element in root:
        name = element.get("name", "")
        if element.tag == "string":
            pairs.append((f"string/{name}", "".join(element.itertext())))
        elif element.tag in ("string-array", "array"):
            for index, item in enumerate(element.findall("item")):
                pairs.append((f"array/{name}[{index}]", "".join(item.itertext())))
        elif element.tag == "plurals":
            for item in element.findall("item"):
                pairs.append((f"plurals/{name}#{item.get('quantity', '')}", "".join(item.itertext())))
    return pairs
