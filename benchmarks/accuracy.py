"""Development benchmark of clonedetect's accuracy on real game data (issue 4).

    python benchmarks/accuracy.py                     # full run (a few minutes on 2 cores)
    python benchmarks/accuracy.py --quick             # small set, under a minute (the smoke test)
    python benchmarks/accuracy.py --json out.json --keep build/   # also keep the built packages

Builds, from the corpus (../shared/corpus or $CLONEDETECT_CORPUS) into a temporary folder, real packages
(APKs with aapt/zipalign/apksigner, IPAs with CgBI icons, store-listing folders): baselines from Shattered
Pixel Dungeon, Tuxemon and Freeciv21, clones of every kind in benchmarks/clones.py, and hard negatives
(Tuxemon vs Shattered; two halves of Tuxemon that share no monster; Freeciv21 games built on the classic,
civ2civ3 and multiplayer rulesets, which are real variants of one another: partial rule matches). Every
case is analysed and compared with clonedetect's own pipeline, then scored against the ground truth the
builders recorded:

- verdict: ROC AUC of the verdict score over clone / not-clone cases, TPR at FPR <= 1 %, clone verdicts on
  the hard negatives (target: none);
- per category: ROC AUC of the category score over cases where the category was copied (or, for rules,
  derived) vs cases where it was not; cases where it was only partly shared are left out;
- images: precision of the reported image matches and recall of the copied images (whole copies, and
  separately baseline UI found inside suspect screenshots), recall per transform, and how often the
  reported `transforms` name what was done.

Targets (issue 4): verdict AUC >= 0.99, per-category AUC >= 0.97, image precision >= 0.98, recall >= 0.95,
no clone verdict on a hard negative. The process exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import clones, corpus_games, transforms
from benchmarks.families import family_of
from benchmarks.metrics import ratio, roc_auc, tpr_at_fpr
from benchmarks.packages import Built, Spec, build
from clonedetect.match.images import MIN_SIDE
from clonedetect.model import REPORTED_CATEGORIES, Analysis, AssetKind, Category, Comparison, Print
from clonedetect.pipeline import analyse, compare
from clonedetect.score import category_evidence
from clonedetect.settings import Settings
from samples.build import SigningKey, make_key

IMAGE_CATEGORIES = frozenset({Category.ICON, Category.CHARACTERS, Category.UI, Category.ART})
TARGETS: Mapping[str, float] = {
    "verdict_auc": 0.99,
    "category_auc": 0.97,
    "image_precision": 0.98,
    "image_recall": 0.95,
    "hard_negative_clones": 0,
}
MAX_FPR = 0.01
# labels the matcher must report for the transforms that are not single image transforms
EXTRA_EXPECTED: Mapping[str, tuple[str, ...]] = {
    "atlas": ("repacked",),
    "atlas-half": ("repacked", "scaled"),
    "hue+badge": ("recoloured", "overlaid"),
    "letterboxed": ("letterboxed", "re-encoded"),
}
MIRROR_SYMMETRIC = 0.02  # mean |image - mirrored| (0..1) under which mirroring changes nothing visible


@dataclass(frozen=True, slots=True)
class Case:
    baseline: str
    suspect: str
    kind: str  # 'repack', 'reskin', 'icon-knockoff', 'listing-knockoff', 'flip', 'text-rules', 'negative'
    clone: bool
    copied: frozenset[str] = frozenset()  # categories copied (or derived): positives of the category AUC
    partial: frozenset[str] = frozenset()  # categories partly shared: left out of the category AUC
    hard: str = ""  # for hard negatives: which kind ('other game', 'other monsters', 'related ruleset')


ALL = frozenset({"icon", "characters", "ui", "text", "rules", "art"})


@dataclass
class Plan:
    specs: list[Spec] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def plan(quick: bool) -> Plan:
    """Every package to build and every (baseline, suspect) case to run, with its ground truth."""
    spd = corpus_games.shattered(quick)
    tux = corpus_games.tuxemon(quick, 0)
    tux_b = corpus_games.tuxemon(quick, 1)
    fc_classic = corpus_games.freeciv(quick, "classic", 0, "fc-classic")
    fc_civ2 = corpus_games.freeciv(quick, "civ2civ3", 1, "fc-civ2civ3")
    fc_multi = corpus_games.freeciv(quick, "multiplayer", 1, "fc-multiplayer")
    screens = 1 if quick else 2
    out = Plan()
    out.specs += [
        clones.original(spd),
        clones.original(tux),
        clones.original(fc_classic),
        clones.original(fc_civ2),
        clones.reskin(spd, "apk", "Pixel Dungeon Legends"),
        clones.text_rules(tux, fc_civ2, "Monster Legends"),
        clones.icon_knockoff(spd, fc_multi),
        clones.listing(tux, screens),
        clones.listing_knockoff(tux, screens, "Tuxe Monsters GO"),
    ]
    out.cases += [
        Case("spd", "spd-reskin", "reskin", True, ALL),
        Case("spd", "spd-icon-knockoff", "icon-knockoff", True, frozenset({"icon"})),
        Case("spd", "tux", "negative", False, hard="other game"),
        Case("tux", "tux-text-rules", "text-rules", True, frozenset({"text", "rules"})),
        Case("tux", "tux-listing-knockoff", "listing-knockoff", True, frozenset({"icon"}), frozenset({"ui"})),
        Case("tux", "spd", "negative", False, hard="other game"),
        Case("tux-listing", "tux-listing-knockoff", "listing-knockoff", True, frozenset({"icon", "ui"})),
        Case("fc-classic", "fc-civ2civ3", "negative", False, frozenset({"rules"}), hard="related ruleset"),
        Case(
            "fc-classic", "spd-icon-knockoff", "negative", False, frozenset({"rules"}), hard="related ruleset"
        ),
    ]
    if quick:
        return out
    out.specs += [
        clones.original(tux_b),
        clones.original(fc_multi),
        clones.repack(spd, "apk"),
        clones.repack(spd, "ipa"),
        clones.repack(tux, "apk"),
        clones.reskin(tux, "ipa", "Monster Legends"),
        clones.flip(spd, fc_civ2),
        clones.listing(spd, screens),
        clones.listing_knockoff(spd, screens, "Pixel Dungeon Legends"),
    ]
    out.cases += [
        Case("spd", "spd-repack", "repack", True, ALL),
        Case("spd", "spd-repack-ipa", "repack", True, ALL),
        Case("spd", "spd-flip", "flip", True, frozenset({"characters"})),
        Case("spd", "tux-reskin", "negative", False),
        Case("spd", "fc-civ2civ3", "negative", False),
        Case("spd", "tux-listing-knockoff", "negative", False),
        Case("tux", "tux-repack", "repack", True, ALL),
        Case("tux", "tux-reskin", "reskin", True, ALL),
        Case("tux", "tux-b", "negative", False, hard="other monsters"),
        Case("tux", "spd-reskin", "negative", False),
        Case("tux", "spd-flip", "negative", False),
        Case("tux", "fc-multiplayer", "negative", False),
        Case("fc-classic", "fc-multiplayer", "negative", False, frozenset({"rules"}), hard="related ruleset"),
        Case("fc-classic", "spd-flip", "negative", False, frozenset({"rules"}), hard="related ruleset"),
        Case("fc-classic", "tux-text-rules", "negative", False),
        Case("fc-classic", "tux-b", "negative", False),
        Case("spd-listing", "spd-listing-knockoff", "listing-knockoff", True, frozenset({"icon", "ui"})),
        Case("spd-listing", "tux-listing", "negative", False, hard="other game"),
        Case("spd-listing", "tux-listing-knockoff", "negative", False),
        Case("tux-listing", "spd-listing", "negative", False, hard="other game"),
        Case("tux-listing", "spd-listing-knockoff", "negative", False),
    ]
    return out


# --- running ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    built: dict[str, Built]
    analyses: dict[str, Analysis]
    comparisons: dict[tuple[str, str], Comparison]
    seconds: dict[str, float]


def execute(work: Path, quick: bool, log: Any = print) -> tuple[Plan, Run]:
    seconds: dict[str, float] = defaultdict(float)
    start = time.perf_counter()
    the_plan = plan(quick)
    seconds["plan"] = time.perf_counter() - start
    keys: dict[str, SigningKey] = {
        owner: make_key(work / "keys", "RSA", f"CN={owner}, O={owner}, C=CN")
        for owner in ("studio", "pirate")
    }
    built: dict[str, Built] = {}
    for spec in the_plan.specs:
        begin = time.perf_counter()
        built[spec.name] = build(spec, work / "packages", keys)
        seconds["build"] += time.perf_counter() - begin
    settings = Settings()
    analyses: dict[str, Analysis] = {}
    for name, item in sorted(built.items()):
        begin = time.perf_counter()
        analyses[name] = analyse(item.path, settings)
        seconds["analyse"] += time.perf_counter() - begin
    comparisons: dict[tuple[str, str], Comparison] = {}
    for case in the_plan.cases:
        begin = time.perf_counter()
        comparisons[(case.baseline, case.suspect)] = compare(
            analyses[case.baseline], analyses[case.suspect], settings
        )
        seconds["compare"] += time.perf_counter() - begin
    log(f"built {len(built)} packages, ran {len(the_plan.cases)} cases")
    return the_plan, Run(built, analyses, comparisons, dict(seconds))


# --- scoring against the ground truth --------------------------------------------------------------------


@dataclass
class ImageTally:
    matches: int = 0
    correct: int = 0
    derived: int = 0  # correct because the two are derived art of one family (benchmarks/families.py)
    copies: int = 0
    found: int = 0
    inside: int = 0
    inside_found: int = 0
    labelled: int = 0  # correct matches of transformed copies whose transforms name what was done
    label_checked: int = 0
    by_transform: dict[str, list[int]] = field(default_factory=dict)  # name -> [copies, found, labelled]
    wrong: list[dict[str, str]] = field(default_factory=list)
    missed: list[dict[str, str]] = field(default_factory=list)
    unlabelled: list[dict[str, str]] = field(default_factory=list)


def expected_labels(transform: str) -> tuple[str, ...]:
    if transform in EXTRA_EXPECTED:
        return EXTRA_EXPECTED[transform]
    known = transforms.BY_NAME.get(transform)
    return known.expected if known is not None else ()


def _symmetric(item: Print) -> bool:
    """Whether mirroring the baseline image changes (almost) nothing: then 'mirrored' cannot be seen."""
    import io

    from PIL import Image

    if not item.thumbnail:
        return False
    with Image.open(io.BytesIO(item.thumbnail)) as opened:
        pixels = np.asarray(opened.convert("RGBA"), dtype=np.float32) / 255.0
    return float(np.abs(pixels - pixels[:, ::-1]).mean()) < MIRROR_SYMMETRIC


def score_images(case: Case, run: Run, tally: ImageTally) -> None:
    base_built, suspect_built = run.built[case.baseline], run.built[case.suspect]
    comparison = run.comparisons[(case.baseline, case.suspect)]
    base_prints = [p for p in run.analyses[case.baseline].prints if p.asset.kind is AssetKind.IMAGE]
    suspect_prints = [p for p in run.analyses[case.suspect].prints if p.asset.kind is AssetKind.IMAGE]
    whole: dict[str, list[tuple[str, str]]] = defaultdict(list)  # identity -> (suspect path, transform)
    inside: set[str] = set()
    for item in suspect_prints:
        truth = suspect_built.truth_of(item.asset.path)
        if truth is not None:
            whole[truth.identity].append((item.asset.path, truth.transform))
            inside.update(truth.contains)
    matches = [m for c in comparison.categories if c.category in IMAGE_CATEGORIES for m in c.matches]
    by_baseline = {m.baseline: m for m in matches}
    for match in matches:
        tally.matches += 1
        base_truth = base_built.truth_of(match.baseline)
        suspect_truth = suspect_built.truth_of(match.suspect)
        good = (
            base_truth is not None
            and suspect_truth is not None
            and (
                base_truth.identity == suspect_truth.identity or base_truth.identity in suspect_truth.contains
            )
        )
        related = (
            base_truth is not None
            and suspect_truth is not None
            and family_of(base_truth.identity)
            in {family_of(i) for i in (suspect_truth.identity, *suspect_truth.contains)}
        )
        if good or related:
            tally.correct += 1
            tally.derived += 0 if good else 1
        else:
            tally.wrong.append(
                {
                    "case": f"{case.baseline} vs {case.suspect}",
                    "baseline": match.baseline,
                    "suspect": match.suspect,
                    "evidence": match.evidence[:200],
                }
            )
    for item in base_prints:
        truth = base_built.truth_of(item.asset.path)
        if truth is None or min(item.width, item.height) < MIN_SIDE:
            continue  # not known art, or too small to carry evidence (only ever matched exactly)
        match = by_baseline.get(item.asset.path)
        suspect_truth = suspect_built.truth_of(match.suspect) if match is not None else None
        if truth.identity in whole:
            transform = whole[truth.identity][0][1] or "none"
            counts = tally.by_transform.setdefault(transform, [0, 0, 0])
            tally.copies += 1
            counts[0] += 1
            if suspect_truth is not None and suspect_truth.identity == truth.identity:
                tally.found += 1
                counts[1] += 1
                assert match is not None
                expected = set(expected_labels(suspect_truth.transform))
                if suspect_truth.transform == "mirror" and _symmetric(item):
                    expected.discard("mirrored")
                if expected:
                    tally.label_checked += 1
                    if expected <= set(match.transforms):
                        tally.labelled += 1
                        counts[2] += 1
                    else:
                        tally.unlabelled.append(
                            {
                                "case": f"{case.baseline} vs {case.suspect}",
                                "baseline": item.asset.path,
                                "transform": suspect_truth.transform,
                                "reported": ",".join(match.transforms),
                            }
                        )
                else:
                    counts[2] += 1
            else:
                tally.missed.append(
                    {
                        "case": f"{case.baseline} vs {case.suspect}",
                        "baseline": item.asset.path,
                        "transform": transform,
                    }
                )
        elif truth.identity in inside:
            tally.inside += 1
            if suspect_truth is not None and truth.identity in suspect_truth.contains:
                tally.inside_found += 1


def case_record(case: Case, run: Run) -> dict[str, Any]:
    comparison = run.comparisons[(case.baseline, case.suspect)]
    categories = {}
    for c in comparison.categories:
        if c.baseline_assets == 0:
            continue
        evidence = category_evidence(c, sum(m.weight * m.similarity for m in c.matches))
        categories[c.category.value] = {
            "score": c.score,
            "baseline_assets": c.baseline_assets,
            "matched": c.matched,
            "strength": round(evidence.strength, 4),
            "probability": round(evidence.probability, 4),
        }
    return {
        "baseline": case.baseline,
        "suspect": case.suspect,
        "kind": case.kind,
        "hard": case.hard,
        "label": case.clone,
        "copied": sorted(case.copied),
        "partial": sorted(case.partial),
        "verdict": {
            "score": comparison.verdict.score,
            "clone": comparison.verdict.clone,
            "reason": comparison.verdict.reason,
        },
        "categories": categories,
    }


def summarise(the_plan: Plan, run: Run) -> dict[str, Any]:
    records = [case_record(case, run) for case in the_plan.cases]
    scores = [r["verdict"]["score"] for r in records]
    labels = [r["label"] for r in records]
    category_auc: dict[str, float | None] = {}
    category_counts: dict[str, list[int]] = {}
    for category in [c.value for c in REPORTED_CATEGORIES] + ["art"]:
        values, truths = [], []
        for record in records:
            if category not in record["categories"] or category in record["partial"]:
                continue
            values.append(record["categories"][category]["score"])
            truths.append(category in record["copied"])
        category_auc[category] = roc_auc(values, truths)
        category_counts[category] = [sum(truths), len(truths) - sum(truths)]
    calibration: dict[str, dict[str, float | None]] = {}
    for category in category_auc:
        negative = [
            r["categories"][category]["strength"]
            for r in records
            if category in r["categories"] and not r["label"] and category not in r["copied"]
        ]
        positive = [
            r["categories"][category]["strength"]
            for r in records
            if category in r["categories"] and category in r["copied"]
        ]
        calibration[category] = {
            "max_negative_strength": max(negative, default=None),
            "min_copied_strength": min(positive, default=None),
        }
    tally = ImageTally()
    for case in the_plan.cases:
        score_images(case, run, tally)
    hard = [r for r in records if r["hard"]]
    verdict_auc = roc_auc(scores, labels)
    defined_aucs = [v for v in category_auc.values() if v is not None]
    summary = {
        "cases": len(records),
        "clones": sum(labels),
        "negatives": len(labels) - sum(labels),
        "hard_negatives": len(hard),
        "verdict_auc": verdict_auc,
        "tpr_at_fpr_1pct": tpr_at_fpr(scores, labels, MAX_FPR),
        "verdict_tpr": ratio(sum(1 for r in records if r["label"] and r["verdict"]["clone"]), sum(labels)),
        "verdict_fpr": ratio(
            sum(1 for r in records if not r["label"] and r["verdict"]["clone"]), len(labels) - sum(labels)
        ),
        "hard_negative_clones": sum(1 for r in hard if r["verdict"]["clone"]),
        "category_auc": category_auc,
        "category_cases": category_counts,
        "calibration": calibration,
        "verdict_scores": {
            "negatives_max": max((r["verdict"]["score"] for r in records if not r["label"]), default=None),
            "clones_min": min((r["verdict"]["score"] for r in records if r["label"]), default=None),
        },
        "image_precision": ratio(tally.correct, tally.matches),
        "image_recall": ratio(tally.found, tally.copies),
        "image_matches": tally.matches,
        "image_matches_derived": tally.derived,
        "image_copies": tally.copies,
        "inside_screenshot_recall": ratio(tally.inside_found, tally.inside),
        "inside_screenshot_elements": tally.inside,
        "transform_labels": ratio(tally.labelled, tally.label_checked),
    }
    met = {
        "verdict_auc": verdict_auc is not None and verdict_auc >= TARGETS["verdict_auc"],
        "category_auc": bool(defined_aucs) and min(defined_aucs) >= TARGETS["category_auc"],
        "image_precision": (summary["image_precision"] or 0.0) >= TARGETS["image_precision"],
        "image_recall": (summary["image_recall"] or 0.0) >= TARGETS["image_recall"],
        "hard_negative_clones": summary["hard_negative_clones"] <= TARGETS["hard_negative_clones"],
    }
    return {
        "summary": summary,
        "targets": dict(TARGETS),
        "targets_met": met,
        "transforms": {
            name: {"copies": c[0], "found": c[1], "labelled": c[2]}
            for name, c in sorted(tally.by_transform.items())
        },
        "cases": records,
        "errors": {"wrong": tally.wrong, "missed": tally.missed, "unlabelled": tally.unlabelled},
    }


# --- output ----------------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(result: dict[str, Any]) -> list[str]:
    summary, met = result["summary"], result["targets_met"]
    ok = {True: "ok", False: "MISSED"}
    lines = [
        f"cases {summary['cases']} ({summary['clones']} clones, {summary['negatives']} not, "
        f"{summary['hard_negatives']} hard negatives)",
        f"{'metric':34s} {'value':>8s}  target",
        f"{'verdict ROC AUC':34s} {_fmt(summary['verdict_auc']):>8s}  >= 0.99 {ok[met['verdict_auc']]}",
        f"{'verdict TPR at FPR <= 1 %':34s} {_fmt(summary['tpr_at_fpr_1pct']):>8s}",
        f"{'clone verdicts: TPR / FPR':34s} "
        f"{_fmt(summary['verdict_tpr'], 2):>4s}/{_fmt(summary['verdict_fpr'], 2)}",
        f"{'clone verdicts on hard negatives':34s} {summary['hard_negative_clones']:>8d}  0 "
        f"{ok[met['hard_negative_clones']]}",
    ]
    for category, auc in summary["category_auc"].items():
        positives, negatives = summary["category_cases"][category]
        label = f"{category} ROC AUC ({positives}+/{negatives}-)"
        lines.append(f"{label:34s} {_fmt(auc):>8s}  >= 0.97")
    lines.append("")
    lines.append(
        f"{'calibration (strength)':34s} {'max neg':>8s} {'min copied':>10s}  verdict: negatives <= "
        f"{_fmt(summary['verdict_scores']['negatives_max'])}, clones >= "
        f"{_fmt(summary['verdict_scores']['clones_min'])}"
    )
    for category, row in summary["calibration"].items():
        lines.append(
            f"{category:34s} {_fmt(row['max_negative_strength']):>8s} {_fmt(row['min_copied_strength']):>10s}"
        )
    lines += [
        "",
        f"{'image match precision':34s} {_fmt(summary['image_precision']):>8s}  >= 0.98 "
        f"{ok[met['image_precision']]} ({summary['image_matches']} matches, "
        f"{summary['image_matches_derived']} of them to derived art)",
        f"{'image copy recall':34s} {_fmt(summary['image_recall']):>8s}  >= 0.95 "
        f"{ok[met['image_recall']]} ({summary['image_copies']} copies)",
        f"{'UI inside screenshots recall':34s} {_fmt(summary['inside_screenshot_recall']):>8s}  "
        f"({summary['inside_screenshot_elements']} elements)",
        f"{'transforms reported correctly':34s} {_fmt(summary['transform_labels']):>8s}",
        "",
        f"{'transform':22s} {'copies':>6s} {'found':>6s} {'labelled':>8s}",
    ]
    for name, counts in result["transforms"].items():
        lines.append(f"{name:22s} {counts['copies']:6d} {counts['found']:6d} {counts['labelled']:8d}")
    lines += ["", f"{'case':44s} {'label':6s} {'score':>6s} verdict  categories"]
    for record in result["cases"]:
        cats = " ".join(f"{k}={v['score']:.2f}" for k, v in record["categories"].items())
        name = f"{record['baseline']} vs {record['suspect']}"
        lines.append(
            f"{name:44s} {'clone' if record['label'] else 'no':6s} {record['verdict']['score']:6.3f} "
            f"{'clone' if record['verdict']['clone'] else 'no':7s}  {cats}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small set, for the smoke test")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--keep", type=Path, default=None, help="build the packages here and keep them")
    parser.add_argument(
        "--errors", action="store_true", help="print every wrong, missed and unlabelled match"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="clonedetect-accuracy-") as temporary:
        work = args.keep or Path(temporary)
        the_plan, run = execute(work, args.quick)
        result = summarise(the_plan, run)
    result["run"] = {
        "command": "python benchmarks/accuracy.py" + (" --quick" if args.quick else ""),
        "date": datetime.date.today().isoformat(),
        "corpus": str(corpus_games.corpus_root()),
        "seconds": {
            k: round(v, 1) for k, v in {**run.seconds, "total": time.perf_counter() - started}.items()
        },
    }
    for line in table(result):
        print(line)
    if args.errors:
        for kind, items in result["errors"].items():
            for item in items:
                print(kind, json.dumps(item, ensure_ascii=False))
    print(f"seconds: {json.dumps(result['run']['seconds'])}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return 0 if all(result["targets_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
