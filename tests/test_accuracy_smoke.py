"""A tiny run of the accuracy benchmark (benchmarks/accuracy.py --quick): it builds real packages from the
corpus, runs every case through the pipeline, and must write the documented JSON and meet the targets on the
small set. The full run's numbers are in the README."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus import CORPUS

from benchmarks import accuracy

pytestmark = pytest.mark.slow

SUMMARY_KEYS = {
    "cases",
    "clones",
    "negatives",
    "hard_negatives",
    "verdict_auc",
    "tpr_at_fpr_1pct",
    "verdict_tpr",
    "verdict_fpr",
    "hard_negative_clones",
    "category_auc",
    "category_cases",
    "calibration",
    "verdict_scores",
    "image_precision",
    "image_recall",
    "image_matches",
    "image_matches_derived",
    "image_copies",
    "inside_screenshot_recall",
    "inside_screenshot_elements",
    "transform_labels",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    assert CORPUS.is_dir(), f"the corpus is expected at {CORPUS}"
    out = tmp_path_factory.mktemp("accuracy") / "accuracy.json"
    code = accuracy.main(["--quick", "--json", str(out)])
    data: dict[str, Any] = json.loads(out.read_text())
    data["exit_code"] = code
    return data


def test_the_json_has_the_documented_shape(result: dict[str, Any]) -> None:
    assert set(result) >= {"summary", "targets", "targets_met", "transforms", "cases", "errors", "run"}
    assert set(result["summary"]) == SUMMARY_KEYS
    assert set(result["targets"]) == set(result["targets_met"]) == set(accuracy.TARGETS)
    assert result["run"]["command"] == "python benchmarks/accuracy.py --quick"
    assert Path(result["run"]["corpus"]) == CORPUS
    for case in result["cases"]:
        assert set(case) == {
            "baseline",
            "suspect",
            "kind",
            "hard",
            "label",
            "copied",
            "partial",
            "verdict",
            "categories",
        }
        assert set(case["verdict"]) == {"score", "clone", "reason"}
        for values in case["categories"].values():
            assert set(values) == {"score", "baseline_assets", "matched", "strength", "probability"}
    for counts in result["transforms"].values():
        assert counts["copies"] >= counts["found"] >= counts["labelled"] >= 0


def test_the_small_set_meets_every_target(result: dict[str, Any]) -> None:
    summary = result["summary"]
    assert result["targets_met"] == dict.fromkeys(accuracy.TARGETS, True), summary
    assert result["exit_code"] == 0
    assert summary["clones"] >= 4 and summary["hard_negatives"] >= 3
    assert summary["hard_negative_clones"] == 0


def test_every_kind_of_case_is_judged_as_labelled(result: dict[str, Any]) -> None:
    kinds = {case["kind"] for case in result["cases"]}
    assert {"reskin", "icon-knockoff", "listing-knockoff", "text-rules", "negative"} <= kinds
    for case in result["cases"]:
        assert case["verdict"]["clone"] is case["label"], case
    icon_only = next(c for c in result["cases"] if c["kind"] == "icon-knockoff")
    assert "only the icon was copied" in icon_only["verdict"]["reason"]
    related = [c for c in result["cases"] if c["hard"] == "related ruleset"]
    assert related and all(c["categories"]["rules"]["score"] > 0.5 for c in related)  # found, yet no clone


def test_reskin_transforms_are_found_and_named(result: dict[str, Any]) -> None:
    transforms = result["transforms"]
    assert {"hue+badge", "webp", "mirror", "premultiplied", "letterboxed"} <= set(transforms)
    assert transforms["letterboxed"]["labelled"] == transforms["letterboxed"]["copies"] >= 1
    assert transforms["mirror"]["found"] == transforms["mirror"]["copies"]
