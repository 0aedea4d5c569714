"""Opening a page for the first time: its widgets built, shown and painted, in the console's
theme, against the same page in plain Fusion (no theme) built in the same run.

What a user waits for when a sidebar item is clicked for the first time in a window (before
its data, which the other benchmarks time). The console runs in this process (offscreen),
signed in as the demo admin (who sees every page); each page is built anew for every run,
shown in the window's page stack, painted, then thrown away. The ratio says what the theme
costs on top of Qt's own widgets.

    python benchmarks/bench_page_open.py [--runs 7]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QStyleFactory

from benchmarks.common import (
    ADMIN,
    median,
    open_console,
    record,
    run_in_process,
    scratch_home,
    spread,
)


async def bench(base_url: str, runs: int) -> list[tuple[str, list[float], list[float]]]:
    from callaro_desktop.views import theme
    from callaro_desktop.views.shell.nav import NAV

    controller = await open_console()
    window = controller.window
    await controller.session.sign_in(base_url, ADMIN[0], ADMIN[1], keep=False)
    await asyncio.sleep(0.5)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    themed_palette, themed_sheet = app.palette(), app.styleSheet()

    def open_once(page_class: Any) -> float:
        started = time.perf_counter()
        page = page_class(controller.session)
        window.stack.addWidget(page)
        window.stack.setCurrentWidget(page)
        app.processEvents()  # polish, layout, the deferred paint
        window.repaint()
        took = time.perf_counter() - started
        window.stack.removeWidget(page)
        page.deleteLater()
        app.processEvents()
        return took

    def look(themed: bool) -> None:
        if themed:
            app.setPalette(themed_palette)
            app.setStyle(theme._DarkStyle() if theme.tokens().dark else theme._Style())
            app.setStyleSheet(themed_sheet)  # (empty since 2026-11-28; kept to compare)
        else:
            app.setStyleSheet("")
            app.setStyle(QStyleFactory.create("Fusion"))
            app.setPalette(app.style().standardPalette())
        app.processEvents()

    pages = [(item.page_id, item.load_class()) for item in NAV]
    times: dict[tuple[str, bool], list[float]] = {}
    for counted in [False] + [True] * runs:  # one round not counted: first imports, caches
        for themed in (True, False):
            look(themed)
            for page_id, page_class in pages:
                took = open_once(page_class)
                if counted:
                    times.setdefault((page_id, themed), []).append(took * 1000)
    look(True)
    await controller.shutdown()
    window.close()
    return [(page_id, times[(page_id, True)], times[(page_id, False)]) for page_id, _ in pages]


def main() -> int:
    scratch_home()
    results, runs = run_in_process(__doc__.splitlines()[0], bench, 7)
    table = [("page", "themed ms", "min–max", "plain Fusion ms", "ratio")]
    ratios = []
    for page_id, themed, plain in results:
        ratio = median(themed) / median(plain)
        ratios.append(ratio)
        table.append(
            (
                page_id,
                f"{median(themed):.1f}",
                spread(themed),
                f"{median(plain):.1f}",
                f"{ratio:.2f}×",
            )
        )
    record(
        "Page opened for the first time",
        table,
        [
            f"median over the pages of themed ÷ plain Fusion: {median(ratios):.2f}×",
            f"medians of {runs} openings each (after one round not counted), themed and"
            " plain interleaved round by round; built, shown in the window's page stack and"
            " painted, before any data; offscreen, 1280×800, signed in as the demo admin",
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
