"""`python -m callaro_desktop` and the `callaro-desktop` command."""

from __future__ import annotations

import sys

# The demo's sandbox runs in a process of its own: a frozen build has no Python to run it
# with, so it starts its own executable with this first, and is the sandbox's CLI then.
SANDBOX_FLAG = "--run-sandbox"


def main() -> int:
    if sys.argv[1:2] == [SANDBOX_FLAG]:
        from callaro_sandbox.__main__ import main as sandbox_main

        return sandbox_main(sys.argv[2:])
    from callaro_desktop.app import main as app_main

    return app_main()


def sandbox_command() -> list[str]:
    """How this installation runs the sandbox's CLI (`callaro_sandbox.child.spawn`)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, SANDBOX_FLAG]
    return [sys.executable, "-m", "callaro_sandbox"]


if __name__ == "__main__":
    sys.exit(main())
