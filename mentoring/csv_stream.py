"""CSV downloads streamed line by line, safe to open in a spreadsheet."""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cells(cells):
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return [f"'{cell}" if isinstance(cell, str) and cell[:1] in FORMULA_STARTS else cell for cell in cells]


def unguard(cell):
    """Undo safe_cells on import, so export → import keeps "+1 800…" as it was."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


BOM = "\ufeff"


def csv_lines(header, rows):
    """Yield one encoded CSV line at a time (header first) for a StreamingHttpResponse,
    so a large export never sits in memory. The first line starts with a UTF-8
    byte-order mark, so that Excel reads the file as UTF-8 (accents, "›")."""
    buffer = io.StringIO(BOM)
    buffer.seek(len(BOM))
    writer = csv.writer(buffer)
    for cells in _chain(header, rows):
        writer.writerow(safe_cells(list(cells)))
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield line


def _chain(header, rows):
    yield header
    yield from rows
