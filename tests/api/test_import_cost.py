"""What importing the API client drags in: not httpx's command-line client.

httpx imports click, rich and pygments for its CLI whenever they are installed (the test
extras install them), ~70 ms of start-up the console never uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def _in_fresh_interpreter(probe: str) -> Any:
    """Run `probe` in a new Python (nothing imported yet) and return the JSON it prints."""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout)


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
    seen = _in_fresh_interpreter(probe)
    assert seen["client"]
    assert seen["loaded"] == [], seen


def test_a_missing_sniffio_is_looked_for_once() -> None:
    # httpcore imports sniffio on every request; a missing one costs a sys.path search each
    # time unless the miss is remembered. An installed one must be left alone.
    probe = (
        "import importlib.util, json, sys\n"
        "installed = importlib.util.find_spec('sniffio') is not None\n"
        "import callaro_desktop.api\n"
        "print(json.dumps({\n"
        "  'installed': installed,\n"
        "  'remembered_missing': 'sniffio' in sys.modules and sys.modules['sniffio'] is None,\n"
        "  'usable': sys.modules.get('sniffio') is not None,\n"
        "}))\n"
    )
    seen = _in_fresh_interpreter(probe)
    if seen["installed"]:
        assert seen["usable"] and not seen["remembered_missing"], seen
    else:
        assert seen["remembered_missing"], seen
