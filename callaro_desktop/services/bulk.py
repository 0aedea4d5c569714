"""Run one server operation over many items, politely, with a result for every item.

Used for work the API only offers one item at a time: bulk invitations, checking a
file's addresses against a tenant, searching many tenants. The runner knows nothing
of what the items are; it owns the mechanics every such job needs:

- at most `concurrency` operations in flight;
- a 429 pauses *every* worker for the server's Retry-After (not just the one that
  was refused: they share one rate limit), halves the concurrency, and retries the
  refused item (a 429 means the server did nothing); concurrency grows back one step
  per `recover_after` successes in a row;
- `cancel()` starts nothing new, lets what is in flight finish (a half-sent request
  would leave its outcome unknown), and marks the rest "cancelled"; cancelling the
  task awaiting `run()` is the hard stop;
- progress after every item, and an `ItemResult` per item, in input order.

Qt-free: callbacks are plain callables, so a dialog, a test or a script can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from callaro_desktop.api.errors import ApiError, RateLimited
from callaro_desktop.services.tasks import background

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_RETRY_AFTER = 1.0
MAX_RETRY_AFTER = 60.0


class Outcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Skip(Exception):
    """Raised by the work function: this item needs no doing (the reason says why)."""


@dataclass(frozen=True)
class ItemResult(Generic[T, R]):
    index: int
    item: T
    outcome: Outcome
    value: R | None = None
    reason: str = ""
    error: BaseException | None = None
    attempts: int = 0

    @property
    def request_id(self) -> str | None:
        return self.error.request_id if isinstance(self.error, ApiError) else None


@dataclass(frozen=True)
class Progress:
    finished: int
    total: int
    done: int
    skipped: int
    failed: int
    concurrency: int
    paused_for: float = 0.0  # seconds left of a rate-limit pause, 0 when running


@dataclass
class Summary(Generic[T, R]):
    results: list[ItemResult[T, R]] = field(default_factory=list)
    cancelled: bool = False

    def of(self, outcome: Outcome) -> list[ItemResult[T, R]]:
        return [r for r in self.results if r.outcome is outcome]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)


Classify = Callable[[BaseException], tuple[Outcome, str]]


def default_classify(exc: BaseException) -> tuple[Outcome, str]:
    if isinstance(exc, Skip):
        return Outcome.SKIPPED, str(exc)
    if isinstance(exc, ApiError):
        return Outcome.FAILED, exc.user_message()
    return Outcome.FAILED, str(exc) or type(exc).__name__


def default_rate_limit_wait(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait, or None when `exc` is not a rate limit."""
    if isinstance(exc, RateLimited) or (isinstance(exc, ApiError) and exc.status == 429):
        return exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
    return None


class BulkRunner(Generic[T, R]):
    def __init__(
        self,
        work: Callable[[T], Awaitable[R]],
        *,
        concurrency: int = 4,
        classify: Classify = default_classify,
        rate_limit_wait: Callable[[BaseException], float | None] = default_rate_limit_wait,
        max_rate_limit_retries: int = 8,
        recover_after: int = 10,
        on_result: Callable[[ItemResult[T, R]], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._work = work
        self.max_concurrency = concurrency
        self._classify = classify
        self._rate_limit_wait = rate_limit_wait
        self._max_rl = max_rate_limit_retries
        self._recover_after = max(1, recover_after)
        self._on_result = on_result
        self._on_progress = on_progress
        self._clock = clock
        self._limit = concurrency
        self._active = 0
        self._streak = 0
        self._resume_at = 0.0
        self._cancel = asyncio.Event()
        self._changed: asyncio.Condition | None = None
        self._total = 0
        self._counts = {o: 0 for o in Outcome}
        self.rate_limited = 0  # how many 429s were met, for the summary

    # -- control ----------------------------------------------------------------------

    def cancel(self) -> None:
        """Start nothing new; what is in flight finishes, the rest is marked cancelled."""
        self._cancel.set()
        if self._changed is not None:
            # Wake the workers waiting for a slot; outside a running loop there are none.
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop()
                background(self._notify())

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def concurrency(self) -> int:
        return self._limit

    # -- running ------------------------------------------------------------------------

    async def run(self, items: Iterable[T]) -> Summary[T, R]:
        queue = list(enumerate(items))
        self._total = len(queue)
        self._changed = asyncio.Condition()
        results: list[ItemResult[T, R] | None] = [None] * self._total
        pending = iter(queue)

        async def worker() -> None:
            for index, item in pending:
                results[index] = await self._one(index, item)

        workers = [
            asyncio.ensure_future(worker()) for _ in range(min(self.max_concurrency, self._total))
        ]
        self._report()
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        final = [r for r in results if r is not None]
        return Summary(final, cancelled=self.cancelled)

    async def _one(self, index: int, item: T) -> ItemResult[T, R]:
        attempts = 0
        while True:
            if not await self._acquire():
                return self._finish(ItemResult(index, item, Outcome.CANCELLED, attempts=attempts))
            attempts += 1
            try:
                value = await self._work(item)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                wait = self._rate_limit_wait(exc)
                if wait is not None:
                    await self._release(rate_limited_for=wait)
                    if attempts <= self._max_rl:
                        continue
                else:
                    await self._release(success=False)
                outcome, reason = self._classify(exc)
                return self._finish(ItemResult(index, item, outcome, None, reason, exc, attempts))
            await self._release(success=True)
            return self._finish(ItemResult(index, item, Outcome.DONE, value, attempts=attempts))

    async def _acquire(self) -> bool:
        """Wait for a slot and for any rate-limit pause to end; False once cancelled."""
        assert self._changed is not None
        while True:
            if self.cancelled:
                return False
            delay = self._resume_at - self._clock()
            if delay > 0:
                self._report(paused_for=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cancel.wait(), delay)
                continue
            async with self._changed:
                if self._active < self._limit:
                    self._active += 1
                    return True
                await self._changed.wait()

    async def _release(
        self, *, success: bool | None = None, rate_limited_for: float | None = None
    ) -> None:
        assert self._changed is not None
        async with self._changed:
            self._active -= 1
            if rate_limited_for is not None:
                self.rate_limited += 1
                wait = min(max(rate_limited_for, 0.0), MAX_RETRY_AFTER)
                self._resume_at = max(self._resume_at, self._clock() + wait)
                self._limit = max(1, self._limit // 2)
                self._streak = 0
            elif success:
                self._streak += 1
                if self._streak >= self._recover_after and self._limit < self.max_concurrency:
                    self._limit += 1
                    self._streak = 0
            self._changed.notify_all()

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    def _finish(self, result: ItemResult[T, R]) -> ItemResult[T, R]:
        self._counts[result.outcome] += 1
        if self._on_result is not None:
            self._on_result(result)
        self._report()
        return result

    def _report(self, paused_for: float = 0.0) -> None:
        if self._on_progress is None:
            return
        c = self._counts
        self._on_progress(
            Progress(
                finished=sum(c.values()),
                total=self._total,
                done=c[Outcome.DONE],
                skipped=c[Outcome.SKIPPED],
                failed=c[Outcome.FAILED],
                concurrency=self._limit,
                paused_for=paused_for,
            )
        )
