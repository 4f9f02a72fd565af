"""The term sheet as a PDF: the written workbook converted by LibreOffice (headless).

The workbook carries its own page setup (A4 landscape, fitted to the page width, print
areas, repeated title rows, a page break after page 1: ``templates/build_template.py`` and
:mod:`abs_tool.report.excel.writer`), so LibreOffice only prints it. Conversion runs in a
temporary directory with a private LibreOffice profile (a second instance, e.g. the user's
open office suite, cannot block it), under a time limit; the PDF is written atomically.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from abs_tool.errors import AbsToolError
from abs_tool.io.atomic import write_atomic

LIBREOFFICE_PACKAGE = "libreoffice-calc-nogui"
"""The Debian/Ubuntu package that provides ``soffice`` without a desktop."""

CONVERT_TIMEOUT_SECONDS = 120.0
"""Longest wait for one conversion (about 1-3 s for a term sheet; the first start of a fresh
profile is the slow part)."""


class PdfUnavailable(AbsToolError):  # noqa: N818 -- the name the docs and app use
    """LibreOffice is not installed, so no PDF can be made (the .xlsx still can)."""


class PdfError(AbsToolError):
    """LibreOffice ran but gave no PDF (its message is quoted)."""


def find_soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (``$ABS_SOFFICE`` first), or None."""
    return os.environ.get("ABS_SOFFICE") or shutil.which("soffice") or shutil.which(
        "libreoffice")


def pdf_available() -> bool:
    """True when :func:`xlsx_to_pdf` can run (LibreOffice found)."""
    return find_soffice() is not None


def xlsx_to_pdf(xlsx: bytes, *, timeout_seconds: float = CONVERT_TIMEOUT_SECONDS) -> bytes:
    """Convert a workbook's bytes to PDF bytes with LibreOffice.

    Raises
    ------
    PdfUnavailable
        ``soffice`` is not installed; the message names the package to install.
    PdfError
        LibreOffice failed, timed out, or wrote no PDF.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(
            "PDF export needs LibreOffice, which is not installed: install it (Debian/Ubuntu: "
            f"`apt-get install --no-install-recommends {LIBREOFFICE_PACKAGE}`) or set "
            "ABS_SOFFICE to its `soffice`; the .xlsx term sheet works without it")
    with tempfile.TemporaryDirectory(prefix="abs_pdf_") as tmp:
        work = Path(tmp)
        source = work / "term_sheet.xlsx"
        source.write_bytes(xlsx)
        command = [soffice, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=timeout_seconds, check=False)
        except subprocess.TimeoutExpired as err:
            raise PdfError(f"LibreOffice did not finish the PDF within {timeout_seconds:g} s"
                           ) from err
        pdf = work / "term_sheet.pdf"
        if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            said = (done.stderr or done.stdout).strip()[-500:]
            raise PdfError(f"LibreOffice wrote no PDF (exit status {done.returncode}): "
                           f"{said or 'no message'}")
        return pdf.read_bytes()


def write_pdf(path: str | os.PathLike[str], xlsx: bytes,
              *, timeout_seconds: float = CONVERT_TIMEOUT_SECONDS) -> None:
    """Write the PDF of workbook bytes ``xlsx`` to ``path`` atomically (a failed conversion
    leaves no file).

    Raises
    ------
    PdfUnavailable, PdfError
        As :func:`xlsx_to_pdf`.
    """
    write_atomic(path, xlsx_to_pdf(xlsx, timeout_seconds=timeout_seconds))
