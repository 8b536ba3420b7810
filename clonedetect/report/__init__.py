"""report: Comparison -> the versioned report dict (model.py) -> renderers (json, console; html/pdf later).

Renderers consume the dict only; they never recompute analysis. A renderer that produces a document
registers in RENDERERS under its format name, the way a third-party plugin would.
"""

from __future__ import annotations

from typing import Any, Protocol

from clonedetect.report.json_report import JsonRenderer, render_json
from clonedetect.report.model import (
    REPRODUCIBLE_TIMESTAMP,
    SCHEMA_VERSION,
    build_inspection,
    build_report,
    utc_timestamp,
)


class Renderer(Protocol):
    format: str

    def render(self, report: dict[str, Any]) -> str:
        """The whole document for one report dict; the same dict always gives the same text."""
        ...


RENDERERS: dict[str, Renderer] = {renderer.format: renderer for renderer in (JsonRenderer(),)}

__all__ = [
    "RENDERERS",
    "REPRODUCIBLE_TIMESTAMP",
    "SCHEMA_VERSION",
    "Renderer",
    "build_inspection",
    "build_report",
    "render_json",
    "utc_timestamp",
]
