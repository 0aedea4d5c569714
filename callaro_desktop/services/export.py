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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

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


@contextlib.contextmanager
def _atomic_csv(target: Path) -> Iterator[Any]:
    """A csv writer on a temporary file beside `target`, renamed over it only on success."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            yield csv.writer(handle)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_csv(rows: Iterable[T], columns: Sequence[CsvColumn[T]], target: Path) -> int:
    """Write rows already in memory (e.g. a bulk job's results), as safely as export_csv."""
    written = 0
    with _atomic_csv(Path(target)) as writer:
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow([_cell(c.value(row)) for c in columns])
            written += 1
    return written


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
    written = 0
    with _atomic_csv(Path(target)) as writer:
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
    return written
