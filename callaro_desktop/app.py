"""Start-up and shutdown: arguments, QApplication, the qasync loop, crash handling.

The order matters. Logging first (so start-up problems are recorded), then the
QApplication, then the qasync loop, and only inside the running loop the session
and its HTTP client (an httpx client belongs to the loop it was made in). On quit
the client is closed before the loop ends, and a demo sandbox is stopped last.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import gc
import logging
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_API", "pyside6")

from callaro_desktop import __version__, instance, paths
from callaro_desktop.services.tasks import background, cancel_background, in_thread

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from callaro_sandbox.child import StartingChild

log = logging.getLogger("callaro_desktop")

# How long quitting waits for the last settings to reach the disk (quitting takes < 2 s).
QUIT_SAVE_WAIT_S = 1.0
# How long after the sign-in dialog opens its window's first page is built (the dialog first).
PREPARE_DURING_SIGN_IN_S = 0.05
DEMO_EMAIL = "admin@demo.callaro.test"
DEMO_PASSWORD = "demo-password-1"  # the sandbox's published demo account, not a secret


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="callaro-desktop",
        description="Callaro Desktop: an admin console for Callaro workspaces.",
    )
    parser.add_argument("--server", metavar="URL", help="Callaro server to sign in to")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run a local sandbox with demo data and sign in to it (no account needed)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation can run (Qt, keychain, TLS, demo sandbox, one "
        "signed-in request), print a line per check and exit (0 when all pass)",
    )
    parser.add_argument("--version", action="version", version=f"Callaro Desktop {__version__}")
    parser.epilog = "callaro-desktop media --out DIR [--demo | --server URL]: help-centre media"
    return parser.parse_args(argv)


def without_pydantic_plugins(environ: MutableMapping[str, str]) -> None:
    """Run no pydantic plug-ins unless the user asks (``PYDANTIC_DISABLE_PLUGINS=`` allows
    them). A plug-in is another package's hook into every model's validation, and so into
    every answer of the API, names and numbers included; looking for them also scans every
    installed package's metadata (~6 ms of start-up)."""
    environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main(argv: list[str] | None = None) -> int:
    without_pydantic_plugins(os.environ)
    if (sys.argv[1:] if argv is None else argv)[:1] == ["media"]:
        # `callaro-desktop media --out DIR ...`: the help centre's screenshots (media.py).
        from callaro_desktop import media

        return media.main((sys.argv[1:] if argv is None else argv)[1:])
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from callaro_desktop import selftest

        return selftest.main()

    # Start-up allocates hundreds of thousands of objects that live as long as the app, and
    # the cyclic collector walked them ~165 times (35-40 ms) before the first page painted.
    # It comes back a few seconds in, after one collection and a freeze (AppController.run).
    gc.disable()
    try:
        return _run_gui(args)
    finally:
        gc.enable()


def _run_gui(args: argparse.Namespace) -> int:
    from callaro_desktop import secrets

    # The keychain answers on its own thread while Qt starts up.
    keychain_probe = None if args.demo else secrets.start_keychain_probe()

    # Qt's first import, and PySide's import hook gone again before anything else is imported.
    from callaro_desktop.views import without_feature_import

    without_feature_import()
    import qasync
    from PySide6.QtWidgets import QApplication

    from callaro_desktop import settings as settings_mod
    from callaro_desktop.logs import setup_logging
    from callaro_desktop.views import theme

    settings = settings_mod.load()
    log_path = setup_logging(settings.log_level)
    # httpx logs every request URL at INFO; our transport logs what matters (with request ids).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    log.info("Callaro Desktop %s starting (log: %s)", __version__, log_path)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Callaro")
    app.setOrganizationDomain("callaro.ai")
    app.setApplicationName("Callaro Desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("ai.callaro.Desktop")
    app.setWindowIcon(window_icon())
    theme.install(app, settings.appearance)

    lock = instance.claim(args.demo) or _hand_over(args.demo, args.server)
    if isinstance(lock, int):
        return lock
    # The demo's sandbox takes a second to start (a Python of its own importing its server):
    # started now, that runs while the window is built. (After the lock: a second demo
    # console hands over to the first and needs none.)
    demo_sandbox = None
    if args.demo:
        try:
            demo_sandbox = spawn_demo_sandbox()
        except OSError:
            log.exception("the demo sandbox could not be started; the demo tries again")
    controller = AppController(
        app,
        settings,
        server=args.server,
        demo=args.demo,
        keychain_probe=keychain_probe,
        instance_lock=lock,
        demo_sandbox=demo_sandbox,
    )
    sys.excepthook = controller.excepthook
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.get_loop().set_exception_handler(controller.loop_exception)
        _quit_on_signals(controller, runner.get_loop())
        return runner.run(controller.run())


def demo_database() -> Path:
    return paths.data_dir() / "demo-sandbox.db"


def spawn_demo_sandbox() -> StartingChild:
    """The demo's sandbox started in a process of its own, on the demo database."""
    from callaro_desktop.__main__ import sandbox_command
    from callaro_sandbox.child import spawn

    return spawn(sandbox_command(), demo_database())


#: Seconds after the event loop starts before start-up's objects leave the collector's reach.
FREEZE_AFTER_S = 3.0


def _freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()
    gc.enable()  # off since main() began


def window_icon() -> QIcon:
    """The app icon in every size under resources/icons/app (none, logged, if they are missing:
    a broken install should still start; ``--self-test`` reports it)."""
    from PySide6.QtGui import QIcon

    from callaro_desktop.resources import app_icon_files

    icon = QIcon()
    try:
        files = app_icon_files()
    except FileNotFoundError as exc:
        log.warning("no window icon: %s", exc)
        return icon
    for path in files:
        icon.addFile(str(path))
    return icon


def _hand_over(demo: bool, server: str | None) -> instance.Lock | int:
    """Another console runs on this home: bring it to the front instead of starting a
    second one (see instance.py), and the exit status; its lock if it quit meanwhile; say
    so if it does not answer."""
    from PySide6.QtWidgets import QMessageBox

    from callaro_desktop.i18n import tr

    log.info("another console is running here: asking it to come to the front")
    outcome = instance.take_or_hand_over(demo, server)
    if isinstance(outcome, instance.Lock):
        log.info("the console running here has quit: this start is the console")
        return outcome
    if outcome:
        return 0
    log.warning("the console running here did not answer")
    QMessageBox.warning(
        None,
        tr("Callaro Desktop is already running"),
        tr(
            "Callaro Desktop is already open on this computer but does not answer. Close it "
            "(or end its process) and start it again."
        ),
    )
    return 1


def _quit_on_signals(controller: AppController, loop: asyncio.AbstractEventLoop) -> None:
    """Ctrl+C in a terminal and a session manager's SIGTERM quit cleanly (tokens revoked
    nowhere, client closed, sandbox stopped) instead of killing the process mid-write."""
    import signal

    sigs = (signal.SIGINT, signal.SIGTERM)
    try:
        # The loop hears a signal at once (through its wake-up socket, which Qt watches).
        for sig in sigs:
            loop.add_signal_handler(sig, controller.request_quit)
        return
    except (NotImplementedError, RuntimeError):  # (Windows)
        pass
    from PySide6.QtCore import QTimer

    for sig in sigs:
        signal.signal(sig, lambda _n, _f: controller.request_quit())
    # Python runs signal handlers only when it gets control; Qt's loop is C++, so a
    # short idle timer hands control back regularly.
    timer = QTimer(controller.app)
    timer.timeout.connect(lambda: None)
    timer.start(250)


class AppController:
    """Owns one run: the accounts, the windows and (in demo mode) the sandbox.

    `window` and `session` are the first window and its session; more windows may be
    opened on other tenants or accounts, and quitting waits for all of them.
    """

    def __init__(
        self,
        app: Any,
        settings: Any,
        *,
        server: str | None,
        demo: bool,
        keychain_probe: concurrent.futures.Future[Any] | None = None,
        instance_lock: instance.Lock | None = None,
        demo_sandbox: StartingChild | None = None,
    ) -> None:
        from callaro_desktop.settings import Settings

        self.app = app
        self._instance_lock = instance_lock
        self.settings: Settings = settings
        self.server_arg = server
        self.demo = demo
        self._keychain_probe = keychain_probe
        self.manager: Any = None
        self.windows: list[Any] = []
        self.window: Any = None
        self.session: Any = None
        self.sandbox: Any = None
        # The demo's sandbox, started before the window was built (main) and not yet waited
        # for: start_demo takes it.
        self._starting_sandbox = demo_sandbox
        self._demo_start_running = False
        self._crash_open = False
        self._quit: asyncio.Future[None] | None = None
        # The dialog on screen, if any: tests and the crash handler look at them.
        self.sign_in_dialog: Any = None
        self.reauth_dialog: Any = None

    # -- life ------------------------------------------------------------------------------

    async def run(self) -> int:
        # Qt must not leave its event loop before we have closed the HTTP clients and the
        # sandbox: quitting resolves this future, the cleanup below runs inside the loop,
        # and only then does run() return and the loop stop.
        loop = asyncio.get_running_loop()
        self._quit = loop.create_future()
        # What start-up builds lives as long as the app: keep the cyclic collector off it,
        # so a full collection while scrolling a long table stays short (a 100k-row scroll's
        # longest pause fell from 101 to 59 ms in bench_large_tables). A few seconds on, not
        # at once: the collection takes ~35 ms, which would otherwise sit between the first
        # page's answers and their paint. Timed from here, not from signing in, so a sign-in
        # dialog left open does not keep the collector off.
        loop.call_later(FREEZE_AFTER_S, _freeze_startup_objects)
        if self._instance_lock is not None:
            # Later starts are answered from a moment on: off start-up's path (Qt's network
            # module is a few ms to load), and a start that early waits for it.
            lock = self._instance_lock
            loop.call_later(instance.LISTEN_AFTER_S, lambda: lock.listen(self.started_again))
        self.app.setQuitOnLastWindowClosed(False)
        self.app.lastWindowClosed.connect(self.request_quit)
        self.app.commitDataRequest.connect(self.session_ending)
        starting = asyncio.ensure_future(self._start())
        try:
            # A quit while the start still waits (on the keychain, a server that does not
            # answer, the sign-in dialog) ends it: it used to be heard only once the start
            # was over, so a signal or the session ending left the console waiting on the
            # sign-in dialog until it was killed.
            await asyncio.wait({starting, self._quit}, return_when=asyncio.FIRST_COMPLETED)
            if starting.done():
                starting.result()  # (a start that failed fails the run, as it always did)
                await self._quit
        finally:
            if not starting.done():
                starting.cancel()
                await asyncio.gather(starting, return_exceptions=True)
            await self.shutdown()
        return 0

    async def _start(self) -> None:
        await self.setup(show=True)
        if self.demo:
            await self.start_demo()
        else:
            await self.sign_in_flow()

    async def setup(self, vault: Any = None, *, show: bool = False) -> None:
        """Build the accounts and the first window (shown if `show`); `vault` overrides the
        keychain. Returns once the vault is the one sign-ins will use."""
        from callaro_desktop.secrets import MemoryStore, TokenStore, probe_keychain_async
        from callaro_desktop.services.accounts import AccountManager

        if vault is None and self.demo:
            # Demo tokens belong to a throwaway local sandbox: never put them in a keychain.
            vault = TokenStore(MemoryStore(), self.settings)
        # The window does not need the keychain, only signing in does: it is built, and
        # shown, while the probe started before Qt finishes (the probe's thread is still
        # importing keyring and asking D-Bus when the GUI thread gets here). Until then the
        # manager holds a vault nothing reads: no account exists before sign_in_flow.
        self.manager = AccountManager(
            self.settings, vault or TokenStore(MemoryStore(), self.settings)
        )
        self.manager.account_added.connect(self._on_account_added)
        self.window = self.new_window(show=False)
        self.session = self.window.session
        if show:
            self._say_signing_in()
            self.window.show()
        if vault is None:
            from callaro_desktop.api.transport import warm_up

            # Still waiting for the keychain: load the HTTP stack the sign-in is about to use.
            await warm_up(self._saved_to_resume()[0])
            status = await probe_keychain_async(started=self._keychain_probe)
            self.manager.use_vault(TokenStore.for_status(status, self.settings))

    def new_window(
        self, account: Any = None, tenant_id: int | None = None, *, show: bool = True
    ) -> Any:
        """A main window with its own session (tenant, tasks), on `account` if given."""
        from callaro_desktop.services.session import Session
        from callaro_desktop.views.shell.main_window import MainWindow

        session = Session(self.settings, manager=self.manager)
        window = MainWindow(session, demo=self.demo)
        window.sign_out_requested.connect(lambda: background(self.sign_out(window)))
        window.preferences_requested.connect(lambda: background(self.preferences()))
        window.about_requested.connect(lambda: background(self.about()))
        window.sign_in_requested.connect(lambda: background(self.show_sign_in(window=window)))
        window.reset_demo_requested.connect(lambda: background(self.reset_demo()))
        window.new_window_requested.connect(
            lambda acct, tid: self.new_window(acct, tid) if acct is not None else None
        )
        window.quit_requested.connect(lambda: background(self.quit()))
        window.closed.connect(lambda: background(self._on_window_closed(window)))
        self.windows.append(window)
        if account is not None:
            session.bind(account, tenant_id)
        if show:
            opener = self._active_window() if self.window is not None else None
            if opener is not None and opener is not window:
                # Cascaded from the window it came from: restored to the same place, it sat
                # exactly over it and looked like nothing had happened.
                from PySide6.QtCore import QPoint

                from callaro_desktop.views.widgets.placement import show_on_screen

                window.resize(opener.size())
                show_on_screen(window, opener.frameGeometry().topLeft() + QPoint(32, 32))
            else:
                window.show()
        return window

    async def _on_window_closed(self, window: Any) -> None:
        if window in self.windows:
            self.windows.remove(window)
        await window.session.close()
        if self.windows and window is self.window:
            self.window = self.windows[0]
            self.session = self.window.session
        if not self.windows:
            self.request_quit()

    async def quit(self) -> None:
        """Quit (File → Quit): each window's unsaved edits are saved or discarded first, the
        window asked from first; the user may stay instead. The main window closes last, so
        its place is the one the next start opens at."""
        first = self._active_window()
        windows = [first, *(w for w in self.windows if w is not first)]
        for window in windows:
            if not await window.confirm_leave():
                return
        for window in sorted(self.windows, key=lambda w: w is self.window):
            window.close()

    async def shutdown(self) -> None:
        from callaro_desktop import settings as settings_mod
        from callaro_desktop.settings import flush_saves

        if self._instance_lock is not None:
            self._instance_lock.stop_answering()  # (a start now waits for the lock)
        kept = False
        for window in sorted(self.windows, key=lambda w: w is self.window):
            # Quitting with windows open (a signal, the session ending): none waits for a
            # user, each keeps its unsaved edits for the next start, and its place and
            # columns as closing it would have.
            kept = window.stop_asking() or kept
            if window.isVisible():
                window.keep_state()
        if kept:
            settings_mod.save_soon(self.settings)  # (on disk by flush_saves below)
        for window in list(self.windows):
            await window.session.close()
        await cancel_background()
        if self.manager is not None:
            await self.manager.close()
        # The sessions' last saves are queued on the settings writer: on disk before we exit,
        # unless the disk takes longer than quitting may (then the file keeps its last whole
        # version: writes are atomic).
        if not await in_thread(lambda: flush_saves(QUIT_SAVE_WAIT_S)):
            log.warning("settings were still being saved when the console quit")
        for running in (self.sandbox, self._starting_sandbox):
            if running is not None:
                await in_thread(running.stop)
        self.sandbox = self._starting_sandbox = None
        if self._instance_lock is not None:
            self._instance_lock.release()
            self._instance_lock = None
        log.info("Callaro Desktop stopped")

    def request_quit(self) -> None:
        if self._quit is not None and not self._quit.done():
            self._quit.set_result(None)

    def started_again(self, server: str | None) -> None:
        """The console was started again (instance.py): the window in use comes to the
        front; started for another server (`--server`, a launcher for staging beside one for
        production), a window on an account there does, or a new window signs in there."""
        from callaro_desktop.settings import normalize_server_url

        try:
            server = normalize_server_url(server) if server else None
        except ValueError:
            server = None
        if server is None or self.demo or self.manager is None or self.sign_in_dialog:
            self.bring_to_front()  # (a sign-in under way: its dialog takes any server)
            return
        on_server = [w for w in self.windows if self._server_of(w) == server]
        if on_server:
            self.bring_to_front(on_server[0])
            return
        account = next((a for a in self.manager.accounts if a.server == server), None)
        if account is not None:
            self.new_window(account)
            return
        # A window signed out signs in there; otherwise a new one does.
        window = next((w for w in self.windows if w.session.current_account is None), None)
        if window is None:
            window = self.new_window()
            window.show_signed_out()
        else:
            self.bring_to_front(window)
        background(self.show_sign_in(server, window=window))

    @staticmethod
    def _server_of(window: Any) -> str | None:
        account = window.session.current_account
        return None if account is None else str(account.server)

    def session_ending(self, manager: Any) -> None:
        """The computer's session is ending (logging out, shutting down; Qt's
        commitDataRequest). With unsaved edits or a form typed in, the log-out is stopped,
        where the desktop lets an app stop it, and the question is asked as quitting would
        ask it: the desktop then says the console stopped it, and the user logs out again
        once they have answered. Otherwise the session ends and the console with it."""
        unsaved = [w for w in self.windows if w.holds_typing()]
        if not unsaved or not manager.allowsInteraction():
            return
        log.info("the session is ending with unsaved edits: asking to stop it")
        manager.cancel()
        manager.release()  # (what is asked next is asked in the console's own time)

        async def ask() -> None:
            for window in unsaved:
                if not await window.confirm_leave():
                    return

        background(ask())

    def bring_to_front(self, window: Any = None) -> None:
        """Show `window` (the one in use by default), and the dialog it waits on, in front.
        (A window manager may only flash it in the task bar: focus stealing.)"""
        from PySide6.QtWidgets import QApplication

        window = window or self._active_window()
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        modal = QApplication.activeModalWidget()
        if modal is not None:
            modal.raise_()
            modal.activateWindow()

    def _active_window(self) -> Any:
        from PySide6.QtWidgets import QApplication

        active = QApplication.activeWindow()
        return active if active in self.windows else self.window

    async def start_demo(self) -> None:
        self.window.statusBar().showMessage(self.window.tr("Starting the demo sandbox…"))
        self._say_signing_in()
        starting, self._starting_sandbox = self._starting_sandbox, None
        self._demo_starting(True)
        try:
            # A process of its own (see callaro_sandbox.child), waited for off the GUI thread:
            # its start (imports, seeding a new database) takes a second or two. At launch
            # main() started it before the window was built, so that ran beside it.
            if starting is None:
                starting = spawn_demo_sandbox()
            self.sandbox = await in_thread(starting.wait)
            log.info(
                "demo sandbox at %s (process %d)", self.sandbox.base_url, self.sandbox.process.pid
            )
            self.window.statusBar().clearMessage()
            await self.session.sign_in(self.sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, keep=False)
        except BaseException:
            self.window.show_signed_out_prompt()
            raise
        finally:
            self._demo_starting(False)

    def _demo_starting(self, starting: bool) -> None:
        # A reset while the sandbox starts would start a second one beside it.
        self._demo_start_running = starting
        for window in self.windows:
            window.reset_demo_action.setEnabled(not starting)

    async def reset_demo(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from callaro_desktop.views.dialogs.common import run_dialog

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.window.tr("Reset demo data"),
            self.window.tr(
                "Reset the demo sandbox? Every change made in demo mode is lost and the demo "
                "data is created again."
            ),
            QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        if await run_dialog(box) != QMessageBox.StandardButton.Reset or self._demo_start_running:
            return
        self._demo_starting(True)  # until the new sandbox is up
        try:
            demo_accounts = [
                a
                for a in self.manager.accounts
                if self.sandbox and a.server == self.sandbox.base_url
            ]
            for account in demo_accounts:
                await account.sign_out()
            if self.sandbox is not None:
                await in_thread(self.sandbox.stop)
                self.sandbox = None
            db_path = demo_database()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            await self.start_demo()
        finally:
            self._demo_starting(False)

    def _saved_to_resume(self) -> tuple[str | None, list[Any]]:
        """The server this start is for and the saved sign-ins to resume, in order: its own,
        or (no --server given, none saved for it) every saved one. The first is the account
        the window opens on."""
        server = self.server_arg or self.settings.server_url
        saved = [a for a in self.settings.saved_accounts if a.server == server] or (
            [] if self.server_arg else list(self.settings.saved_accounts)
        )
        return server, saved

    def _say_signing_in(self) -> None:
        if self.demo:
            self.window.show_signing_in(self.window.tr("Starting the demo…"))
            return
        _server, saved = self._saved_to_resume()
        if saved:
            email = self.session.shown(saved[0].email)
            self.window.show_signing_in(self.window.tr("Signing in as {0}…").format(email))

    async def sign_in_flow(self) -> None:
        """Silent sign-in from the keychain if possible, else the sign-in dialog."""
        from callaro_desktop.api.errors import ApiError

        server, saved = self._saved_to_resume()
        signed_in = False
        # The account this window opens on warms up.
        shown = saved[0] if saved else None
        if shown is not None:
            self._say_signing_in()
        for account in saved:
            try:
                warm = self._warm_start if account is shown else None
                if await self.manager.resume(account.server, account.email, warm) is not None:
                    signed_in = True
            except ApiError as exc:
                log.info("silent sign-in failed: %s", exc)
                self.session.messages.warning(
                    self.window.tr("Could not sign in automatically: {0}").format(
                        exc.user_message(reference=False)
                    ),
                    exc.request_id,
                )
        if signed_in:
            # Open on the account of the server asked for (or used last).
            first = next(
                (a for a in self.manager.accounts if a.server == server),
                self.manager.accounts[0],
            )
            self.session.bind(first)
        # The bind started the first page's loads, which took their early answers; the rest
        # (or all of them, when no saved sign-in worked) go.
        self.session.drop_prefetched()
        if not signed_in:
            self.window.show_signed_out_prompt()
            await self.show_sign_in(server)

    def _warm_start(self, account: Any) -> None:
        """The saved sign-in is refreshed; the profile and workspace list are about to be
        asked for, and the window waits for them before it opens the page this account last
        used in its workspace. Use the wait: build that page now, and if it is the Dashboard
        send its requests for that workspace too, so they travel with the profile instead of
        one round trip after it (~100 ms of start-up with a server 100 ms away). Only the
        Dashboard's: other pages' queries depend on view state restored when they open."""
        from callaro_desktop.services.permissions import can
        from callaro_desktop.settings import tenant_key
        from callaro_desktop.views.pages.dashboard import DashboardPage
        from callaro_desktop.views.shell.nav import BY_ID, LANDING_PAGE

        tenant_id = self.settings.last_tenant_by_account.get(account.key)
        role = self.settings.last_role_by_account.get(account.key)
        if tenant_id is None or role is None:
            return
        landing = self.settings.last_page_by_tenant.get(tenant_key(account.key, tenant_id))
        landing = landing or LANDING_PAGE
        item = BY_ID.get(landing)
        if item is None or not can(role, item.capability):
            return
        if landing == DashboardPage.page_id:
            scope = account.client.tenant(tenant_id)
            DashboardPage.warm(self.session, account.key, scope, tenant_id, role)
        background(self._prepare_page(self.window, landing, account.client.transport))

    async def _prepare_page(self, window: Any, page_id: str, transport: Any) -> None:
        # Called from the refresh's task just before it starts the profile and workspace
        # requests: let their tasks start (the next turns of the loop) and their bytes leave,
        # then build the page while the answers are on the way (~20 ms of widgets for the
        # Dashboard, which would otherwise follow the answers).
        from callaro_desktop.api.transport import REQUESTS_START_TURNS

        await transport.requests_sent(after_turns=REQUESTS_START_TURNS)
        if window in self.windows:  # not closed meanwhile (a quit during start-up)
            window.prepare_page(page_id)

    def _prepare_while_signing_in(self, window: Any) -> None:
        """While the user types, build the page a first sign-in opens on (the Dashboard's
        widgets, ~40 ms). Built after the answer, it ran in the same callback as the
        sign-in's own work: 80-130 ms in which the window took no input (the reliability
        suite's heartbeat caught it). A moment after the dialog opens, so it paints first;
        an account remembered on another page keeps this one blank, as a warm start does."""
        from callaro_desktop.views.shell.nav import LANDING_PAGE

        def prepare() -> None:
            if window in self.windows:  # (not closed meanwhile)
                window.prepare_page(LANDING_PAGE)

        asyncio.get_running_loop().call_later(PREPARE_DURING_SIGN_IN_S, prepare)

    async def show_sign_in(self, server: str | None = None, *, window: Any = None) -> bool:
        """The sign-in dialog; a success adds the account and shows it in `window`."""
        from callaro_desktop.views.dialogs.common import run_dialog
        from callaro_desktop.views.dialogs.sign_in import SignInDialog

        window = window or self.window
        vault = self.manager.vault
        adding = window.session.current_account is not None
        dialog = SignInDialog(
            window.session.sign_in,
            servers=self.settings.recent_servers,
            server=server or window.session.server,
            email="" if adding else self.settings.last_email,
            keychain_available=vault.persistent,
            keychain_note=vault.description,
            parent=window,
        )
        if adding:
            dialog.setWindowTitle(dialog.tr("Add an account"))
        else:
            self._prepare_while_signing_in(window)
        self.sign_in_dialog = dialog
        log.info("asking to sign in to %s", server or window.session.server)
        try:
            accepted = await run_dialog(dialog) == dialog.DialogCode.Accepted
        finally:  # (quitting cancels the wait: the dialog goes with it)
            self.sign_in_dialog = None
            dialog.deleteLater()
        if not accepted and window.session.current_account is None:
            window.show_signed_out()
        return bool(accepted)

    async def sign_out(self, window: Any = None, *, ask: bool = True) -> None:
        """Sign the window's account out; windows on it move to another account. With `ask`,
        the unsaved edits of every window on the account are saved or discarded first (the
        user may stay signed in instead)."""
        window = window or self.window
        account = window.session.current_account
        on_account = [w for w in self.windows if w.session.current_account is account]
        for w in sorted(on_account, key=lambda w: w is not window):
            if ask and account is not None and not await w.confirm_leave():
                return
        await window.session.sign_out()
        orphans = [w for w in self.windows if w.session.current_account is None]
        for w in orphans:
            w.show_signed_out()
        if not orphans:
            return
        if self.demo and window in orphans:
            await self.start_demo()
            return
        if window in orphans:
            await self.show_sign_in(window.session.server, window=window)

    def _on_account_added(self, account: Any) -> None:
        account.reauth_requested.connect(lambda a: background(self._reauth(a)))

    async def _reauth(self, account: Any) -> None:
        from callaro_desktop.views.dialogs.common import run_dialog
        from callaro_desktop.views.dialogs.sign_in import ReauthDialog

        dialog = ReauthDialog(
            account.reauthenticate,
            email=account.email,
            server=account.server,
            parent=self._active_window(),
        )
        self.reauth_dialog = dialog
        try:
            accepted = await run_dialog(dialog) == dialog.DialogCode.Accepted
        finally:  # (quitting cancels the wait: the dialog goes with it)
            self.reauth_dialog = None
            dialog.deleteLater()
        if not accepted:
            account.abandon_reauth()
            window = next(
                (w for w in self.windows if w.session.current_account is account), self.window
            )
            # The server no longer takes this sign-in: nothing left could be saved.
            await self.sign_out(window, ask=False)

    async def preferences(self) -> None:
        from callaro_desktop.settings import save
        from callaro_desktop.views import theme
        from callaro_desktop.views.dialogs.common import run_dialog
        from callaro_desktop.views.dialogs.preferences import PreferencesDialog

        vault = self.manager.vault
        dialog = PreferencesDialog(
            self.settings,
            storage_text=vault.description,
            forget=vault.forget_all_async,
            parent=self._active_window(),
        )
        if await run_dialog(dialog) == dialog.DialogCode.Accepted:
            dialog.apply_to(self.settings)
            save(self.settings)
            theme.install(self.app, self.settings.appearance)
        dialog.deleteLater()

    async def about(self) -> None:
        from callaro_desktop.views.dialogs.about import AboutDialog
        from callaro_desktop.views.dialogs.common import run_dialog

        dialog = AboutDialog(self.window)
        await run_dialog(dialog)
        dialog.deleteLater()

    # -- crashes ----------------------------------------------------------------------------

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        from callaro_desktop.views.dialogs.crash import CrashDialog, build_report

        if issubclass(exc_type, KeyboardInterrupt):
            self.request_quit()
            return
        accounts = self.manager.accounts if self.manager is not None else []
        request_ids = [rid for account in accounts for rid in account.recent_request_ids]
        report = build_report(exc_type, exc, tb, request_ids)
        log.error("unhandled exception\n%s", report)
        if self._crash_open:
            return
        self._crash_open = True
        dialog = CrashDialog(report, self.window)
        dialog.finished.connect(lambda _r: setattr(self, "_crash_open", False))
        dialog.open()

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            self.excepthook(type(exc), exc, exc.__traceback__)
        else:
            log.warning("event loop: %s", context.get("message"))
