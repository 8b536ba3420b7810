"""Which pictures a report carries: the thumbnails of the image pairs its exhibit shows, base64 encoded.

Here rather than in html.py because building every report needs it, and the exhibit's renderer (jinja2,
templates) is needed only when an exhibit is written. html.py shows the pairs in the order chosen here.
"""

from __future__ import annotations

import base64
import heapq
from collections.abc import Mapping
from typing import Any

from clonedetect.report.access import as_mapping, as_number, as_sequence, as_text
from clonedetect.report.labels import COURT_ORDER

MAX_IMAGE_PAIRS = 24  # per image category: about two A4 pages of side-by-side thumbnails
IMAGE_CATEGORIES = frozenset({"icon", "characters", "ui", "art"})
# sha256 and identical pixels are the strongest evidence, so among equal similarities they come first.
METHOD_RANK = {"sha256": 0, "pixels": 1}


def ordered_categories(report: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Categories in the court's order, then any others alphabetically."""
    categories = as_mapping(report.get("categories"))
    rank = {name: index for index, name in enumerate(COURT_ORDER)}
    names = sorted(categories, key=lambda name: (rank.get(name, len(rank)), name))
    return [(name, as_mapping(categories[name])) for name in names]


def significance(match: Mapping[str, Any]) -> tuple[float, float, int, str, str]:
    """The sort key of a match, most significant first: similarity, then weight, then exact methods first;
    the paths break ties so the order never depends on the input's order."""
    return (
        -as_number(match.get("similarity")),
        -as_number(match.get("weight"), 1.0),
        METHOD_RANK.get(as_text(match.get("method")), len(METHOD_RANK)),
        as_text(match.get("baseline")),
        as_text(match.get("suspect")),
    )


def significant_matches(category: Mapping[str, Any], limit: int | None = None) -> list[Mapping[str, Any]]:
    """A category's matches, most significant first (see significance()); only the first `limit` when
    given, which is sorted(...)[:limit] without sorting thousands of matches to keep two dozen."""
    matches = [as_mapping(m) for m in as_sequence(category.get("matches"))]
    if limit is None:
        return sorted(matches, key=significance)
    return heapq.nsmallest(limit, matches, key=significance)


def exhibit_thumbnail_keys(report: Mapping[str, Any]) -> list[str]:
    """The thumbnail keys ('baseline:<path>', 'suspect:<path>') of every pair the exhibit shows, sorted:
    what a report needs to carry in `thumbnails` for its exhibit to show every picture."""
    keys: set[str] = set()
    for name, body in ordered_categories(report):
        if name not in IMAGE_CATEGORIES:
            continue
        for match in significant_matches(body, MAX_IMAGE_PAIRS):
            keys.add("baseline:" + as_text(match.get("baseline")))
            keys.add("suspect:" + as_text(match.get("suspect")))
    return sorted(keys)


def encode_thumbnails(thumbnails: Mapping[str, bytes]) -> dict[str, str]:
    """The report's `thumbnails` field: the same keys, base64 (standard alphabet, padded) PNG bytes."""
    return {key: base64.b64encode(thumbnails[key]).decode("ascii") for key in sorted(thumbnails)}
