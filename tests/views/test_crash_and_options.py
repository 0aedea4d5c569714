"""The crash dialog's report, and the command-line options."""

from __future__ import annotations

import subprocess
import sys

from callaro_desktop import __version__
from callaro_desktop.views.dialogs.crash import CrashDialog

from .conftest import ADMIN, sign_in, wait_for

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl"
KEY = "sk_live_9d2f0bb3d7bc7b599884a045813cab277af1b5ea"


async def test_an_unhandled_exception_shows_a_copyable_report_without_secrets(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    controller.session.current_account.recent_request_ids.append("req_abc123")
    try:
        raise RuntimeError(f"boom with Bearer {JWT} and {KEY} and password=hunter2hunter2")
    except RuntimeError as exc:
        controller.excepthook(type(exc), exc, exc.__traceback__)
    dialog = await wait_for(
        lambda: next(iter(controller.window.findChildren(CrashDialog)), None), what="crash dialog"
    )
    report = dialog.report.toPlainText()
    assert f"Callaro Desktop {__version__}" in report
    assert "req_abc123" in report
    assert "RuntimeError" in report and "boom" in report
    for secret in (JWT, KEY, "hunter2hunter2"):
        assert secret not in report
    # A second crash while the dialog is open does not stack another dialog.
    controller.excepthook(ValueError, ValueError("again"), None)
    assert len(controller.window.findChildren(CrashDialog)) == 1
    dialog.reject()


def test_version_and_help_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "callaro_desktop", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.strip() == f"Callaro Desktop {__version__}"
    helptext = subprocess.run(
        [sys.executable, "-m", "callaro_desktop", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for option in ("--server", "--demo", "--version", "--help"):
        assert option in helptext
