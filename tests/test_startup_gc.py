"""The cyclic collector is off while the console starts, and back on (after one collection and a
freeze) a few seconds in; whatever happens, main() never leaves it off."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator

import pytest

from callaro_desktop import app


@pytest.fixture
def collector() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.usefixtures("collector")
def test_main_starts_with_the_collector_off_and_always_turns_it_back_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def run_gui(args: argparse.Namespace) -> int:
        seen.append(gc.isenabled())
        raise RuntimeError("the GUI failed to start")

    monkeypatch.setattr(app, "_run_gui", run_gui)
    with pytest.raises(RuntimeError):
        app.main(["--server", "https://api.callaro.ai"])
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_the_freeze_collects_freezes_and_turns_the_collector_on() -> None:
    gc.disable()
    before = gc.get_freeze_count()
    app._freeze_startup_objects()
    assert gc.isenabled()
    assert gc.get_freeze_count() > before
