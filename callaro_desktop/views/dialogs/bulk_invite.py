"""Bulk invite from a CSV file (email, role): preview, check, send, summarise.

1. The file is read off the GUI thread and every row is checked locally: a valid
   address, a known role, not a repeat of an earlier row.
2. The addresses are then checked against the workspace: already a member, already
   invited. A small workspace is read whole; a big one is asked address by address.
3. Sending runs through the BulkRunner: a few at a time, pausing when the server
   says 429, each row with its own Idempotency-Key (kept across "Retry failed", so a
   row whose answer was lost is never invited twice). Stop lets what is in flight
   finish and sends nothing more.
4. The summary counts sent / skipped / failed, each row says why, and the whole
   table can be exported.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError, Conflict
from callaro_desktop.api.models import Role
from callaro_desktop.i18n import tr
from callaro_desktop.services.bulk import BulkRunner, ItemResult, Outcome, Progress
from callaro_desktop.services.export import CsvColumn, write_csv
from callaro_desktop.services.tasks import background, in_thread
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.common import asked_to_close, close_when_allowed, run_dialog
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.dialogs.invite_user import DEFAULT_ROLE, ROLES, email_problem

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.api.pages import Pager
    from callaro_desktop.services.session import Session

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
CONCURRENCY = 4
# Up to this many members (or pending invitations) are read whole; past it, each
# address is looked up on its own, which costs one request per row instead.
READ_WHOLE_LIMIT = 4000
_EMAIL_HEADERS = {"email", "e mail", "email address", "e mail address", "mail"}  # as _norm()
_ROLE_HEADERS = {"role", "roles", "access"}


class RowState(Enum):
    READY = "ready"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    MEMBER = "member"
    INVITED = "invited"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_SENT = "not_sent"

    @property
    def will_not_send(self) -> bool:
        return self in _NOT_SENDABLE


_NOT_SENDABLE = {RowState.INVALID, RowState.DUPLICATE, RowState.MEMBER, RowState.INVITED}
# Meant to be sent and not sent (yet): closing the dialog would drop them unasked.
_UNSENT = {RowState.READY, RowState.NOT_SENT, RowState.FAILED}


@dataclass(eq=False)
class BulkRow:
    line: int
    email: str
    role_text: str
    role: Role | None
    state: RowState = RowState.READY
    reason: str = ""
    request_id: str | None = None
    # One key per row for the life of the dialog: a retry is the same intent.
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def address(self) -> str:
        return self.email.strip().lower()

    def result_text(self) -> str:
        label = _STATE_LABELS[self.state]()
        return f"{label}: {self.reason}" if self.reason else label

    def summary_bucket(self) -> str:
        if self.state is RowState.SENT:
            return "sent"
        if self.state is RowState.FAILED:
            return "failed"
        if self.state in (RowState.READY, RowState.SENDING, RowState.NOT_SENT):
            return "not_sent"
        return "skipped"


_STATE_LABELS: dict[RowState, Callable[[], str]] = {
    RowState.READY: lambda: tr("Ready to send"),
    RowState.INVALID: lambda: tr("Skipped"),
    RowState.DUPLICATE: lambda: tr("Skipped"),
    RowState.MEMBER: lambda: tr("Skipped"),
    RowState.INVITED: lambda: tr("Skipped"),
    RowState.SENDING: lambda: tr("Sending…"),
    RowState.SENT: lambda: tr("Sent"),
    RowState.SKIPPED: lambda: tr("Skipped"),
    RowState.FAILED: lambda: tr("Failed"),
    RowState.NOT_SENT: lambda: tr("Not sent"),
}


class CsvProblem(Exception):
    """The file as a whole cannot be used; the message says why, for the user."""


# -- reading the file (no Qt) ---------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


_ROLE_NAMES: dict[str, Role] = {}
for _role in ROLES:
    for _name in (_role.value, _role.label, _role.label.split()[-1]):
        _ROLE_NAMES[_norm(_name)] = _role


def parse_role(text: str) -> Role | None:
    """tenant_admin, "Tenant Admin" or "admin" (any case); empty is the default role."""
    if not text.strip():
        return DEFAULT_ROLE
    return _ROLE_NAMES.get(_norm(text))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvProblem(tr("The file is not text in a known encoding; save it as CSV (UTF-8)."))


def parse_invite_csv(data: bytes) -> list[BulkRow]:
    """Rows of (email, role), checked locally; raises CsvProblem for an unusable file."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvProblem(tr("The file is larger than 5 MB; split it into smaller files."))
    text = _decode(data)
    if "\x00" in text:
        raise CsvProblem(tr("This does not look like a CSV file."))
    # Spreadsheets in many locales save with ";" (or tabs); the first line tells which.
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise CsvProblem(tr("The file has no rows."))
    email_col, role_col, start = 0, 1, 0
    header = [_norm(cell) for cell in records[0]]
    if any(h in _EMAIL_HEADERS for h in header):
        email_col = next(i for i, h in enumerate(header) if h in _EMAIL_HEADERS)
        role_col = next((i for i, h in enumerate(header) if h in _ROLE_HEADERS), -1)
        start = 1
    body = records[start:]
    if not body:
        raise CsvProblem(tr("The file has a header but no rows."))
    if len(body) > MAX_ROWS:
        raise CsvProblem(
            tr("The file has {0} rows; send at most {1} at a time.").format(
                f"{len(body):,}", f"{MAX_ROWS:,}"
            )
        )
    rows: list[BulkRow] = []
    seen: dict[str, int] = {}
    line_numbers = _line_numbers(text, delimiter)
    for position, record in enumerate(body, start=start):
        email = record[email_col].strip() if email_col < len(record) else ""
        role_text = record[role_col].strip() if 0 <= role_col < len(record) else ""
        line = line_numbers[position] if position < len(line_numbers) else position + 1
        row = BulkRow(line, email, role_text, parse_role(role_text))
        problem = email_problem(email)
        if problem is not None:
            row.state, row.reason = RowState.INVALID, tr("not a valid email address")
            if not email:
                row.reason = tr("no email address")
        elif row.role is None:
            row.state = RowState.INVALID
            row.reason = tr(
                'unknown role "{0}" (use Tenant Admin, Tenant Operator or Tenant Viewer)'
            )
            row.reason = row.reason.format(role_text)
        elif row.address in seen:
            row.state = RowState.DUPLICATE
            row.reason = tr("same address as line {0}").format(seen[row.address])
        else:
            seen[row.address] = line
        rows.append(row)
    return rows


def _line_numbers(text: str, delimiter: str) -> list[int]:
    """The file line each non-blank record starts on (quoted cells may span lines)."""
    numbers: list[int] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            numbers.append(start)
        start = reader.line_num + 1
    return numbers


# -- asking the workspace ----------------------------------------------------------------


async def existing_addresses(
    listing: Callable[[str | None, int], Pager[Any]],
    addresses: Sequence[str],
    *,
    on_progress: Callable[[int, int], None] | None = None,
    runner_holder: list[BulkRunner[str, bool]] | None = None,
) -> set[str]:
    """Which of `addresses` the list route knows (items with an `email`).

    `listing(search, per_page)` is the route. Reads everything when that is cheaper
    than one lookup per address.
    """
    wanted = set(addresses)
    first_pager = listing(None, 200)
    first = await first_pager.fetch_page(1)
    total = first.total or 0
    # Pages are read one after another, lookups CONCURRENCY at a time: take the cheaper.
    if total <= READ_WHOLE_LIMIT or total / 200 <= len(wanted) / CONCURRENCY:
        found = {str(item.email).lower() for item in first.items}
        number = 1
        page = first
        while page.has_next and page.items:
            number += 1
            page = await first_pager.fetch_page(number)
            found.update(str(item.email).lower() for item in page.items)
            if on_progress is not None and total:
                on_progress(min(number * 200, total), total)
        return found & wanted

    async def lookup(address: str) -> bool:
        hit = await listing(address, 20).fetch_page(1)
        return any(str(item.email).lower() == address for item in hit.items)

    def progress(p: Progress) -> None:
        if on_progress is not None:
            on_progress(p.finished, p.total)

    runner: BulkRunner[str, bool] = BulkRunner(
        lookup, concurrency=CONCURRENCY, on_progress=progress
    )
    if runner_holder is not None:
        runner_holder.append(runner)
    summary = await runner.run(sorted(wanted))
    failed = summary.of(Outcome.FAILED)
    if failed and isinstance(failed[0].error, ApiError):
        raise failed[0].error
    return {r.item for r in summary.results if r.value}


# -- the table -----------------------------------------------------------------------------


def _headers() -> tuple[str, ...]:
    return (tr("Line"), tr("Email"), tr("Role"), tr("Result"))


class BulkRowsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BulkRow] = []
        self._position: dict[int, int] = {}

    def set_rows(self, rows: list[BulkRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        # By identity: rows are mutable, and a thousand list.index() calls add up.
        self._position = {id(row): i for i, row in enumerate(rows)}
        self.endResetModel()

    def row_changed(self, row: BulkRow) -> None:
        index = self._position.get(id(row))
        if index is not None:
            self.dataChanged.emit(self.index(index, 0), self.index(index, 3))

    def all_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 3))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _headers()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return str(row.line)
            if column == 1:
                return row.email or tr("(empty)")
            if column == 2:
                return tr(row.role.label) if row.role else row.role_text
            text = row.result_text()
            if role == Qt.ItemDataRole.ToolTipRole and row.request_id:
                text += "\n" + tr("Request id: {0}").format(row.request_id)
            return text
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            t = theme.tokens()
            colour = {
                RowState.SENT: t.success,
                RowState.FAILED: t.danger,
                RowState.INVALID: t.danger,
                RowState.DUPLICATE: t.warning,
                RowState.MEMBER: t.warning,
                RowState.INVITED: t.warning,
                RowState.SKIPPED: t.warning,
                RowState.NOT_SENT: t.muted_text,
            }.get(row.state)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


class _ProblemsFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.problems_only = False

    def set_problems_only(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; older ones only know invalidate
            self.beginFilterChange()
            self.problems_only = on
            self.endFilterChange()
        else:
            self.problems_only = on
            self.invalidateRowsFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self.problems_only:
            return True
        model = self.sourceModel()
        assert isinstance(model, BulkRowsModel)
        row = model.rows[source_row]
        return row.state not in (RowState.READY, RowState.SENT, RowState.SENDING)


# -- the dialog ----------------------------------------------------------------------------


class BulkInviteDialog(QDialog):
    """Emits `invitations_sent(count)` after a send, so the page can refresh its list."""

    invitations_sent = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tenant_id = session.tenant_id
        self.tenant = session.tenant.name if session.tenant is not None else ""
        title = tr("Bulk invite")
        self.setWindowTitle(tr("Bulk invite — {0}").format(self.tenant))
        self.setAccessibleName(title)
        self.setObjectName("BulkInviteDialog")
        self.setMinimumSize(720, 520)
        self.resize(880, 620)
        self.setAcceptDrops(True)
        self.rows: list[BulkRow] = []
        self.source: Path | None = None
        self.phase = "empty"  # empty, checking, ready, sending, done
        self._task: asyncio.Task[Any] | None = None
        self._runner: BulkRunner[BulkRow, Any] | None = None
        self._check_runners: list[BulkRunner[str, bool]] = []
        self._sent_total = 0

        intro = QLabel(
            tr(
                "Invite several people to <b>{0}</b> at once from a CSV file with the columns "
                "<i>email</i> and <i>role</i> (Tenant Admin, Tenant Operator or Tenant Viewer; "
                "an empty role means Tenant Operator). Each person gets an invitation email."
            ).format(html.escape(self.tenant))
        )
        intro.setWordWrap(True)
        self.choose_button = QPushButton(tr("&Choose CSV file…"))
        self.choose_button.setAccessibleName(tr("Choose CSV file"))
        self.choose_button.clicked.connect(lambda: background(self.choose_file()))
        self.file_label = QLabel(tr("No file chosen. You can also drop a CSV file here."))
        self.file_label.setProperty("muted", True)
        self.file_label.setAccessibleName(tr("Chosen file"))
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("Summary"))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_only = QCheckBox(tr("Show only rows that are not sent"))
        self.problems_only.setAccessibleName(tr("Show only rows that are not sent"))
        self.problems_only.toggled.connect(self._filter_changed)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.problems_only)

        self.model = BulkRowsModel(self)
        self.proxy = _ProblemsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("BulkInviteTable")
        self.table.setAccessibleName(tr("Rows of the file"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Fixed widths: ResizeToContents would read all rows again on every row update.
        header.resizeSection(0, 56)
        header.resizeSection(1, 300)
        header.resizeSection(2, 130)

        self.example = QLabel(
            tr(
                "<p>Choose a CSV file, or drop one here. For example:</p>"
                "<pre>email,role\nasha@example.com,Tenant Admin\n"
                "ravi@example.com,Tenant Operator\nmeera@example.com,Tenant Viewer</pre>"
                "<p>Nothing is sent until you have seen every row and press Send.</p>"
            )
        )
        self.example.setProperty("muted", True)
        self.example.setAccessibleName(tr("Example file"))
        overlay = QVBoxLayout(self.table.viewport())
        overlay.addWidget(self.example, 0, Qt.AlignmentFlag.AlignCenter)

        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Progress"))
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("Status"))

        self.export_button = QPushButton(tr("&Export results…"))
        self.export_button.setAccessibleName(tr("Export results"))
        self.export_button.clicked.connect(lambda: background(self.choose_export()))
        self.retry_button = QPushButton(tr("&Retry failed"))
        self.retry_button.setAccessibleName(tr("Retry failed"))
        self.retry_button.clicked.connect(self.retry_failed)
        self.stop_button = QPushButton(tr("S&top"))
        self.stop_button.setAccessibleName(tr("Stop sending"))
        self.stop_button.clicked.connect(self.stop)
        self.close_button = QPushButton(tr("Close"))
        self.close_button.setAccessibleName(tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.send_button = QPushButton(tr("&Send invitations"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.send_button)

        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.addWidget(intro)
        lay.addLayout(top)
        lay.addLayout(summary_row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self._refresh()
        self.choose_button.setFocus()

    # -- the file ------------------------------------------------------------------------

    async def choose_file(self) -> None:
        picker = QFileDialog(self, tr("Choose a CSV file of people to invite"))
        picker.setFileMode(QFileDialog.FileMode.ExistingFile)
        picker.setNameFilters([tr("CSV files (*.csv *.txt)"), tr("All files (*)")])
        if await run_dialog(picker) == QDialog.DialogCode.Accepted and picker.selectedFiles():
            await self.load_file(Path(picker.selectedFiles()[0]))
        picker.deleteLater()

    async def load_file(self, path: Path) -> None:
        if self.phase == "sending":
            return
        self._cancel_checks()
        try:
            size = await in_thread(lambda: path.stat().st_size)
            if size > MAX_FILE_BYTES:
                raise CsvProblem(tr("The file is larger than 5 MB; split it into smaller files."))
            data = await in_thread(path.read_bytes)
            rows = await in_thread(lambda: parse_invite_csv(data))
        except (OSError, CsvProblem) as exc:
            message = str(exc) if isinstance(exc, CsvProblem) else exc.strerror or str(exc)
            self.file_label.setText(tr("{0} could not be used: {1}").format(path.name, message))
            self.file_label.setProperty("muted", False)
            self.file_label.setProperty("fieldError", True)
            self._repolish(self.file_label)
            return
        self.source = path
        self.file_label.setText(path.name)
        self.file_label.setToolTip(str(path))
        self.file_label.setProperty("fieldError", False)
        self._repolish(self.file_label)
        self.rows = rows
        self.model.set_rows(rows)
        self._task = background(self._check_workspace())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile() and self.phase != "sending":
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            background(self.load_file(Path(urls[0].toLocalFile())))

    # -- checking against the workspace ------------------------------------------------

    async def _check_workspace(self) -> None:
        candidates = [r for r in self.rows if r.state is RowState.READY]
        if not candidates:
            self.phase = "ready"
            self._refresh()
            self.status.setText(self._ready_text())
            return
        self.phase = "checking"
        self._refresh()
        addresses = [r.address for r in candidates]
        scope = self.session.scope(self.tenant_id)
        self._check_runners = []

        def check(listing: Callable[[str | None, int], Pager[Any]], what: str) -> Any:
            def show(done: int, total: int) -> None:
                self.progress.setRange(0, max(total, 1))
                self.progress.setValue(done)
                self.status.setText(
                    tr("Checking {0}: {1} of {2}…").format(what, f"{done:,}", f"{total:,}")
                )

            return self.session.call(
                lambda: existing_addresses(
                    listing, addresses, on_progress=show, runner_holder=self._check_runners
                )
            )

        try:
            members = await check(_members(scope), tr("who is already a member"))
            invited = await check(_pending(scope), tr("who is already invited"))
        except ApiError as exc:
            self.phase = "ready"
            self._refresh()
            self.status.setText(
                tr(
                    "Could not check who is already in {0}: {1} Rows that are already "
                    "members or invited will be reported as skipped when sent."
                ).format(self.tenant, exc.user_message())
            )
            return
        for row in candidates:
            if row.address in members:
                row.state, row.reason = (
                    RowState.MEMBER,
                    tr("already a member of {0}").format(self.tenant),
                )
            elif row.address in invited:
                row.state, row.reason = RowState.INVITED, tr("already has a pending invitation")
        self.model.all_changed()
        self.phase = "ready"
        self._refresh()
        self.status.setText(self._ready_text())

    def _cancel_checks(self) -> None:
        for runner in self._check_runners:
            runner.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- sending ---------------------------------------------------------------------------

    def to_send(self) -> list[BulkRow]:
        return [r for r in self.rows if r.state in (RowState.READY, RowState.NOT_SENT)]

    def send(self) -> None:
        rows = self.to_send()
        if self.phase in ("sending", "checking") or not rows:
            return
        self._task = background(self._send(rows))

    def retry_failed(self) -> None:
        if self.phase == "sending":
            return
        for row in self.rows:
            if row.state is RowState.FAILED:
                row.state, row.reason, row.request_id = RowState.READY, "", None
        self.model.all_changed()
        self.send()

    async def _send(self, rows: list[BulkRow]) -> None:
        scope = self.session.scope(self.tenant_id)
        self.phase = "sending"
        self.progress.setRange(0, len(rows))
        self.progress.setValue(0)
        self._refresh()

        async def invite(row: BulkRow) -> object:
            row.state, row.reason = RowState.SENDING, ""
            self.model.row_changed(row)
            role = row.role or DEFAULT_ROLE
            return await self.session.call(
                lambda: scope.invitations.create(row.address, role, idempotency_key=row.key)
            )

        def on_result(result: ItemResult[BulkRow, Any]) -> None:
            row = result.item
            row.reason = result.reason
            row.request_id = result.request_id
            row.state = {
                Outcome.DONE: RowState.SENT,
                Outcome.SKIPPED: RowState.SKIPPED,
                Outcome.FAILED: RowState.FAILED,
                Outcome.CANCELLED: RowState.NOT_SENT,
            }[result.outcome]
            if result.outcome is Outcome.CANCELLED:
                row.reason = tr("stopped before it was sent")
            self.model.row_changed(row)

        def on_progress(p: Progress) -> None:
            self.progress.setValue(p.finished)
            text = tr("Sent {0} of {1}").format(f"{p.done:,}", f"{p.total:,}")
            if p.skipped:
                text += " · " + tr("{0} skipped").format(f"{p.skipped:,}")
            if p.failed:
                text += " · " + tr("{0} failed").format(f"{p.failed:,}")
            if p.paused_for > 0:
                text += " · " + tr("the server asked us to slow down; going on in {0} s").format(
                    max(1, round(p.paused_for))
                )
            if self._runner is not None and self._runner.cancelled:
                text += " · " + tr("stopping after the invitations already on their way…")
            self.status.setText(text)

        self._runner = BulkRunner(
            invite,
            concurrency=CONCURRENCY,
            classify=_classify,
            on_result=on_result,
            on_progress=on_progress,
        )
        try:
            summary = await self._runner.run(rows)
        finally:
            self.phase = "done"
            self._refresh()
        sent = summary.count(Outcome.DONE)
        self._sent_total += sent
        if sent:
            self.invitations_sent.emit(sent)
        if summary.cancelled:
            self.status.setText(
                tr("Stopped. Rows marked Not sent can be sent with Send; nothing was sent twice.")
            )
        else:
            self.status.setText(
                tr("Finished. Each row says what happened; Export results keeps a copy.")
            )

    def stop(self) -> None:
        if self._runner is not None and self.phase == "sending":
            self._runner.cancel()
            self.stop_button.setEnabled(False)
            self.stop_button.setText(tr("Stopping…"))
        elif self.phase == "checking":
            self._cancel_checks()
            self.phase = "ready"
            self.status.setText(tr("Check stopped; the server will still refuse duplicates."))
            self._refresh()

    # -- closing -----------------------------------------------------------------------

    def unsent(self) -> list[BulkRow]:
        """The rows the user meant to send that are not sent: ready, stopped or failed."""
        return [r for r in self.rows if r.state in _UNSENT]

    def holds_work(self) -> bool:
        return self.phase == "sending" or bool(self.unsent())

    def reject(self) -> None:
        # Esc, Close and the title bar's close: asked first while invitations are being sent
        # or are left to send (a checked file, the rest after a Stop, the failed ones).
        close_when_allowed(self)

    def close_unasked(self) -> None:
        self._cancel_checks()
        super().reject()

    async def may_close(self) -> bool:
        if self.phase == "sending":
            return await asked_to_close(self, self._stop_to_close)
        n, name = len(self.unsent()), self._file_name()
        if n == 1:
            said = tr("1 invitation from {0} has not been sent.").format(name)
        else:
            said = tr("{0} invitations from {1} have not been sent.").format(f"{n:,}", name)
        return await asked_to_close(
            self,
            lambda: confirm(
                self,
                tr("Close Bulk invite?"),
                said + " " + tr("Close and discard them?"),
                tr("Discard"),
                stay=tr("Keep open"),
            ),
        )

    async def _stop_to_close(self) -> bool:
        if not await confirm(
            self,
            tr("Stop sending?"),
            tr(
                "Invitations to {0} are still being sent. Stop now? Those already sent stay "
                "sent; the rest are not sent."
            ).format(self.tenant),
            tr("Stop and close"),
            stay=tr("Keep sending"),
        ):
            return False
        self.stop()
        if self._task is not None:
            await asyncio.wait([self._task])
        return True

    def _file_name(self) -> str:
        return self.source.name if self.source is not None else tr("the file")

    # -- summary and export ----------------------------------------------------------

    def counts(self) -> dict[str, int]:
        counts = {"sent": 0, "skipped": 0, "failed": 0, "not_sent": 0}
        for row in self.rows:
            counts[row.summary_bucket()] += 1
        return counts

    def summary_text(self) -> str:
        c = self.counts()
        if not self.rows:
            return ""
        if self.phase in ("done", "sending"):
            parts = [
                tr("{0} sent").format(f"{c['sent']:,}"),
                tr("{0} skipped").format(f"{c['skipped']:,}"),
                tr("{0} failed").format(f"{c['failed']:,}"),
            ]
            if c["not_sent"]:
                parts.append(tr("{0} not sent yet").format(f"{c['not_sent']:,}"))
            return " · ".join(parts)
        ready = len(self.to_send())
        skipped = len(self.rows) - ready
        text = tr("{0} rows: {1} ready to send").format(f"{len(self.rows):,}", f"{ready:,}")
        if skipped:
            why = []
            for state, label in (
                (RowState.INVALID, tr("{0} not valid")),
                (RowState.DUPLICATE, tr("{0} repeated")),
                (RowState.MEMBER, tr("{0} already members")),
                (RowState.INVITED, tr("{0} already invited")),
            ):
                n = sum(1 for r in self.rows if r.state is state)
                if n:
                    why.append(label.format(f"{n:,}"))
            text += " · " + tr("{0} will be skipped ({1})").format(f"{skipped:,}", ", ".join(why))
        return text

    async def choose_export(self) -> None:
        base = self.source.stem if self.source else "invitations"
        picker = QFileDialog(self, tr("Export the results"))
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setDefaultSuffix("csv")
        picker.setNameFilters([tr("CSV files (*.csv)")])
        picker.selectFile(f"{base}-results.csv")
        if await run_dialog(picker) == QDialog.DialogCode.Accepted and picker.selectedFiles():
            await self.export_results(Path(picker.selectedFiles()[0]))
        picker.deleteLater()

    async def export_results(self, target: Path) -> None:
        columns: list[CsvColumn[BulkRow]] = [
            CsvColumn(tr("Line"), lambda r: r.line),
            CsvColumn(tr("Email"), lambda r: r.email),
            CsvColumn(tr("Role"), lambda r: r.role.label if r.role else r.role_text),
            CsvColumn(tr("Result"), lambda r: _STATE_LABELS[r.state]()),
            CsvColumn(tr("Reason"), lambda r: r.reason),
            CsvColumn(tr("Request id"), lambda r: r.request_id or ""),
        ]
        rows = list(self.rows)
        try:
            count = await in_thread(lambda: write_csv(rows, columns, target))
        except OSError as exc:
            self.status.setText(
                tr("The results could not be saved: {0}").format(exc.strerror or str(exc))
            )
            return
        self.status.setText(tr("{0} rows saved to {1}.").format(f"{count:,}", target))

    # -- drawing -----------------------------------------------------------------------

    def _filter_changed(self, on: bool) -> None:
        self.proxy.set_problems_only(on)

    def _refresh(self) -> None:
        sending = self.phase == "sending"
        checking = self.phase == "checking"
        ready = len(self.to_send())
        self.summary.setText(self.summary_text())
        self.choose_button.setEnabled(not sending)
        self.send_button.setEnabled(self.phase in ("ready", "done") and ready > 0)
        label = tr("&Send {0} invitations").format(f"{ready:,}") if ready else tr("&Send")
        if ready == 1:
            label = tr("&Send 1 invitation")
        self.send_button.setText(label)
        self.send_button.setAccessibleName(label.replace("&", ""))
        failed = self.counts()["failed"]
        self.retry_button.setVisible(self.phase == "done" and failed > 0)
        self.retry_button.setText(tr("&Retry failed ({0})").format(failed))
        self.export_button.setEnabled(bool(self.rows) and not sending)
        self.stop_button.setVisible(sending or checking)
        self.stop_button.setEnabled(True)
        self.stop_button.setText(tr("S&top") if sending else tr("S&kip check"))
        self.progress.setVisible(sending or checking)
        self.example.setVisible(not self.rows)
        self.problems_only.setVisible(bool(self.rows))

    def _ready_text(self) -> str:
        if self.to_send():
            return tr("Nothing is sent until you press Send.")
        return tr("No row of this file can be sent; see the Result column.")

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _classify(exc: BaseException) -> tuple[Outcome, str]:
    if isinstance(exc, ApiError):
        field = exc.errors.get("email") or exc.errors.get("role") or []
        detail = (field[0] if field else exc.message).rstrip(".")
        if isinstance(exc, Conflict):
            return Outcome.SKIPPED, detail.lower()[:1] + detail[1:]
        if exc.errors:
            return Outcome.FAILED, detail
        return Outcome.FAILED, exc.user_message()
    return Outcome.FAILED, str(exc) or type(exc).__name__


def _members(scope: TenantClient) -> Callable[[str | None, int], Pager[Any]]:
    return lambda search, per_page: scope.users.list(search=search, per_page=per_page)


def _pending(scope: TenantClient) -> Callable[[str | None, int], Pager[Any]]:
    return lambda search, per_page: scope.invitations.list(
        status="pending", search=search, per_page=per_page
    )
