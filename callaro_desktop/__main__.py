"""`python -m callaro_desktop` and the `callaro-desktop` command."""

from __future__ import annotations

import sys


def main() -> int:
    from callaro_desktop.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
