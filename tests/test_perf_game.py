"""The perf benchmark's game generator: one plan, one game; another seed and identity, another game. Its
not-a-copy suspect must share only the art style and the language with the original (until commit f7a3c8a
it shared the icon, strings, tables and audio, and clonedetect rightly called it a clone). No rendering here:
the plan and its small files are pure functions of the plan."""

from __future__ import annotations

import json

from benchmarks.perf_game import (
    MIB,
    OTHER_SEED,
    STARFALL,
    audio_bytes,
    icon,
    plan_game,
    string_files,
    table_files,
)

SIZE = 20 * MIB


def test_one_plan_gives_the_same_files() -> None:
    first, again = plan_game(SIZE), plan_game(SIZE)
    assert first == again
    assert string_files(first, clone=False) == string_files(again, clone=False)
    assert table_files(first, clone=True) == table_files(again, clone=True)
    assert icon(first, 48, clone=False) == icon(again, 48, clone=False)


def test_another_seed_and_identity_is_another_game() -> None:
    original, other = plan_game(SIZE), plan_game(SIZE, OTHER_SEED, STARFALL)
    assert (other.identity.package_id, other.identity.title, other.identity.publisher) != (
        original.identity.package_id,
        original.identity.title,
        original.identity.publisher,
    )
    ours, theirs = string_files(original, clone=False), string_files(other, clone=False)
    assert ours.keys() == theirs.keys()
    for name in ours:
        mine, yours = json.loads(ours[name]), json.loads(theirs[name])
        assert not any(mine[key] == yours.get(key) for key in mine), name
        # words of one syllable set may coincide, as two games' "OK" and "Start" do, but only a few
        assert len(set(mine.values()) & set(yours.values())) <= 0.05 * len(mine), name
    ours_tables, theirs_tables = table_files(original, clone=False), table_files(other, clone=False)
    assert all(ours_tables[name] != theirs_tables[name] for name in ours_tables)
    assert icon(original, 48, clone=False) != icon(other, 48, clone=False)
    assert audio_bytes(original, "audio/track_000.ogg", 64) != audio_bytes(other, "audio/track_000.ogg", 64)
