"""Parse untrusted JSON, plist and XML within limits: size, nesting depth, no XML entities or DTD tricks.

Every function raises ParseError with a one-line reason; callers turn that into an AnalysisWarning.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from clonedetect.settings import Limits
from clonedetect.unpack.plist import PlistError, parse_plist


class ParseError(Exception):
    """The bytes are not a usable document of the expected kind (or break a limit)."""


def load_json(text: str, limits: Limits) -> Any:
    if len(text) > limits.max_text_bytes:
        raise ParseError(f"JSON larger than max_text_bytes ({limits.max_text_bytes})")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ParseError(f"JSON nested deeper than max_depth ({limits.max_depth})") from None
    except ValueError as error:
        raise ParseError(f"not valid JSON ({error})") from None
    check_depth(value, limits.max_depth, "JSON", max_nodes=len(text) + 16)
    return value


def load_plist(data: bytes, limits: Limits) -> Any:
    """XML or binary property list, read by the project's bounded plist reader (unpack/plist.py)."""
    try:
        value = parse_plist(data, limits)
    except PlistError as error:
        raise ParseError(f"not a usable property list ({error})") from None
    check_depth(value, limits.max_depth, "plist", max_nodes=len(data) + 16)
    return value


class _DepthLimitedBuilder(ET.TreeBuilder):
    """Stops the parse as soon as elements nest deeper than the limit, before the tree grows."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self._depth = 0
        self._max_depth = max_depth

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        self._depth += 1
        if self._depth > self._max_depth:
            raise ParseError(f"XML nested deeper than max_depth ({self._max_depth})")
        return super().start(tag, attrs)

    def end(self, tag: Any) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, limits: Limits) -> ET.Element:
    """An element tree from text XML; entity declarations and external references are refused (a bare
    DOCTYPE is harmless and some tools write one)."""
    if len(data) > limits.max_text_bytes:
        raise ParseError(f"XML larger than max_text_bytes ({limits.max_text_bytes})")
    parser = DefusedXMLParser(
        target=_DepthLimitedBuilder(limits.max_depth),
        forbid_dtd=False,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as error:
        raise ParseError(f"XML refused: {type(error).__name__}") from None
    except ET.ParseError as error:
        raise ParseError(f"not well-formed XML ({error})") from None


def check_depth(value: Any, max_depth: int, what: str, max_nodes: int) -> None:
    """Iterative walk (no recursion to exhaust). A cyclic structure fails as too deep; a binary plist that
    references one container many times (a DAG that explodes when walked) fails on the node budget, which a
    tree of that many input bytes cannot exceed, so every later walk of the value is bounded too."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        visited += 1
        if depth > max_depth:
            raise ParseError(f"{what} nested deeper than max_depth ({max_depth})")
        if visited > max_nodes:
            raise ParseError(f"{what} has more values than its size allows (shared references)")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
