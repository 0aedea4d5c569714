"""logs: the redactor removes every secret form, and a real log file never holds one."""

from __future__ import annotations

import logging
import logging.config
import threading
from collections.abc import Iterator
from logging.handlers import QueueHandler, RotatingFileHandler
from pathlib import Path

import pytest

from callaro_desktop import logs, paths
from callaro_desktop.logs import REDACTED, SecretRedactor, contains_secret, redact

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInRpZCI6NDR9.dGhpcy1pcy1ub3QtYS1zaWc"
REFRESH = "rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0"

# (text with a secret, the secret that must vanish, a part that must survive)
CASES = [
    (f"Authorization: Bearer {JWT}", JWT, "Authorization: "),
    ("authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy", "authorization: "),
    (f"{{'Authorization': 'Bearer {REFRESH}', 'Accept': 'json'}}", REFRESH, "'Accept': 'json'"),
    (f"sending bearer {REFRESH} to /me", REFRESH, "to /me"),
    (f"token was {JWT} ok", JWT, "token was "),
    ("X-Api-Key: sk_live_51HqLyjWDarjtT1zdp7dc", "51HqLyjWDarjtT1zdp7dc", "X-Api-Key: "),
    ("created key sk_live_51HqLyjWDarjtT1zdp7dc", "51HqLyjWDarjtT1zdp7dc", "created key sk_live_"),
    ("created key sk_test_aB3dE5gH7jK9", "aB3dE5gH7jK9", "created key"),
    ("created key sk_Q2w3E4r5T6y7U8i9", "Q2w3E4r5T6y7U8i9", "created key"),
    ("partner pk_live_0a1b2c3d4e5f6a7b", "0a1b2c3d4e5f6a7b", "partner"),
    ("X-Partner-Api-Key: pk_9z8y7x6w5v4u3t2s", "9z8y7x6w5v4u3t2s", "X-Partner-Api-Key"),
    ('{"email": "a@acme.in", "password": "hunter2 hunter2"}', "hunter2", '"email": "a@acme.in"'),
    ("{'password': 'correct horse'}", "correct horse", "'password': '"),
    ('{"refresh_token": "opaque-value-123"}', "opaque-value-123", '"refresh_token": "'),
    ('{"access_token":"abc.def.ghi", "expires_in": 900}', "abc.def.ghi", '"expires_in": 900'),
    ('{"auth_token": "twilio-auth-0042", "account_sid": "AC1"}', "twilio-auth-0042", "AC1"),
    ('{"secret": "whsec_77aa", "name": "ci"}', "whsec_77aa", '"name": "ci"'),
    ("POST /login?email=a%40b.in&password=p%40ss&next=/", "p%40ss", "&next=/"),
    ("GET /x?refresh_token=abc123xyz&page=2", "abc123xyz", "&page=2"),
    ("current_password=oldpass1234 new_password=newpass5678", "oldpass1234", "current_password="),
    ("current_password=oldpass1234 new_password=newpass5678", "newpass5678", " new_password="),
    ("SIP password: s1p-s3cret", "s1p-s3cret", "SIP "),
    ("proxy https://bob:hunter22@proxy.local:8080", "hunter22", "proxy.local:8080"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), CASES)
def test_redact_removes_each_secret_form(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert REDACTED in out
    assert kept in out
    assert contains_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        "Loaded 50 rows for tenant 44 in 120 ms",
        "key prefix sk_live_ab12 shown in list",
        "refresh token present, 512 chars",
        "GET https://api.callaro.ai/api/v1/me -> 200",
        "user admin@acme.in signed in",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text
    assert not contains_secret(text)


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact(f"X-Api-Key: sk_live_51HqLyjWDarjtT1zdp7dc Authorization: Bearer {JWT}")
    assert redact(once) == once


def test_remembered_opaque_secret_is_redacted_everywhere() -> None:
    opaque = "Zq81mN02xP93cV64"  # matches no pattern on its own
    assert redact(f"got {opaque}") == f"got {opaque}"
    logs.remember_secret(opaque)
    assert redact(f"got {opaque} and {opaque}!") == f"got {REDACTED} and {REDACTED}!"


def _record(msg: str, args: object = None, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(
        "callaro_desktop.test",
        logging.INFO,
        __file__,
        1,
        msg,
        args,
        exc_info,  # type: ignore[arg-type]
    )


def test_redactor_cleans_message_and_args() -> None:
    record = _record("calling %s with %r", (f"Bearer {JWT}", {"password": "hunter22"}))
    assert SecretRedactor().filter(record) is True
    assert record.args is None  # nobody downstream can read the raw args
    assert JWT not in record.getMessage() and "hunter22" not in record.getMessage()
    assert record.getMessage().startswith("calling Bearer [REDACTED] with {'password': ")


def test_redactor_cleans_mapping_args_and_non_string_messages() -> None:
    record = _record("login %(body)s", ({"body": '{"password": "hunter22"}'},))
    SecretRedactor().filter(record)
    assert "hunter22" not in record.getMessage()

    record = _record(ValueError(f"bad token {JWT}"))  # type: ignore[arg-type]
    SecretRedactor().filter(record)
    assert JWT not in record.getMessage()


def test_redactor_survives_a_broken_format_string() -> None:
    record = _record("%d items for %s", ("not-a-number", f"Bearer {REFRESH}"))
    SecretRedactor().filter(record)
    assert REFRESH not in record.getMessage()


def test_redactor_cleans_tracebacks() -> None:
    try:
        raise RuntimeError(f"server said: Authorization: Bearer {REFRESH}")
    except RuntimeError as exc:
        record = _record("request failed", exc=exc)
    SecretRedactor().filter(record)
    text = logging.Formatter().format(record)
    assert "RuntimeError" in text
    assert REFRESH not in text


@pytest.fixture
def clean_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    logs.shutdown_logging()
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.mark.usefixtures("clean_root_logger")
def test_setup_logging_writes_a_file_without_the_planted_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    path = logs.setup_logging("info")

    assert path.parent == logs.log_dir() == (tmp_path / "home").resolve() / "logs"
    log = logging.getLogger("callaro_desktop.api.transport")
    log.info("request headers %s", {"Authorization": f"Bearer {JWT}"})
    log.warning(f"login body {{'email': 'a@acme.in', 'password': 'hunter22-{REFRESH}'}}")
    log.info("refresh with refresh_token=%s", REFRESH)
    try:
        raise ConnectionError(f"GET https://api.callaro.ai/x?access_token={REFRESH}")
    except ConnectionError:
        log.exception("request failed")
    log.debug("not written at INFO %s", "debug-line")
    for handler in logging.getLogger().handlers:
        handler.flush()

    written = path.read_text(encoding="utf-8")
    assert "request headers" in written and "request failed" in written
    assert "ConnectionError" in written  # the traceback is there, redacted
    assert "a@acme.in" in written
    assert "debug-line" not in written
    stderr = capsys.readouterr().err
    assert "request failed" in stderr
    for secret in (JWT, REFRESH, "hunter22"):
        assert secret not in written
        assert secret not in stderr


@pytest.mark.usefixtures("clean_root_logger")
def test_setup_logging_twice_does_not_double_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    logs.setup_logging("INFO", to_stderr=False)
    path = logs.setup_logging(logging.DEBUG, to_stderr=False)

    handoffs = [h for h in logging.getLogger().handlers if isinstance(h, QueueHandler)]
    assert len(handoffs) == 1
    ours = [h for h in handoffs[0].writers if isinstance(h, RotatingFileHandler)]
    assert len(ours) == 1
    assert ours[0].maxBytes == logs.LOG_MAX_BYTES == 1_000_000
    assert ours[0].backupCount == logs.LOG_BACKUP_COUNT == 5
    assert logging.getLogger().level == logging.DEBUG

    logging.getLogger("callaro_desktop").debug("exactly once")
    handoffs[0].flush()
    assert path.read_text(encoding="utf-8").count("exactly once") == 1


@pytest.mark.usefixtures("clean_root_logger")
def test_a_stuck_log_file_never_holds_up_the_thread_that_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI thread logs every request: a log file that cannot be written for a while (a
    network home folder, a virus scanner) must not freeze it. Written here, the first line
    would keep this thread in the stuck write and the writer would be this thread."""
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    path = logs.setup_logging("INFO", to_stderr=False)
    handoff = next(h for h in logging.getLogger().handlers if isinstance(h, QueueHandler))
    file = next(h for h in handoff.writers if isinstance(h, RotatingFileHandler))
    real_emit = file.emit
    writing, release = threading.Event(), threading.Event()
    writers: list[threading.Thread] = []

    def stuck(record: logging.LogRecord) -> None:
        writers.append(threading.current_thread())
        writing.set()
        release.wait(5)
        real_emit(record)

    monkeypatch.setattr(file, "emit", stuck)
    log = logging.getLogger("callaro_desktop.api.transport")
    log.info("first line, stuck in the write")
    assert writing.wait(5)
    log.info("second line, refresh_token=%s", REFRESH)  # queued behind the stuck write
    assert writers and all(w is not threading.current_thread() for w in writers)
    release.set()
    handoff.flush()
    written = path.read_text(encoding="utf-8")
    assert "first line, stuck in the write" in written and "second line" in written
    assert REFRESH not in written
    assert "[MainThread]" in written  # the thread that logged, not the one that wrote


@pytest.mark.usefixtures("clean_root_logger")
def test_logging_set_up_by_a_library_does_not_silence_the_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """logging.config's set-ups (uvicorn runs one) close every handler in the process and
    leave them where they are: the log file must go on being written."""
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    path = logs.setup_logging("INFO", to_stderr=False)
    log = logging.getLogger("callaro_desktop")
    log.info("before the library's set-up")
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    log.info("after the library's set-up")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = path.read_text(encoding="utf-8")
    assert "before the library's set-up" in written and "after the library's set-up" in written
