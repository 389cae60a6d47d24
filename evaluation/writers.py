"""Writing a report in the format asked for: ``xlsx``, ``pdf`` or ``html``."""
from __future__ import annotations

from pathlib import Path

from evaluation.report import Report

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html",
}


def write_report(report: Report, services, kind: str, out: Path) -> None:
    """Write ``report`` to ``out`` as ``kind``.

    Raises:
        ValueError: an unknown format.
    """
    if kind == "xlsx":
        from evaluation.xlsx import write_xlsx
        write_xlsx(report, services, out)
    elif kind == "pdf":
        from evaluation.pdf import write_pdf
        write_pdf(report, out, font_path=getattr(services.settings, "report_font", ""))
    elif kind == "html":
        from evaluation.html import write_html
        write_html(report, out)
    else:
        raise ValueError(f"unknown report format {kind!r}; use one of {', '.join(FORMATS)}")
