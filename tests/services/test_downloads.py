"""Safe downloads: `.part` then rename; failures and cancellation leave no partial file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from callaro_desktop.services.downloads import (
    Progress,
    Sink,
    download_to,
    part_path,
    safe_file_name,
)


def _fetch(chunks: list[bytes], fail_after: int | None = None, gate: asyncio.Event | None = None):
    async def fetch(sink: Sink, progress: Progress | None) -> int:
        done = 0
        for index, chunk in enumerate(chunks):
            if index == fail_after:
                raise ConnectionError("broke off")
            if gate is not None and index == 1:
                await gate.wait()
            await sink(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, sum(map(len, chunks)))
        return done

    return fetch


def test_a_whole_download_is_renamed_into_place(tmp_path: Path) -> None:
    target = tmp_path / "CAL-1.pdf"
    seen: list[tuple[int, int | None]] = []
    result = asyncio.run(
        download_to(target, _fetch([b"%PDF", b"-1.7"]), lambda d, t: seen.append((d, t)))
    )
    assert result == target
    assert target.read_bytes() == b"%PDF-1.7"
    assert not part_path(target).exists()
    assert seen == [(4, 8), (8, 8)]


def test_a_failure_half_way_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    target = tmp_path / "CAL-1.pdf"
    target.write_bytes(b"old copy")
    with pytest.raises(ConnectionError):
        asyncio.run(download_to(target, _fetch([b"%PDF", b"-1.7"], fail_after=1)))
    assert target.read_bytes() == b"old copy"
    assert list(tmp_path.iterdir()) == [target]


def test_cancelling_removes_the_part_file(tmp_path: Path) -> None:
    target = tmp_path / "CAL-2.pdf"

    async def scenario() -> None:
        gate = asyncio.Event()
        task = asyncio.ensure_future(download_to(target, _fetch([b"a", b"b"], gate=gate)))
        for _ in range(500):  # the first chunk is written, the second waits at the gate
            if part_path(target).exists():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert part_path(target).exists() and not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CAL-0001-000012", "CAL-0001-000012.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
        ("INV 2026/04", "INV_2026_04.pdf"),
        ("...", "download.pdf"),
    ],
)
def test_safe_file_names(name: str, expected: str) -> None:
    assert safe_file_name(name, ".pdf") == expected
