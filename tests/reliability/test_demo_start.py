"""`--demo` starts its sandbox, and the demo data the first time, without freezing the window.

(The freeze this change removed, importing the server on the GUI thread, cannot show here: the
test process imported the sandbox long before. tests/views/test_demo_mode.py checks that the
console's own process never imports it.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from callaro_desktop import paths
from tests.reliability.conftest import Guards
from tests.views.conftest import wait_for


async def test_the_first_demo_start_never_freezes_the_window(make_app: Any, guards: Guards) -> None:
    guards.start()
    # The first start of all: the sandbox makes the demo data too.
    database = paths.data_dir() / "demo-sandbox.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    controller = await guards.console(make_app, demo=True)
    guards.phase("demo start: sandbox started, signed in")
    await controller.start_demo()
    assert controller.sandbox.process.poll() is None
    guards.phase("demo start: the first page's data")
    window = controller.window
    await wait_for(
        lambda: (
            window.current_page() is not None
            and window.current_page().states.state in ("ready", "empty")
        ),
        timeout=30,
        what="the first page ready",
    )
    assert database.exists()
    guards.check()
