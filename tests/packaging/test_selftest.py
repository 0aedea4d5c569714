"""`callaro-desktop --self-test`, run as users and CI run it: a separate process, one line a check.

The frozen bundle's self-test runs in CI after the build (.ci/run); here the same command runs
from the source tree, so a broken check is caught before anything is built.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from callaro_desktop import __version__, selftest

ROOT = Path(__file__).resolve().parents[2]


def _run_self_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.update(
        {
            "CALLARO_DESKTOP_HOME": str(tmp_path / "home"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "callaro_desktop", "--self-test"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_self_test_passes_with_a_line_per_check(tmp_path: Path) -> None:
    done = _run_self_test(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Callaro Desktop {__version__} self-test (Python environment")
    for name in selftest.CHECKS:
        assert any(line.startswith(f"ok    {name}: ") for line in lines), (name, done.stdout)
    assert lines[-1] == f"self-test passed ({len(selftest.CHECKS)} checks)"
    by_name = {line.split(":")[0].split()[-1]: line for line in lines[1:-1]}
    assert "platform plugin 'offscreen' loaded" in by_name["qt"]
    assert "SecretService" in by_name["keyring"] or sys.platform != "linux"
    assert "signed in as admin@demo.callaro.test" in by_name["api"]
    assert "QEventLoop" in by_name["api"] or "QSelectorEventLoop" in by_name["api"]
    # Nothing Qt complains about (a stray "Timers cannot be stopped from another thread"...).
    assert "QObject" not in done.stderr and "QThread" not in done.stderr, done.stderr
    # It wrote nothing outside its temporary folder: no settings, logs or demo database.
    assert not (tmp_path / "home").exists()


@pytest.mark.slow
def test_a_failing_check_exits_non_zero_with_its_reason(tmp_path: Path) -> None:
    done = _run_self_test(tmp_path, QT_QPA_PLATFORM="no-such-platform")

    assert done.returncode == 1
    assert "FAIL  qt: the Qt platform plugin 'no-such-platform' is not in this build" in done.stdout
    assert "FAIL  api: skipped: needs the qt and sandbox checks to pass" in done.stdout
    summary = done.stdout.splitlines()[-1]
    assert summary.startswith("self-test FAILED (")
    assert "qt: the Qt platform plugin 'no-such-platform' is not in this build" in summary


def test_no_display_means_offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert selftest._choose_platform() == "offscreen"
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_a_chosen_platform_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "wayland;xcb")
    assert selftest._choose_platform() == "wayland"
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb:nograb")
    assert selftest._choose_platform() == "xcb"


def test_platform_plugin_files_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "platforms").mkdir()
    for name in ("libqxcb.so", "qwindows.dll", "libqcocoa.dylib"):
        (tmp_path / "platforms" / name).touch()
    paths = [str(tmp_path / "missing"), str(tmp_path)]
    for platform in ("xcb", "windows", "cocoa"):
        assert selftest._platform_plugin_present(platform, paths)
    assert not selftest._platform_plugin_present("offscreen", paths)


def test_a_windowed_build_writes_its_report_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyInstaller's windowed Windows builds have no stdout at all.
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    out, to_close = selftest._output()
    assert to_close is out
    out.write("report\n")
    to_close.close()
    assert (tmp_path / selftest.REPORT_FILE_NAME).read_text() == "report\n"


def test_result_lines_read_ok_or_fail() -> None:
    good = selftest.Result("tls", True, "117 CA certificates", 0.04)
    bad = selftest.Result("tz", False, "no time-zone database", 0.5)
    assert good.line() == "ok    tls: 117 CA certificates (0.04 s)"
    assert bad.line() == "FAIL  tz: no time-zone database (0.50 s)"


def test_an_unexpected_exception_is_a_failed_check_not_a_crash() -> None:
    out = io.StringIO()
    test = selftest.SelfTest(out)

    def broken() -> str:
        raise KeyError("cacert.pem")

    test.check("tls", broken)
    assert test.results[0].ok is False
    assert out.getvalue().startswith("FAIL  tls: KeyError: 'cacert.pem'")
