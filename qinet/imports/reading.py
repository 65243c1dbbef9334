"""Reading uploaded files into a frame of text cells, refusing what is not a table.

Every cell is read as text (a formula such as ``=SUM(A1)`` stays the text it is;
nothing is evaluated) and typed later by the validation schema.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import pandas as pd

from qinet.imports.problems import reject

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 250 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_ROWS = 1_000_000

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


@dataclass(frozen=True)
class Table:
    """A file's header and rows, every cell text ("" when blank)."""

    frame: pd.DataFrame
    encoding: str  # "UTF-8", "UTF-8 with BOM", "Windows-1252" or "xlsx"


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or Windows-1252.

    Raises:
        ImportRejected: The bytes are binary or in another encoding (named when known).
    """
    for bom, label in _BOMS:
        if data.startswith(bom):
            raise reject(
                f"the file is {label} text; save it as 'CSV UTF-8' (or Windows-1252) and "
                "upload it again",
                name,
            )
    if data.startswith(b"PK\x03\x04"):
        raise reject("the file is a zip or Excel workbook named as CSV; upload it as .xlsx", name)
    if b"\x00" in data[:65536]:
        raise reject("the file is binary, not CSV text", name)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError:
            raise reject("the file starts with a UTF-8 mark but is not valid UTF-8", name) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise reject(
            "the file is neither UTF-8 nor Windows-1252 text; save it as 'CSV UTF-8' and "
            "upload it again",
            name,
        ) from None


def read_csv(data: bytes, name: str) -> Table:
    """Parse CSV bytes into text cells."""
    text, encoding = decode(data, name)
    fast = _fast_frame(text)
    if fast is not None:
        return Table(fast, encoding)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise reject(f"the file is not readable as CSV ({exc})", name) from None
    return Table(_frame(rows, name), encoding)


def _fast_frame(text: str) -> pd.DataFrame | None:
    """Pandas' C parser for well-formed files; ``None`` sends odd ones to the careful path."""
    if "\x00" in text or len(text) < 2048:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, header=None,
            skip_blank_lines=False, engine="c", on_bad_lines="error",
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - ragged or odd files take the csv-module path
        return None
    if frame.empty:
        return None
    header = [str(c).strip() for c in frame.iloc[0]]
    if not any(header) or header[-1] == "" or len(set(header)) != len(header):
        return None
    body = frame.iloc[1:].reset_index(drop=True).fillna("").astype(object)
    body.columns = header
    filled = (body != "").any(axis=1).to_numpy()
    last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
    body = body.iloc[:last]
    body.index = pd.RangeIndex(2, 2 + len(body))
    if len(body) > MAX_ROWS:
        return None
    return body


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts would inflate too far (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise reject(
            "the file is not a readable .xlsx workbook (damaged or not Excel)", name
        ) from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
        raise reject(
            f"the workbook would expand to {total / 1e6:,.0f} MB "
            f"({total / packed:,.0f} times its size); refused as a possible zip bomb",
            name,
        )


def read_xlsx(data: bytes, name: str) -> Table:
    """Read the first sheet of a workbook; formulas are kept as their text."""
    import openpyxl

    _check_zip(data, name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            ws = wb.worksheets[0]
            rows = []
            for row in ws.iter_rows(values_only=True):
                rows.append([_cell(v) for v in row])
                if len(rows) > MAX_ROWS + 1:
                    break
        finally:
            wb.close()
    except Exception as exc:  # noqa: BLE001 - any parser failure is a refused file
        raise reject(
            f"the file is not a readable .xlsx workbook ({type(exc).__name__})", name
        ) from None
    return Table(_frame(rows, name), "xlsx")


def _frame(rows: list[list[str]], name: str) -> pd.DataFrame:
    while rows and not any(str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise reject("the file is empty or its first row (the header) is blank", name)
    if len(rows) - 1 > MAX_ROWS:
        raise reject(f"the file has more than {MAX_ROWS:,} rows; split it", name)
    header = [str(c).strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = [(list(r) + [""] * width)[:width] for r in rows[1:]]
    extra = [i + 2 for i, r in enumerate(rows[1:]) if any(str(c).strip() for c in r[width:])]
    if extra:
        listed = ", ".join(str(n) for n in extra[:10])
        raise reject(f"rows {listed} have more cells than the header has columns", name)
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame.columns = header
    frame.index = pd.RangeIndex(2, 2 + len(frame))  # spreadsheet row numbers
    return frame


def read_upload(data: bytes, name: str, limit: int = MAX_UPLOAD_BYTES) -> Table:
    """Read a CSV or .xlsx upload by its extension, after the size limit.

    Args:
        data: The file's bytes.
        name: Its file name (the extension decides the reader).
        limit: Largest accepted size in bytes.

    Raises:
        ImportRejected: Too large, wrong type, or unreadable (the message says why).
    """
    if len(data) > limit:
        raise reject(
            f"the file is {len(data) / 2**20:,.1f} MB, over the {limit / 2**20:,.0f} MB limit; "
            "split it",
            name,
        )
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return read_xlsx(data, name)
    if lower.endswith((".csv", ".txt")):
        return read_csv(data, name)
    if lower.endswith((".xls", ".xlsm", ".ods")):
        raise reject("only .xlsx workbooks and .csv files are accepted; save as .xlsx", name)
    raise reject("only .csv and .xlsx files are accepted", name)
