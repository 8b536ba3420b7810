"""The JSON renderer: a report dict -> the exact bytes of `--json FILE`.

Same dict, same bytes: keys sorted, fixed indentation, UTF-8 text kept readable (Chinese app names stay
Chinese rather than \\u escapes), one trailing newline, and NaN/Infinity refused because they are not JSON.
"""

from __future__ import annotations

import json
from typing import Any


class JsonRenderer:
    """The report renderer for format 'json' (see clonedetect.report.Renderer)."""

    format = "json"

    def render(self, report: dict[str, Any]) -> str:
        return render_json(report)


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
