"""The timezone picker reads the tz database off the GUI thread, and loses nothing meanwhile.

The first picker of a process used to read ~600 zone files where it was built: 150 ms of a
frozen window the first time My Profile opened on a cold disk. These tests start from a
process that has read nothing (a fresh catalogue, empty caches) and hold the read back until
the picker has been built and used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from callaro_desktop.services.formatting import cached_zone, zone_offset
from callaro_desktop.views.widgets import timezone_picker as tp


class HeldRead:
    """`zone_candidates` (the catalogue's first step) that notes its thread and waits to be
    let go."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.release = threading.Event()
        self._real = tp.zone_candidates

    def __call__(self) -> set[str]:
        self.threads.append(threading.current_thread())
        assert self.release.wait(10), "the test never let the read go"
        return self._real()


@pytest.fixture
def fresh_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldRead]:
    held = HeldRead()
    monkeypatch.setattr(tp, "zone_candidates", held)
    saved = tp.ZoneCatalogue._instance
    tp.ZoneCatalogue._instance = None
    cached_zone.cache_clear()
    try:
        yield held
    finally:
        held.release.set()
        tp.ZoneCatalogue._instance = saved


def test_the_database_is_read_off_the_gui_thread_and_nothing_typed_is_lost(
    qtbot: QtBot, fresh_catalogue: HeldRead
) -> None:
    picker = tp.TimezonePicker()
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    # Built and on screen while the read is still held back.
    qtbot.waitUntil(lambda: bool(fresh_catalogue.threads))
    assert fresh_catalogue.threads[0] is not threading.main_thread()
    assert not picker.is_loaded()
    assert picker.model.rowCount() == 0
    assert picker.count.text() == "Loading timezones…"
    assert picker.list.accessibleDescription() == "Loading timezones…"

    # The user gets on with it: the zone from the server, a search typed.
    picker.set_zone("Asia/Kolkata")
    QTest.keyClicks(picker.search, "kolk")
    assert picker.zone() == "Asia/Kolkata"

    fresh_catalogue.release.set()
    qtbot.waitUntil(picker.is_loaded)
    assert picker.model.rowCount() > 400
    # The search applies to the list as it arrives, and the chosen zone is selected.
    names = [picker.proxy.index(r, 0).data(tp.NAME_ROLE) for r in range(picker.proxy.rowCount())]
    assert names == ["Asia/Kolkata"]
    assert picker.list.currentIndex().data(tp.NAME_ROLE) == "Asia/Kolkata"
    assert picker.list.selectionModel().isSelected(picker.list.currentIndex())
    assert picker.count.text() == f"1 of {picker.model.rowCount()} match"
    assert picker.list.accessibleDescription() == ""
    assert picker.zone() == "Asia/Kolkata"  # selecting it did not announce a change

    # The keyboard path works on the list that arrived.
    picker.search.clear()
    QTest.keyClicks(picker.search, "kathmandu")
    QTest.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.zone() == "Asia/Kathmandu"


def test_the_database_is_read_once_per_process(qtbot: QtBot, fresh_catalogue: HeldRead) -> None:
    fresh_catalogue.release.set()
    first = tp.TimezonePicker()
    qtbot.addWidget(first)
    qtbot.waitUntil(first.is_loaded)
    # Later pickers (another window's My Profile) are filled at once, from what was read.
    second = tp.TimezonePicker()
    qtbot.addWidget(second)
    assert second.is_loaded()
    assert second.model.rowCount() == first.model.rowCount()
    assert len(fresh_catalogue.threads) == 1


def test_this_computers_zone_needs_no_list(
    qtbot: QtBot, fresh_catalogue: HeldRead, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Use this computer's timezone" works before the list is read: one zone file is enough.
    # It is looked up off the GUI thread too: Qt's lookup walks the whole zoneinfo folder.
    asked_on: list[threading.Thread] = []

    def berlin() -> str:
        asked_on.append(threading.current_thread())
        return "Europe/Berlin"

    monkeypatch.setattr(tp, "system_timezone", berlin)
    picker = tp.TimezonePicker()
    qtbot.addWidget(picker)
    assert not picker.use_local.isEnabled()
    assert "Looking up" in picker.use_local.toolTip()
    qtbot.waitUntil(picker.use_local.isEnabled)
    assert not picker.is_loaded()
    assert asked_on and threading.main_thread() not in asked_on
    assert "Europe/Berlin" in picker.use_local.toolTip()
    picker.use_local.click()
    assert picker.zone() == "Europe/Berlin"
    fresh_catalogue.release.set()
    qtbot.waitUntil(picker.is_loaded)
    assert picker.list.currentIndex().data(tp.NAME_ROLE) == "Europe/Berlin"


@pytest.mark.parametrize("fails", [False, True], ids=["unnamed", "lookup fails"])
def test_a_computer_with_no_named_zone_says_so_and_the_list_still_loads(
    qtbot: QtBot, fresh_catalogue: HeldRead, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    def unnamed() -> str | None:
        if fails:
            raise OSError("/etc/localtime: permission denied")
        return None

    monkeypatch.setattr(tp, "system_timezone", unnamed)
    picker = tp.TimezonePicker()
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: "does not report" in picker.use_local.toolTip())
    assert not picker.use_local.isEnabled() and picker.local_zone is None
    fresh_catalogue.release.set()
    qtbot.waitUntil(picker.is_loaded)
    assert picker.model.rowCount() > 400


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("localtime", None),
        ("Not/AZone", None),
        ("../../etc/passwd", None),
        ("", None),
    ],
)
def test_this_computers_zone_is_checked_against_its_own_file(
    name: str, expected: str | None
) -> None:
    assert tp.known_zone(name) == expected


def test_the_start_up_does_not_load_the_picker() -> None:
    # The Dashboard shows the profile's zone and offset; the picker (its list, filter and
    # delegate, each a Qt class created on first use) waits for My Profile.
    probe = (
        "import json, sys\n"
        "import callaro_desktop.app, callaro_desktop.views.shell.main_window\n"
        "import callaro_desktop.views.pages.dashboard\n"
        "print(json.dumps('callaro_desktop.views.widgets.timezone_picker' in sys.modules))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False


def test_an_unreadable_database_leaves_an_empty_list_not_a_crash(
    qtbot: QtBot, fresh_catalogue: HeldRead, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable() -> set[str]:
        raise PermissionError("tzdata: permission denied")

    monkeypatch.setattr(tp, "zone_candidates", unreadable)
    picker = tp.TimezonePicker()
    qtbot.addWidget(picker)
    picker.set_zone("Asia/Kolkata")
    qtbot.waitUntil(picker.is_loaded)
    assert picker.model.rowCount() == 0
    assert picker.count.text() == "This computer's timezone list could not be read"
    assert picker.zone() == "Asia/Kolkata"  # the saved choice stands


def test_the_zones_are_those_python_lists() -> None:
    # The catalogue lists the files under the tz folders and keeps those that parse, rather
    # than ask zoneinfo (which opens each file once more): the same zones either way.
    assert set(tp._read_database()) == zoneinfo.available_timezones() - tp._NOT_ZONES


@pytest.mark.parametrize("month", [1, 7], ids=["January", "July"])
def test_each_zone_read_whole_keeps_its_offsets(month: int) -> None:
    # Each file is read in one go and parsed from memory (fewer hand-overs of the interpreter
    # lock than zoneinfo's own reads): the offsets, daylight saving and all, are zoneinfo's.
    moment = datetime(2026, month, 15, 12, tzinfo=UTC)
    shown = {z.name: z.offset for z in tp.build_zones(tp._read_database(), moment)}
    assert len(shown) > 400
    assert shown == {name: zone_offset(name, moment) for name in shown}
    assert shown["Asia/Kolkata"] == "UTC+05:30"
    assert shown["Europe/Berlin"] == ("UTC+01:00" if month == 1 else "UTC+02:00")


def test_files_beside_the_zones_are_not_zones(tmp_path: Path) -> None:
    real = Path(zoneinfo.TZPATH[0]) if zoneinfo.TZPATH else None
    if real is None or not (real / "Asia" / "Kolkata").is_file():
        pytest.skip("this computer keeps no tz files to copy from")
    tzif = (real / "Asia" / "Kolkata").read_bytes()
    (tmp_path / "Callaro" / "Deep").mkdir(parents=True)
    (tmp_path / "Callaro" / "Deep" / "Test_Zone").write_bytes(tzif)
    (tmp_path / "Callaro_Test").write_bytes(tzif)
    (tmp_path / "posixrules").write_bytes(tzif)
    (tmp_path / "zone1970.tab").write_text("IN\t+2232+08822\tCallaro/Deep/Test_Zone\n")
    (tmp_path / "leapseconds").write_text("Leap\t1972\tJun\t30\t23:59:60\t+\tS\n")
    for copies in ("right", "posix"):
        (tmp_path / copies / "Callaro").mkdir(parents=True)
        (tmp_path / copies / "Callaro" / "Copy").write_bytes(tzif)
    zoneinfo.reset_tzpath(to=[str(tmp_path)])
    cached_zone.cache_clear()
    try:
        # (A computer with the tzdata package adds its zones to these.)
        names = set(tp._read_database())
        assert {"Callaro/Deep/Test_Zone", "Callaro_Test"} <= names
        not_zones = {"posixrules", "zone1970.tab", "leapseconds", "right/Callaro/Copy"}
        assert not names & (not_zones | {"posix/Callaro/Copy", "Callaro/Copy"})
    finally:
        zoneinfo.reset_tzpath()
        cached_zone.cache_clear()
