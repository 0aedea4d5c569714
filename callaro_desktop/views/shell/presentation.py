"""View → Presentation mode: share your screen without showing real people or secrets.

While it is on, everything the session loads passes through a `Privacy` filter
(services/privacy.py) before a page draws it: email addresses, person names, phone
numbers and secrets become consistent made-up values (the same person reads the same
everywhere, also after switching the mode off and on again). Turning it on or off
reloads the page on screen and marks every other page stale, so no page keeps showing
what was loaded under the other setting.

A form filled from made-up values must still save what the user meant: requests sent
through the account's transport have the fakes in their query and body mapped back to
the real values, so saving billing details with a made-up invoice email keeps the real
one on the server.

Exception by design: the secret of an API key you create is shown once and cannot be
fetched again. Presentation mode keeps it real (it is masked until you press Reveal, and
Copy must give you a working key).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu

from callaro_desktop.api.models import ApiKeyCreated
from callaro_desktop.i18n import tr
from callaro_desktop.services.privacy import Privacy

if TYPE_CHECKING:
    from callaro_desktop.views.shell.main_window import MainWindow

log = logging.getLogger(__name__)

SHORTCUT = "Ctrl+Shift+P"

_WRAPPED = "_callaro_presentation_reveal"


class InAppPrivacy(Privacy):
    """Presentation mode's filter: like media's, but a new key's one-time secret stays real."""

    def filter(self, value: Any) -> Any:
        if isinstance(value, ApiKeyCreated):
            real = {"secret": value.secret, "prefix": value.prefix}
            return super().filter(value).model_copy(update=real)
        return super().filter(value)


@cache
def shared_privacy() -> InAppPrivacy:
    """The console's one presentation filter, shared by every window.

    One, so that a made-up value stands for one real value: each window had a filter of its
    own, and a request was revealed by all of them in turn. Two filters make up fakes from
    the same names and domains, so one window's fake for a billing email could be another
    window's fake for a person's: saving the form wrote that person's email to the server
    (seen in CI, between two tests' windows). Shared, the same person also reads the same in
    every window."""
    return InAppPrivacy()


class PresentationMode(QObject):
    """The checkable action, the status bar note, and what switching does."""

    toggled = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.privacy = shared_privacy()
        self.action = QAction(tr("&Presentation mode"), window)
        self.action.setObjectName("PresentationModeAction")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(
            tr(
                "Show made-up names, email addresses, phone numbers and secrets instead of "
                "the real ones, for screen sharing"
            )
        )
        self.action.setToolTip(tr("Presentation mode ({0})").format(SHORTCUT))
        self.action.toggled.connect(self.set_enabled)
        window.addAction(self.action)  # the shortcut works wherever the focus is

        self.note = QLabel(tr("Presentation mode: people, numbers and secrets are made up"))
        self.note.setObjectName("PresentationNote")
        self.note.setProperty("muted", True)
        self.note.setAccessibleName(tr("Presentation mode is on"))
        self.note.hide()
        window.statusBar().addWidget(self.note)

        for signal_name in ("signed_in", "account_changed"):
            signal = getattr(self.session, signal_name, None)
            if signal is not None:
                signal.connect(self._wrap_transport)

    @property
    def enabled(self) -> bool:
        return self.session.result_filter is self.privacy

    def set_enabled(self, on: bool) -> None:
        if on == self.enabled:
            return
        self.session.result_filter = self.privacy if on else None
        if on:
            self._wrap_transport()
        # Fakes may still sit in an open form after switching off: keep revealing them.
        if self.action.isChecked() != on:
            self.action.setChecked(on)
        self.note.setVisible(on)
        log.info("presentation mode %s", "on" if on else "off")
        self._redraw()
        self.toggled.emit(on)

    def _redraw(self) -> None:
        # The toolbar, My Profile and the Dashboard's account card follow /me.
        self.session.me_changed.emit(self.session.me)
        current = self.window.current_page()
        for page in self.window.pages.values():
            # Loaded under the other setting: load again before being shown.
            page._loaded_for = None
        if current is not None:
            current.reload()

    def _wrap_transport(self) -> None:
        client = self.session.client
        transport = getattr(client, "transport", None)
        if transport is None or _WRAPPED in vars(transport):
            return
        original: Callable[..., Awaitable[Any]] = transport.request
        privacy = self.privacy

        async def request(*args: Any, **kwargs: Any) -> Any:
            for key in ("params", "body", "path_params"):
                value = kwargs.get(key)
                if value is not None:
                    kwargs[key] = privacy.reveal(value)
            return await original(*args, **kwargs)

        vars(transport)["request"] = request
        vars(transport)[_WRAPPED] = True


def install_presentation_mode(window: MainWindow) -> PresentationMode:
    """Add View → Presentation mode (Ctrl+Shift+P) to `window`."""
    mode = PresentationMode(window)
    view_menu = _view_menu(window)
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addAction(mode.action)
    return mode


def _view_menu(window: MainWindow) -> QMenu | None:
    wanted = tr("&View").replace("&", "")
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == wanted:
            return menu
    return None


__all__ = [
    "SHORTCUT",
    "InAppPrivacy",
    "PresentationMode",
    "install_presentation_mode",
    "shared_privacy",
]
