"""``callaro-desktop --self-test``: can this installation run? One line per check, then exit.

Written for the frozen bundle (where a missing plugin, certificate file or package metadata only
shows when the program runs), and just as valid from a source checkout or an installed wheel:

    qt       the Qt platform plugin loads and a widget gets a native window
    icon     the app icon is among the resources and Qt can decode every size of it
    pages    every sidebar page's module (imported by name when first shown, so a frozen
             build's import scan cannot see it) is present and has its page class
    keyring  keyring's backends are discoverable (their entry-point metadata is present), this
             platform's backend imports, and which keychain this machine offers (reported, not
             required: a machine with no keychain still runs, keeping sign-ins in memory)
    tls      a TLS context with the bundled CA certificates (certifi) holds CA certificates
    tz       the time-zone database dates are shown with (the system's, or the tzdata package
             where the system has none, as on Windows)
    sandbox  the demo sandbox (FastAPI + uvicorn + SQLite) starts on loopback with a temp database,
             in a process of its own as --demo starts it
    api      one signed-in request: log in as the demo admin, then GET /me, with the real
             CallaroClient on the qasync event loop
    pdf      the sandbox renders an invoice PDF (fpdf2) and the client downloads it

Each line reads ``ok    <check>: <what was found>`` or ``FAIL  <check>: <why>``; the last line
sums up. The exit status is 0 when every check passed, 1 otherwise. With no display
(``DISPLAY``/``WAYLAND_DISPLAY`` unset) Qt runs offscreen. Nothing is written outside a
temporary folder. A Windows GUI build has no console: the report then goes to
``%TEMP%\\callaro-desktop-self-test.txt`` and the exit status still tells.
"""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import ssl
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from callaro_desktop import __version__

if TYPE_CHECKING:
    from callaro_desktop.api.client import CallaroClient
    from callaro_desktop.api.models import Me

__all__ = ["CHECKS", "REPORT_FILE_NAME", "main"]

CHECKS = ("qt", "icon", "pages", "keyring", "tls", "tz", "instance", "sandbox", "api", "pdf")
REPORT_FILE_NAME = "callaro-desktop-self-test.txt"
API_TIMEOUT_S = 30.0

# The keyring entry point each platform needs (names from keyring's own metadata).
_PLATFORM_BACKEND = {"linux": "SecretService", "darwin": "macOS", "win32": "Windows"}


class CheckFailed(Exception):
    """A check's reason for failing, already worded for the report."""


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail} ({self.seconds:.2f} s)"


class SelfTest:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.results: list[Result] = []
        self.app: Any = None
        self.sandbox: Any = None
        self.stack = ExitStack()

    # -- running -----------------------------------------------------------------------------

    def run(self) -> int:
        frozen = "frozen bundle" if getattr(sys, "frozen", False) else "Python environment"
        self.say(
            f"Callaro Desktop {__version__} self-test ({frozen}; Python "
            f"{platform.python_version()} on {platform.system()} {platform.machine()})"
        )
        with self.stack:
            self.check("qt", self.check_qt)
            self.check("icon", self.check_icon)
            self.check("pages", self.check_pages)
            self.check("keyring", self.check_keyring)
            self.check("tls", self.check_tls)
            self.check("tz", self.check_tz)
            self.check("instance", self.check_instance)
            self.check("sandbox", self.check_sandbox)
            self.check("api", self.check_api)
            self.check("pdf", self.check_pdf)
        failed = [r for r in self.results if not r.ok]
        if failed:
            reasons = "; ".join(f"{r.name}: {r.detail}" for r in failed)
            self.say(f"self-test FAILED ({len(failed)} of {len(self.results)} checks): {reasons}")
            return 1
        self.say(f"self-test passed ({len(self.results)} checks)")
        return 0

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def check(self, name: str, fn: Callable[[], str]) -> None:
        start = time.monotonic()
        try:
            detail, ok = fn(), True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        result = Result(name, ok, detail, time.monotonic() - start)
        self.results.append(result)
        self.say(result.line())

    # -- the checks ---------------------------------------------------------------------------

    def check_qt(self) -> str:
        from PySide6.QtCore import QCoreApplication, qVersion
        from PySide6.QtWidgets import QApplication, QWidget

        wanted = _choose_platform()
        # Qt aborts the process when a platform plugin cannot be loaded; a missing file at
        # least gets a sentence first. (A plugin whose system libraries are missing still
        # aborts, with Qt's own message, and a non-zero exit status.)
        if wanted and not _platform_plugin_present(wanted, QCoreApplication.libraryPaths()):
            raise CheckFailed(f"the Qt platform plugin '{wanted}' is not in this build")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        self.app = app
        widget = QWidget()
        widget.setWindowTitle("Callaro Desktop self-test")
        widget.resize(320, 200)
        widget.winId()  # creates the native window without showing it
        handle = widget.windowHandle()
        widget.deleteLater()
        if handle is None:
            raise CheckFailed("the widget got no native window")
        return f"platform plugin '{QApplication.platformName()}' loaded, Qt {qVersion()}"

    def check_icon(self) -> str:
        from PySide6.QtGui import QImage

        from callaro_desktop.resources import APP_ICON_SIZES, app_icon_files, resources_dir

        for path, size in zip(app_icon_files(), APP_ICON_SIZES, strict=True):
            image = QImage(str(path))
            if image.isNull() or image.width() != size:
                raise CheckFailed(f"{path.name} is not a {size} px image Qt can read")
        return f"{len(APP_ICON_SIZES)} PNG sizes in {resources_dir()}"

    def check_pages(self) -> str:
        from callaro_desktop.views.shell.nav import NAV

        missing = []
        for item in NAV:
            try:
                item.load_class()
            except (ImportError, AttributeError) as exc:
                missing.append(f"{item.page_id} ({exc})")
        if missing:
            raise CheckFailed(f"pages that cannot load: {', '.join(missing)}")
        return f"{len(NAV)} sidebar pages import"

    def check_keyring(self) -> str:
        from keyring.compat.py312 import metadata  # what keyring itself searches

        from callaro_desktop.secrets import probe_keychain

        points = {ep.name: ep for ep in metadata.entry_points(group="keyring.backends")}
        if not points:
            raise CheckFailed(
                "keyring finds no backends: its entry-point metadata is missing from this build"
            )
        needed = _PLATFORM_BACKEND.get(sys.platform)
        if needed is not None:
            if needed not in points:
                raise CheckFailed(f"keyring's {needed} backend is not registered here")
            points[needed].load()  # its imports must be bundled (secretstorage, jeepney...)
        if sys.platform == "linux":
            import jeepney  # noqa: F401  keyring's SecretService needs both at run time
            import secretstorage  # noqa: F401
        status = probe_keychain()
        found = "available" if status.available else "not available here"
        return f"backends {', '.join(sorted(points))}; keychain: {status.backend_name} ({found})"

    def check_tls(self) -> str:
        import certifi

        cafile = certifi.where()
        if not Path(cafile).is_file():
            raise CheckFailed(f"the CA bundle {cafile} is missing")
        context = ssl.create_default_context(cafile=cafile)
        count = int(context.cert_store_stats()["x509_ca"])
        if count == 0:
            raise CheckFailed(f"no CA certificates loaded from {cafile}")
        return f"{count} CA certificates from {cafile} ({ssl.OPENSSL_VERSION})"

    def check_tz(self) -> str:
        import zoneinfo
        from datetime import UTC, datetime, timedelta

        try:
            kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
        except zoneinfo.ZoneInfoNotFoundError as exc:
            raise CheckFailed(f"no time-zone database: {exc}") from exc
        offset = datetime(2024, 1, 1, tzinfo=UTC).astimezone(kolkata).utcoffset()
        if offset != timedelta(hours=5, minutes=30):
            raise CheckFailed(f"Asia/Kolkata is {offset} from UTC, not 5:30")
        return f"{len(zoneinfo.available_timezones())} time zones; Asia/Kolkata is UTC+05:30"

    def check_instance(self) -> str:
        """A second start finds the first and hands over to it (instance.py): the lock, Qt's
        local socket (QtNetwork in the bundle) and the exchange, in a home of its own."""
        import threading

        from callaro_desktop import instance, paths

        home = self.stack.enter_context(tempfile.TemporaryDirectory(prefix="callaro-selftest-"))
        before = os.environ.get(paths.HOME_ENV)
        os.environ[paths.HOME_ENV] = home
        try:
            lock = instance.claim(demo=False)
            if lock is None:
                raise CheckFailed("a new home's instance lock is already held")
            try:
                if instance.claim(demo=False) is not None:
                    raise CheckFailed("a second start took the lock as well")
                asked: list[str | None] = []
                lock.listen(asked.append)
                handed: list[bool] = []
                server = "https://staging.callaro.test"
                second = threading.Thread(
                    target=lambda: handed.append(instance.take_or_hand_over(False, server) is True)
                )
                second.start()
                while second.is_alive():  # (the first start answers on this thread)
                    self.app.processEvents()
                    second.join(0.01)
            finally:
                lock.release()
        finally:
            if before is None:
                os.environ.pop(paths.HOME_ENV, None)
            else:
                os.environ[paths.HOME_ENV] = before
        if not (handed == [True] and asked == [server]):
            raise CheckFailed("a second start could not reach the first over a local socket")
        return "a second start finds the first and brings it to the front"

    def check_sandbox(self) -> str:
        # As --demo starts it: this installation's own command, in a process of its own (in
        # a frozen build, the executable run again with the sandbox's flag).
        from callaro_desktop.__main__ import sandbox_command
        from callaro_sandbox.child import run_in_child

        folder = self.stack.enter_context(tempfile.TemporaryDirectory(prefix="callaro-selftest-"))
        self.sandbox = run_in_child(sandbox_command(), Path(folder) / "selftest.db")
        self.stack.callback(self.sandbox.stop)
        pid = self.sandbox.process.pid
        return f"demo sandbox listening at {self.sandbox.base_url} (process {pid})"

    def check_api(self) -> str:
        return self._on_qasync(_signed_in_request)

    def check_pdf(self) -> str:
        return self._on_qasync(_invoice_pdf)

    def _on_qasync(self, request: Callable[[Any], Coroutine[Any, Any, str]]) -> str:
        import qasync

        if self.app is None or self.sandbox is None:
            raise CheckFailed("skipped: needs the qt and sandbox checks to pass")
        try:
            with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
                return runner.run(asyncio.wait_for(request(self.sandbox), API_TIMEOUT_S))
        finally:
            # The closed loop's Qt timers sit in reference cycles: collect them here, on the
            # GUI thread, rather than wherever the garbage collector happens to run next (the
            # sandbox's thread), which Qt reports as "Timers cannot be stopped from another
            # thread".
            gc.collect()


async def _signed_in_client(sandbox: Any) -> tuple[CallaroClient, Me]:
    import qasync

    from callaro_desktop.api.client import CallaroClient
    from callaro_desktop.app import DEMO_EMAIL, DEMO_PASSWORD

    loop = asyncio.get_running_loop()
    if not isinstance(loop, qasync.QEventLoop):
        raise CheckFailed(f"running on {type(loop).__name__}, not qasync's QEventLoop")
    client = CallaroClient(sandbox.base_url)
    try:
        await client.auth.login(DEMO_EMAIL, DEMO_PASSWORD)
        me = await client.me.get()
    except BaseException:
        await client.aclose()
        raise
    if me.email != DEMO_EMAIL:
        await client.aclose()
        raise CheckFailed(f"GET /me answered for {me.email}, not {DEMO_EMAIL}")
    return client, me


async def _signed_in_request(sandbox: Any) -> str:
    client, me = await _signed_in_client(sandbox)
    await client.aclose()
    loop = type(asyncio.get_running_loop()).__name__
    return f"signed in as {me.email}; GET /me answered on {loop}"


async def _invoice_pdf(sandbox: Any) -> str:
    client, me = await _signed_in_client(sandbox)
    async with client:
        if not me.memberships:
            raise CheckFailed(f"{me.email} belongs to no workspace")
        invoices = client.tenant(me.memberships[0].tenant_id).invoices
        page = await invoices.list(per_page=1).fetch_page(1)
        if not page.items:
            raise CheckFailed("the demo workspace has no invoices")
        pdf = await invoices.pdf(page.items[0].id)
    if not pdf.startswith(b"%PDF-"):
        raise CheckFailed(f"invoice {page.items[0].id} is not a PDF ({pdf[:16]!r})")
    return f"invoice {page.items[0].id} rendered and downloaded ({len(pdf):,} bytes)"


def _choose_platform() -> str:
    """The Qt platform the user asked for; offscreen on Linux with no display; else Qt's pick."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    if not chosen and sys.platform.startswith("linux"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ["QT_QPA_PLATFORM"] = chosen = "offscreen"
    # "wayland;xcb" is a list to try in turn and "xcb:option" carries options: name the first.
    return chosen.split(";")[0].split(":")[0].strip()


def _platform_plugin_present(name: str, library_paths: list[str]) -> bool:
    for folder in library_paths:
        platforms = Path(folder) / "platforms"
        if platforms.is_dir() and any(
            p.name.split(".")[0] in {f"libq{name}", f"q{name}"} for p in platforms.iterdir()
        ):
            return True
    return False


def _output() -> tuple[TextIO, TextIO | None]:
    """stdout, or a report file when a windowed (no console) build has no stdout."""
    if sys.stdout is not None:
        return sys.stdout, None
    report = open(  # noqa: SIM115 - closed by main()
        Path(tempfile.gettempdir()) / REPORT_FILE_NAME, "w", encoding="utf-8"
    )
    return report, report


def main() -> int:
    out, to_close = _output()
    try:
        return SelfTest(out).run()
    finally:
        if to_close is not None:
            to_close.close()
