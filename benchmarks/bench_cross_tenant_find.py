"""Find across workspaces: one search over the 253 workspaces support staff may enter.

The real dialog (Ctrl+Shift+F, views/shell/find_across.py) runs the search as a person would,
in this process, offscreen, against the sandbox in its own process, twice over:
- with the sandbox's rate limit (20 requests/s per credential, bursts of 100 — what it
  enforces by default): wall time, requests per second, the 429s met, against the fastest
  the limit allows (the first 100 at once, then 20 a second);
- without a limit: wall time against raw httpx sending the same requests with the same
  concurrency (8), bodies read and nothing else.
Each run starts with a full token bucket (the script waits for it to refill).

    python benchmarks/bench_cross_tenant_find.py [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import qasync
from PySide6.QtWidgets import QApplication

from benchmarks.common import SUPPORT, median, open_console, record, scratch_home, start_sandbox

QUERY = "+9180"  # a number prefix: Viewers may search numbers, so one request per workspace
RATE, BURST = 20.0, 100  # callaro_sandbox.config.RateLimit's defaults
CONCURRENCY = 8  # services/find.py DEFAULT_CONCURRENCY


class Traffic:
    def __init__(self) -> None:
        self.on = False
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        real_send = httpx.AsyncClient.send

        async def send(client: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
            response = await real_send(client, request, **kw)
            if self.on:
                self.requests.append(request)
                self.statuses.append(response.status_code)
            return response

        httpx.AsyncClient.send = send  # type: ignore[method-assign,assignment]


async def find_runs(base_url: str, runs: int, refill: bool) -> list[dict[str, Any]]:
    from callaro_desktop.views.shell.find_across import FindAcrossDialog

    traffic = Traffic()
    controller = await open_console()
    window = controller.window
    await controller.session.sign_in(base_url, SUPPORT[0], SUPPORT[1], keep=False)
    tenants = len(controller.session.tenants)
    out = []
    for _ in range(runs):
        if refill:
            await asyncio.sleep(BURST / RATE + 1)  # a full bucket again
        dialog = FindAcrossDialog(window)
        dialog.show()
        dialog.query.setText(QUERY)
        traffic.requests.clear()
        traffic.statuses.clear()
        traffic.on = True
        started = time.perf_counter()
        dialog.start()
        while dialog.running:
            await asyncio.sleep(0.005)
        took = time.perf_counter() - started
        traffic.on = False
        out.append(
            {
                "tenants": tenants,
                "searched": dialog.searched,
                "failed": len(dialog.failed),
                "hits": len(dialog.hits),
                "wall": took,
                "requests": len(traffic.requests),
                "rate_limited": traffic.statuses.count(429),
                "sent": list(traffic.requests),
            }
        )
        dialog.close()
        dialog.deleteLater()
    await controller.shutdown()
    window.close()
    return out


async def raw_runs(base_url: str, requests: list[httpx.Request], runs: int) -> list[float]:
    times = []
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=60, verify=False, limits=limits) as raw:
        for _ in range(runs):
            queue = list(requests)
            started = time.perf_counter()

            async def worker(queue: list[httpx.Request] = queue) -> None:
                while queue:
                    request = queue.pop()
                    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
                    r = await raw.get(str(request.url), headers=headers)
                    await r.aread()

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            times.append(time.perf_counter() - started)
    return times


def main() -> int:
    scratch_home()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)

    def loop() -> asyncio.AbstractEventLoop:
        event_loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
        return event_loop

    with (
        start_sandbox("demo", rate_limit=True) as limited,
        asyncio.Runner(loop_factory=loop) as runner,
    ):
        with_limit = runner.run(find_runs(limited.base_url, opts.runs, refill=True))
    with start_sandbox("demo") as free, asyncio.Runner(loop_factory=loop) as runner:
        without = runner.run(find_runs(free.base_url, opts.runs, refill=False))
        raw = runner.run(raw_runs(free.base_url, without[-1]["sent"], opts.runs))

    # A refused request (429) takes no token; the floor counts the answered ones.
    n = with_limit[0]["requests"] - with_limit[0]["rate_limited"]
    floor = max(0.0, (n - BURST) / RATE)
    wall = median([r["wall"] for r in with_limit])
    free_wall = median([r["wall"] for r in without])
    raw_wall = median(raw)
    limited_429 = median([r["rate_limited"] for r in with_limit])
    table = [
        ("run", "workspaces", "answered", "wall s", "answered/s", "429s", "baseline"),
        (
            "rate limit 20/s, burst 100",
            str(with_limit[0]["tenants"]),
            str(n),
            f"{wall:.2f}",
            f"{n / wall:.1f}",
            f"{limited_429:.0f}",
            f"fastest the limit allows {floor:.2f} s ({wall / floor:.2f}×)"
            if floor
            else "within one burst",
        ),
        (
            "no rate limit",
            str(without[0]["tenants"]),
            str(without[0]["requests"] - without[0]["rate_limited"]),
            f"{free_wall:.2f}",
            f"{(without[0]['requests'] - without[0]['rate_limited']) / free_wall:.1f}",
            "0",
            f"raw httpx ×{CONCURRENCY} {raw_wall:.2f} s ({free_wall / raw_wall:.2f}×)",
        ),
    ]
    failed = sum(r["failed"] for r in with_limit + without)
    record(
        "Find across workspaces",
        table,
        [
            f"query {QUERY!r} as support staff (Viewer everywhere: one phone-number search per"
            f" workspace); medians of {opts.runs} runs; {with_limit[0]['hits']} hits;"
            f" {failed} workspaces failed in all runs",
            f"the fastest the limit allows: the first {BURST} requests at once, the other"
            f" {max(0, n - BURST)} at {RATE:.0f}/s, i.e. ({n} − {BURST}) ÷ {RATE:.0f} ="
            f" {floor:.2f} s",
            "through the real dialog (progress, results tree) and services/bulk.py's runner:"
            " 8 at a time, one shared pause on a 429 for its Retry-After, half the concurrency,"
            " growing back after 10 successes",
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
