"""BulkRunner: bounded concurrency, 429 pauses everyone, cancel stops cleanly, results in order."""

from __future__ import annotations

import asyncio
import time

import pytest

from callaro_desktop.api.errors import Conflict, RateLimited, ServerError
from callaro_desktop.services.bulk import BulkRunner, Outcome, Progress, Skip

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Recorder:
    """A work function that tracks how many calls overlap and when each one started."""

    def __init__(self, delay: float = 0.01) -> None:
        self.delay = delay
        self.active = 0
        self.peak = 0
        self.started: list[tuple[int, float]] = []
        self.fail: dict[int, list[BaseException]] = {}

    async def __call__(self, item: int) -> str:
        self.started.append((item, time.monotonic()))
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.delay)
            queue = self.fail.get(item)
            if queue:
                raise queue.pop(0)
            return f"ok-{item}"
        finally:
            self.active -= 1


async def test_every_item_gets_a_result_in_input_order_within_the_concurrency() -> None:
    work = Recorder()
    progress: list[Progress] = []
    summary = await BulkRunner(work, concurrency=3, on_progress=progress.append).run(range(20))
    assert [r.index for r in summary.results] == list(range(20))
    assert [r.value for r in summary.results] == [f"ok-{i}" for i in range(20)]
    assert summary.count(Outcome.DONE) == 20 and not summary.cancelled
    assert work.peak == 3
    finished = [p.finished for p in progress]
    assert finished == sorted(finished) and progress[-1].finished == progress[-1].total == 20


async def test_skips_and_failures_carry_their_reasons_and_request_ids() -> None:
    work = Recorder(0)
    work.fail = {
        1: [Skip("already a member")],
        2: [ServerError("Boom", status=500, request_id="req_9")],
        3: [ValueError("bad row")],
    }
    summary = await BulkRunner(work, concurrency=2).run(range(5))
    by_index = {r.index: r for r in summary.results}
    assert by_index[1].outcome is Outcome.SKIPPED and by_index[1].reason == "already a member"
    assert by_index[2].outcome is Outcome.FAILED and "req_9" in by_index[2].reason
    assert by_index[2].request_id == "req_9"
    assert by_index[3].outcome is Outcome.FAILED and by_index[3].reason == "bad row"
    assert summary.count(Outcome.DONE) == 2


async def test_a_custom_classifier_turns_a_conflict_into_a_skip() -> None:
    work = Recorder(0)
    work.fail = {0: [Conflict("This email already has a pending invitation")]}

    def classify(exc: BaseException) -> tuple[Outcome, str]:
        if isinstance(exc, Conflict):
            return Outcome.SKIPPED, exc.message
        return Outcome.FAILED, str(exc)

    summary = await BulkRunner(work, classify=classify).run([0, 1])
    assert summary.results[0].outcome is Outcome.SKIPPED
    assert summary.results[0].reason.startswith("This email already")


async def test_a_429_pauses_every_worker_for_retry_after_and_retries_the_item() -> None:
    work = Recorder(0.02)
    work.fail = {2: [RateLimited(status=429, retry_after=0.3)]}
    progress: list[Progress] = []
    runner: BulkRunner[int, str] = BulkRunner(
        work, concurrency=4, recover_after=100, on_progress=progress.append
    )
    summary = await runner.run(range(12))
    assert summary.count(Outcome.DONE) == 12
    assert runner.rate_limited == 1 and runner.concurrency == 2
    refused_at = next(t for i, t in work.started if i == 2) + 0.02
    # Nothing new starts while the server asked us to wait (what was in flight may finish).
    during = [i for i, t in work.started if refused_at + 0.01 < t < refused_at + 0.28]
    assert during == []
    assert [i for i, _ in work.started].count(2) == 2
    assert any(p.paused_for > 0 for p in progress)
    assert summary.results[2].attempts == 2


async def test_concurrency_grows_back_after_a_run_of_successes() -> None:
    work = Recorder(0.005)
    work.fail = {0: [RateLimited(status=429, retry_after=0.01)]}
    runner: BulkRunner[int, str] = BulkRunner(work, concurrency=4, recover_after=3)
    await runner.run(range(40))
    assert runner.concurrency == 4


async def test_an_item_refused_too_often_fails_with_the_rate_limit_reason() -> None:
    work = Recorder(0)
    work.fail = {0: [RateLimited(status=429, retry_after=0.01) for _ in range(5)]}
    summary = await BulkRunner(work, max_rate_limit_retries=2).run([0, 1])
    first = summary.results[0]
    assert first.outcome is Outcome.FAILED and first.attempts == 3
    assert "Too many requests" in first.reason
    assert summary.results[1].outcome is Outcome.DONE


async def test_cancel_lets_in_flight_work_finish_and_starts_nothing_new() -> None:
    work = Recorder(0.05)
    results: list[int] = []

    def on_result(result: object) -> None:
        results.append(1)
        if len(results) == 3:
            runner.cancel()

    runner: BulkRunner[int, str] = BulkRunner(work, concurrency=2, on_result=on_result)
    summary = await runner.run(range(20))
    assert summary.cancelled
    done = summary.count(Outcome.DONE)
    assert 3 <= done <= 4  # the one in flight when cancel came also finished
    assert summary.count(Outcome.CANCELLED) == 20 - done
    assert len(work.started) == done
    assert len(summary.results) == 20


async def test_cancel_during_a_rate_limit_pause_returns_at_once() -> None:
    work = Recorder(0)
    work.fail = {0: [RateLimited(status=429, retry_after=30)]}
    runner: BulkRunner[int, str] = BulkRunner(work, concurrency=1)
    task = asyncio.ensure_future(runner.run(range(3)))
    while runner.rate_limited == 0:
        await asyncio.sleep(0.01)
    began = time.monotonic()
    runner.cancel()
    summary = await asyncio.wait_for(task, 5)
    assert time.monotonic() - began < 1
    assert [r.outcome for r in summary.results] == [Outcome.CANCELLED] * 3
    assert summary.results[0].attempts == 1


async def test_cancel_wakes_workers_waiting_for_a_slot() -> None:
    work = Recorder(0.2)
    work.fail = {0: [RateLimited(status=429, retry_after=0.01)]}
    runner: BulkRunner[int, str] = BulkRunner(work, concurrency=4, recover_after=100)
    task = asyncio.ensure_future(runner.run(range(10)))
    await asyncio.sleep(0.1)
    runner.cancel()
    summary = await asyncio.wait_for(task, 5)
    assert summary.cancelled and len(summary.results) == 10


async def test_cancelling_the_awaiting_task_stops_the_work_in_flight() -> None:
    work = Recorder(10)
    task = asyncio.ensure_future(BulkRunner(work, concurrency=3).run(range(9)))
    while work.active < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert work.active == 0 and len(work.started) == 3


async def test_nothing_to_do_is_an_empty_summary() -> None:
    summary = await BulkRunner(Recorder()).run([])
    assert summary.results == [] and not summary.cancelled


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BulkRunner(Recorder(), concurrency=0)
