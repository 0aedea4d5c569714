"""Logging set-up, and the redactor that keeps secrets out of every log line and crash report.

The redactor is a safety net, not permission: code still must not log a token, password or key.
It exists because secrets arrive in places nobody planned for — an exception message carrying
a URL with ``?token=``, a repr of a headers dict, a server error echoing the request body.
"""

from __future__ import annotations

import atexit
import logging
import queue
import re
import sys
import threading
from logging.handlers import QueueHandler, QueueListener, RotatingFileHandler
from pathlib import Path

from callaro_desktop import paths

__all__ = [
    "REDACTED",
    "SecretRedactor",
    "contains_secret",
    "log_dir",
    "redact",
    "remember_secret",
    "setup_logging",
    "shutdown_logging",
]

REDACTED = "[REDACTED]"

LOG_MAX_BYTES = 1_000_000
LOG_BACKUP_COUNT = 5
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

# Characters that can end an unquoted value in a header line, query string, repr or JSON. "["
# is among them so an already redacted value is left as it is rather than redacted twice.
_VALUE_END = r"""\s"',;&}\[\])"""

# Names whose value is a secret. Broad on purpose ("token_type" gets redacted too): a harmless
# word lost from a log costs nothing, a leaked credential costs an account.
_SECRET_KEY = (
    r"[A-Za-z0-9_\-]*(?:password|passwd|passphrase|secret|token|api[_\-]?key)[A-Za-z0-9_\-]*"
)

_QUOTED_OR_BARE = rf"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^{_VALUE_END}]+)"""

_AUTH_HEADER = re.compile(
    rf"""(?i)(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)"""
    rf"""(?:(?:bearer|basic|digest|token)\s+)?[^{_VALUE_END}]+"""
)
_API_KEY_HEADER = re.compile(
    rf"""(?i)(\bx-(?:partner-)?api-key["']?\s*[:=]\s*["']?)[^{_VALUE_END}]+"""
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*")
# Three base64url parts; the signature may be empty for an unsigned token.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
# Tenant (sk_live_, sk_test_, sk_) and partner (pk_) keys. Requiring eight characters after the
# mode keeps a key *prefix* such as "sk_live_ab12" (shown in the UI, not secret) legible; the
# possessive "?+" stops "live_" from being counted towards those eight.
_API_KEY = re.compile(r"\b((?:sk|pk)_(?:(?:live|test)_)?+)[A-Za-z0-9_\-]{8,}")
_KEY_VALUE = re.compile(rf"""(?i)(["']?\b{_SECRET_KEY}["']?\s*[:=]\s*)({_QUOTED_OR_BARE})""")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^@\s/]+@")

# Opaque secrets (e.g. a refresh token that is not a JWT) match no pattern, so the code that
# handles them registers the exact values here. Bounded so a long session cannot grow it forever.
_KNOWN_LIMIT = 64
_MIN_KNOWN_LENGTH = 8
_known_lock = threading.Lock()
_known: tuple[str, ...] = ()


def remember_secret(value: str) -> None:
    """Make ``redact`` remove this exact value wherever it appears from now on."""
    global _known
    if len(value) < _MIN_KNOWN_LENGTH:
        return
    with _known_lock:
        if value in _known:
            return
        # Longest first so a secret that contains another is removed whole.
        kept = (value, *_known)[:_KNOWN_LIMIT]
        _known = tuple(sorted(kept, key=len, reverse=True))


def _keep_quotes(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group(1)}{quote}{REDACTED}{quote}"


def redact(text: str) -> str:
    """Return ``text`` with every secret-looking value replaced by ``[REDACTED]``.

    Used by the log handlers and by crash reports, which must be safe to paste into a ticket.
    """
    for known in _known:
        text = text.replace(known, REDACTED)
    # Header rules first, so "Authorization: Bearer x" loses the whole credential, scheme and all.
    text = _AUTH_HEADER.sub(rf"\1{REDACTED}", text)
    text = _API_KEY_HEADER.sub(rf"\1{REDACTED}", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _API_KEY.sub(rf"\1{REDACTED}", text)
    text = _KEY_VALUE.sub(_keep_quotes, text)
    return _URL_USERINFO.sub(rf"\1{REDACTED}@", text)


def contains_secret(text: str) -> bool:
    """True when ``text`` holds anything ``redact`` would remove."""
    return redact(text) != text


class SecretRedactor(logging.Filter):
    """Redacts the formatted message, its args, and any traceback text of every record.

    Attached to handlers rather than loggers: a logger's filter only sees records logged on
    that exact logger, while a handler's sees everything that reaches it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A broken format string must not become a way for raw args to reach the file.
            message = f"{record.msg!s} {record.args!r}"
        # Merge the args in and drop them: redacting each arg separately would break %d and
        # friends, and a handler that reads record.args later must not find the raw values.
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def log_dir() -> Path:
    return paths.log_dir()


def _level_number(level: int | str) -> int:
    if isinstance(level, int):
        return level
    number = logging.getLevelName(level.strip().upper())
    return number if isinstance(number, int) else logging.INFO


# Marks the handlers installed here so a second setup (tests, a level change from Preferences)
# replaces them instead of doubling every line, and leaves other handlers (pytest's) alone.
_OWNED = "_callaro_desktop_owned"


class _HandOff(QueueHandler):
    """The one handler on the root logger: a record is redacted and formatted on the thread
    that logged it, then written by a thread of its own.

    Most records are logged on the GUI thread (the transport runs there), and a write to
    the log file can wait: a home folder on a network share, a disk that has gone to sleep,
    a virus scanner holding the file. None of that may freeze the window. Redacting here,
    before the queue, keeps secrets out of the queue as well as the file.
    """

    def __init__(self, *handlers: logging.Handler) -> None:
        super().__init__(queue.Queue(-1))
        self.addFilter(SecretRedactor())
        self.writers = handlers
        self._listener = QueueListener(self.queue, *handlers)
        self._listener.start()
        self._writing = True

    def emit(self, record: logging.LogRecord) -> None:
        if not self._writing:
            # Closed from outside (logging.config's set-ups close every handler there is,
            # and leave them on their loggers): write again rather than queue for no one.
            self._listener.start()
            self._writing = True
        super().emit(record)

    def flush(self) -> None:
        """Wait until every record handed over so far is written (tests, quitting)."""
        if self._writing:  # (once closed, nothing drains the queue: it is empty)
            self.queue.join()  # type: ignore[attr-defined]
        for handler in self.writers:
            handler.flush()

    def close(self) -> None:
        # Whatever is queued is written, then the writers close.
        self.acquire()  # (not while a record is being handed over)
        try:
            if self._writing:
                self._writing = False
                self._listener.stop()
        finally:
            self.release()
        for handler in self.writers:
            handler.close()
        super().close()


def shutdown_logging() -> None:
    """Write what is queued, then detach and close the handlers ``setup_logging`` installed."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWNED, False):
            root.removeHandler(handler)
            handler.close()


def setup_logging(level: int | str = "INFO", *, to_stderr: bool = True) -> Path:
    """Log to a rotating file in the log dir (and stderr), written off the logging thread;
    return the file's path.

    Safe to call again: the previous handlers are replaced.
    """
    shutdown_logging()
    path = paths.log_file()
    formatter = logging.Formatter(_FORMAT)
    writers: list[logging.Handler] = [
        RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
        )
    ]
    if to_stderr:
        writers.append(logging.StreamHandler(sys.stderr))
    for writer in writers:
        writer.setFormatter(formatter)
    handler = _HandOff(*writers)
    setattr(handler, _OWNED, True)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(_level_number(level))
    logging.captureWarnings(True)
    return path


# Before logging's own exit handler (atexit runs last registered first): the queue is written
# out while the file can still be written.
atexit.register(shutdown_logging)
