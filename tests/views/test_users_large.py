"""The Users page over the `large` seed: 100,000 members in Megacorp Telecom."""

from __future__ import annotations

import asyncio
import csv
import time
from typing import Any

import httpx
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from callaro_desktop.views.dialogs.bulk_invite import BulkInviteDialog, RowState
from callaro_desktop.views.pages.users import UsersPage

from .conftest import ADMIN, sign_in, wait_for


def _api_users(server: Any, controller: Any, **params: Any) -> dict[str, Any]:
    token = controller.session.client.auth.tokens.access_token.get_secret_value()
    r = httpx.get(
        f"{server.base_url}/api/v1/users",
        params={"per_page": 200, **params},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Tenant-Id": str(controller.session.tenant_id),
        },
        timeout=30,
    )
    r.raise_for_status()
    return dict(r.json())


async def _page(make_app: Any, server: Any) -> tuple[Any, UsersPage]:
    controller = await make_app()
    await sign_in(controller, server, ADMIN)
    controller.window.navigate("users")
    page: UsersPage = controller.window.pages["users"]
    await wait_for(lambda: page.states.state == "ready", timeout=30, what="users ready")
    return controller, page


async def _settled(page: UsersPage) -> None:
    await wait_for(
        lambda: not page.session.tasks.running() and not page.model.is_loading,
        timeout=30,
        what="settled",
    )


def _click_header(page: UsersPage, section: int) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(section) + 12
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 8))


async def test_search_filter_and_sort_go_to_the_server(make_app, large_sandbox) -> None:
    controller, page = await _page(make_app, large_sandbox)
    assert page.count_label.text() == "100,000 in total"
    assert page.tabs.tabText(0) == "&Users (100,000)"

    page.search.setText("aarav")
    await wait_for(lambda: "matching" in page.count_label.text(), timeout=20, what="search")
    await _settled(page)
    expected = _api_users(large_sandbox, controller, search="aarav", sort="email")
    assert page.model.total == expected["meta"]["count"] < 100_000
    assert [u.email for u in page.model.rows] == [u["email"] for u in expected["data"]]

    page.role_filter.setCurrentIndex(page.role_filter.findText("Tenant Viewer"))
    await wait_for(lambda: all(u.role.value == "tenant_viewer" for u in page.model.rows))
    await _settled(page)
    page.status_filter.setCurrentIndex(page.status_filter.findText("Deactivated"))
    await wait_for(lambda: all(u.status.value == "deactivated" for u in page.model.rows))
    await _settled(page)
    expected = _api_users(
        large_sandbox,
        controller,
        search="aarav",
        role="tenant_viewer",
        status="deactivated",
        sort="email",
    )
    assert page.model.total == expected["meta"]["count"] > 0
    assert [u.id for u in page.model.rows] == [u["id"] for u in expected["data"]]

    page.search.clear()
    page.role_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(0)
    await wait_for(lambda: page.model.total == 100_000, timeout=20, what="filters cleared")
    _click_header(page, 4)  # Last active: ascending, then descending
    await wait_for(lambda: page.sort == "last_active_at", what="sorted")
    _click_header(page, 4)
    await wait_for(lambda: page.sort == "-last_active_at", what="sorted descending")
    await _settled(page)
    expected = _api_users(large_sandbox, controller, sort="-last_active_at")
    assert [u.id for u in page.model.rows[:200]] == [u["id"] for u in expected["data"]]
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == 4
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


async def test_scrolling_reads_a_six_thousand_row_list_to_the_end(make_app, large_sandbox) -> None:
    _controller, page = await _page(make_app, large_sandbox)
    page.status_filter.setCurrentIndex(page.status_filter.findText("Deactivated"))
    await wait_for(lambda: "matching" in page.count_label.text(), timeout=20)
    await _settled(page)
    total = page.model.total
    assert 5_000 <= total < 100_000
    longest = 0.0
    while page.model.rowCount() < total:
        before = page.model.rowCount()
        page.table.scrollToBottom()  # the view asks fetchMore, as a user scrolling would
        started = time.monotonic()
        await wait_for(lambda b=before: page.model.rowCount() > b, timeout=20, what="next page")
        await asyncio.sleep(0)
        longest = max(longest, time.monotonic() - started)
    await _settled(page)
    assert not page.model.canFetchMore()
    ids = [u.id for u in page.model.rows]
    assert len(ids) == len(set(ids)) == total
    assert all(u.status.value == "deactivated" for u in page.model.rows)
    assert longest < 10


async def test_export_writes_exactly_the_filtered_rows(make_app, large_sandbox, tmp_path) -> None:
    controller, page = await _page(make_app, large_sandbox)
    page.role_filter.setCurrentIndex(page.role_filter.findText("Tenant Admin"))
    page.search.setText("megacorp")
    await wait_for(lambda: "matching" in page.count_label.text(), timeout=20)
    await _settled(page)
    _click_header(page, 0)  # sort by name: the export keeps the table's order
    await wait_for(lambda: page.sort == "display_name")
    await _settled(page)

    target = tmp_path / "admins.csv"
    await page.start_export(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = _api_users(
        large_sandbox, controller, role="tenant_admin", search="megacorp", sort="display_name"
    )
    assert [r["Email"] for r in rows] == [u["email"] for u in expected["data"]]
    assert {r["Role"] for r in rows} == {"Tenant Admin"}
    assert list(rows[0]) == ["Name", "Email", "Role", "Status", "Last active", "Created"]
    assert not list(tmp_path.glob("*.part"))

    # Everybody (500 pages), cancelled at the first progress: no file, no leftovers.
    page.role_filter.setCurrentIndex(0)
    page.search.clear()
    await wait_for(lambda: page.model.total == 100_000, timeout=20)
    everyone = tmp_path / "everyone.csv"
    task = page.start_export(everyone)
    await wait_for(lambda: page.export_bar.isVisible() and page.export_progress.value() > 0)
    page.export_cancel.click()
    await asyncio.wait([task])
    assert task.cancelled()
    assert not everyone.exists() and not list(tmp_path.glob("*.part"))
    assert not page.export_bar.isVisible() and page.export_button.isEnabled()


async def test_a_refresh_keeps_the_selected_person_and_the_place_far_down(
    make_app, large_sandbox
) -> None:
    controller, page = await _page(make_app, large_sandbox)
    while page.model.rowCount() < 600:
        before = page.model.rowCount()
        page.table.scrollToBottom()
        await wait_for(lambda b=before: page.model.rowCount() > b, timeout=20, what="more rows")
    await _settled(page)
    page.table.selectRow(450)
    page.table.scrollTo(page.model.index(450, 0))
    chosen, scroll = page.selected(), page.table.verticalScrollBar().value()
    assert chosen is not None and scroll > 0
    controller.window.reload_current()
    await wait_for(lambda: page.model.rowCount() < 600, timeout=10, what="reloaded")
    await wait_for(
        lambda: page.selected() is not None and page.selected().id == chosen.id,  # type: ignore[union-attr]
        timeout=20,
        what="selection restored",
    )
    await _settled(page)
    assert page.model.rowCount() >= 600
    assert page.table.verticalScrollBar().value() == scroll


async def test_bulk_preview_looks_up_addresses_one_by_one_in_a_big_workspace(
    make_app, large_sandbox, tmp_path
) -> None:
    controller, page = await _page(make_app, large_sandbox)
    members = _api_users(large_sandbox, controller, sort="-created_at")["data"][:3]
    path = tmp_path / "mixed.csv"
    lines = ["email"] + [m["email"].upper() for m in members] + ["newcomer@example.com"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.bulk_button.click()
    dialog = await wait_for(
        lambda: next((d for d in controller.window.findChildren(BulkInviteDialog)), None)
    )
    await dialog.load_file(path)
    await wait_for(lambda: dialog.phase == "ready", timeout=30, what="checked")
    assert [r.state for r in dialog.rows] == [RowState.MEMBER] * 3 + [RowState.READY]
    assert dialog._check_runners  # a workspace this size is asked address by address
    dialog.reject()
