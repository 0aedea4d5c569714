"""Demo mode in the console: its sandbox in a process of its own, and Reset demo data.

The demo's sandbox used to run in a thread of the console: importing it held the GUI thread
~0.3 s at every demo start, and its Python shared the interpreter lock with the window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtWidgets import QMessageBox

from .conftest import wait_for


async def test_reset_demo_data_starts_a_fresh_sandbox_and_signs_in_again(make_app: Any) -> None:
    controller = await make_app(demo=True)
    window = controller.window
    assert window.reset_demo_action.isVisible()
    await controller.start_demo()
    first = controller.sandbox
    assert first.process.pid != os.getpid() and first.process.poll() is None
    client = controller.session.client
    assert client is not None
    assert controller.session.account.startswith("admin@demo.callaro.test|")
    await client.me.update(display_name="Changed in the demo")

    window.reset_demo_action.trigger()
    box: QMessageBox = await wait_for(
        lambda: next((b for b in window.findChildren(QMessageBox) if b.isVisible()), None),
        timeout=15,
        what="the reset question",
    )
    assert "Every change made in demo mode is lost" in box.text()
    button = box.button(QMessageBox.StandardButton.Reset)
    assert button is not None
    button.click()
    # While the sandbox is made again, there is nothing to reset: a second reset would start
    # a second sandbox beside the first.
    await wait_for(lambda: not window.reset_demo_action.isEnabled(), what="reset disabled")
    window.reset_demo_action.trigger()

    def signed_in_again() -> bool:
        sandbox = controller.sandbox
        return (
            sandbox is not None
            and sandbox is not first
            and controller.session.client is not None
            and controller.session.client is not client
        )

    await wait_for(signed_in_again, timeout=60, what="a fresh sandbox, signed in")
    assert window.reset_demo_action.isEnabled()
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    # The old sandbox stopped (its database was deleted and made again)...
    assert first.process.poll() is not None
    assert controller.sandbox.process.poll() is None
    # ...and the demo data is as it was first made.
    me = await controller.session.client.me.get()
    assert me.display_name == "Asha Admin"
    assert not shiboken6.isValid(box) or not box.isVisible()


PROBE = """
import asyncio, json, sys
import qasync
from PySide6.QtWidgets import QApplication
from callaro_desktop.app import AppController
from callaro_desktop.secrets import MemoryStore, TokenStore
from callaro_desktop.settings import Settings

app = QApplication(sys.argv[:1])

async def main():
    settings = Settings()
    controller = AppController(app, settings, server=None, demo=True)
    await controller.setup(vault=TokenStore(MemoryStore(), settings))
    await controller.start_demo()
    signed_in = controller.session.client is not None
    await controller.shutdown()
    heavy = ("uvicorn", "fastapi", "starlette", "callaro_sandbox.server", "callaro_sandbox.app")
    return {"signed_in": signed_in, "loaded": [m for m in heavy if m in sys.modules]}

with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    print(json.dumps(runner.run(main())))
"""


def test_the_console_never_loads_the_server_itself(tmp_path: Path) -> None:
    # Loaded in the console's process, the server's imports held the GUI thread 0.3 s at
    # every demo start (worst heartbeat gaps of 318-355 ms, ad hoc), and its Python shared
    # the interpreter lock with the window from then on.
    env = dict(os.environ, CALLARO_DESKTOP_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer == {"signed_in": True, "loaded": []}
