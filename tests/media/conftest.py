"""The media command's tests run on the UI tests' loop and async-test hook."""

from __future__ import annotations

from tests.views.conftest import (  # noqa: F401  (fixtures and the async-test hook)
    loop,
    no_stray_windows,
    pytest_pyfunc_call,
    run,
)
