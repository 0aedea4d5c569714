"""views/__init__.py swaps PySide's per-import source check for a byte search: same answers."""

from __future__ import annotations

import inspect
import json  # noqa: F401  (a module that does not)
import linecache
import sys

import pytest

import callaro_desktop.views  # (installs the quicker check)
import callaro_desktop.views.pages.users  # noqa: F401  (a module that mentions PySide6)


def test_the_quicker_check_gives_pyside_s_own_answers() -> None:
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if check is None:
        pytest.skip("this PySide has no per-import feature check; nothing was replaced")
    assert getattr(check, "callaro", False), "the quicker check is not installed"
    modules = [
        m for m in list(sys.modules.values()) if str(getattr(m, "__file__", "")).endswith(".py")
    ]
    linecache.clearcache()

    # PySide's own answer, the slow way: the whole source through inspect.
    def slow(module: object) -> bool:
        try:
            return "PySide6" in inspect.getsource(module)  # type: ignore[arg-type]
        except (TypeError, OSError, SyntaxError):
            return False

    answers = {m.__name__: (check(m), slow(m)) for m in modules}
    assert len(answers) > 100
    assert {n for n, (quick, _) in answers.items() if quick} == {
        n for n, (_, own) in answers.items() if own
    }
    assert answers["callaro_desktop.views.pages.users"] == (True, True)
    assert answers["json"] == (False, False)
