"""Named, preemptive tasks.

Every load in the console is keyed by (view, tenant). Starting a load under a key
that is already running cancels the stale one first, so a slow answer for a page
the user has left, or for a tenant they have switched away from, can never finish
and draw over the current one. Switching tenant cancels all of the old tenant's
tasks at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, TypeVar, overload

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
TaskKey = tuple[str, Hashable]


class TaskManager:
    """Owns the console's background coroutines; one live task per key."""

    def __init__(self) -> None:
        self._tasks: dict[TaskKey, asyncio.Task[Any]] = {}

    def run(self, key: TaskKey, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start `coro` under `key`, cancelling whatever ran under that key before."""
        self.cancel(key)
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks[key] = task
        task.add_done_callback(functools.partial(self._forget, key))
        return task

    def cancel(self, key: TaskKey) -> bool:
        task = self._tasks.pop(key, None)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def cancel_scope(self, scope: Hashable) -> int:
        """Cancel every task whose key's second part is `scope` (e.g. a tenant id)."""
        keys = [k for k in self._tasks if k[1] == scope]
        return sum(self.cancel(k) for k in keys)

    def cancel_all(self) -> int:
        return sum(self.cancel(k) for k in list(self._tasks))

    def running(self) -> list[TaskKey]:
        return [k for k, t in self._tasks.items() if not t.done()]

    def pending(self, scope: Hashable) -> list[asyncio.Task[Any]]:
        """The unfinished tasks whose key's second part is `scope` (e.g. a tenant id)."""
        return [t for k, t in self._tasks.items() if k[1] == scope and not t.done()]

    def _forget(self, key: TaskKey, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            # Pages handle their own errors; anything reaching here is a bug worth a trace.
            log.error("task %s failed", key[0], exc_info=task.exception())

    async def shutdown(self) -> None:
        """Cancel this registry's tasks (its window is closing). Fire-and-forget work is the
        whole console's, another window's dialog or save among it: `cancel_background` ends
        it when the console quits."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()


_BACKGROUND: set[asyncio.Task[Any]] = set()


@overload
async def together(a: Coroutine[Any, Any, A], b: Coroutine[Any, Any, B], /) -> tuple[A, B]: ...
@overload
async def together(
    a: Coroutine[Any, Any, A], b: Coroutine[Any, Any, B], c: Coroutine[Any, Any, C], /
) -> tuple[A, B, C]: ...
async def together(*coros: Coroutine[Any, Any, Any]) -> tuple[Any, ...]:
    """Await independent coroutines at once; the first failure cancels the rest and is
    raised as itself (not wrapped in an ExceptionGroup), so callers catch ApiError as usual.
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return tuple(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        # Let the cancelled ones finish, so none is left running against a closed client.
        await asyncio.wait(tasks)
        raise


def background(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Start fire-and-forget work (a dialog flow, a keychain write) and keep it alive.

    The event loop holds tasks only weakly; one nobody references can be collected
    mid-flight. This set holds them until they finish, and failures are logged.
    """
    task = asyncio.ensure_future(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_background_done)
    return task


async def cancel_background() -> None:
    """Cancel the fire-and-forget work still running (the console is quitting) and wait for
    it to finish; the task calling this is spared."""
    current = asyncio.current_task()
    tasks = [t for t in _BACKGROUND if t is not current and not t.done()]
    for t in tasks:
        t.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def _background_done(task: asyncio.Task[Any]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background task failed", exc_info=task.exception())


async def in_thread(fn: Callable[[], T]) -> T:
    """Run blocking work (file I/O, parsing a big file) off the GUI thread and await it.

    A daemon thread rather than the loop's executor (asyncio.to_thread): qasync's
    executor threads are QThreads, and one still running at interpreter exit aborts
    the process.
    """
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name="callaro-io", daemon=True).start()
    return await asyncio.wrap_future(future)
