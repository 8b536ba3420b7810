"""The exhibit in a real browser and on paper: headless Chromium screenshots and PDFs, read back with
poppler (pdfinfo, pdftoppm, pdftotext, pdffonts). Needs Debian's chromium, fonts-noto-cjk, poppler-utils."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_exhibit_sample import sample_report, sample_thumbnails

from clonedetect.report.html import ExhibitFiles, render_exhibit_html, write_exhibit
from clonedetect.report.labels import Lang
from clonedetect.report.pdf import Viewport, screenshot

HEADER_BLUE = np.array([31, 58, 95])  # --head in exhibit.css: the background of every table header
RULE_GREY = np.array([184, 192, 204])  # --rule: table borders
VIEWPORT = Viewport(1280, 1000)
COURT_CATEGORIES_ZH = ("图标", "角色", "界面", "文本", "规则")


def poppler(*arguments: str) -> str:
    return subprocess.run(arguments, check=True, capture_output=True, text=True, timeout=60).stdout


def bands(mask: np.ndarray, min_pixels: int) -> list[tuple[int, int]]:
    """(first, last) row of each run of consecutive screenshot rows with at least `min_pixels` in `mask`."""
    found: list[tuple[int, int]] = []
    for row in np.flatnonzero(mask.sum(axis=1) >= min_pixels):
        if found and row == found[-1][1] + 1:
            found[-1] = (found[-1][0], int(row))
        else:
            found.append((int(row), int(row)))
    return found


def near(pixels: np.ndarray, colour: np.ndarray, tolerance: int) -> np.ndarray:
    return np.abs(pixels - colour).sum(axis=2) <= tolerance


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_screenshot_is_not_blank_and_shows_the_summary_table(tmp_path: Path, lang: Lang) -> None:
    html = tmp_path / "exhibit.html"
    html.write_text(render_exhibit_html(sample_report(), lang, sample_thumbnails()), encoding="utf-8")
    shot = screenshot(html, VIEWPORT)
    (tmp_path / "shot.png").write_bytes(shot)
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    assert image.size == (VIEWPORT.width, VIEWPORT.height)
    pixels = np.asarray(image).astype(int)
    assert pixels.std() > 20  # a blank or failed page is one flat colour

    # The first table is the summary: its header is a band of --head blue at least 20 px tall (the h1's
    # 2 px underline is the same colour, hence the height), wide as the page's text column...
    header_bands = [b for b in bands(near(pixels, HEADER_BLUE, 30), 400) if b[1] - b[0] >= 20]
    assert header_bands, "no table header visible in the first screen"
    _, bottom = header_bands[0]
    assert bottom < VIEWPORT.height * 0.6
    # ...followed by one bordered row per court category before the next table starts.
    next_top = header_bands[1][0] if len(header_bands) > 1 else VIEWPORT.height
    row_lines = [b for b in bands(near(pixels, RULE_GREY, 20), 400) if bottom < b[0] < next_top]
    assert len(row_lines) >= 5


def pdf_pages(pdf: Path, out: Path) -> list[Path]:
    poppler("pdftoppm", "-r", "40", "-png", str(pdf), str(out / "page"))
    return sorted(out.glob("page-*.png"))


@pytest.fixture(scope="module")
def chinese_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExhibitFiles]:
    pdf = tmp_path_factory.mktemp("pdf") / "exhibit.pdf"
    return pdf, write_exhibit(sample_report(), None, pdf, Lang.ZH, sample_thumbnails())


def test_chinese_pdf_has_its_pages_cjk_text_and_embedded_fonts(
    tmp_path: Path, chinese_pdf: tuple[Path, ExhibitFiles]
) -> None:
    pdf, files = chinese_pdf
    info = poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert "A4" in info
    images = pdf_pages(pdf, tmp_path)
    assert len(images) == pages
    assert 4 <= pages <= 8  # summary, three image categories, text/rules, evidence
    for png in images:
        assert np.asarray(Image.open(png).convert("L")).astype(float).std() > 5, f"{png.name} is blank"
    text = poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    for word in (
        *COURT_CATEGORIES_ZH,
        "钻石",
        "龍之傳說",
        "一区·火爆开服",
        "软件比对证据",
        "Example Games Ltd",
    ):
        assert word in text, word
    assert files.report_sha256 in text.replace("\n", "")  # the running footer on every page
    assert re.search(rf"第\s*1\s*页，共\s*{pages}\s*页", text)
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), "every font must be embedded"
    assert "CreationDate (D:20240501083000+00'00')" in pdf.read_bytes().decode("latin-1")


def test_pdf_is_byte_identical_for_the_same_report(
    tmp_path: Path, chinese_pdf: tuple[Path, ExhibitFiles]
) -> None:
    again = write_exhibit(sample_report(), None, tmp_path / "again.pdf", Lang.ZH, sample_thumbnails())
    assert again.pdf_sha256 == chinese_pdf[1].pdf_sha256
