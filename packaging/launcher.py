"""Entry script of the frozen build (PyInstaller needs a file, not a console-script entry point).

Kept outside the ``callaro_desktop`` package so the bundle starts exactly as
``python -m callaro_desktop`` does, through ``callaro_desktop.__main__.main``.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # Harmless when nothing uses multiprocessing; required if anything ever does in a frozen app.
    multiprocessing.freeze_support()
    from callaro_desktop.__main__ import main

    sys.exit(main())
