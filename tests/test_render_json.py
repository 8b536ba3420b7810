"""render_json writes exactly what json.dumps(sort_keys, ensure_ascii=False, indent=2, allow_nan=False)
writes, byte for byte, and raises where it raises: the report's bytes are evidence, and they were defined by
the standard library before orjson made them fast. The standard library call is kept here, and only here,
as the reference."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clonedetect import pipeline
from clonedetect.cache import compare_cached
from clonedetect.report import build_inspection, build_report, json_report, render_json
from clonedetect.settings import Settings

GOLDEN = Path(__file__).parent / "golden" / "report.json"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def reference(value: Any) -> str:
    """render_json as it was: the definition of the report's bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def outcome(render: Any, value: Any) -> tuple[str, Any]:
    """The text written, or the kind of error raised."""
    try:
        return ("text", render(value))
    except (TypeError, ValueError, RecursionError) as error:
        return ("error", type(error))


def assert_same(value: Any) -> None:
    assert outcome(render_json, value) == outcome(reference, value)


# Floats whose text differs between json and orjson's own formatting, or that sit at a format boundary.
AWKWARD_FLOATS = (
    0.1, 1e-7, 1e-5, 1e-4, 0.0001234, 1e15, 1e16, 1.5e16, 1e22, -0.0, 0.0, 5e-324,
    1.7976931348623157e308, 0.30000000000000004, 123456789.123, -2.5e-300, 0.5,
)  # fmt: skip
AWKWARD_TEXT = (
    "",
    "龙域私服",  # CJK
    "\u2028\u2029",  # line and paragraph separators: JSON allows them raw, JavaScript did not
    "\x00\x01\x1f\x7f\t\n\r\b\f",  # control characters: escaped, \x7f not
    '"\\/',
    "😀\U0010ffff",  # astral: sorts after every BMP character as UTF-8 and as code points
    "\ufffe\uffff\ufeff",
    "\u202egpj.exe",
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(AWKWARD_FLOATS),
    st.text(),
    st.sampled_from(AWKWARD_TEXT),
    st.text(alphabet=st.sampled_from('a\u4e2d\u2028\x00\x1f\x7f"\\é😀'), max_size=8),
)
keys = st.one_of(st.text(max_size=6), st.sampled_from(AWKWARD_TEXT))
json_values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=5),
        st.tuples(children, children),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, json_values, max_size=6))
def test_random_json_data_is_written_as_json_dumps_writes_it(value: dict[str, Any]) -> None:
    expected = reference(value)
    assert render_json(value) == expected
    fast = json_report._render_plain(value)  # when orjson writes it, it is the same text
    assert fast is None or fast == expected


# what a report holds: rounded floats in the range json writes without an exponent, text, ints, nesting
report_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 4) + 0.0),
    st.text(),
    st.sampled_from(AWKWARD_TEXT),
)
report_like = st.recursive(
    report_leaves,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, report_like, max_size=6))
def test_report_like_data_takes_the_fast_path_and_is_the_same(value: dict[str, Any]) -> None:
    fast = json_report._render_plain(value)
    assert fast is not None
    assert fast == reference(value)


not_plain = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(-math.inf),
    st.integers(min_value=2**64, max_value=2**80),
    st.integers(max_value=-(2**63) - 1, min_value=-(2**80)),
    st.sampled_from(["\ud800", "a\udfffb"]),  # lone surrogates (a file name read with surrogateescape)
)


@settings(max_examples=200, deadline=None)
@given(json_values, not_plain, st.sampled_from(["in a list", "as a value", "as a key"]))
def test_what_orjson_cannot_write_identically_is_written_or_refused_as_before(
    value: Any, odd: Any, where: str
) -> None:
    if where == "in a list":
        assert_same({"a": [value, odd]})
    elif where == "as a value":
        assert_same({"a": value, "b": {"c": odd}})
    else:
        assert_same({"a": value, odd if isinstance(odd, str) else str(odd): 1})


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none(), st.floats()), leaves, max_size=4))
def test_non_str_keys_behave_as_in_json_dumps(value: dict[Any, Any]) -> None:
    assert_same({"k": value})


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 2


class Kind(enum.StrEnum):
    ICON = "icon"


class Upper(str):
    def __lt__(self, other: object) -> bool:  # sorts backwards: a subclass may order keys its own way
        return str.__gt__(self, other)  # type: ignore[operator]


@dataclasses.dataclass
class Point:
    x: int


class Ratio(float):
    pass


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [
        {"enum": Colour.RED},  # json refuses; orjson would write "red"
        {"uuid": uuid.UUID(int=1)},  # json refuses; orjson would write it
        {"when": datetime.datetime(2024, 5, 1)},
        {"point": Point(1)},
        {"int_enum": Size.BIG, "str_enum": Kind.ICON},
        {Kind.ICON: 1, "b": 2},
        {Upper("a"): 1, Upper("b"): 2},
        {"ordered": collections.OrderedDict([("b", 1), ("a", 2)])},
        {"deep": nested(300)},  # deeper than orjson goes; json.dumps writes it
        {"set": {1, 2}},
        {"bytes": b"x"},
        {"float_subclass": Ratio(0.5)},
    ],
)
def test_other_python_values_are_written_or_refused_as_before(value: dict[str, Any]) -> None:
    assert_same(value)


def test_a_cycle_is_refused_as_before() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    assert_same({"cycle": cyclic})
    with pytest.raises(ValueError, match="Circular reference"):
        render_json({"cycle": cyclic})


def test_the_golden_report_is_written_byte_for_byte() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    assert render_json(json.loads(text)) == text == reference(json.loads(text))
    assert json_report._render_plain(json.loads(text)) == text


def test_real_reports_are_written_byte_for_byte() -> None:
    settings = Settings(reproducible=True)
    comparison = compare_cached(SAMPLES / "original.apk", SAMPLES / "repack-ec.apk", settings, None)
    report = build_report(comparison, settings, command=["clonedetect", "compare"], generated_at="now")
    assert report["thumbnails"] and report["categories"]["ui"]["matches"]  # real evidence, real floats
    expected = reference(report)
    assert render_json(report) == expected
    assert json_report._render_plain(report) == expected  # written by orjson, not by the fallback
    # the same with a score that is not a number: refused, as before, never written as null
    broken = {**report, "verdict": {**report["verdict"], "score": float("nan")}}
    with pytest.raises(ValueError):
        render_json(broken)
    inspection = build_inspection(pipeline.analyse(SAMPLES / "original.apk", settings))
    assert render_json(inspection) == reference(inspection)
