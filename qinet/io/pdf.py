"""The board pack as PDF: headless Chromium prints the pack's own HTML (A4 print CSS).

Why Chromium: the pack's charts are Plotly figures drawn by JavaScript, and no
pip-installable HTML-to-PDF renderer runs JavaScript; Chromium does, and it is what the
browser tests already use. It is a system package (Debian ``chromium``): when it is
missing, :func:`render` raises :class:`PdfUnavailable` naming exactly that, and the
HTML pack stays available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from qinet.errors import QinetError

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 180
MISSING = ("PDF needs Chromium, which is not installed on this server: install the Debian "
           "package `chromium` (apt-get install chromium). The HTML pack is still available.")


class PdfUnavailable(QinetError):
    """The PDF cannot be made here (Chromium missing, failed or too slow)."""


def chromium_path() -> str | None:
    """The Chromium executable (``QINET_CHROMIUM`` first), or ``None`` if not installed."""
    for name in (os.environ.get("QINET_CHROMIUM", ""), *CANDIDATES):
        if name and (found := shutil.which(name)):
            return found
    return None


def render(html: bytes, timeout: float = TIMEOUT_S) -> bytes:
    """Print the pack's HTML to PDF with headless Chromium and return the PDF's bytes.

    Raises:
        PdfUnavailable: Chromium is missing, failed, timed out or wrote no PDF.
    """
    exe = chromium_path()
    if exe is None:
        raise PdfUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="qinet-pdf-") as tmp:
        src, out = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        src.write_bytes(html)
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", f"--user-data-dir={tmp}/profile",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
               f"--print-to-pdf={out}", "--no-pdf-header-footer", src.as_uri()]  # fmt: skip
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)  # noqa: S603 - fixed argv, no shell
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"Chromium took longer than {timeout:g} s to print the pack; "
                                 "the HTML pack is still available.") from exc  # fmt: skip
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PdfUnavailable(f"Chromium did not print the pack (exit code "
                                 f"{done.returncode}: {tail[0][:200]}); the HTML pack is still "
                                 "available.")  # fmt: skip
        return out.read_bytes()
