"""Invoices against the real sandbox: the table and its status filter, the detail with the GST
heads as issued, the PDF saved and opened, and a download that breaks off half-way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QWidget

from callaro_desktop import paths
from callaro_desktop.api.models import Invoice, InvoiceDetail, InvoiceStatus
from callaro_desktop.services import downloads
from callaro_desktop.views.dialogs.invoice_detail import InvoiceDetailDialog, period_text
from callaro_desktop.views.pages.invoices import InvoicesPage

from .conftest import ADMIN, MULTI, sign_in, wait_for
from .table_cells import tab_leaves

W = TypeVar("W", bound=QWidget)
PDF_ROUTE = "/api/v1/invoices/*/pdf"


def _visible(window: QWidget, cls: type[W]) -> W | None:
    shown = [w for w in window.findChildren(cls) if shiboken6.isValid(w) and w.isVisible()]
    return shown[-1] if shown else None


@pytest.fixture
def viewer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files the console handed to the system's PDF viewer."""
    opened: list[str] = []

    def fake_open(url: Any) -> bool:
        opened.append(url.toLocalFile() if hasattr(url, "toLocalFile") else str(url))
        return True

    monkeypatch.setattr(downloads, "open_url", fake_open)
    return opened


async def _open(controller: Any) -> InvoicesPage:
    controller.window.navigate("invoices")
    page = controller.window.pages["invoices"]
    assert isinstance(page, InvoicesPage)
    await wait_for(
        lambda: page.states.state == "ready" and not controller.session.tasks.running(),
        what="invoices listed",
    )
    return page


async def _as_admin(make_app: Any, sandbox: Any) -> tuple[Any, InvoicesPage]:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    return controller, await _open(controller)


def _select(page: InvoicesPage, row: int) -> Invoice:
    page.table.selectRow(row)
    invoice = page.selected()
    assert invoice is not None
    return invoice


def _headers(page: InvoicesPage) -> list[str]:
    model = page.model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


async def test_table_columns_and_status_filter(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    assert _headers(page) == ["Number", "Period", "Issued", "Subtotal", "Tax", "Total", "Status"]
    scope = controller.session.scope()
    listed = [i async for i in scope.invoices.list(per_page=200)]
    assert [i.number for i in page.model.rows] == [i.number for i in listed]
    first = page.model.rows[0]
    cells = [page.model.data(page.model.index(0, c)) for c in range(7)]
    assert cells[0] == first.number
    assert cells[1] == period_text(first) and len(cells[1]) == len("Oct 2026")
    assert cells[3:6] == [first.subtotal.format(), first.tax.format(), first.total.format()]
    assert first.subtotal.amount_minor + first.tax.amount_minor == first.total.amount_minor

    for status in (InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.OPEN):
        page.status.setCurrentIndex(page.status.findData(status.value))
        expected = [i.number for i in listed if i.status is status]
        await wait_for(
            lambda e=expected: (
                [i.number for i in page.model.rows] == e and page.states.state == "ready"
            ),
            what=f"{status} invoices",
        )
        assert page.count_label.text() == f"{len(expected)} in total"
    page.status.setCurrentIndex(0)
    await wait_for(lambda: len(page.model.rows) == len(listed), what="all again")


async def _detail(controller: Any, page: InvoicesPage, row: int = 0) -> InvoiceDetailDialog:
    page.table.setFocus()
    page.table.selectRow(row)
    assert page.details_button.isEnabled() and page.download_button.isEnabled()
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    dialog: InvoiceDetailDialog = await wait_for(
        lambda: _visible(controller.window, InvoiceDetailDialog), what="detail dialog"
    )
    await wait_for(lambda: dialog.detail is not None, what="detail loaded")
    return dialog


def _check_detail(dialog: InvoiceDetailDialog, detail: InvoiceDetail) -> None:
    lines = dialog.lines
    assert lines.rowCount() == len(detail.lines)
    for row, line in enumerate(detail.lines):
        cells = [lines.item(row, c).text() for c in range(6)]  # type: ignore[union-attr]
        assert cells[0] == line.description
        assert cells[2:] == [
            line.unit_price.format(),
            f"{line.tax_rate * 100:g}%",
            line.tax_amount.format(),
            line.amount.format(),
        ]
    shown = dialog.tax_lines_shown()
    assert shown[0] == ("Subtotal", detail.subtotal.format())
    assert shown[1:-1] == [
        (f"{t.label} @ {t.rate * 100:g}%", t.amount.format()) for t in detail.tax_lines
    ]
    assert shown[-1] == ("Total", detail.total.format())
    assert sum(t.amount.amount_minor for t in detail.tax_lines) == detail.tax.amount_minor
    assert detail.bill_to is not None and detail.seller is not None
    assert dialog.bill_to.name.text() == detail.bill_to.name
    assert detail.bill_to.gstin and detail.bill_to.gstin in dialog.bill_to.gstin.text()
    assert detail.seller.gstin and detail.seller.gstin in dialog.seller.gstin.text()
    assert dialog.reverse_charge.isVisible() == detail.reverse_charge


async def test_detail_shows_cgst_and_sgst_for_a_karnataka_buyer(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _detail(controller, page)
    detail = await controller.session.scope().invoices.get(page.model.rows[0].id)
    _check_detail(dialog, detail)
    assert [t.label for t in detail.tax_lines] == ["CGST", "SGST"]
    assert "Karnataka" in dialog.meta.text()
    assert dialog.status.text() == "Open"
    assert await tab_leaves(dialog.lines)  # on to the buttons, not from cell to cell
    dialog.reject()


async def test_detail_shows_igst_for_an_inter_state_buyer(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, MULTI)
    bright = next(t for t in controller.session.tenants if t.name == "Brightline Logistics")
    controller.window.request_tenant_switch(bright.id)
    await wait_for(lambda: controller.session.tenant_id == bright.id, what="Brightline")
    page = await _open(controller)
    dialog = await _detail(controller, page, row=1)
    detail = await controller.session.scope().invoices.get(page.model.rows[1].id)
    _check_detail(dialog, detail)
    assert [t.label for t in detail.tax_lines] == ["IGST"]
    assert dialog.tax_lines_shown()[1][0] == "IGST @ 18%"
    assert "Maharashtra" in dialog.meta.text()
    dialog.reject()


async def test_utgst_and_reverse_charge_are_shown_as_issued(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _detail(controller, page)
    # The sandbox issues neither UTGST nor reverse charge; the dialog must show whatever
    # heads an invoice carries, so give it one as a Chandigarh buyer's would read.
    issued = dialog.detail
    assert issued is not None
    chandigarh = issued.model_copy(
        update={
            "tax_lines": [
                issued.tax_lines[0],
                issued.tax_lines[1].model_copy(update={"label": "UTGST"}),
            ],
            "reverse_charge": True,
        }
    )
    dialog.show_detail(chandigarh)
    assert [c for c, _a in dialog.tax_lines_shown()][1:3] == ["CGST @ 9%", "UTGST @ 9%"]
    assert dialog.reverse_charge.isVisible()
    assert "payable by the recipient" in dialog.reverse_charge.text()
    dialog.reject()


def _pdf_ok(path: Path, number: str) -> None:
    content = path.read_bytes()
    assert content.startswith(b"%PDF-") and b"%%EOF" in content[-64:]
    assert number.encode() in content


async def test_download_pdf_saves_a_valid_pdf_with_its_number(make_app, sandbox, tmp_path) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    invoice = _select(page, 1)
    QTest.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    picker: QFileDialog = await wait_for(
        lambda: _visible(controller.window, QFileDialog), what="save dialog"
    )
    assert Path(picker.selectedFiles()[0]).name == f"{invoice.number}.pdf"
    picker.setDirectory(str(tmp_path))
    picker.selectFile(f"{invoice.number}.pdf")
    picker.accept()
    target = tmp_path / f"{invoice.number}.pdf"
    await wait_for(lambda: target.exists() and not page.transfer.busy, what="saved")
    _pdf_ok(target, invoice.number)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


async def test_open_downloads_to_the_cache_and_opens_the_viewer(make_app, sandbox, viewer) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _detail(controller, page)
    QTest.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: viewer, what="viewer opened")
    opened = Path(viewer[-1])
    number = page.model.rows[0].number
    assert opened == paths.cache_dir() / "invoices" / f"{number}.pdf"
    _pdf_ok(opened, number)
    dialog.reject()

    # Ctrl+O on the list does the same without the dialog.
    controller.window.activateWindow()
    await wait_for(controller.window.isActiveWindow, what="window active")
    page.table.setFocus()
    page.table.selectRow(2)
    QTest.keyClick(page.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    await wait_for(lambda: len(viewer) == 2, what="opened from the list")
    assert Path(viewer[-1]).name == f"{page.model.rows[2].number}.pdf"


async def test_a_download_that_breaks_off_leaves_no_partial_file(
    make_app, sandbox, tmp_path, faults
) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    invoice = _select(page, 0)
    target = tmp_path / f"{invoice.number}.pdf"
    target.write_bytes(b"the copy saved last week")
    # The server sends the headers and half the PDF, then hangs up.
    faults([{"route": PDF_ROUTE, "body": "truncate"}])
    page.pdf.start_save(controller.session.tenant_id, invoice, target)
    bar = page.transfer
    await wait_for(lambda: bar.retry_button.isVisible(), what="download failed")
    assert "broke off" in bar.label.text() and "request id req_" in bar.label.text()
    assert controller.session.online  # the server answered: a cut-off body is not "offline"
    assert target.read_bytes() == b"the copy saved last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no .part left

    faults([])
    QTest.mouseClick(bar.retry_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: bar.isHidden() and target.stat().st_size > 1000, what="retried")
    _pdf_ok(target, invoice.number)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        (date(2026, 2, 1), date(2026, 2, 28), "Feb 2026"),
        (date(2026, 3, 14), date(2026, 3, 14), "14 Mar 2026"),
        (date(2026, 3, 14), date(2026, 4, 13), "14 Mar 2026 – 13 Apr 2026"),
    ],
)
def test_period_text(start: date, end: date, text: str) -> None:
    from callaro_desktop.api.models import Money

    zero = Money(amount_minor=0)
    invoice = Invoice(
        id=1,
        number="X",
        period_start=start,
        period_end=end,
        subtotal=zero,
        tax=zero,
        total=zero,
        status=InvoiceStatus.PAID,
    )
    assert period_text(invoice) == text


async def test_a_narrow_window_never_cuts_an_invoice_number_or_an_amount(make_app, sandbox) -> None:
    """Columns share a narrow table (a window tiled beside another), but an amount cut short
    ("₹2,50…" for ₹2,500.92) misleads, and a number cut short no longer tells invoices
    apart: those keep their room, and the others (period, date, status) give theirs."""
    controller, page = await _as_admin(make_app, sandbox)
    table, header = page.table, page.table.horizontalHeader()
    controller.window.resize(1600, 900)
    await wait_for(lambda: table.viewport().width() > 1100, what="wide")
    wide = [header.sectionSize(c) for c in range(header.count())]
    controller.window.resize(900, 680)
    await wait_for(lambda: header.sectionSize(1) < wide[1], what="columns shared out")
    for column in (0, 3, 4, 5):  # Number, Subtotal, Tax, Total
        assert header.sectionSize(column) == wide[column]
        assert header.sectionSize(column) >= table.sizeHintForColumn(column)
    assert header.sectionSize(6) < 170  # Status: its pills' room, not a default column's
