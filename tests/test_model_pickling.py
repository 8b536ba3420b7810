"""The classes pickled by their fields (model.pickled_by_fields) come back equal, every field in its place."""

from __future__ import annotations

import pickle

from clonedetect.match.images import Candidate, Judgement
from clonedetect.model import (
    AnalysisWarning,
    Asset,
    AssetKind,
    Category,
    Fingerprint,
    Frame,
    Match,
    Print,
    Table,
)


def test_prints_matches_and_what_they_hold_round_trip() -> None:
    # every field differs from its default and from its neighbours, so a value put in another field shows
    frame = Frame(
        x=1, y=2, width=3, height=4, rotated=True, offset_x=5, offset_y=6, source_width=7, source_height=8
    )
    table = Table(columns=("id", "hp"), rows=((1, 2.5), (2, None)), key_column="id")
    asset = Asset(
        path="atlas.png#hero",
        entry="atlas.png",
        kind=AssetKind.TABLE,
        category=Category.RULES,
        media_type="image/png",
        sha256="ab" * 32,
        size=9,
        found_by="test",
        frame=frame,
        key="k",
        locale="zh-CN",
        text="文字",
        table=table,
    )
    items = [
        Print(asset, (Fingerprint("phash", 2, "ff" * 8), Fingerprint("text", 1, "x")), 10, 11, b"png"),
        Match(Category.UI, "a", "b", 0.5, "thumbnail", ("scaled",), "evidence", 0.1),
        AnalysisWarning("a.png", "truncated"),
        Candidate(1, 2, True, 3, 4, 5, 6, 7, 8, 9),
        Judgement(0.7, "phash", ("mirrored",), "evidence", 1.5),
    ]
    for item in items:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        assert type(item).__reduce__(item)[1] == tuple(getattr(item, name) for name in item.__slots__)
        assert pickle.loads(data) == item
