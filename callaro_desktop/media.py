"""`callaro-desktop media`: the help centre's screenshots and animations, made by the console.

For every sidebar page and the main dialogs it draws the real widgets, signed in to a real
server (the demo sandbox with ``--demo``), into PNG files at a fixed window size, in the
light and the dark appearance, at 1x and 2x device pixel ratio; it records short GIF
animations from rendered frames (opening the password change flow and closing it); and
it writes ``index.md`` listing every file with the brief it answers.

Privacy mode is on unless ``--no-privacy``: the session's result filter
(services/privacy.py) replaces every email address, person name, phone number and
secret with a consistent fake *before* a page draws it, so nothing is blurred after the
fact. As a last guard, the strings of every widget about to be rendered are checked for
the real values the filter replaced; a single hit stops the run without writing the file.

Nothing is changed on the server: dialogs are opened and cancelled, never submitted, and
the API key secret dialog is shown for a made-up key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.privacy import Privacy, scan
from callaro_desktop.services.tasks import in_thread

if TYPE_CHECKING:
    from callaro_desktop.app import AppController
    from callaro_desktop.services.session import Session
    from callaro_desktop.views.pages.base import Page
    from callaro_desktop.views.shell.main_window import MainWindow

log = logging.getLogger(__name__)

WINDOW_SIZE = QSize(1280, 800)
THEMES: tuple[str, ...] = ("light", "dark")
SCALES: tuple[int, ...] = (1, 2)

# -- what the help centre asked for ------------------------------------------------------------

ARTICLE = "Setting up your account"
# Quoted word for word; the article's own quotation marks inside a brief are kept.
BRIEF_PROFILE = (
    "What the static image should show: “The My Profile page: email, optional display name, "
    "roles, timezone controls. No secrets in screenshot.”"
)
BRIEF_CHECKLIST = (
    "MEDIA: STATIC — “Getting started or dashboard checklist with progress bar.” What the "
    "static image should show: “Progress (X of Y steps) and a visible View checklist region.”"
)
BRIEF_GIF = (
    "What the GIF should show: “A safe interaction (e.g. opening the password change flow and "
    "closing) without exposing real tokens.”"
)
BRIEF_INVITE = (
    "Section 4, Team and access: “Invite user flow uses the dialog: “Send an invitation email "
    "to add a new user to this tenant” with roles Tenant Admin, Tenant Operator (default), "
    "Tenant Viewer”"
)


@dataclass(frozen=True)
class Shot:
    """One picture: a page, optionally with one of its dialogs open over it."""

    name: str  # file stem
    page: str  # page id the picture is taken on
    title: str
    brief: str
    quoted: bool  # True: the brief is quoted from the help article
    dialog: str | None = None  # what to open over the page (see MediaMaker._open_dialog)


SHOTS: tuple[Shot, ...] = (
    Shot(
        "dashboard",
        "dashboard",
        "Dashboard",
        BRIEF_CHECKLIST,
        True,
    ),
    Shot(
        "getting-started",
        "getting_started",
        "Getting started",
        BRIEF_CHECKLIST,
        True,
    ),
    Shot("my-profile", "profile", "My Profile", BRIEF_PROFILE, True),
    Shot(
        "users",
        "users",
        "Users",
        "The team of the workspace with roles and status, Invite User, and the pending "
        "invitations tab.",
        False,
    ),
    Shot(
        "api-keys",
        "api_keys",
        "API keys",
        "The workspace's API keys: name, prefix, scopes, status, creator, last use; Create key.",
        False,
    ),
    Shot(
        "billing",
        "billing",
        "Billing",
        "Wallet balance, usable credit, the GST Breakdown, this month's spend and the billing "
        "details.",
        False,
    ),
    Shot(
        "usage",
        "usage",
        "Usage",
        "Usage for a date range: totals by category, the chart of charged cost by day and "
        "the event log.",
        False,
    ),
    Shot(
        "invoices",
        "invoices",
        "Invoices",
        "Invoices with number, period, issue date, amounts and status.",
        False,
    ),
    Shot(
        "phone-numbers",
        "phone_numbers",
        "Phone numbers",
        "Phone numbers: Number, Status, Inbound Agent, Provider, Name, Created; Add number.",
        False,
    ),
    Shot(
        "telephony",
        "telephony",
        "Telephony",
        "The telephony connections numbers run on: name, provider, status, numbers using them.",
        False,
    ),
    Shot("invite-user", "users", "Invite User dialog", BRIEF_INVITE, True, dialog="invite"),
    Shot(
        "change-password",
        "profile",
        "Change password dialog",
        "Password / security actions from My Profile: the change password form with its "
        "rules. No secrets in screenshot.",
        False,
        dialog="password",
    ),
    Shot(
        "create-api-key",
        "api_keys",
        "Create API key dialog",
        "Creating an API key: a name and its scopes (read and write per resource).",
        False,
        dialog="create_key",
    ),
    Shot(
        "api-key-secret",
        "api_keys",
        "New API key (shown once)",
        "The new key's secret, shown once and masked until Reveal (a made-up key: nothing "
        "real is on screen).",
        False,
        dialog="key_secret",
    ),
    Shot(
        "add-phone-number",
        "phone_numbers",
        "Add phone number dialog",
        "Adding numbers: Purchase from Twilio or Add manually.",
        False,
        dialog="add_number",
    ),
)

ANIMATIONS: dict[str, tuple[str, str, bool]] = {
    # name: (title, brief, quoted)
    "change-password-flow": ("Opening the password change flow and closing", BRIEF_GIF, True),
    "invite-user-flow": (
        "Inviting a user: typing an email, choosing a role, cancelling",
        BRIEF_INVITE,
        True,
    ),
}

# What is typed into forms in the animations: made up, never anyone's real password.
TYPED_CURRENT = "sample-current-pass"
TYPED_NEW = "a-brand-new-passphrase"
TYPED_EMAIL = "new.teammate@example.com"


@dataclass
class MediaOptions:
    out: Path
    privacy: bool = True
    themes: Sequence[str] = THEMES
    scales: Sequence[int] = SCALES
    size: QSize = field(default_factory=lambda: QSize(WINDOW_SIZE))
    only: set[str] | None = None  # shot/animation names; None: all of them
    hidpi: set[str] | None = None  # shots also drawn above 1x; None: all of them
    animations: bool = True
    page_timeout: float = 60.0


@dataclass
class MediaFile:
    path: Path
    title: str
    brief: str
    quoted: bool
    theme: str
    scale: int
    size: QSize
    kind: str  # "png" | "gif"


class PrivacyLeak(RuntimeError):
    """A real value was about to be rendered: nothing is written."""


Inspector = Callable[[str, list[QWidget]], None]


# -- the strings a widget shows ----------------------------------------------------------------


def widget_strings(roots: Iterable[QWidget], *, visible_only: bool = False) -> list[str]:
    """Every text the widgets (and their children) show or announce: labels, fields, buttons,
    tab titles, combo items, the cells and headers of item views, tooltips, window titles.

    `visible_only` skips what would not be drawn (other pages of a stack, hidden tabs)."""
    out: list[str] = []
    for root in roots:
        for w in [root, *root.findChildren(QWidget)]:
            if visible_only and w is not root and not w.isVisibleTo(root):
                continue
            out.extend(
                s
                for s in (
                    w.windowTitle(),
                    w.toolTip(),
                    w.accessibleName(),
                    w.accessibleDescription(),
                    w.statusTip(),
                    w.whatsThis(),
                )
                if s
            )
            if isinstance(w, QLabel):
                out.append(w.text())
            elif isinstance(w, QLineEdit):
                out.extend((w.text(), w.placeholderText(), w.displayText()))
            elif isinstance(w, QTextEdit):
                out.append(w.toPlainText())
            elif isinstance(w, QPlainTextEdit):
                out.extend((w.toPlainText(), w.placeholderText()))
            elif isinstance(w, QAbstractButton):
                out.append(w.text())
            elif isinstance(w, QGroupBox):
                out.append(w.title())
            elif isinstance(w, QProgressBar):
                out.append(w.text())
            elif isinstance(w, QTabBar):
                out.extend(w.tabText(i) for i in range(w.count()))
                out.extend(w.tabToolTip(i) for i in range(w.count()))
            elif isinstance(w, QComboBox):
                out.extend(w.itemText(i) for i in range(w.count()))
            if isinstance(w, QAbstractItemView):
                out.extend(_model_strings(w))
    return [s for s in out if s]


def _model_strings(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    for section in range(_column_count(model, QModelIndex())):
        value = model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if isinstance(value, str):
            yield value
    stack = [view.rootIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            for column in range(max(1, _column_count(model, parent))):
                index = model.index(row, column, parent)
                for role in roles:
                    value = model.data(index, role)
                    if isinstance(value, str):
                        yield value
                if column == 0 and _has_children(model, index):
                    stack.append(index)


def _column_count(model: QAbstractItemModel, parent: QModelIndex) -> int:
    # A list model's columnCount() is private in C++ (and refused by PySide): one column.
    if isinstance(model, QAbstractListModel):
        return 1
    try:
        return int(model.columnCount(parent))
    except TypeError:
        return 1


def _has_children(model: QAbstractItemModel, index: QModelIndex) -> bool:
    # Flat models (lists, tables) keep hasChildren() private: they have none.
    if isinstance(model, QAbstractListModel | QAbstractTableModel):
        return False
    try:
        return bool(model.hasChildren(index))
    except TypeError:
        return False


# -- drawing -------------------------------------------------------------------------------------

TITLE_BAR = 34
SHADOW = 18


def compose(
    window: QWidget,
    scale: int,
    dialog: QWidget | None = None,
    dialog_opacity: float = 1.0,
    question: QWidget | None = None,
) -> QImage:
    """The window as the user sees it, at `scale`x; a dialog is drawn centred over it with a
    title bar and a shadow, as a window manager would place a window-modal dialog, and a
    `question` the dialog asks (modal to it) over both."""
    image = render_widget(window, scale)
    if dialog is not None and dialog_opacity > 0:
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.setOpacity(dialog_opacity)
        _draw_dialog(painter, window, dialog, render_widget(dialog, scale))
        if question is not None:
            _draw_dialog(painter, window, question, render_widget(question, scale))
        painter.end()
    return image


def render_widget(widget: QWidget, scale: int) -> QImage:
    """`widget` drawn at `scale`x device pixel ratio (text and icons drawn at that density,
    not enlarged). A painter of its own: a brush left on a shared painter leaks into the
    fields some styles draw."""
    image = QImage(widget.size() * scale, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().color(QPalette.ColorRole.Window))
    painter = QPainter(image)
    widget.render(painter, QPoint(0, 0))
    painter.end()
    return image


def _draw_dialog(painter: QPainter, window: QWidget, dialog: QWidget, body: QImage) -> None:
    palette = window.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    # Dim the window behind, as the modal dialog takes the input.
    painter.fillRect(QRect(QPoint(0, 0), window.size()), QColor(0, 0, 0, 70 if dark else 46))
    w, h = dialog.width(), dialog.height() + TITLE_BAR
    x = (window.width() - w) // 2
    y = max(12, (window.height() - h) // 2)
    frame = QRectF(x, y, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    for i in range(SHADOW, 0, -2):
        painter.setBrush(QColor(0, 0, 0, int((90 if dark else 60) * (1 - i / SHADOW) ** 2)))
        painter.drawRoundedRect(frame.adjusted(-i, -i + 6, i, i + 6), 10 + i, 10 + i)
    path = QPainterPath()
    path.addRoundedRect(frame, 10, 10)
    painter.save()
    painter.setClipPath(path)
    base = palette.color(QPalette.ColorRole.Window)
    bar = base.darker(106) if not dark else base.lighter(125)
    painter.fillRect(QRectF(x, y, w, TITLE_BAR), bar)
    title_font = QFont(dialog.font())
    title_font.setBold(True)
    painter.setFont(title_font)
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    painter.drawText(QRectF(x, y, w, TITLE_BAR), Qt.AlignmentFlag.AlignCenter, dialog.windowTitle())
    c = QRectF(x + w - TITLE_BAR, y, TITLE_BAR, TITLE_BAR).center()
    painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 1.4))
    painter.drawLine(c + QPointF(-4.5, -4.5), c + QPointF(4.5, 4.5))
    painter.drawLine(c + QPointF(-4.5, 4.5), c + QPointF(4.5, -4.5))
    painter.drawImage(QPointF(x, y + TITLE_BAR), body)
    painter.restore()
    border = QColor(255, 255, 255, 40) if dark else QColor(0, 0, 0, 60)
    painter.setPen(QPen(border, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(frame.adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
    painter.drawLine(QPointF(x, y + TITLE_BAR + 0.5), QPointF(x + w, y + TITLE_BAR + 0.5))


def write_gif(frames: Sequence[tuple[QImage, int]], path: Path) -> None:
    """Frames (image, milliseconds) as a looping GIF with one palette for all of them."""
    from PIL import Image

    pictures = [_to_pil(image) for image, _ms in frames]
    # One palette for every frame (a colour that changes from frame to frame flickers), made
    # from frames of each kind: the page alone, the dialog fading in and out, the dialog open.
    n = len(pictures)
    picks = sorted({0, 1, 2, 3, n // 2, n - 4, n - 3, n - 1} & set(range(n)))
    width, height = pictures[0].size
    sample = Image.new("RGB", (width, height * len(picks)))
    for row, index in enumerate(picks):
        sample.paste(pictures[index], (0, row * height))
    # Every other pixel keeps the exact colours (nearest) at a quarter of the k-means cost.
    sample = sample.resize((width // 2, sample.height // 2), Image.Resampling.NEAREST)
    palette = sample.quantize(colors=256, method=Image.Quantize.MEDIANCUT, kmeans=1)
    quantized = [p.quantize(palette=palette, dither=Image.Dither.NONE) for p in pictures]
    quantized[0].save(
        path,
        save_all=True,
        append_images=quantized[1:],
        duration=[ms for _image, ms in frames],
        loop=0,
        optimize=False,
        disposal=1,
    )


def _to_pil(image: QImage) -> Any:
    from PIL import Image

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    return Image.frombuffer(
        "RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine(), 1
    ).copy()


# -- the run -------------------------------------------------------------------------------------


async def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, poll: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(poll)


def type_into(edit: QLineEdit, text: str) -> None:
    """`text` typed into `edit` key by key, as the user types (the form then knows it was
    typed in, and asks before a cancel throws it away)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(edit, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


async def press(button: QAbstractButton, frame: Callable[[], None]) -> None:
    """A button pressed (drawn down for one frame) and let go."""
    button.setFocus(Qt.FocusReason.TabFocusReason)
    button.setDown(True)
    await settle(60)
    frame()
    button.setDown(False)


async def press_cancel_and_fade(dialog: Any, frame: Callable[..., None]) -> None:
    """The closing frames of a dialog animation: Cancel pressed; the console asks whether to
    discard what was typed, and Discard is pressed; the dialog fades, gone."""
    from shiboken6 import isValid

    from callaro_desktop.views.dialogs.confirm import ConfirmDialog

    await press(dialog.cancel_button, lambda: frame(260, dialog, 1.0))
    dialog.cancel()  # what the click runs
    await wait_until(
        lambda: any(q.isVisible() for q in dialog.findChildren(ConfirmDialog)), 10, "question"
    )
    question = next(q for q in dialog.findChildren(ConfirmDialog) if q.isVisible())
    await settle(60)
    frame(1400, dialog, 1.0, question)
    await press(question.action_button, lambda: frame(260, dialog, 1.0, question))
    for opacity in (0.6, 0.25):
        frame(70, dialog, opacity)
    question.accept()  # Discard: the dialog closes
    await wait_until(lambda: not isValid(dialog) or not dialog.isVisible(), 10, "closed")
    await settle(150)


async def settle(ms: int = 250) -> None:
    """Let layouts, style polish and deferred paints finish (the qasync loop runs Qt's
    events while this waits; calling processEvents() here would re-enter other tasks)."""
    await asyncio.sleep(ms / 1000)


class MediaMaker:
    """Drives one signed-in window through every shot; see the module docstring."""

    def __init__(
        self,
        controller: AppController,
        options: MediaOptions,
        *,
        privacy: Privacy | None = None,
        inspect: Inspector | None = None,
        progress: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self.controller = controller
        self.window: MainWindow = controller.window
        self.session: Session = controller.session
        self.options = options
        self.privacy = privacy
        self.inspect = inspect
        self.progress = progress
        self.files: list[MediaFile] = []

    def wanted(self, name: str) -> bool:
        return self.options.only is None or name in self.options.only

    async def run(self) -> list[MediaFile]:
        from callaro_desktop.views import theme

        self.options.out.mkdir(parents=True, exist_ok=True)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.window.resize(self.options.size)
        self.window.show()
        for appearance in self.options.themes:
            theme.install(app, "dark" if appearance == "dark" else "light")
            # Fresh pages for each appearance: nothing drawn in the other one lingers. Their
            # loads go first, or one would draw into a page already deleted.
            self.session.tasks.cancel_all()
            await settle(50)
            self.window.reset_pages()
            await settle(100)
            for shot in SHOTS:
                if self.wanted(shot.name):
                    await self.shoot(shot, appearance)
            if self.options.animations:
                if self.wanted("change-password-flow"):
                    await self.password_animation(appearance)
                if self.wanted("invite-user-flow"):
                    await self.invite_animation(appearance)
        write_index(self.options.out, self.files, privacy=self.options.privacy)
        return self.files

    # -- pages -------------------------------------------------------------------------

    async def open_page(self, page_id: str) -> Page:
        window = self.window
        if not window.is_allowed(page_id):
            raise RuntimeError(f"the signed-in role cannot open {page_id}")
        window.navigate(page_id)
        await wait_until(
            lambda: getattr(window.current_page(), "page_id", None) == page_id,
            10,
            f"page {page_id}",
        )
        page = window.current_page()
        assert page is not None
        await wait_until(lambda: page_ready(page), self.options.page_timeout, f"{page_id} ready")
        await settle(200)
        # A lazy table may ask for its next page while the layout settles.
        await wait_until(lambda: page_ready(page), self.options.page_timeout, f"{page_id} ready")
        state = page.states.state
        if state not in ("ready", "empty"):
            raise RuntimeError(f"{page_id} did not load: {state}")
        return page

    async def shoot(self, shot: Shot, appearance: str) -> None:
        page = await self.open_page(shot.page)
        dialog: QDialog | None = None
        try:
            if shot.dialog is not None:
                dialog = await self._open_dialog(shot.dialog, page)
            await settle(100)
            self.check([self.window, *([dialog] if dialog else [])], shot.name)
            for scale in self.options.scales:
                hidpi = self.options.hidpi
                if scale != 1 and hidpi is not None and shot.name not in hidpi:
                    continue
                image = compose(self.window, scale, dialog)
                self._save_png(image, shot, appearance, scale)
        finally:
            if dialog is not None:
                await self._close_dialog(dialog)

    def _save_png(self, image: QImage, shot: Shot, appearance: str, scale: int) -> None:
        suffix = "" if scale == 1 else f"@{scale}x"
        path = self.options.out / f"{shot.name}-{appearance}{suffix}.png"
        expected = self.options.size * scale
        if image.size() != expected:
            raise RuntimeError(f"{path.name}: {image.size()} instead of {expected}")
        if not image.save(str(path)):
            raise OSError(f"could not write {path}")
        self.files.append(
            MediaFile(path, shot.title, shot.brief, shot.quoted, appearance, scale, expected, "png")
        )
        self.progress(f"{path.name}  {expected.width()}x{expected.height()}")

    def check(self, roots: list[QWidget], name: str) -> None:
        """Refuse to render when a real value the filter replaced is on screen."""
        strings = widget_strings(roots, visible_only=True)
        if self.inspect is not None:
            self.inspect(name, roots)
        if self.privacy is None:
            return
        real = self.privacy.real_values()
        email = self.session.email
        if email:
            real.add(email)
        hits = scan(strings, real)
        if hits:
            raise PrivacyLeak(
                f"{name}: {len(hits)} real value(s) on screen, e.g. in {hits[0][1][:60]!r}"
            )

    # -- dialogs -----------------------------------------------------------------------

    def _framer(self, frames: list[tuple[QImage, int]], name: str) -> Callable[..., None]:
        """`frame(ms, dialog=None, opacity=1.0, question=None)`: the window as it is now (with
        the dialog and its question over it) appended to `frames`, shown for `ms`."""

        def frame(
            ms: int,
            dialog: QDialog | None = None,
            opacity: float = 1.0,
            question: QDialog | None = None,
        ) -> None:
            self.check([self.window, *(w for w in (dialog, question) if w is not None)], name)
            frames.append((compose(self.window, 1, dialog, opacity, question), ms))

        return frame

    async def _open_dialog(self, which: str, page: Page) -> QDialog:
        from callaro_desktop.services.tasks import background

        before = set(_open_dialogs())
        if which == "password":
            profile: Any = page
            background(profile.open_change_password())
        elif which == "key_secret":
            return await self._secret_dialog(page)
        else:
            page.open_primary_action()
        await wait_until(lambda: set(_open_dialogs()) - before, 20, f"{which} dialog")
        dialog = next(iter(set(_open_dialogs()) - before))
        await wait_until(lambda: dialog_ready(dialog), 30, f"{which} dialog ready")
        await fit_dialog(dialog)
        return dialog

    async def _secret_dialog(self, page: Page) -> QDialog:
        from pydantic import SecretStr

        from callaro_desktop.api.models import ApiKeyCreated, ScopeName
        from callaro_desktop.services.clipboard import SecretClipboard
        from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog

        # A made-up key: the real create call is never made, so no real secret exists here.
        made_up = Privacy().secret("sk_live_" + "0" * 40)
        created = ApiKeyCreated(
            id=0,
            name=tr("Website chat widget"),
            prefix=made_up[:12],
            scopes=[s.value for s in ScopeName][:8],
            created_at=datetime.now(UTC),
            secret=SecretStr(made_up),
        )
        tenant = self.session.tenant
        dialog = ApiKeySecretDialog(
            created,
            tenant_name=tenant.name if tenant else "",
            clipboard=SecretClipboard(parent=page),
            parent=page,
        )
        dialog.open()
        await fit_dialog(dialog)
        return dialog

    async def _close_dialog(self, dialog: QDialog) -> None:
        # done() is the way out that asks nothing (the secret dialog would ask on reject).
        dialog.done(QDialog.DialogCode.Rejected)
        await settle(150)

    # -- animations ---------------------------------------------------------------------

    async def password_animation(self, appearance: str) -> None:
        from callaro_desktop.views.dialogs.change_password import ChangePasswordDialog

        page: Any = await self.open_page("profile")
        frames: list[tuple[QImage, int]] = []

        frame = self._framer(frames, "change-password-flow")

        frame(1400)
        button = page.change_password_button
        button.setFocus(Qt.FocusReason.TabFocusReason)
        await settle(120)
        frame(500)
        button.setDown(True)
        await settle(60)
        frame(180)
        button.setDown(False)
        dialog = await self._open_dialog("password", page)
        assert isinstance(dialog, ChangePasswordDialog)
        for opacity in (0.35, 0.7):
            frame(70, dialog, opacity)
        frame(600, dialog)
        for edit, text in (
            (dialog.current, TYPED_CURRENT),
            (dialog.new, TYPED_NEW),
            (dialog.confirm, TYPED_NEW),
        ):
            edit.setFocus(Qt.FocusReason.TabFocusReason)
            for start in range(0, len(text), 2):
                type_into(edit, text[start : start + 2])
                await settle(30)
                frame(70, dialog)
            frame(450, dialog)
        frame(1200, dialog)
        await press_cancel_and_fade(dialog, frame)
        button.clearFocus()
        frame(1600)
        self._save_gif(frames, "change-password-flow", appearance)

    async def invite_animation(self, appearance: str) -> None:
        from callaro_desktop.views.dialogs.invite_user import InviteUserDialog

        page = await self.open_page("users")
        frames: list[tuple[QImage, int]] = []

        frame = self._framer(frames, "invite-user-flow")

        frame(1400)
        dialog = await self._open_dialog("invite", page)
        assert isinstance(dialog, InviteUserDialog)
        for opacity in (0.35, 0.7):
            frame(70, dialog, opacity)
        frame(700, dialog)
        email: QLineEdit = dialog.email
        email.setFocus(Qt.FocusReason.TabFocusReason)
        for start in range(0, len(TYPED_EMAIL), 2):
            type_into(email, TYPED_EMAIL[start : start + 2])
            await settle(30)
            frame(70, dialog)
        frame(700, dialog)
        role: QComboBox = dialog.role
        role.setFocus(Qt.FocusReason.TabFocusReason)
        await settle(60)
        frame(500, dialog)
        viewer = role.findData("tenant_viewer")
        if viewer >= 0:
            role.setCurrentIndex(viewer)
        await settle(60)
        frame(1300, dialog)
        await press_cancel_and_fade(dialog, frame)
        frame(1600)
        self._save_gif(frames, "invite-user-flow", appearance)

    def _save_gif(self, frames: list[tuple[QImage, int]], name: str, appearance: str) -> None:
        path = self.options.out / f"{name}-{appearance}.gif"
        write_gif(frames, path)
        title, brief, quoted = ANIMATIONS[name]
        size = frames[0][0].size()
        self.files.append(MediaFile(path, title, brief, quoted, appearance, 1, size, "gif"))
        self.progress(f"{path.name}  {size.width()}x{size.height()}, {len(frames)} frames")


async def fit_dialog(dialog: QDialog) -> None:
    """Give the dialog the size a window manager would, and room for every wrapped line.

    A word-wrapped label inside a padded frame can ask for less height than its lines need;
    a real window is then resized by the user, a picture cannot be: grow it to fit.
    """
    dialog.adjustSize()
    await settle(120)
    for _ in range(4):
        short = max(
            (
                label.heightForWidth(label.width()) - label.height()
                for label in dialog.findChildren(QLabel)
                if label.wordWrap() and label.isVisibleTo(dialog) and label.width() > 0
            ),
            default=0,
        )
        if short <= 0:
            break
        dialog.resize(dialog.width(), dialog.height() + short)
        await settle(80)
    await settle(120)


def _open_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def _busy(widget: QWidget) -> bool:
    """A visible spinner-style progress bar or a "Loading…" line: something is still coming."""
    for bar in widget.findChildren(QProgressBar):
        if bar.isVisibleTo(widget) and bar.minimum() == bar.maximum() == 0:
            return True
    loading = tr("Loading…")
    return any(
        label.isVisibleTo(widget) and label.text().startswith(loading.rstrip("…"))
        for label in widget.findChildren(QLabel)
    )


def page_ready(page: Page) -> bool:
    """The page has drawn what it loaded: no load running, no spinner, lazy tables filled."""
    from callaro_desktop.views.widgets.lazy_table import LazyTableModel
    from callaro_desktop.views.widgets.timezone_picker import TimezonePicker

    if page.states.state not in ("ready", "empty"):
        return False
    if not all(picker.is_loaded() for picker in page.findChildren(TimezonePicker)):
        return False  # the zone list is read in the background
    running = page.session.tasks.running()
    if any(str(key[0]).split("/")[0] == page.page_id for key in running if key):
        return False
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if isinstance(model, LazyTableModel):
            if model.is_loading:
                return False
            if view.isVisibleTo(page) and model.total and not model.rowCount():
                return False
    cards = getattr(page, "cards", None)
    if isinstance(cards, dict):
        for card in cards.values():
            if card.isVisibleTo(page) and getattr(card, "state", "ready") == "loading":
                return False
    return not _busy(page)


def dialog_ready(dialog: QDialog) -> bool:
    if getattr(dialog, "connections", True) is None:  # Add phone number: connections load
        return False
    return not _busy(dialog)


# -- the index -----------------------------------------------------------------------------------


def write_index(out: Path, files: Sequence[MediaFile], *, privacy: bool) -> Path:
    lines = [
        "# Help-centre media",
        "",
        f"Made by `callaro-desktop media` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        + (
            "Privacy mode was on: every email address, person name, phone number and secret "
            "shown is a consistent made-up value, replaced before drawing."
            if privacy
            else "Privacy mode was OFF: the pictures show the account's real data."
        ),
        "",
        f"“From the help article” briefs quote the article “{ARTICLE}”; the others say what "
        "the picture shows for the help centre's other pages.",
        "",
    ]
    by_title: dict[str, list[MediaFile]] = {}
    for f in files:
        by_title.setdefault(f.title, []).append(f)
    for title, group in by_title.items():
        first = group[0]
        source = "From the help article" if first.quoted else "Brief"
        brief = f"{source}: {first.brief}"
        lines += [f"## {title}", "", brief, ""]
        lines += ["| File | Appearance | Scale | Pixels |", "|---|---|---|---|"]
        for f in group:
            lines.append(
                f"| [{f.path.name}]({f.path.name}) | {f.theme} | {f.scale}x "
                f"| {f.size.width()}×{f.size.height()} |"
            )
        lines.append("")
    path = out / "index.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# -- the command ---------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="callaro-desktop media",
        description="Render the help centre's screenshots and animations of this console.",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--demo", action="store_true", help="use a fresh demo sandbox (signed in as its admin)"
    )
    source.add_argument("--server", metavar="URL", help="a Callaro server to sign in to")
    parser.add_argument(
        "--email",
        help="sign in as this account (password asked for, or read from stdin when it is "
        "not a terminal); without it a saved sign-in for --server is used",
    )
    parser.add_argument("--workspace", metavar="ID", type=int, help="the workspace to show")
    parser.add_argument(
        "--no-privacy",
        dest="privacy",
        action="store_false",
        help="show real emails, names, numbers (secrets are never shown either way)",
    )
    parser.add_argument(
        "--theme", choices=["light", "dark", "both"], default="both", help="appearance(s)"
    )
    parser.add_argument(
        "--scale", choices=["1", "2", "both"], default="both", help="device pixel ratio(s)"
    )
    parser.add_argument(
        "--size", default="1280x800", metavar="WxH", help="window size (default 1280x800)"
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated subset: " + ", ".join([s.name for s in SHOTS] + list(ANIMATIONS)),
    )
    parser.add_argument("--no-animations", dest="animations", action="store_false")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> MediaOptions:
    width, _, height = str(args.size).lower().partition("x")
    only = {n.strip() for n in args.only.split(",") if n.strip()} if args.only else None
    known = {s.name for s in SHOTS} | set(ANIMATIONS)
    if only is not None and only - known:
        raise SystemExit(f"unknown --only names: {', '.join(sorted(only - known))}")
    return MediaOptions(
        out=args.out,
        privacy=args.privacy,
        themes=THEMES if args.theme == "both" else (args.theme,),
        scales=SCALES if args.scale == "both" else (int(args.scale),),
        size=QSize(int(width), int(height)),
        only=only,
        animations=args.animations,
    )


def _quiet_offscreen_notes() -> None:
    """The offscreen platform says, for every dialog, what it cannot do (raise, size hints);
    nothing a reader of this command's output can act on."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if message.startswith("This plugin does not support"):
            return
        level = logging.WARNING if kind != QtMsgType.QtCriticalMsg else logging.ERROR
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            logging.getLogger("qt").log(level, message)

    qInstallMessageHandler(handler)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def make_media(
    controller: AppController,
    options: MediaOptions,
    *,
    demo_db: Path | None = None,
    server: str | None = None,
    email: str | None = None,
    password: str | None = None,
    workspace: int | None = None,
    inspect: Inspector | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> list[MediaFile]:
    """Sign `controller` in (demo sandbox at `demo_db`, or `server`) and make the media.

    `controller` must be set up (AppController.setup) and not signed in yet.
    """
    from callaro_desktop.app import DEMO_EMAIL, DEMO_PASSWORD

    session = controller.session
    privacy = Privacy() if options.privacy else None
    # Set before signing in: the first /me the toolbar shows is already filtered.
    session.result_filter = privacy
    if demo_db is not None:
        from callaro_sandbox.server import run_in_thread

        controller.sandbox = await in_thread(lambda: run_in_thread(demo_db))
        await session.sign_in(controller.sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, keep=False)
    elif server is not None and email and password is not None:
        await session.sign_in(server, email, password, keep=False)
    elif server is not None:
        saved = [a for a in controller.settings.saved_accounts if a.server == server]
        if email:
            saved = [a for a in saved if a.email == email]
        if not saved or not await session.resume(saved[0].server, saved[0].email):
            raise SystemExit(f"no saved sign-in for {server}: pass --email")
    else:
        raise ValueError("a demo database or a server is needed")
    await wait_until(lambda: session.tenant is not None, 30, "a workspace")
    if workspace is not None:
        session.switch_tenant(workspace)
    maker = MediaMaker(controller, options, privacy=privacy, inspect=inspect, progress=progress)
    return await maker.run()


def main(argv: list[str]) -> int:
    """`callaro-desktop media ...`; returns the exit status."""
    args = parse_args(argv)
    options = options_from(args)
    if not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    import qasync

    from callaro_desktop import paths

    _quiet_offscreen_notes()
    from callaro_desktop import settings as settings_mod
    from callaro_desktop.app import AppController, window_icon

    password: str | None = None
    if args.server and args.email:
        password = (
            getpass.getpass(f"Password for {args.email}: ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n")
        )
    if args.server and not args.email:
        # A saved sign-in is refreshed as it is used, and refresh tokens rotate: used here
        # while the console runs on it, the server would revoke it for both.
        from callaro_desktop import instance

        running = instance.claim(demo=False)
        if running is None:
            raise SystemExit(
                "Callaro Desktop is running and holds your saved sign-ins: quit it first, or "
                "pass --email to sign in here with a password"
            )
        running.release()
    # The user's saved sign-ins are read from their settings; everything this run writes
    # (settings, the demo database) goes to a folder that is removed afterwards.
    settings = settings_mod.load() if args.server else settings_mod.Settings()
    with tempfile.TemporaryDirectory(prefix="callaro-media-") as home:
        os.environ[paths.HOME_ENV] = home
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.setOrganizationName("Callaro")
        app.setApplicationName("Callaro Desktop")
        app.setWindowIcon(window_icon())

        async def run() -> int:
            from callaro_desktop.secrets import MemoryStore, TokenStore

            controller = AppController(app, settings, server=args.server, demo=args.demo)
            vault = TokenStore(MemoryStore(), settings) if args.demo else None
            await controller.setup(vault=vault)
            controller.window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            try:
                files = await make_media(
                    controller,
                    options,
                    demo_db=Path(home) / "media-sandbox.db" if args.demo else None,
                    server=args.server,
                    email=args.email,
                    password=password,
                    workspace=args.workspace,
                    progress=print,
                )
            except PrivacyLeak as exc:
                print(f"stopped: {exc}", file=sys.stderr)
                return 3
            finally:
                with contextlib.suppress(Exception):
                    if args.server and args.email and controller.session.client is not None:
                        await controller.session.client.auth.logout()
                await controller.shutdown()
            print(f"{len(files)} files and index.md in {options.out}")
            return 0

        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(run())


__all__ = [
    "SHOTS",
    "MediaFile",
    "MediaMaker",
    "MediaOptions",
    "PrivacyLeak",
    "compose",
    "main",
    "make_media",
    "page_ready",
    "widget_strings",
    "write_gif",
    "write_index",
]
