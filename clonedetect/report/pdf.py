"""Headless Chromium, for two jobs: print an exhibit's HTML to an A4 PDF, and screenshot it.

Why Chromium rather than weasyprint: the tests must render the HTML in a real browser anyway (screenshot),
so one engine prints what the browser shows; it embeds subsets of the CJK fonts it used (Debian
fonts-noto-cjk), and it supports @page margin boxes for the running header and page numbers.

Chromium only ever opens a file this process wrote into a private temporary folder, with a fresh profile,
no network features, and a time limit; the page itself forbids loading anything (Content-Security-Policy).
The PDF's creation and modification dates are pinned to the report's `generated_at`, so the same report gives
the same PDF bytes on the same Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clonedetect.errors import ClonedetectError, UsageError

CHROMIUM_ENV = "CLONEDETECT_CHROMIUM"  # path of the browser binary, when it is not on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
INSTALL_HINT = "install Debian's chromium and fonts-noto-cjk (apt-get install -y chromium fonts-noto-cjk)"
TIMEOUT_SECONDS = 120.0
EPOCH_PDF_DATE = "D:19700101000000+00'00'"

# Flags that keep a headless run to itself: no background downloads, no sync, no first-run UI, no crash
# uploads; --no-sandbox because CI and containers run as root, where Chromium's sandbox refuses to start.
HEADLESS_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
)

# Skia writes '/CreationDate (D:20240501120000+00'00')'; the replacement keeps the length, so the PDF's
# cross-reference offsets stay valid.
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}\+00'00'\)")


class RenderError(ClonedetectError):
    """Chromium failed or timed out while printing or taking a screenshot."""


@dataclass(frozen=True, slots=True)
class Viewport:
    width: int = 1280
    height: int = 1600


DEFAULT_VIEWPORT = Viewport()


def find_chromium() -> str:
    """The Chromium binary: $CLONEDETECT_CHROMIUM, else the first of the usual names on PATH."""
    configured = os.environ.get(CHROMIUM_ENV, "")
    if configured:
        if not Path(configured).is_file():
            raise UsageError(f"{CHROMIUM_ENV}={configured} is not a file; {INSTALL_HINT}")
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise UsageError(f"a PDF or screenshot needs headless Chromium; {INSTALL_HINT}")


def print_pdf(html_path: Path, *, pinned_time: str = "", timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The A4 PDF of `html_path` (a file this process wrote): page size and margins from the page's own
    @page rules, no browser header or footer, dates pinned to `pinned_time` (ISO 8601)."""
    with tempfile.TemporaryDirectory(prefix="clonedetect-chromium-") as work:
        output = Path(work) / "out.pdf"
        run_chromium(
            ["--no-pdf-header-footer", f"--print-to-pdf={output}", html_path.resolve().as_uri()],
            Path(work),
            timeout,
        )
        return pin_pdf_dates(_checked_output(output, b"%PDF-"), pdf_date(pinned_time))


def screenshot(
    html_path: Path, viewport: Viewport = DEFAULT_VIEWPORT, *, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    """A PNG of the first `viewport` of the page, as a screen shows it."""
    with tempfile.TemporaryDirectory(prefix="clonedetect-chromium-") as work:
        output = Path(work) / "shot.png"
        run_chromium(
            [
                f"--window-size={viewport.width},{viewport.height}",
                f"--screenshot={output}",
                html_path.resolve().as_uri(),
            ],
            Path(work),
            timeout,
        )
        return _checked_output(output, b"\x89PNG")


def run_chromium(arguments: Sequence[str], work: Path, timeout: float) -> None:
    """Run Chromium once with a fresh profile under `work`; on timeout its whole process group is killed
    (Chromium forks renderer and utility processes that would otherwise outlive it)."""
    binary = find_chromium()
    profile = work / "profile"
    profile.mkdir()
    command = [binary, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *arguments]
    # HOME and XDG folders point into the temporary folder so nothing is left in the user's home.
    environment = {
        **os.environ,
        "HOME": str(work),
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_CACHE_HOME": str(work / "cache"),
    }
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise RenderError(f"Chromium did not finish within {timeout:.0f} s") from None
    if process.returncode != 0:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise RenderError(f"Chromium exited with {process.returncode}: {last[0]}")


def _checked_output(path: Path, magic: bytes) -> bytes:
    if not path.is_file():
        raise RenderError("Chromium exited without writing its output")
    data = path.read_bytes()
    if not data.startswith(magic):
        raise RenderError("Chromium wrote something that is not the expected file type")
    return data


def pdf_date(timestamp: str) -> str:
    """'2024-05-01T12:00:00Z' -> "D:20240501120000+00'00'"; the epoch when the time is missing or unreadable,
    so an undated report still gives the same bytes every time."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return EPOCH_PDF_DATE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    date = moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    # years before 1000 print short, and a date of another length would shift the PDF's offsets
    return date if len(date) == len(EPOCH_PDF_DATE) else EPOCH_PDF_DATE


def pin_pdf_dates(data: bytes, date: str) -> bytes:
    """Replace the PDF's creation and modification dates by `date` (same length, so offsets stay valid)."""
    return _PDF_DATE.sub(lambda found: b"/" + found.group(1) + b" (" + date.encode("ascii") + b")", data)
