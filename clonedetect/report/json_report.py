"""The JSON renderer: a report dict -> the exact bytes of `--json FILE`.

Same dict, same bytes: keys sorted, fixed indentation, UTF-8 text kept readable (Chinese app names stay
Chinese rather than \\u escapes), one trailing newline, and NaN/Infinity refused because they are not JSON.

The bytes are defined by the standard library: json.dumps(sort_keys=True, ensure_ascii=False, indent=2,
allow_nan=False). With an indent, json.dumps runs its pure-Python encoder (0.4-0.5 s for the 13 MB report
of two 300 MB games), so plain JSON data is written by orjson instead (0.07 s, the checks below included),
and only where orjson writes the very same text:
- its indented, key-sorted output has the layout and escaping of json.dumps (tests/test_render_json.py
  checks this on random values, the golden report and real reports);
- it formats floats differently (1e-7 where json writes 1e-07, 0.00001 where json writes 1e-05, null for
  NaN), so every distinct float of the report is formatted by both and compared, at run time;
- anything but exact dict/list/tuple/str/int/float/bool/None, a non-str key, a lone surrogate, an int
  beyond 64 bits or nesting deeper than orjson allows goes to json.dumps, which writes it (or raises)
  exactly as it always did.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import orjson

_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
# orjson writes these the way json.dumps does; everything else is checked or left to json.dumps
_LEAVES = frozenset({str, int, bool, type(None)})
_STR_KEYS = frozenset({str})


class JsonRenderer:
    """The report renderer for format 'json' (see clonedetect.report.Renderer)."""

    format = "json"

    def render(self, report: dict[str, Any]) -> str:
        return render_json(report)


def render_json(report: dict[str, Any]) -> str:
    """The report as text; ValueError for NaN or Infinity, TypeError for what is not JSON data."""
    fast = _render_plain(report)
    if fast is not None:
        return fast
    # the definition of the output, and what writes anything that is not plain JSON data
    return json.dumps(report, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _render_plain(value: Any) -> str | None:
    """The text json.dumps writes for `value` (see render_json), by orjson; None when orjson might not
    write the very same text."""
    try:
        # first: it refuses cycles (by its depth limit), so the walk below always ends
        rendered = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return None
    floats = _plain_floats(value)
    if floats is None or not _same_float_text(floats):
        return None
    return rendered.decode("utf-8")


def _plain_floats(value: Any) -> set[float] | None:
    """Every float in `value`, or None when it holds anything but exact JSON types and str keys.

    Exact types, not isinstance: a str or int subclass (an enum, say) may print or sort differently. Called
    only on what orjson wrote, so the nesting is at most orjson's depth limit (255) and has no cycle."""
    floats: set[float] = set()

    def visit(node: Any) -> bool:
        kind = type(node)
        if kind is dict:
            if not _STR_KEYS.issuperset(map(type, node)):
                return False
            items: Iterable[Any] = node.values()
        elif kind is list or kind is tuple:
            items = node
        elif kind is float:
            floats.add(node)
            return True
        else:
            return kind in _LEAVES
        for item in items:
            kind = type(item)
            if kind is str or kind is int:
                continue  # most items: strings and ints, checked inline
            if kind is float:
                floats.add(item)
            elif not visit(item):
                return False
        return True

    return floats if visit(value) else None


def _same_float_text(floats: set[float]) -> bool:
    """Whether orjson writes each of `floats` as json.dumps does (float.__repr__). Both zeros are always
    checked: 0.0 and -0.0 are one member of a set but are written differently."""
    checked = [*floats, 0.0, -0.0]
    expected = "[" + ",".join(map(float.__repr__, checked)) + "]"
    return orjson.dumps(checked) == expected.encode("ascii")
