"""scan and the baseline commands on real packages built with aapt/zipalign/apksigner, in a temporary store.

Baselines: A (Star Farm) and B (Legend of Dragons) from the sample games, C (a third game drawn here), and a
common-asset pack (an SDK's buttons and backgrounds) that A and B both embed. Suspects: a private-server
repack of B, a fourth game that shares only the SDK with B, A and C themselves, and a truncated APK.
"""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from clonedetect.cli_store import baseline_app, scan_command
from clonedetect.model import Category
from clonedetect.pipeline import compare
from clonedetect.scan import (
    ScanOptions,
    ScanSession,
    collect_suspects,
    compare_with_registered,
    scan,
)
from clonedetect.settings import Settings
from clonedetect.store import COMMON_WEIGHT, BaselineStore, common_weights
from samples import games
from samples.build import DENSITIES, SigningKey, build_apk, make_key

SETTINGS = Settings()
LEGEND, FARM, OCEAN, SDK = "Legend of Dragons", "Star Farm", "Ocean Quest", "Pay SDK"
SDK_FILES = ("sdk/pay_button.png", "sdk/login_button.png", "sdk/share_btn.png", "sdk/vip_panel.png")


# --------------------------------------------------------------------------------------------------------
# packages


def drawing(seed: int, width: int = 96, height: int = 96) -> bytes:
    """A distinct picture per seed: a gradient with a few filled shapes (deterministic)."""
    rng = np.random.default_rng(seed)
    top, bottom = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    ramp = np.linspace(0, 1, height)[:, None, None]
    pixels = (top * (1 - ramp) + bottom * ramp).repeat(width, axis=1).astype(np.uint8)
    picture = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(5):
        x0, y0 = int(rng.integers(0, width - 20)), int(rng.integers(0, height - 20))
        box = (x0, y0, x0 + int(rng.integers(12, width // 2)), y0 + int(rng.integers(12, height // 2)))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        (draw.ellipse if rng.integers(0, 2) else draw.rectangle)(box, fill=colour)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False)
    return out.getvalue()


def sdk_files() -> dict[str, bytes]:
    return {name: drawing(9000 + i, 120, 48) for i, name in enumerate(SDK_FILES)}


def drawn_game_apk(out: Path, key: SigningKey, seed: int, name: str, extra: dict[str, bytes]) -> Path:
    """A small game with its own art, strings and table (nothing shared with the sample games)."""
    words = ["tide", "reef", "kelp", "pearl", "storm", "harbour", "anchor", "lantern", "voyage", "current"]
    rng = np.random.default_rng(seed)
    strings = {
        f"line_{i}": " ".join(str(w) for w in rng.choice(words, size=6)) + f" {seed}-{i}" for i in range(12)
    }
    assets = {f"characters/hero_{i}.png": drawing(seed * 100 + i) for i in range(10)}
    assets |= {f"ui/panel_{i}.png": drawing(seed * 100 + 50 + i, 128, 64) for i in range(3)}
    assets["data/items.csv"] = "\n".join(f"{i},{w},{i * 7 + seed}" for i, w in enumerate(words)).encode()
    return build_apk(
        out,
        package_id=f"com.example.game{seed}",
        version_code=1,
        version_name="1.0",
        label={"": name},
        strings={"": strings},
        icons={density: drawing(seed * 100 + 99, 48, 48) for density in DENSITIES},
        assets=assets | extra,
        key=key,
    )


def sample_game_apk(game: games.Game, out: Path, key: SigningKey, extra: dict[str, bytes]) -> Path:
    """games.build_game_apk with extra asset files (the SDK the game embeds)."""
    return build_apk(
        out,
        package_id=game.package_id,
        version_code=game.version_code,
        version_name=game.version_name,
        label=game.label,
        strings=game.strings,
        icons=games.android_icons(game),
        adaptive_icon=games.art.adaptive_layers(game.theme),
        assets=games.asset_files(game) | extra,
        key=key,
        schemes=game.schemes,
    )


@dataclass(frozen=True)
class Corpus:
    a: Path
    b: Path
    c: Path
    repack_b: Path
    sdk_game: Path
    sdk_pack: Path
    corrupt: Path
    store: Path


def cli_app() -> typer.Typer:
    """The commands registered the way cli.py registers them."""
    app = typer.Typer(add_completion=False)
    app.add_typer(baseline_app, name="baseline")
    app.command("scan")(scan_command)
    return app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    work = tmp_path_factory.mktemp("scan")
    key = make_key(work / "keys")  # one key for all: signers play no part in what scan finds
    sdk = sdk_files()
    sdk_pack = work / "pay-sdk"
    for name, data in sdk.items():
        (sdk_pack / name).parent.mkdir(parents=True, exist_ok=True)
        (sdk_pack / name).write_bytes(data)
    a = sample_game_apk(games.UNRELATED, work / "farm.apk", key, sdk)
    b = sample_game_apk(games.ORIGINAL, work / "legend.apk", key, sdk)
    repack = sample_game_apk(games.REPACK, work / "suspects" / "legend-private.apk", key, sdk)
    c = drawn_game_apk(work / "ocean.apk", key, 31, OCEAN, {})
    sdk_game = drawn_game_apk(work / "suspects" / "sky.apk", key, 47, "Sky Kingdom", sdk)
    corrupt = work / "suspects" / "broken.apk"
    corrupt.write_bytes(repack.read_bytes()[: repack.stat().st_size // 2])
    store = work / "store"
    for path, name in ((a, FARM), (b, LEGEND), (c, OCEAN)):
        code, _, err = run(
            "baseline", "add", str(path), "--name", name, "--owner", "Example", "--store", str(store)
        )
        assert code == 0, err
    code, _, err = run("baseline", "add", str(sdk_pack), "--name", SDK, "--common", "--store", str(store))
    assert code == 0, err
    return Corpus(a, b, c, repack, sdk_game, sdk_pack, corrupt, store)


# --------------------------------------------------------------------------------------------------------
# scan


def test_a_repack_of_b_ranks_b_first_with_a_clone_verdict(corpus: Corpus) -> None:
    result = scan([corpus.repack_b], SETTINGS, ScanOptions(store=corpus.store, jobs=1))
    (suspect,) = result.results
    assert suspect.error == ""
    assert suspect.candidates[0].baseline == LEGEND
    assert SDK not in {c.baseline for c in suspect.candidates}  # a common pack is never a candidate
    best = suspect.best
    assert best is not None and best.baseline == LEGEND and best.comparison.verdict.clone
    scores = {c.category: c.score for c in best.comparison.categories}
    assert scores[Category.CHARACTERS] >= 0.9 and scores[Category.ICON] >= 0.9
    assert all(not c.comparison.verdict.clone for c in suspect.comparisons[1:])
    assert result.exit_code == 1


def test_a_game_sharing_only_the_common_sdk_with_b_is_not_a_clone(corpus: Corpus) -> None:
    result = scan([corpus.sdk_game], SETTINGS, ScanOptions(store=corpus.store, jobs=1))
    (suspect,) = result.results
    assert suspect.error == "" and not suspect.clone and result.exit_code == 0
    assert {c.baseline for c in suspect.candidates} == {LEGEND, FARM}  # both embed the SDK; C does not
    assert all(c.estimate < 0.1 for c in suspect.candidates)

    # the comparison with B itself: all four SDK images are found again, but they count a tenth
    session = ScanSession(corpus.store, SETTINGS, top=3)
    try:
        analysis, _, cached = session.analysis(corpus.sdk_game)
        legend_row = session.store.get(LEGEND).packages[0].row_id
        legend = session.store.load_package(legend_row)
        weights = common_weights(session.store, legend_row, SETTINGS)
    finally:
        session.close()
    assert cached
    sdk_paths = {f"assets/{name}" for name in SDK_FILES}
    assert {path for path, weight in weights if weight == COMMON_WEIGHT} >= sdk_paths
    weighted = compare(legend, analysis, SETTINGS, weights)
    registered = compare_with_registered(corpus.store, LEGEND, analysis, SETTINGS)  # `compare NAME SUSPECT`
    assert (registered.verdict, registered.categories) == (weighted.verdict, weighted.categories)
    plain = compare(legend, analysis, SETTINGS)
    matched = {m.baseline for score in weighted.categories for m in score.matches}
    assert matched == sdk_paths
    for with_weights, without in zip(weighted.categories, plain.categories, strict=True):
        if with_weights.matched:
            assert with_weights.score < 0.15 < without.score, (with_weights, without)
    assert not weighted.verdict.clone and weighted.verdict.score < plain.verdict.score


def test_a_batch_with_one_corrupt_suspect_and_a_cached_rescan(corpus: Corpus, tmp_path: Path) -> None:
    suspects = [corpus.repack_b, corpus.sdk_game, corpus.a, corpus.corrupt, corpus.c]
    args = [str(p) for p in suspects] + ["--store", str(corpus.store), "--jobs", "2", "--reproducible"]
    first = [*args, "--json", str(tmp_path / "one.json"), "--junit", str(tmp_path / "one.xml")]
    code, out, _ = run("scan", *first)
    assert code == 1, out  # clones among the suspects
    reports = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert [r["scan"]["input"] for r in reports] == [str(p) for p in suspects]
    errors = {r["scan"]["input"]: r["error"] for r in reports if "error" in r}
    assert list(errors) == [str(corpus.corrupt)] and "zip" in errors[str(corpus.corrupt)]
    verdicts = {r["scan"]["input"]: r["verdict"]["clone"] for r in reports if "error" not in r}
    assert verdicts == {
        str(corpus.repack_b): True,
        str(corpus.sdk_game): False,
        str(corpus.a): True,
        str(corpus.c): True,
    }
    named = {
        r["scan"]["input"]: r["scan"].get("baseline_name")
        for r in reports
        if r.get("verdict", {}).get("clone")
    }
    assert named == {str(corpus.repack_b): LEGEND, str(corpus.a): FARM, str(corpus.c): OCEAN}
    assert all(r["schema_version"] == 1 for r in reports)
    suite = ET.parse(tmp_path / "one.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "3", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases[str(corpus.corrupt)].find("error") is not None
    assert cases[str(corpus.sdk_game)].find("failure") is None
    assert "clone of Legend of Dragons" in (cases[str(corpus.repack_b)].find("failure").get("message") or "")  # type: ignore[union-attr]

    # the re-scan takes every analysis from the cache, and says the same thing byte for byte
    second = [*args, "--json", str(tmp_path / "two.json"), "--junit", str(tmp_path / "two.xml")]
    code, out, _ = run("scan", *second)
    assert code == 1
    assert out.count("(cached analysis)") == 4
    assert _without_command(tmp_path / "one.json") == _without_command(tmp_path / "two.json")
    assert (tmp_path / "one.xml").read_bytes() == (tmp_path / "two.xml").read_bytes()


def _without_command(path: Path) -> list[dict[str, object]]:
    return [
        {k: v for k, v in r.items() if k != "command"} for r in json.loads(path.read_text(encoding="utf-8"))
    ]


def test_scan_usage_errors(corpus: Corpus, tmp_path: Path) -> None:
    code, _, err = run("scan", str(corpus.a), "--store", str(tmp_path / "none"))
    assert code == 2 and "no baseline store" in err
    code, _, err = run("scan", str(corpus.a), "--store", str(corpus.store), "--top", "0")
    assert code == 2 and "--top" in err


def test_a_folder_of_suspects_and_a_list_file(corpus: Corpus, tmp_path: Path) -> None:
    folder = corpus.repack_b.parent
    assert collect_suspects([folder]) == sorted(folder.iterdir())
    assert collect_suspects([corpus.sdk_pack]) == [corpus.sdk_pack]  # loose files: one folder package
    listing = tmp_path / "suspects.txt"
    listing.write_text(f"# downloads\n{corpus.a}\n\n{corpus.c}\n{corpus.a}\n", encoding="utf-8")
    assert collect_suspects([], [listing]) == [corpus.a, corpus.c]


# --------------------------------------------------------------------------------------------------------
# baseline commands


def test_baseline_add_list_show_remove_export_import(corpus: Corpus, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    labels = tmp_path / "labels.toml"
    labels.write_text('[labels]\n"assets/sdk/*" = "art"\n', encoding="utf-8")
    code, out, err = run(
        "baseline", "add", str(corpus.b), "--name", LEGEND, "--owner", "Example Games Ltd",
        "--rights", "software copyright reg. 2015SR000000", "--labels", str(labels), "--store", store,
    )  # fmt: skip
    assert code == 0, err
    assert "added 1 package(s)" in out
    code, out, _ = run("baseline", "add", str(corpus.b), "--name", LEGEND, "--store", store)
    assert code == 0 and "1 already registered" in out

    code, out, _ = run("baseline", "list", "--store", store, "--json")
    listed = json.loads(out)["baselines"]
    assert [b["name"] for b in listed] == [LEGEND] and listed[0]["owner"] == "Example Games Ltd"

    code, out, _ = run("baseline", "show", LEGEND, "--store", store, "--json")
    shown = json.loads(out)
    assert shown["rights"] == "software copyright reg. 2015SR000000"
    assert shown["labels"] == {"assets/sdk/*": "art"}
    assert shown["packages"][0]["package_id"] == games.ORIGINAL.package_id
    with BaselineStore(Path(store)) as opened:
        loaded = opened.load_baseline(LEGEND)[0]
    sdk_categories = {p.asset.category for p in loaded.prints if p.asset.path.startswith("assets/sdk/")}
    assert sdk_categories == {Category.ART}  # the label override applies
    thumbnails = list((Path(store) / shown["folder"] / "thumbnails").glob("*.png"))
    assert len(thumbnails) >= 20 and all(t.read_bytes().startswith(b"\x89PNG") for t in thumbnails)

    exported = tmp_path / "legend.cdb.zip"
    assert run("baseline", "export", LEGEND, "-o", str(exported), "--store", store)[0] == 0
    assert run("baseline", "remove", LEGEND, "--store", store)[0] == 0
    code, out, _ = run("baseline", "list", "--store", store, "--json")
    assert json.loads(out)["baselines"] == []
    code, _, err = run("baseline", "show", LEGEND, "--store", store)
    assert code == 2 and "no baseline named" in err

    code, out, err = run("baseline", "import", str(exported), "--store", store)
    assert code == 0, err
    code, out, _ = run("baseline", "show", LEGEND, "--store", store, "--json")
    assert json.loads(out) == shown
    with BaselineStore(Path(store)) as opened:
        assert opened.load_baseline(LEGEND)[0] == loaded

    code, _, err = run("baseline", "import", str(exported), "--store", store)
    assert code == 2 and "already registered" in err
    code, _, err = run("baseline", "add", str(corpus.corrupt), "--name", "Broken", "--store", store)
    assert code == 2 and err.startswith("clonedetect: error:")
    shutil.rmtree(tmp_path / "store")
