"""The main window: toolbar with the tenant switcher, sidebar, pages, status bar.

It owns no data. It listens to the session (tenant, role, connection) and the
router (which page), builds each page the first time it is shown, and asks before
unsaved edits are left behind: leaving the page, switching workspace or account, signing out,
closing the window or quitting; the user saves them, discards them or stays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop import paths
from callaro_desktop.i18n import tr
from callaro_desktop.services.accounts import Account
from callaro_desktop.services.session import Session, TenantRef
from callaro_desktop.services.tasks import background
from callaro_desktop.settings import tenant_key, write_soon
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.common import HoldsWork, run_dialog
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.shell.message_bar import MessageBar
from callaro_desktop.views.shell.nav import BY_ID, FALLBACK_PAGE, LANDING_PAGE, NAV, group_title
from callaro_desktop.views.shell.presentation import install_presentation_mode
from callaro_desktop.views.shell.router import Router
from callaro_desktop.views.shell.sidebar import Sidebar
from callaro_desktop.views.shell.tenant_switcher import TenantSwitcher
from callaro_desktop.views.widgets.elided_label import ElidedLabel
from callaro_desktop.views.widgets.icons import chevron_icon, menu_icon
from callaro_desktop.views.widgets.literal import literal
from callaro_desktop.views.widgets.placement import menu_on_click
from callaro_desktop.views.widgets.shrinking_button import ShrinkingToolButton
from callaro_desktop.views.widgets.states import StateStack

if TYPE_CHECKING:
    from callaro_desktop.views.shell.command_palette import CommandPalette
    from callaro_desktop.views.shell.find_across import FindAcrossDialog

log = logging.getLogger(__name__)

#: Longest a workspace switch or a page's first load holds the window's painting, for its
#: requests to leave and its answers to come: under a frame, so the window never looks late;
#: a keep-alive connection writes them in ~1 ms, and a near server answers in a few.
PAINT_HOLD_S = 0.016
SIDEBAR_WIDTH = 220  # px, until the user drags it
# Every page fits beside the sidebar from half a 1536 px screen (1920 px at 125 %) up; in a
# narrower window the sidebar folds away, down to the window's narrowest, half a 1366 px screen
# (snapped beside another window on the commonest small laptop screen).
NARROWEST_WITH_SIDEBAR = 760
NARROWEST_WITHOUT_SIDEBAR = 580
NARROWEST_HEIGHT = 560


FIRST_SIZE = QSize(1280, 800)
# Room left around a first window on a small screen (its frame, the panel, a little air).
_SCREEN_EDGE = 48


def first_size(screen: QSize) -> QSize:
    """A first window's size: FIRST_SIZE, or what a smaller screen has room for (on a
    1366x768 laptop 800 px did not fit, and the status bar sat below the screen's edge)."""
    fits = QSize(screen.width() - _SCREEN_EDGE, screen.height() - _SCREEN_EDGE)
    least = QSize(NARROWEST_WITHOUT_SIDEBAR, NARROWEST_HEIGHT)
    return FIRST_SIZE.boundedTo(fits).expandedTo(least)


def _window_state() -> QSettings:
    return QSettings(str(paths.window_state_file()), QSettings.Format.IniFormat)


def _write_window_state(values: dict[str, object]) -> None:
    settings = _window_state()
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()
    if settings.status() != QSettings.Status.NoError:
        raise OSError(f"{settings.fileName()}: {settings.status().name}")


class _PaintHold(QObject):
    """Swallows a window's requests to paint while active, and asks again when stopped.

    Qt collects what changed and posts the window one UpdateRequest to paint it; held back,
    the changes keep collecting, and the request posted on stop paints them all, and only
    them. Expose events (the OS showing the window) are not held.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.active = False
        self._missed = False

    def start(self) -> None:
        if not self.active:
            self.active, self._missed = True, False
            self._window.installEventFilter(self)

    def stop(self) -> None:
        # (The window may have been closed and deleted while held: then there is nothing to do.)
        if self.active and shiboken6.isValid(self._window):
            self.active = False
            self._window.removeEventFilter(self)
            if self._missed:
                QCoreApplication.postEvent(
                    self._window,
                    QEvent(QEvent.Type.UpdateRequest),
                    Qt.EventPriority.LowEventPriority.value,
                )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.UpdateRequest:
            self._missed = True
            return True
        return False


def with_alt_letters(buttons: list[QAbstractButton]) -> None:
    """Give each of `buttons` without one an Alt letter of its own: the first letter of its
    text no other button has (Save, Discard, Cancel; where the platform words Discard
    "Close without Saving", its letter is the l, not the C of Cancel)."""
    taken = {b.text().partition("&")[2][:1].lower() for b in buttons if "&" in b.text()}
    for button in buttons:
        text = button.text()
        if "&" in text:
            continue
        at = next((i for i, c in enumerate(text) if c.isalnum() and c.lower() not in taken), None)
        if at is not None:
            taken.add(text[at].lower())
            button.setText(text[:at] + "&" + text[at:])


def standard_keys(key: QKeySequence.StandardKey, otherwise: str) -> list[QKeySequence]:
    """The platform's keys for `key`, or `otherwise` where it has none: Windows has no Quit
    key and only macOS a Preferences one, and the console's keys are the same everywhere
    (the README's table)."""
    return QKeySequence.keyBindings(key) or [QKeySequence(otherwise)]


class MainWindow(QMainWindow):
    sign_out_requested = Signal()
    preferences_requested = Signal()
    about_requested = Signal()
    reset_demo_requested = Signal()
    sign_in_requested = Signal()
    # (Account, tenant id or None): open another window there.
    new_window_requested = Signal(object, object)
    quit_requested = Signal()
    closed = Signal()

    def __init__(self, session: Session, *, demo: bool = False) -> None:
        super().__init__()
        self.session = session
        self.demo = demo
        self._leave_question: QMessageBox | None = None
        self._ask_before_closing = True
        self.setObjectName("MainWindow")
        self._paint_hold = _PaintHold(self)
        self._workspace_due = False  # a switch's toolbar and sidebar, shown once it paints
        self._held_loads: list[Callable[[], list[asyncio.Task[Any]]]] = []  # (_paint_once_loaded)
        self.setAccessibleName(tr("Callaro Desktop"))
        self.setMinimumSize(NARROWEST_WITHOUT_SIDEBAR, NARROWEST_HEIGHT)
        self.router = Router(self)
        self.pages: dict[str, Page] = {}
        # Pages built ahead of the first account (prepare_page): they hold no rows.
        self._blank_pages: set[str] = set()
        self._allowed: set[str] = set()
        self._palette: CommandPalette | None = None
        self._find: FindAcrossDialog | None = None

        self._build_toolbar()
        self._build_body()
        self._build_menus()
        self._build_status_bar()

        self.router.navigated.connect(self._show_page)
        self.router.history_changed.connect(self._on_history)
        self.sidebar.page_selected.connect(self.navigate)
        self.sidebar.considering.connect(self.anticipate_page)
        session.tenant_changed.connect(self._on_tenant_changed)
        session.tenants_changed.connect(self._on_tenants_changed)
        session.online_changed.connect(self._on_online_changed)
        session.messages.posted.connect(self.message_bar.show_message)
        session.messages.withdrawn.connect(self.message_bar.withdraw)
        session.me_changed.connect(lambda _me: self._update_account_button())
        session.signed_in.connect(lambda: self._on_online_changed(session.online))
        session.account_changed.connect(self._on_account_changed)
        self.account_menu.aboutToShow.connect(self._rebuild_account_menu)
        self._restore_geometry()
        self._on_tenant_changed(session.tenant)
        self.presentation = install_presentation_mode(self)

    # -- construction -------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar(tr("Main toolbar"))
        bar.setObjectName("MainToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        # Where the sidebar was, while it is folded away or hidden: the same pages in a menu.
        self.pages_button = QToolButton()
        self.pages_button.setObjectName("PagesButton")
        self.pages_button.setAccessibleName(tr("Pages"))
        self.pages_button.setToolTip(tr("Pages (Ctrl+B shows the sidebar)"))
        self.pages_menu = QMenu(tr("Pages"), self.pages_button)
        menu_on_click(self.pages_button, self.pages_menu)
        self.pages_button_action = bar.addWidget(self.pages_button)
        self.pages_button_action.setVisible(False)
        self.back_action = QAction(tr("Back"), self)
        self.back_action.setShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left))
        self.back_action.setToolTip(tr("Back (Alt+Left)"))
        self.back_action.triggered.connect(self.go_back)
        self.forward_action = QAction(tr("Forward"), self)
        self.forward_action.setShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Right))
        self.forward_action.setToolTip(tr("Forward (Alt+Right)"))
        self.forward_action.triggered.connect(self.go_forward)
        self._paint_icons()
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)
        bar.addAction(self.back_action)
        bar.addAction(self.forward_action)
        for action, name in ((self.back_action, tr("Back")), (self.forward_action, tr("Forward"))):
            widget = bar.widgetForAction(action)
            if widget is not None:
                widget.setAccessibleName(name)
        bar.addSeparator()
        self.account_badge = QLabel()
        self.account_badge.setObjectName("AccountBadge")
        self.account_badge.setAccessibleName(tr("Account label"))
        # A toolbar shows or hides its widgets through their actions.
        self.account_badge_action = bar.addWidget(self.account_badge)
        self.account_badge_action.setVisible(False)
        self.switcher = TenantSwitcher()
        self.switcher.set_source(self._switcher_source)
        self.switcher.tenant_chosen.connect(self.request_tenant_switch)
        self.switcher.popup.considering.connect(self.anticipate_switch)
        self.switcher.popup.dismissed.connect(self.session.drop_anticipated)
        self.switcher.favourite_toggled.connect(self._on_favourite_toggled)
        self.switcher.popup.open_in_new_window.connect(
            lambda tid: self.new_window_requested.emit(self.session.current_account, tid)
        )
        bar.addWidget(self.switcher)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.demo_badge = QLabel(tr("Demo"))
        self.demo_badge.setObjectName("DemoBadge")
        self.demo_badge.setAccessibleName(tr("Demo mode: data is from the local sandbox"))
        self.demo_badge.setToolTip(
            tr("Demo mode: you are signed in to a local sandbox, not to Callaro.")
        )
        self.demo_badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        badge_box = QWidget()
        badge_row = QHBoxLayout(badge_box)
        badge_row.setContentsMargins(0, 0, 8, 0)
        badge_row.addWidget(self.demo_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        # Shown or hidden through its toolbar action: made visible while it had no parent,
        # it was a window of its own for a moment.
        bar.addWidget(badge_box).setVisible(self.demo)
        self.account_button = ShrinkingToolButton()
        self.account_button.setObjectName("AccountButton")
        self.account_button.setAccessibleName(tr("Account menu"))
        self.account_menu = QMenu(self.account_button)
        menu_on_click(self.account_button, self.account_menu)
        bar.addWidget(self.account_button)

    def _build_body(self) -> None:
        self.sidebar = Sidebar()
        self.stack = QStackedWidget()
        self.stack.setObjectName("PageStack")
        self.signed_out_panel = StateStack(QWidget())
        self.show_signed_out_prompt()
        self.signed_out_panel.empty_action_triggered.connect(self.sign_in_requested)
        self.stack.addWidget(self.signed_out_panel)
        self.message_bar = MessageBar()
        right = QWidget()
        lay = QVBoxLayout(right)
        lay.setContentsMargins(8, 8, 8, 0)
        lay.setSpacing(0)
        lay.addWidget(self.message_bar)
        lay.addWidget(self.stack, 1)
        self.splitter = QSplitter()
        self.splitter.setObjectName("MainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([SIDEBAR_WIDTH, 1000])
        self.setCentralWidget(self.splitter)
        # The sidebar's width as the user last set it: a page that needs more room than the
        # window has takes it from the sidebar while shown, and gives it back when left.
        self._sidebar_width = SIDEBAR_WIDTH
        self._sidebar_wanted = True
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self.stack.currentChanged.connect(self._fit_stack_to_page)

    def _build_menus(self) -> None:
        menubar = self.menuBar()
        file_menu = menubar.addMenu(tr("&File"))
        self.switch_action = QAction(tr("Switch &workspace…"), self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+T"))
        self.switch_action.triggered.connect(self.switcher.open_popup)
        file_menu.addAction(self.switch_action)
        self.palette_action = QAction(tr("&Command palette…"), self)
        self.palette_action.setShortcut(QKeySequence("Ctrl+K"))
        self.palette_action.triggered.connect(self.open_palette)
        file_menu.addAction(self.palette_action)
        self.find_action = QAction(tr("&Find across workspaces…"), self)
        self.find_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.find_action.triggered.connect(self.open_find)
        file_menu.addAction(self.find_action)
        self.new_window_action = QAction(tr("&New window"), self)
        self.new_window_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_window_action.triggered.connect(
            lambda: self.new_window_requested.emit(
                self.session.current_account, self.session.tenant_id
            )
        )
        file_menu.addAction(self.new_window_action)
        file_menu.addSeparator()
        self.add_account_action = QAction(tr("&Add account…"), self)
        # Signing in to another account shows it here: this page's edits are asked about first.
        self.add_account_action.triggered.connect(
            lambda: self._guarded(self.sign_in_requested.emit)
        )
        file_menu.addAction(self.add_account_action)
        self.label_account_action = QAction(tr("Account &label…"), self)
        self.label_account_action.triggered.connect(self.edit_account_badge)
        file_menu.addAction(self.label_account_action)
        file_menu.addSeparator()
        self.preferences_action = QAction(tr("&Preferences…"), self)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.setShortcuts(
            standard_keys(QKeySequence.StandardKey.Preferences, "Ctrl+,")
        )
        self.preferences_action.triggered.connect(self.preferences_requested)
        file_menu.addAction(self.preferences_action)
        self.reset_demo_action = QAction(tr("&Reset demo data…"), self)
        self.reset_demo_action.triggered.connect(self.reset_demo_requested)
        self.reset_demo_action.setVisible(self.demo)
        file_menu.addAction(self.reset_demo_action)
        file_menu.addSeparator()
        self.sign_out_action = QAction(tr("Sign &out"), self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        self.close_action = QAction(tr("Clo&se window"), self)
        self.close_action.setShortcuts(QKeySequence.StandardKey.Close)
        self.close_action.triggered.connect(self.close)
        file_menu.addAction(self.close_action)
        self.quit_action = QAction(tr("&Quit"), self)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.setShortcuts(standard_keys(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        self.quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(self.quit_action)

        view_menu = menubar.addMenu(tr("&View"))
        view_menu.addAction(self.back_action)
        view_menu.addAction(self.forward_action)
        self.reload_action = QAction(tr("&Reload page"), self)
        self.reload_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.reload_action.triggered.connect(self.reload_current)
        view_menu.addAction(self.reload_action)
        # The shown page's columns to show or hide, and a reset where the user changed them
        # (_show_page).
        self.columns_menu = view_menu.addMenu(tr("C&olumns"))
        self.columns_menu.aboutToShow.connect(self._list_columns)
        self.columns_menu.menuAction().setEnabled(False)
        self.reset_columns_action = QAction(tr("Reset &column widths"), self)
        self.reset_columns_action.triggered.connect(self.reset_current_columns)
        self.reset_columns_action.setEnabled(False)
        view_menu.addAction(self.reset_columns_action)
        self.sidebar_action = QAction(tr("&Sidebar"), self)
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.setShortcut(QKeySequence("Ctrl+B"))
        self.sidebar_action.setToolTip(tr("Show or hide the sidebar (Ctrl+B)"))
        # Triggered, not toggled: the check mark also follows the sidebar folding away in a
        # narrow window, which is not the user's choice.
        self.sidebar_action.triggered.connect(self.show_sidebar)
        view_menu.addAction(self.sidebar_action)
        view_menu.addSeparator()
        self.page_actions: dict[str, QAction] = {}
        # The page shown is checked (as the sidebar marks it), in the View menu and the Pages
        # button's alike.
        self._page_group = QActionGroup(self)
        # (Optional: with no page shown, signed out, none is checked.)
        self._page_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        group: str | None = None
        for item in NAV:
            action = QAction(item.title, self._page_group)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, p=item.page_id: self.navigate(p))
            view_menu.addAction(action)
            if item.group != group:  # grouped as in the sidebar
                group = item.group
                self.pages_menu.addSection(group_title(group) if group else "")
            self.pages_menu.addAction(action)
            self.page_actions[item.page_id] = action
        self.pages_menu.addSeparator()
        self.pages_menu.addAction(self.sidebar_action)

        # Ctrl+1..9 jump to the first nine pinned (favourite) workspaces.
        self.pin_actions: list[QAction] = []
        for n in range(1, 10):
            action = QAction(tr("Pinned workspace {0}").format(n), self)
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.triggered.connect(lambda _=False, i=n - 1: self.go_to_pinned(i))
            self.addAction(action)
            self.pin_actions.append(action)

        help_menu = menubar.addMenu(tr("&Help"))
        logs = QAction(tr("Open &log folder"), self)
        logs.triggered.connect(self.open_log_folder)
        help_menu.addAction(logs)
        about = QAction(tr("&About Callaro Desktop"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about_requested)
        help_menu.addAction(about)

        self.profile_action = QAction(tr("My Profile"), self)
        self.profile_action.triggered.connect(lambda: self.navigate("profile"))
        self._rebuild_account_menu()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # (A long server address is cut short, not widening the window.)
        self.connection_label = ElidedLabel()
        self.connection_label.setAccessibleName(tr("Connection status"))
        self.retry_connection = QPushButton(tr("Retry"))
        self.retry_connection.setAccessibleName(tr("Retry connection"))
        self.retry_connection.clicked.connect(self._retry_connection)
        self.retry_connection.hide()
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.connection_label)
        row.addWidget(self.retry_connection)
        bar.addPermanentWidget(box)
        self._on_online_changed(self.session.online)

    def _paint_icons(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        self.pages_button.setIcon(menu_icon(colour))
        self.back_action.setIcon(chevron_icon("left", colour))
        self.forward_action.setIcon(chevron_icon("right", colour))

    def changeEvent(self, event: QEvent) -> None:
        # A theme switch changes the palette: repaint the icons in the new text colour.
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icons()
        super().changeEvent(event)

    # -- navigation ---------------------------------------------------------------------

    def navigate(self, page_id: str) -> None:
        if page_id == self.router.current or page_id not in self._allowed:
            self._mark_current_page()
            return
        self._guarded(lambda: self.router.go(page_id))

    def _mark_current_page(self) -> None:
        """The sidebar and the page menus mark the page shown (again, after a move that was
        refused or given up)."""
        current = self.router.current or ""
        self.sidebar.select_page(current)
        action = self.page_actions.get(current)
        if action is not None:
            action.setChecked(True)
        elif (checked := self._page_group.checkedAction()) is not None:
            checked.setChecked(False)

    def go_back(self) -> None:
        self._guarded(self.router.back)

    def go_forward(self) -> None:
        self._guarded(self.router.forward)

    def anticipate_switch(self, tenant_id: int) -> None:
        """`tenant_id` is highlighted in the switcher or the palette: send ahead what the page
        on screen asked of it last time, so the switch that usually follows finds it in."""
        page_id = self.router.current
        if page_id is not None and tenant_id != self.session.tenant_id:
            sent = self.session.anticipate(tenant_id, page_id)
            log.debug("sent %d request(s) ahead for tenant %s (%s)", sent, tenant_id, page_id)

    def anticipate_page(self, page_id: str) -> None:
        """The pointer rests on `page_id` in the sidebar: if opening it will load, send its
        load ahead, so the click that usually follows finds the data on its way."""
        tenant_id = self.session.tenant_id
        if tenant_id is None or page_id == self.router.current or page_id not in self._allowed:
            return
        page = self.pages.get(page_id)
        if page is None or page.loads_when_shown():
            sent = self.session.anticipate(tenant_id, page_id)
            log.debug("sent %d request(s) ahead for page %s", sent, page_id)

    def request_tenant_switch(self, tenant_id: int) -> None:
        if tenant_id == self.session.tenant_id:
            return
        self._guarded(lambda: self.session.switch_tenant(tenant_id))

    def _guarded(self, action: Callable[[], object]) -> None:
        """Run `action` now, or once the current page's edits are saved or discarded."""
        if self.has_unsaved_changes():
            background(self._confirmed_then(action))
        else:
            action()

    async def _confirmed_then(self, action: Callable[[], object]) -> None:
        if await self.confirm_leave():
            action()
        else:
            self._mark_current_page()

    def has_unsaved_changes(self) -> bool:
        # Only the page shown can hold edits: leaving a page saves or discards them.
        page = self.current_page()
        return page is not None and page.has_unsaved_changes()

    def open_work(self) -> list[HoldsWork]:
        """The dialogs open over this window that may hold the user's work (forms, a bulk
        invitation)."""
        return [
            dialog
            for dialog in self.findChildren(QDialog)
            if dialog.isVisible() and isinstance(dialog, HoldsWork)
        ]

    def holds_typing(self) -> bool:
        """Unsaved edits on the page, or a dialog open over it holding the user's work (a
        form typed in, invitations not yet sent or being sent)."""
        return self.has_unsaved_changes() or any(d.holds_work() for d in self.open_work())

    async def confirm_leave(self) -> bool:
        """Whether the current page may be left: nothing unsaved, or the user had it saved
        (and the save went through) or discarded. False when they stay, or a save failed
        (its error is then shown on the page, beside what they typed). A dialog open over it
        holding the user's work (a form typed in, invitations being sent) is asked about
        first (quitting from another window)."""
        for dialog in self.open_work():
            if not await dialog.may_close():
                return False
            dialog.close_unasked()
        page = self.current_page()
        if page is None or not page.has_unsaved_changes():
            return True
        if self._leave_question is not None:
            # Already asked (a quit from another window while this one asks): that answer
            # decides; this request stays where it is.
            self._leave_question.raise_()
            return False
        self.raise_()  # the question is about this window's page: show it
        self.activateWindow()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Unsaved changes"),
            tr("Save your changes on {0}?").format(page.title()),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(tr("If you discard them, they are lost."))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        # Enter saves and Esc cancels; each answer has its Alt letter too.
        with_alt_letters(box.buttons())
        self._leave_question = box
        try:
            answer = await run_dialog(box)
        finally:
            self._leave_question = None
        if answer == QMessageBox.StandardButton.Discard:
            page.discard_changes()
            return True
        if answer == QMessageBox.StandardButton.Save:
            return await page.save_changes()
        return False

    def stop_asking(self) -> bool:
        """The console is quitting without a user to ask (the session is ending): closing
        this window no longer waits for unsaved edits to be saved or discarded, which are
        kept in the settings for the next start instead. Whether any were."""
        self._ask_before_closing = False
        page = self.current_page()
        return page is not None and page.keep_unsaved_edits()

    def keep_state(self) -> None:
        """Keep where the window is, its sidebar and each page's columns for the next start:
        it is closing, or the console quits with it open."""
        for page in self.pages.values():
            page.keep_view()
        values = {
            "main_window/geometry": self.saveGeometry(),
            "main_window/sidebar": self._sidebar_wanted,  # (not whether folded)
            "main_window/sidebar_width": self._sidebar_width,
        }
        # QSettings ends its write with two syncs to disk (its lock file and the file), each
        # as slow as the disk: on the GUI thread they held a closing window, or the window
        # left open when another closed, for as long. The settings writer runs them instead
        # (the app waits for it before it exits).
        write_soon(paths.window_state_file(), lambda: _write_window_state(values))

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def page(self, page_id: str) -> Page:
        if page_id not in self.pages:
            page = BY_ID[page_id].load_class()(self.session)
            self.pages[page_id] = page
            page.user_columns_changed.connect(lambda page=page: self._show_reset_columns(page))
            self.stack.addWidget(page)
            self._fit_stack_to_page()
        return self.pages[page_id]

    def _fit_stack_to_page(self, _index: int = -1) -> None:
        # A stacked widget needs the room of its widest page, shown or not: once Usage (the
        # widest) had been opened, every page narrowed the sidebar and the window could not
        # be made narrower again. Pages out of sight ask for no room.
        current = self.stack.currentWidget()
        for index in range(self.stack.count()):
            widget = self.stack.widget(index)
            if widget is None:
                continue
            shown = widget is current
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            if widget.sizePolicy().horizontalPolicy() != policy:
                widget.setSizePolicy(policy, policy)
        self._give_back_sidebar()

    def _give_back_sidebar(self) -> None:
        # A splitter keeps the sidebar as narrow as a wide page or a narrow window made it;
        # it gets its width back as soon as there is room (setSizes clamps to what fits).
        sizes = self.splitter.sizes()
        shown = self.splitter.isVisible() and not self.sidebar.isHidden()  # (hidden: size 0)
        if shown and len(sizes) == 2 and sizes[0] < self._sidebar_width:
            self.splitter.setSizes([self._sidebar_width, sum(sizes) - self._sidebar_width])

    def show_sidebar(self, shown: bool) -> None:
        """The user's choice (View → Sidebar, Ctrl+B, the command palette). Without the
        sidebar the pages are still in the View menu, the command palette and the history.
        Wanted, it folds away while the window is narrower than NARROWEST_WITH_SIDEBAR and
        comes back when it is wider; asked for in such a window, the window widens to hold
        it (a maximised or tiled window may refuse, and it then shows once there is room)."""
        self._sidebar_wanted = shown
        if shown and self.width() < NARROWEST_WITH_SIDEBAR:
            self.resize(NARROWEST_WITH_SIDEBAR, self.height())
        self._place_sidebar()

    def sidebar_folded(self) -> bool:
        """Wanted, but folded away because the window is too narrow for it."""
        return self._sidebar_wanted and self.width() < NARROWEST_WITH_SIDEBAR

    def _place_sidebar(self) -> None:
        shown = self._sidebar_wanted and not self.sidebar_folded()
        self.sidebar_action.setChecked(shown)  # (emits no `triggered`: not a choice)
        if self.sidebar.isHidden() == shown:
            self.sidebar.setVisible(shown)
            self.pages_button_action.setVisible(not shown)
        if shown:
            self._give_back_sidebar()

    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        self._sidebar_width = self.splitter.sizes()[0]  # (the position is mirrored right to left)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_sidebar()

    def prepare_page(self, page_id: str) -> None:
        """Build `page_id` before any account is shown in this window (a silent sign-in
        waits for the profile meanwhile); the account bound next keeps it, as it holds no
        data yet. Once an account is bound, pages are built when first shown, as usual."""
        unbuilt = page_id in BY_ID and page_id not in self.pages
        if unbuilt and self.session.current_account is None:
            self.page(page_id)
            self._blank_pages.add(page_id)

    def reset_pages(self) -> None:
        """Drop every page (they hold another account's data) and the history."""
        for page in self.pages.values():
            page.retire()
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self.router.reset()

    def show_signed_out_prompt(self) -> None:
        """What the window says while no account is shown in it."""
        self.signed_out_panel.show_empty(
            tr("You are signed out"),
            tr("Sign in to a Callaro server to manage your workspaces."),
            tr("Sign in…"),
        )

    def show_signing_in(self, what: str) -> None:
        """A saved sign-in (or the demo) is on its way: say so, not "You are signed out"."""
        self.signed_out_panel.show_loading(what)

    def show_signed_out(self) -> None:
        self.reset_pages()
        self.show_signed_out_prompt()
        self.stack.setCurrentWidget(self.signed_out_panel)
        self.switcher.show_tenant(None)
        self.setWindowTitle("Callaro")

    def reload_current(self) -> None:
        page = self.current_page()
        if page is not None:
            page.reload()

    def _show_reset_columns(self, page: Page) -> None:
        """View → Reset column widths: there for the page shown, once its columns are the
        user's (as the page lays them out, there is nothing to reset)."""
        if page is self.stack.currentWidget():
            self.reset_columns_action.setEnabled(page.has_columns and page.user_columns())

    def _list_columns(self) -> None:
        self.columns_menu.clear()
        page = self.current_page()
        if page is not None:
            self.columns_menu.addActions(page.column_actions)

    def reset_current_columns(self) -> None:
        page = self.current_page()
        if page is not None:
            page.reset_columns()

    def _show_page(self, page_id: str) -> None:
        if page_id not in self._allowed:
            self.router.replace(self._fallback())
            return
        page = self.page(page_id)
        self.stack.setCurrentWidget(page)
        self._show_reset_columns(page)
        self.columns_menu.menuAction().setEnabled(bool(page.column_actions))
        self._mark_current_page()
        tenant_id = self.session.tenant_id
        if tenant_id is None:
            page.activate()
            return
        settings = self.session.settings
        settings.remember_page(tenant_key(self.session.account, tenant_id), page_id)
        running = set(self.session.tasks.pending(tenant_id))
        page.activate()
        started = [t for t in self.session.tasks.pending(tenant_id) if t not in running]
        if started:
            # The page asked for its data: painted once with it, when it comes soon enough.
            self._paint_once_loaded(lambda: started)

    def _on_history(self, can_back: bool, can_forward: bool) -> None:
        self.back_action.setEnabled(can_back)
        self.forward_action.setEnabled(can_forward)

    def _fallback(self) -> str:
        if FALLBACK_PAGE in self._allowed or not self._allowed:
            return FALLBACK_PAGE
        return next(i.page_id for i in NAV if i.page_id in self._allowed)

    # -- reacting to the session ---------------------------------------------------------

    def _on_tenant_changed(self, tenant: TenantRef | None) -> None:
        self._allowed = {item.page_id for item in NAV if self.session.can(item.capability)}
        if tenant is not None and self.router.current is not None:
            # A switch: the page's requests go first, and the workspace's name, the title
            # and the pages its role may open are shown while the server works on them
            # (~1 ms of the GUI thread that came before the requests). Nothing is painted
            # until then, so no frame shows one workspace's rows under another's name.
            self._workspace_due = True
            tenant_id = tenant.id
            self._paint_once_loaded(lambda: self.session.tasks.pending(tenant_id))
        else:
            self._show_workspace()
        self.router.forget(self._allowed)
        if tenant is None:
            if self.session.client is None:
                self.show_signed_out()
            return
        current = self.router.current
        if current is None:
            # First tenant after sign-in: reopen the page last used in this tenant.
            remembered = self.session.settings.last_page_by_tenant.get(
                tenant_key(self.session.account, tenant.id)
            )
            landing = LANDING_PAGE if LANDING_PAGE in self._allowed else self._fallback()
            self.router.go(remembered if remembered in self._allowed else landing)
        elif current in self._allowed:
            self._show_page(current)
        else:
            self.router.replace(self._fallback())

    @property
    def painting_held(self) -> bool:
        """A switch or a page's load holds the window's paint (a frame at most); a switch's
        toolbar, title and sidebar are shown when it lets go."""
        return self._paint_hold.active

    def _show_workspace(self) -> None:
        """The toolbar, title, sidebar and menus for the workspace now shown."""
        self._workspace_due = False
        self.switcher.show_tenant(self.session.tenant)
        self._update_title()
        self.sidebar.apply_visibility(self._allowed)
        for page_id, action in self.page_actions.items():
            action.setVisible(page_id in self._allowed)
        self._update_account_button()

    def _paint_once_loaded(self, loads: Callable[[], list[asyncio.Task[Any]]]) -> None:
        """Hold the window's painting until the requests just started are on the wire and,
        within PAINT_HOLD_S in all, until `loads()` are done.

        Qt paints before the loop runs the page's tasks: the loading states were painted
        first (~1-1.5 ms), the requests left after them, and a near server's answers waited
        for that paint and were painted a frame later. Held, the requests leave first, and
        the first paint shows the answers when they come within the frame, and the loading
        states when they do not. Nothing is painted meanwhile, so no frame can show one
        workspace's figures under another's name. What is held is the window's request to
        paint its changed regions, so only those are painted afterwards.
        """
        self._held_loads.append(loads)
        if self._paint_hold.active:
            return  # Within the first hold's frame: its release waits for these too.
        self._paint_hold.start()
        loop = asyncio.get_running_loop()
        until = loop.time() + PAINT_HOLD_S

        def waiting() -> list[asyncio.Task[Any]]:
            return [t for held in self._held_loads for t in held() if not t.done()]

        async def release() -> None:
            try:
                await asyncio.wait_for(self.session.requests_sent(), PAINT_HOLD_S)
                while (left := until - loop.time()) > 0 and (tasks := waiting()):
                    await asyncio.wait(tasks, timeout=left)
            except TimeoutError:
                pass  # A new connection's handshake: show the loading states meanwhile.
            finally:
                self._held_loads.clear()
                if shiboken6.isValid(self) and self._workspace_due:
                    self._show_workspace()
                self._paint_hold.stop()

        background(release())

    def _on_tenants_changed(self) -> None:
        self.switcher.setEnabled(bool(self.session.tenants))

    def _switcher_source(self) -> tuple[list[TenantRef], int | None, list[int], list[int]]:
        s = self.session
        account = s.account
        return (
            s.tenants,
            s.tenant_id,
            s.settings.favourite_tenants.get(account, []),
            s.settings.recent_tenants.get(account, []),
        )

    def _on_favourite_toggled(self, tenant_id: int, favourite: bool) -> None:
        self.session.settings.set_favourite_tenant(self.session.account, tenant_id, favourite)
        self.session.save_settings()

    def _update_account_button(self) -> None:
        me = self.session.me
        name = (me.display_name or me.email) if me else tr("Not signed in")
        self.account_button.set_name(
            name,
            tip=tr("Signed in as {0} on {1}").format(me.email, self.session.server) if me else "",
        )

    def _on_online_changed(self, online: bool) -> None:
        server = self.session.server
        if self.session.current_account is None:
            # Nothing is connected before an account is shown here, or after it signs out.
            self.connection_label.clear()
            self.retry_connection.setVisible(False)
            return
        if online:
            self.connection_label.setText(tr("● Connected to {0}").format(server))
            self.connection_label.setProperty("state", "ok")
        elif self.session.slow:
            self.connection_label.setText(
                tr("● Not answering: {0} is taking too long").format(server)
            )
            self.connection_label.setProperty("state", "bad")
        else:
            self.connection_label.setText(tr("● Offline: {0} cannot be reached").format(server))
            self.connection_label.setProperty("state", "bad")
        self.connection_label.style().unpolish(self.connection_label)
        self.connection_label.style().polish(self.connection_label)
        self.retry_connection.setVisible(not online)

    def _retry_connection(self) -> None:
        self.session.check_connection()
        page = self.current_page()
        if page is not None and page.states.state == "error":
            page.reload()

    # -- window life ------------------------------------------------------------------------

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))

    def _restore_geometry(self) -> None:
        settings = _window_state()
        width = settings.value("main_window/sidebar_width", SIDEBAR_WIDTH, type=int)
        if isinstance(width, int) and (
            self.sidebar.minimumWidth() <= width <= self.sidebar.maximumWidth()
        ):
            self._sidebar_width = width
            self.splitter.setSizes([width, 1000])
        self._sidebar_wanted = settings.value("main_window/sidebar", True, type=bool) is not False
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(first_size(self.screen().availableGeometry().size()))
        self._place_sidebar()  # (a window not shown yet gets its resize event when shown)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._ask_before_closing and self.has_unsaved_changes():
            event.ignore()
            background(self._confirmed_then(self.close))
            return
        self.keep_state()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    # -- accounts, pins, palette, find ------------------------------------------------------

    def _rebuild_account_menu(self) -> None:
        """Accounts first (switch without a password), then this account's actions."""
        menu = self.account_menu
        menu.clear()
        accounts = self.session.manager.accounts
        if accounts:
            header = menu.addSection(tr("Accounts"))
            header.setEnabled(False)
        for account in accounts:
            action = menu.addAction(literal(self.session.shown(account.display)))
            action.setCheckable(True)
            action.setChecked(account is self.session.current_account)
            action.triggered.connect(lambda _=False, a=account: self.switch_account(a))
        menu.addAction(self.add_account_action)
        menu.addAction(self.label_account_action)
        menu.addSeparator()
        menu.addAction(self.profile_action)
        menu.addAction(self.preferences_action)
        menu.addAction(self.new_window_action)
        menu.addSeparator()
        menu.addAction(self.sign_out_action)

    def switch_account(self, account: Account) -> None:
        if account is self.session.current_account:
            return
        self._guarded(lambda: self.session.bind(account))

    def _on_account_changed(self) -> None:
        # Pages hold the previous account's rows: they go, and so does the history. Pages
        # built ahead of the first account (prepare_page) hold nothing and stay.
        if set(self.pages) - self._blank_pages or self.router.current is not None:
            self.reset_pages()
        self._blank_pages.clear()
        account = self.session.current_account
        badge = account.badge if account is not None else None
        if badge is not None:
            self.account_badge.setText(badge.label)
            self.account_badge.setProperty(theme.PILL_COLOUR, badge.colour)
            # (Its text colour is chosen for its fill when it is polished.)
            self.account_badge.style().polish(self.account_badge)
            self.account_badge.update()
            self.account_badge.setToolTip(
                tr("Account {0}: {1} on {2}").format(
                    badge.label, self.session.shown(account.email), account.server
                )
                if account is not None
                else ""
            )
        self.account_badge_action.setVisible(badge is not None)
        self.label_account_action.setEnabled(account is not None)
        self._update_title()
        self._update_account_button()
        self._on_online_changed(self.session.online)

    def _update_title(self) -> None:
        tenant = self.session.tenant
        account = self.session.current_account
        badge = account.badge if account is not None else None
        parts = [tenant.name] if tenant else []
        if badge is not None:
            parts.append(badge.label)
        parts.append("Callaro")
        self.setWindowTitle(" — ".join(parts))

    def edit_account_badge(self) -> None:
        account = self.session.current_account
        if account is not None:
            background(self._edit_badge(account))

    async def _edit_badge(self, account: Account) -> None:
        from callaro_desktop.views.shell.accounts import AccountBadgeDialog

        dialog = AccountBadgeDialog(account, self)
        if await run_dialog(dialog) == AccountBadgeDialog.DialogCode.Accepted:
            label, colour = dialog.value()
            account.set_badge(label, colour)
        dialog.deleteLater()

    def is_allowed(self, page_id: str) -> bool:
        return page_id in self._allowed

    def toggle_pin(self, tenant_id: int) -> None:
        pinned = tenant_id in self.session.settings.favourite_tenants.get(self.session.account, [])
        self._on_favourite_toggled(tenant_id, not pinned)

    def pinned_tenants(self) -> list[TenantRef]:
        s = self.session
        by_id = {t.id: t for t in s.tenants}
        pins = [by_id[i] for i in s.settings.favourite_tenants.get(s.account, []) if i in by_id]
        return sorted(pins, key=lambda t: t.name.casefold())

    def go_to_pinned(self, index: int) -> None:
        pins = self.pinned_tenants()
        if index < len(pins):
            self.request_tenant_switch(pins[index].id)
        else:
            self.session.messages.info(
                tr("No workspace pinned at {0}. Pin one with ★ in the switcher (Ctrl+D).").format(
                    index + 1
                )
            )

    # The palette, find and badge dialogs load on first use: start-up does not pay for them.
    def open_palette(self) -> None:
        from callaro_desktop.views.shell.command_palette import CommandPalette
        from callaro_desktop.views.shell.palette_entries import palette_entries

        if self._palette is None:
            self._palette = CommandPalette(self)
            self._palette.dismissed.connect(self.session.drop_anticipated)
        self._palette.open_with(palette_entries(self))

    def open_find(self) -> None:
        if self.session.current_account is None:
            return
        from callaro_desktop.views.shell.find_across import FindAcrossDialog

        if self._find is None:
            self._find = FindAcrossDialog(self)
        self._find.open()
        self._find.query.setFocus()

    def reveal(self, tenant_id: int, page_id: str, item_id: int, query: str) -> None:
        """Switch to `tenant_id`, open `page_id` and select the item (find results)."""

        def go() -> None:
            self.session.switch_tenant(tenant_id)
            if page_id in self._allowed:
                self.router.go(page_id)
                self.page(page_id).reveal(item_id, query)

        self._guarded(go)
