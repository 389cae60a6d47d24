"""Importing a batch of letters: a CSV of their fields and a set of scans named in it.

Each row is checked and registered on its own: a bad row is reported with its
line number and reason, and every good row is still imported. Running the same
batch again registers nothing twice (each letter has an external id, see
``channels.letters.records``).

CSV columns (header row required; English or Chinese names):
``reference``/信件编号, ``sender``/来信人 (required), ``phone``/联系电话,
``address``/地址, ``received_on``/收信日期 (required, YYYY-MM-DD), ``title``/标题,
``content``/内容 (required), ``scan``/扫描件 (file name of the scan, PDF or image).
UTF-8 (with or without BOM) and GBK/GB18030, as Excel saves it in China, are read.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from channels.intake import receive
from channels.letters.records import Letter, Scan, letter_record
from tracking.actions import Actor, LedgerError

MAX_ROWS = 5000
COLUMNS = {
    "reference": ("reference", "信件编号", "编号"), "sender": ("sender", "来信人", "姓名"),
    "phone": ("phone", "联系电话", "电话"), "address": ("address", "地址", "来信地址"),
    "received_on": ("received_on", "收信日期", "日期"), "title": ("title", "标题"),
    "content": ("content", "内容", "来信内容"), "scan": ("scan", "扫描件", "附件"),
}
REQUIRED = ("sender", "received_on", "content")

ScanLoader = Callable[[str], bytes | None]  # file name -> bytes, or None when there is no such scan


@dataclass(frozen=True)
class RowResult:
    line: int
    reference: str
    number: str | None = None
    created: bool = False
    error: str | None = None


@dataclass
class BatchReport:
    rows: list[RowResult] = field(default_factory=list)
    error: str | None = None  # the whole file could not be read

    @property
    def imported(self) -> int:
        return sum(1 for r in self.rows if r.number and r.created)

    @property
    def existing(self) -> int:
        return sum(1 for r in self.rows if r.number and not r.created)

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.error]


def import_letters(services, csv_bytes: bytes, load_scan: ScanLoader, *, now: datetime,
                   actor: Actor | None = None) -> BatchReport:
    """Register every good row of a letters CSV as a ticket with its scan attached."""
    try:
        text = decode(csv_bytes)
    except ValueError as exc:
        return BatchReport(error=str(exc))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return BatchReport(error="CSV文件为空或格式有误")
    columns = _columns(header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        labels = "、".join(f"{COLUMNS[m][0]}（{COLUMNS[m][1]}）" for m in missing)
        return BatchReport(error=f"第1行（表头）缺少必填列：{labels}")
    report, start = BatchReport(), reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.rows.append(RowResult(start, "", error=f"CSV格式错误：{exc}"))
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(report.rows) >= MAX_ROWS:
            report.rows.append(RowResult(line, "", error=f"一次最多导入{MAX_ROWS}封来信，其余未导入"))
            break
        report.rows.append(_import_row(services, line, row, columns, load_scan, now, actor))
    return report


def decode(data: bytes) -> str:
    """The CSV's text: UTF-8 (BOM or not), else GB18030 (a superset of GBK, Excel's Chinese default).

    Raises:
        ValueError: neither encoding reads it.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("CSV文件编码无法识别，请另存为UTF-8或GBK编码")


def _import_row(services, line: int, row: list[str], columns: dict[str, int], load_scan: ScanLoader,
                now: datetime, actor: Actor | None) -> RowResult:
    cell = {name: (row[index].strip() if index < len(row) else "") for name, index in columns.items()}
    reference = cell.get("reference", "")
    scan, scan_name = None, cell.get("scan", "")
    if scan_name:
        data = load_scan(scan_name)
        if data is None:
            return RowResult(line, reference, error=f"找不到扫描件“{scan_name}”")
        scan = Scan(scan_name, data)
    letter = Letter(**{name: cell.get(name, "") for name in
                       ("sender", "received_on", "content", "phone", "address", "title", "reference")})
    try:
        record = letter_record(letter, scan, now=now, tz=services.ledger.tz)
        result = receive(services, record, now=now, actor=actor)
    except LedgerError as exc:
        return RowResult(line, reference, error=exc.message)
    return RowResult(line, reference, number=result.ticket.number, created=result.created)


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        title = title.strip().lstrip("\ufeff").lower()
        for name, aliases in COLUMNS.items():
            if title in aliases and name not in found:
                found[name] = index
    return found
