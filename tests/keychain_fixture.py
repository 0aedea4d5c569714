"""A private, throw-away Secret Service for the keychain tests.

``secret_service`` starts its own D-Bus session bus and its own gnome-keyring-daemon in a
temporary HOME/XDG tree, points this process at that bus, and selects keyring's SecretService
backend explicitly. The developer's real keychain is never reached: the bus is new, its
address is ours, and the daemon's files live under the temporary folder.

It works without a display and as root (CI): gnome-keyring is unlocked with a fixed password
on stdin, so no prompt is ever needed, and the bus has no service directories, so nothing can
be D-Bus-activated behind our back (no second keyring daemon, no prompter).

It skips, saying why, only when the programs are missing or the daemon cannot be brought up.
Set ``CALLARO_REQUIRE_KEYCHAIN=1`` (CI) to turn that skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend

REQUIRE_ENV = "CALLARO_REQUIRE_KEYCHAIN"
KEYRING_PASSWORD = b"callaro-desktop-tests"
START_TIMEOUT_S = 15.0

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass(frozen=True)
class SecretServiceSession:
    backend: KeyringBackend
    bus_address: str
    home: Path


def _give_up(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this is a failure, not a skip)")
    pytest.skip(reason)


def _read_line(stream: IO[bytes], timeout_s: float) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            return ""
    return stream.readline().decode("utf-8", "replace").strip()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # Each daemon leads its own process group (start_new_session), so this reaches any child
    # it spawned and nothing else.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _tail(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text[-500:] or "(no output)"


def _wait_until_usable(
    backend: KeyringBackend, daemon: subprocess.Popen[bytes], daemon_log: Path
) -> None:
    """Poll until a set/get/delete round trip works: the daemon needs a moment to claim its
    D-Bus name and create the login collection from the password it was given."""
    deadline = time.monotonic() + START_TIMEOUT_S
    last_error = "no attempt made"
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            _give_up(
                f"gnome-keyring-daemon exited with status {daemon.returncode}: {_tail(daemon_log)}"
            )
        try:
            backend.set_password("callaro-desktop-fixture", "probe", "round-trip")
            value = backend.get_password("callaro-desktop-fixture", "probe")
            backend.delete_password("callaro-desktop-fixture", "probe")
        except Exception as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.1)
            continue
        if value == "round-trip":
            return
        last_error = f"read back {value!r} instead of the value written"
    _give_up(
        f"gnome-keyring-daemon started but a round trip failed for {START_TIMEOUT_S:g} s "
        f"({last_error}); daemon said: {_tail(daemon_log)}"
    )


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretServiceSession]:
    missing = [p for p in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(p) is None]
    if missing:
        _give_up(
            f"{' and '.join(missing)} not found on PATH; the keychain tests need them "
            "(Debian/Ubuntu: apt install dbus gnome-keyring)"
        )
    try:
        import secretstorage  # noqa: F401  (keyring's SecretService backend needs it)
        from keyring.backends import SecretService
    except ImportError as exc:
        _give_up(f"keyring's SecretService backend cannot be imported: {exc}")

    # Short root: a unix socket path must fit in about 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="callaro-kc-"))
    dirs = {name: root / name for name in ("home", "run", "data", "config", "cache")}
    for path in dirs.values():
        path.mkdir(mode=0o700)
    socket = dirs["run"] / "bus"
    bus_config = root / "bus.conf"
    bus_config.write_text(_BUS_CONFIG.format(socket=socket), encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(dirs["home"]),
        "XDG_RUNTIME_DIR": str(dirs["run"]),
        "XDG_DATA_HOME": str(dirs["data"]),
        "XDG_CONFIG_HOME": str(dirs["config"]),
        "XDG_CACHE_HOME": str(dirs["cache"]),
        "LANG": "C.UTF-8",
    }
    processes: list[subprocess.Popen[bytes]] = []
    saved_address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    # Read the private global rather than keyring.get_keyring(): that would run detection,
    # which may talk to the developer's real session bus.
    saved_backend = keyring.core._keyring_backend
    try:
        bus_log = root / "dbus-daemon.log"
        with bus_log.open("wb") as bus_err:
            bus = subprocess.Popen(
                [
                    "dbus-daemon",
                    "--nofork",
                    "--nopidfile",
                    f"--config-file={bus_config}",
                    "--print-address=1",
                ],
                stdout=subprocess.PIPE,
                stderr=bus_err,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        processes.append(bus)
        assert bus.stdout is not None
        address = _read_line(bus.stdout, START_TIMEOUT_S)
        if not address:
            _give_up(f"dbus-daemon printed no bus address: {_tail(bus_log)}")
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        daemon_log = root / "gnome-keyring-daemon.log"
        with daemon_log.open("wb") as daemon_out:
            daemon = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=daemon_out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        processes.append(daemon)
        assert daemon.stdin is not None
        # --unlock reads the login keyring's password up to EOF; an empty one is refused, so
        # a fixed one creates (first run) or unlocks the private login keyring.
        daemon.stdin.write(KEYRING_PASSWORD)
        daemon.stdin.close()

        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        backend = SecretService.Keyring()
        _wait_until_usable(backend, daemon, daemon_log)
        keyring.set_keyring(backend)
        yield SecretServiceSession(backend=backend, bus_address=address, home=dirs["home"])
    finally:
        keyring.core._keyring_backend = saved_backend
        if saved_address is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved_address
        for process in reversed(processes):
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(root, ignore_errors=True)
