"""Find across workspaces (Ctrl+Shift+F): one query over every tenant of the account.

Results arrive tenant by tenant, grouped under the tenant's name; activating a hit
switches this window to that tenant, opens the page that shows the item and selects
its row. Progress counts tenants; Cancel stops starting new requests at once (what is
in flight finishes, so no answer is left half-read).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.bulk import ItemResult, Outcome, Progress
from callaro_desktop.services.find import CrossTenantFind, Hit
from callaro_desktop.services.session import TenantRef
from callaro_desktop.services.tasks import background

if TYPE_CHECKING:
    from callaro_desktop.views.shell.main_window import MainWindow

HIT_ROLE = Qt.ItemDataRole.UserRole + 3
KIND_LABELS = {"users": "User", "phone_numbers": "Phone number", "api_keys": "API key"}


def _found(hits: int, workspaces: int) -> str:
    """ "4 matches in 1 workspace." (It said "in 1 workspaces".)"""
    matches = tr("1 match") if hits == 1 else tr("{0} matches").format(hits)
    where = tr("1 workspace") if workspaces == 1 else tr("{0} workspaces").format(workspaces)
    return tr("{0} in {1}.").format(matches, where)


class FindAcrossDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(tr("Find across workspaces"))
        self.setAccessibleName(tr("Find across workspaces"))
        self.resize(640, 520)
        intro = QLabel(
            tr(
                "Search every workspace this account can enter for an email, a phone number "
                "or an API key prefix."
            )
        )
        intro.setWordWrap(True)
        self.query = QLineEdit()
        self.query.setPlaceholderText(tr("e.g. asha@acme-health.test, +9180…, sk_live_ab12"))
        self.query.setAccessibleName(tr("Search for"))
        self.query.setClearButtonEnabled(True)
        self.find_button = QPushButton(tr("&Find"))
        self.find_button.setDefault(True)
        self.cancel_button = QPushButton(tr("&Cancel search"))
        self.cancel_button.setEnabled(False)
        self.retry_button = QPushButton(tr("&Retry failed"))
        self.retry_button.setAccessibleName(tr("Search the workspaces that failed again"))
        self.retry_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.find_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.retry_button)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Workspaces searched"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.results = QTreeWidget()
        self.results.setAccessibleName(tr("Results by workspace"))
        self.results.setHeaderLabels([tr("Match"), tr("Detail"), tr("Kind")])
        self.results.setColumnWidth(0, 260)
        self.results.setColumnWidth(1, 220)
        self.results.setUniformRowHeights(True)
        self.results.itemActivated.connect(self._open_hit)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.results, 1)
        self.find_button.clicked.connect(self.start)
        self.query.returnPressed.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.retry_failed)
        # A new query makes the failures of the last one nothing to retry.
        self.query.textEdited.connect(lambda _t: self.retry_button.hide())
        self._find: CrossTenantFind | None = None
        self._failures: QTreeWidgetItem | None = None  # their group, at the end of the list
        self._task: asyncio.Task[None] | None = None
        self._groups: dict[int, QTreeWidgetItem] = {}
        self.hits: list[Hit] = []
        self.failed: list[ItemResult[TenantRef, list[Hit]]] = []
        self.searched = 0  # tenants actually asked (not cancelled)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        query = self.query.text().strip()
        account = self.window_.session.current_account
        if not query or account is None or self.running:
            return
        self.results.clear()
        self._groups.clear()
        self._failures = None
        self.hits = []
        self.failed = []
        self.searched = 0
        self._search(query, list(account.tenants))

    def retry_failed(self) -> None:
        """Search again only the workspaces that failed, for the same query; what was found
        stays (with 253 workspaces, all of them again took ~8 s under the rate limit)."""
        if self._find is None or not self.failed or self.running:
            return
        tenants = [result.item for result in self.failed]
        self.failed = []
        self.searched -= len(tenants)
        if self._failures is not None:
            self.results.takeTopLevelItem(self.results.indexOfTopLevelItem(self._failures))
            self._failures = None
        self._search(self._find.query, tenants)

    def _search(self, query: str, tenants: list[TenantRef]) -> None:
        account = self.window_.session.current_account
        assert account is not None
        self._find = CrossTenantFind(
            account,
            query,
            on_result=self._on_result,
            on_progress=self._on_progress,
            present=self.window_.session.shown,
        )
        self.progress.setRange(0, max(1, len(tenants)))
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(tr("Searching {0} workspaces…").format(len(tenants)))
        self.find_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.retry_button.hide()
        self._task = background(self._run(tenants))

    async def _run(self, tenants: list[TenantRef]) -> None:
        assert self._find is not None
        try:
            summary = await self._find.run(tenants)
        finally:
            self.find_button.setEnabled(True)
            self.cancel_button.setEnabled(False)
        text = _found(len(self.hits), len(self._groups))
        if summary.cancelled:
            asked = sum(1 for r in summary.results if r.outcome is not Outcome.CANCELLED)
            total = len(summary.results)
            text = tr("Cancelled after {0} of {1} workspaces. ").format(asked, total) + text
        if self.failed:
            failed = len(self.failed)
            text += " " + (
                tr("1 workspace could not be searched (see the end of the list).")
                if failed == 1
                else tr("{0} workspaces could not be searched (see the end of the list).").format(
                    failed
                )
            )
            self._show_failures()
            self.retry_button.show()
        if not self.hits and not self.failed:
            text = tr("No workspace holds “{0}”.").format(self._find.query)
        self.status.setText(text)

    def cancel(self) -> None:
        if self._find is not None:
            self._find.cancel()
        self.status.setText(tr("Cancelling…"))

    def _on_progress(self, progress: Progress) -> None:
        self.progress.setValue(progress.finished)
        self.progress.setFormat(
            tr("%v of %m workspaces")
            + (
                tr(" · paused {0:.0f} s by the server").format(progress.paused_for)
                if progress.paused_for
                else ""
            )
        )

    def _on_result(self, result: ItemResult[TenantRef, list[Hit]]) -> None:
        if result.outcome is not Outcome.CANCELLED:
            self.searched += 1
        if result.outcome is Outcome.FAILED:
            self.failed.append(result)
            return
        hits = result.value or []
        if not hits:
            return
        tenant = result.item
        group = QTreeWidgetItem([f"{tenant.name}  ({len(hits)})", tenant.role_label, ""])
        group.setFirstColumnSpanned(False)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        self.results.addTopLevelItem(group)
        self._groups[tenant.id] = group
        for hit in hits:
            child = QTreeWidgetItem(
                [hit.title, hit.detail, tr(KIND_LABELS.get(hit.page_id, hit.page_id))]
            )
            child.setData(0, HIT_ROLE, hit)
            group.addChild(child)
        group.setExpanded(True)
        self.hits.extend(hits)

    def _show_failures(self) -> None:
        group = QTreeWidgetItem(
            [tr("Could not be searched ({0})").format(len(self.failed)), "", ""]
        )
        self.results.addTopLevelItem(group)
        self._failures = group
        for result in self.failed:
            reason = result.reason + (
                f" ({result.request_id})"
                if result.request_id and result.request_id not in result.reason
                else ""
            )
            group.addChild(QTreeWidgetItem([result.item.name, reason, ""]))

    def _open_hit(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hit = item.data(0, HIT_ROLE)
        if isinstance(hit, Hit):
            self.window_.reveal(hit.tenant.id, hit.page_id, hit.item_id, self.query.text().strip())
