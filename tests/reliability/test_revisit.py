"""Coming back to a page whose load is still on its way waits for it; it does not start over.

Found by the fault suite: with a slow server, every return to a loading page cancelled its
request and sent it again, so a person glancing at another page while waiting waited longer,
and the server (already slow, or rate-limiting) got the same request again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from callaro_desktop.app import AppController
from tests.reliability.conftest import FaultControl, Guards, SandboxProcess, sign_in
from tests.views.conftest import ADMIN, wait_for


async def test_returning_to_a_loading_page_does_not_send_its_request_again(
    make_app: Any, sandbox: SandboxProcess, fault_control: FaultControl, guards: Guards
) -> None:
    guards.start()
    controller: AppController = await guards.console(make_app)
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    await fault_control.set([{"route": "/api/v1/invoices*", "latency_ms": 1500}])
    window.navigate("invoices")
    page = window.pages["invoices"]
    assert page.states.state == "loading"
    for _ in range(3):  # away and back while the answer is on its way
        await asyncio.sleep(0.2)
        window.navigate("profile")
        await asyncio.sleep(0.05)
        window.navigate("invoices")
    await wait_for(lambda: page.states.state in ("ready", "empty"), timeout=20, what="invoices")
    assert await fault_control.fired() == [1], "the invoices were asked for more than once"
    guards.check()
