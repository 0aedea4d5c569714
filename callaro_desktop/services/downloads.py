"""Files from the server, written safely, and handing things to the system's own apps.

A download is written to `name.part` and renamed over `name` only once it is whole, so a
failed, cancelled or broken-off download never leaves half a file under the name the user
chose, and a file already there stays untouched until its replacement is complete. Disk
writes run off the GUI thread (tasks.in_thread) so a slow disk never stalls the window.

`open_url` is the one door to the system browser and viewers (checkout pages, downloaded
PDFs): tests replace it to see what would have been opened.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from callaro_desktop import paths
from callaro_desktop.services.tasks import in_thread

Sink = Callable[[bytes], Awaitable[None]]
Progress = Callable[[int, int | None], None]
Fetch = Callable[[Sink, Progress | None], Awaitable[int]]

PART_SUFFIX = ".part"


def part_path(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def safe_file_name(name: str, suffix: str = "") -> str:
    """A file name from server text (an invoice number): no separators, no leading dot."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "download"
    return cleaned + suffix


def cache_file(folder: str, name: str) -> Path:
    """A path in the console's cache (thrown away freely, rebuilt on demand)."""
    directory = paths.cache_dir() / folder
    directory.mkdir(parents=True, exist_ok=True)
    return directory / name


async def download_to(target: Path, fetch: Fetch, progress: Progress | None = None) -> Path:
    """Run `fetch(sink, progress)` into `target` by way of `target.part`; returns `target`.

    Cancelling the awaiting task, or any error from `fetch`, removes the partial file.
    """
    target = Path(target)
    part = part_path(target)
    handle = await in_thread(lambda: part.open("wb"))
    try:
        try:

            async def sink(chunk: bytes) -> None:
                await in_thread(lambda: handle.write(chunk))

            await fetch(sink, progress)
        finally:
            await in_thread(handle.close)
        await in_thread(lambda: os.replace(part, target))
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    return target


def open_url(url: QUrl | str) -> bool:
    """Open a web page in the browser, or a file in its viewer; False if the system can't."""
    return QDesktopServices.openUrl(QUrl(url) if isinstance(url, str) else url)


def open_file(path: Path) -> bool:
    return open_url(QUrl.fromLocalFile(str(path)))
