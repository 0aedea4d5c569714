"""Export a server-side list to CSV: every page, with progress, cancellable, atomic.

Rows are written to a temporary file beside the target and renamed over it only
when the last page is in, so a cancelled or failed export never leaves a half file
under the name the user chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from callaro_desktop.api.pages import Pager

T = TypeVar("T")


class CsvColumn(Generic[T]):
    def __init__(self, header: str, value: Callable[[T], object]) -> None:
        self.header = header
        self.value = value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with these is run as a formula by spreadsheet apps (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def export_csv(
    pager: Pager[T],
    columns: Sequence[CsvColumn[T]],
    target: Path,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write every row of `pager` to `target`; returns the row count.

    `progress(done, total)` is called after each page. Cancelling the awaiting task
    stops after the current page and removes the temporary file.
    """
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    written = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.header for c in columns])
            number = 1
            while True:
                page = await pager.fetch_page(number)
                for row in page.items:
                    writer.writerow([_cell(c.value(row)) for c in columns])
                written += len(page.items)
                if progress is not None:
                    progress(written, page.total)
                if not page.items or not page.has_next:
                    break
                number += 1
                await asyncio.sleep(0)  # let the UI breathe between pages
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return written
