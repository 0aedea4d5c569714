"""What importing the API client drags in: not httpx's command-line client.

httpx imports click, rich and pygments for its CLI whenever they are installed (the test
extras install them), ~70 ms of start-up the console never uses.
"""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_client_imports_without_httpx_command_line_extras() -> None:
    probe = (
        "import json, sys, importlib.util\n"
        "import callaro_desktop.api, httpx\n"
        "print(json.dumps({\n"
        "  'loaded': sorted(m for m in ('rich', 'click', 'pygments') if m in sys.modules),\n"
        "  'installed': [m for m in ('rich', 'click') if importlib.util.find_spec(m)],\n"
        "  'client': hasattr(httpx, 'AsyncClient'),\n"
        "}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(out.stdout)
    assert seen["client"]
    assert seen["loaded"] == [], seen
