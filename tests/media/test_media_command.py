"""`callaro-desktop media` on the demo sandbox, offscreen: every file, the right pixel sizes,
an index that lists them, and no real person, number, token or secret in any widget's
strings before it is drawn (the real values are read from the sandbox's own database)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QWidget

from callaro_desktop.app import DEMO_EMAIL, DEMO_PASSWORD, AppController
from callaro_desktop.media import ANIMATIONS, SHOTS, MediaOptions, make_media, widget_strings
from callaro_desktop.secrets import MemoryStore, TokenStore
from callaro_desktop.services.privacy import Privacy
from callaro_desktop.settings import Settings
from callaro_sandbox.server import run_in_thread

HIDPI = {"my-profile", "getting-started", "api-key-secret"}
ANIMATION = "change-password-flow"
PHONE = re.compile(r"\+\d+(?:[ \u00a0.\-]?(?:\(\d+\)|\d+))+")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _prepare_sandbox(db: Path) -> dict[str, Any]:
    """Seed the demo data and create one more API key, so its secret is known here."""
    server = run_in_thread(db)
    try:
        seeded = server.seeded
        assert seeded is not None and seeded.api_key_secret
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            login = http.post(
                "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            ).json()["data"]
            headers = {"Authorization": f"Bearer {login['access_token']}"}
            tenant = http.get("/api/v1/tenants", headers=headers).json()["data"][0]["id"]
            created = http.post(
                "/api/v1/api_keys",
                json={"name": "Media test key"},
                headers={**headers, "X-Tenant-Id": str(tenant)},
            ).json()["data"]
        return {
            "secrets": [seeded.api_key_secret, created["secret"]],
            "tokens": [login["access_token"], login["refresh_token"]],
        }
    finally:
        server.stop()


def _real_values(db: Path, known: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(strings that must not appear, digit strings of phone numbers that must not appear)."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        texts: set[str] = set()
        for row in con.execute("SELECT email, display_name FROM users"):
            texts |= {row["email"], row["display_name"]} - {None}
        for row in con.execute("SELECT email, token FROM invitations"):
            texts |= {row["email"], row["token"]}
        for row in con.execute("SELECT prefix FROM api_keys"):
            texts.add(row["prefix"])
        for row in con.execute("SELECT email FROM billing_accounts WHERE email IS NOT NULL"):
            texts.add(row["email"])
        for row in con.execute("SELECT settings, secrets FROM telephony_connections"):
            for blob in (row["settings"], row["secrets"]):
                for key, value in json.loads(blob).items():
                    if key in {"account_sid", "api_key", "username", "auth_token"} | {
                        "api_token",
                        "password",
                    } and isinstance(value, str):
                        texts.add(value)
        phones = {_digits(r["e164"]) for r in con.execute("SELECT e164 FROM phone_numbers")}
        for row in con.execute("SELECT description FROM usage_events"):
            phones |= {_digits(m) for m in PHONE.findall(row["description"])}
    finally:
        con.close()
    texts |= set(known["secrets"]) | set(known["tokens"])
    return {t for t in texts if t and len(t) >= 4}, phones


@pytest.mark.slow
@pytest.mark.ui_timeout(420)
async def test_media_on_the_demo_sandbox_makes_every_file_without_real_values(
    qapp: QApplication, tmp_path: Path
) -> None:
    db = tmp_path / "sandbox.db"
    known = _prepare_sandbox(db)
    out = tmp_path / "media"
    settings = Settings()
    controller = AppController(qapp, settings, server=None, demo=True)
    await controller.setup(vault=TokenStore(MemoryStore(), settings))
    seen: dict[str, list[str]] = {}

    def inspect(name: str, roots: list[QWidget]) -> None:
        # Pictures: every widget, drawn or not. Animation frames: what each frame draws.
        strict = name not in ANIMATIONS
        seen.setdefault(name, []).extend(widget_strings(roots, visible_only=not strict))

    options = MediaOptions(out=out, hidpi=HIDPI, only={s.name for s in SHOTS} | {ANIMATION})
    started = time.monotonic()
    try:
        files = await make_media(controller, options, demo_db=db, inspect=inspect)
        took = time.monotonic() - started
        privacy = controller.session.result_filter
        session_tokens = controller.session.client.transport.tokens
        assert session_tokens is not None
        known["tokens"] += [
            session_tokens.access_token.get_secret_value(),
            session_tokens.refresh_token.get_secret_value(),
        ]
    finally:
        await controller.shutdown()
        controller.window.hide()
        controller.window.deleteLater()
    print(f"media: {len(files)} files in {took:.1f} s")

    # Every file, non-empty, at the size its name promises.
    expected: dict[str, tuple[int, int]] = {}
    for theme in ("light", "dark"):
        for shot in SHOTS:
            expected[f"{shot.name}-{theme}.png"] = (1280, 800)
            if shot.name in HIDPI:
                expected[f"{shot.name}-{theme}@2x.png"] = (2560, 1600)
        expected[f"{ANIMATION}-{theme}.gif"] = (1280, 800)
    written = {f.path.name for f in files}
    assert written == set(expected)
    for name, size in expected.items():
        path = out / name
        assert path.stat().st_size > 10_000, name
        with Image.open(path) as image:
            assert image.size == size, name
            if name.endswith(".gif"):
                assert getattr(image, "n_frames", 1) > 20
            else:
                # A finished picture, not a blank one: many colours in use.
                assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50, name
    index = (out / "index.md").read_text(encoding="utf-8")
    for name in expected:
        assert f"[{name}]({name})" in index
    assert "No secrets in screenshot." in index
    assert "Progress (X of Y steps) and a visible View checklist region." in index
    assert "opening the password change flow and closing" in index
    assert ANIMATIONS[ANIMATION][0] in index

    # Nothing real on screen: checked on the strings, before every render.
    assert set(seen) == {s.name for s in SHOTS} | {ANIMATION}
    texts, phones = _real_values(db, known)
    assert "admin@demo.callaro.test" in texts and "Asha Admin" in texts
    assert len(phones) > 40
    # A made-up number is random digits of the real one's country and length; the usage
    # data's thousands of random callers share that space, so one may, rarely, equal a
    # caller the filter never met. It was still made up (real numbers met are always
    # replaced, even one equal to an earlier fake): only the others count as shown.
    assert isinstance(privacy, Privacy)
    made_up = privacy.made_up_phone_digits()
    assert len(made_up) > 20
    for name, strings in seen.items():
        blob = "\n".join(strings)
        leaked = sorted(t for t in texts if t in blob)
        assert not leaked, f"{name} shows {leaked[:5]}"
        shown = {_digits(m) for m in PHONE.findall(blob)}
        shown |= {_digits(s) for s in strings if re.fullmatch(r"\+\d{7,15}", s)}
        real = (shown & phones) - made_up
        assert not real, f"{name} shows real numbers {sorted(real)[:3]}"
    # The pictures do show people and numbers (made-up ones): the check is not vacuous.
    users = "\n".join(seen["users"])
    assert users.count("@example.") > 10
    assert len({_digits(m) for m in PHONE.findall("\n".join(seen["phone-numbers"]))}) > 10
    assert took < 240


@pytest.mark.slow
def test_the_command_line_renders_offscreen_without_a_display(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["CALLARO_DESKTOP_HOME"] = str(tmp_path / "home")
    out = tmp_path / "out"
    started = time.monotonic()
    command = [sys.executable, "-m", "callaro_desktop", "media", "--demo", "--out", str(out)]
    command += ["--only", "my-profile", "--theme", "dark", "--scale", "2", "--no-animations"]
    proc = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "my-profile-dark@2x.png  2560x1600" in proc.stdout
    assert "propagateSizeHints" not in proc.stderr
    with Image.open(out / "my-profile-dark@2x.png") as image:
        assert image.size == (2560, 1600)
    assert "my-profile-dark@2x.png" in (out / "index.md").read_text(encoding="utf-8")
    # The run wrote nothing into the user's folders.
    assert not (tmp_path / "home" / "config" / "settings.json").exists()
    print(f"media command (one 2x shot, cold start): {took:.1f} s")


def test_a_saved_sign_in_is_not_used_while_the_console_runs_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refresh tokens rotate: a media run refreshing the saved sign-in the running console
    holds would have the server revoke it for both. With a password (--email) it may run."""
    from callaro_desktop import instance, media

    monkeypatch.setenv("CALLARO_DESKTOP_HOME", str(tmp_path / "home"))
    console = instance.claim(demo=False)  # (a console running on this home)
    assert console is not None
    try:
        with pytest.raises(SystemExit, match="Callaro Desktop is running"):
            media.main(["--out", str(tmp_path / "out"), "--server", "https://api.callaro.test"])
    finally:
        console.release()
    assert not (tmp_path / "out").exists()
