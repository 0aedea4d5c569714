"""services.tasks.together: independent awaits at once, failures as themselves."""

from __future__ import annotations

import asyncio

import pytest

from callaro_desktop.services.tasks import together


class Boom(Exception):
    pass


def test_results_come_back_in_argument_order_and_overlap() -> None:
    async def after(delay: float, value: str) -> str:
        await asyncio.sleep(delay)
        return value

    async def scenario() -> tuple[tuple[str, str, str], float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await together(after(0.2, "a"), after(0.1, "b"), after(0.15, "c"))
        return result, loop.time() - started

    result, elapsed = asyncio.run(scenario())
    assert result == ("a", "b", "c")
    assert elapsed < 0.4  # together, not one after another (0.45 s)


def test_the_first_failure_is_raised_as_itself_and_cancels_the_rest() -> None:
    finished: list[str] = []

    async def slow() -> str:
        try:
            await asyncio.sleep(5)
            return "slow"
        finally:
            finished.append("slow cleaned up")

    async def failing() -> str:
        await asyncio.sleep(0.01)
        raise Boom("me failed")

    async def scenario() -> None:
        await together(slow(), failing())

    with pytest.raises(Boom, match="me failed"):  # not an ExceptionGroup
        asyncio.run(scenario())
    # The sibling was cancelled and had finished before the error reached the caller.
    assert finished == ["slow cleaned up"]
