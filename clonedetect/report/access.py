"""Tolerant accessors of a report dict: a saved report is a file a user hands us, so a value of the wrong
type becomes an empty value here instead of a traceback. The exhibit, the notice and the choice of
thumbnails all read reports through these."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def as_number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value) if value == value else default  # NaN is no number to sort or show
