"""Create or edit a telephony connection: the provider account or SIP trunk numbers run on.

Each provider has its own fields (Twilio: Account SID and Auth Token; Exotel: Account SID,
API key, subdomain and API token; mCube: API token; SIP: termination URI, username,
password, IP allow-list, codecs in order of preference). Secrets are write-only: the server
never sends them back, so an edit shows "stored" with a Replace button, and only a
replacement that was typed is sent. Everything is checked as typed, per line for the
allow-list, and the server's errors (`ip_acl.2`) land on the line they are about.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.client import UNSET
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Codec, Provider, TelephonyConnection
from callaro_desktop.i18n import tr
from callaro_desktop.services.permissions import Capability
from callaro_desktop.views.dialogs.common import run_dialog
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.dialogs.form_sections import FormSections
from callaro_desktop.views.pages.phone_numbers import provider_label
from callaro_desktop.views.widgets.focus import focus_through

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

PROVIDERS = (Provider.TWILIO, Provider.EXOTEL, Provider.MCUBE, Provider.SIP)
CODECS = (Codec.PCMU, Codec.PCMA, Codec.G722, Codec.OPUS)
DEFAULT_CODECS = (Codec.PCMU, Codec.PCMA)
MAX_ACL = 64
MIN_PASSWORD = 12
MAX_NAME = 100

TWILIO_SID = re.compile(r"^AC[0-9a-f]{32}$")
# sip:[user@]host[:port][;params], the host a name, an IPv4 address or a bracketed IPv6 one.
SIP_URI = re.compile(
    r"^(?P<scheme>sips?):(?:(?P<user>[^@\s;:]+)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>\d{1,5}))?(?P<params>;\S*)?$"
)
HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


# --- checks (pure) ------------------------------------------------------------------------


def sip_uri_problem(uri: str) -> str | None:
    text = uri.strip()
    if not text:
        return tr("Enter the trunk's termination URI.")
    if not re.match(r"^sips?:", text, re.IGNORECASE):
        return tr("Must start with sip: or sips:, e.g. sip:trunk.example.com:5060")
    match = SIP_URI.match(text)
    if match is None:
        return tr("Not a SIP URI; e.g. sip:trunk.example.com:5060 or sips:pbx.example.com")
    host = match.group("host")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return tr("The host is not a valid IPv6 address.")
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return tr("The port must be between 1 and 65535.")
    return None


def acl_lines(text: str) -> list[tuple[int, str]]:
    """(line number, entry) for every non-blank line."""
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def cidr_problem(entry: str) -> str | None:
    try:
        ipaddress.ip_network(entry, strict=True)
    except ValueError as exc:
        if "host bits" in str(exc):
            network = ipaddress.ip_network(entry, strict=False)
            return tr("has host bits set; did you mean {0}?").format(network)
        return tr("is not an IPv4 or IPv6 address or CIDR block")
    return None


def acl_problems(text: str) -> list[tuple[int, str]]:
    """(line number, message) for every line that is not a CIDR block."""
    problems = [
        (line, tr("Line {0}: '{1}' {2}").format(line, entry, problem))
        for line, entry in acl_lines(text)
        if (problem := cidr_problem(entry)) is not None
    ]
    if len(acl_lines(text)) > MAX_ACL:
        problems.append((0, tr("At most {0} entries.").format(MAX_ACL)))
    return problems


def password_problem(password: str, username: str = "") -> str | None:
    """The strength rule for SIP passwords: long, mixed, and not the username."""
    if len(password) < MIN_PASSWORD:
        return tr("Use at least {0} characters.").format(MIN_PASSWORD)
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 3:
        return tr("Mix at least three of: lowercase, uppercase, digits, symbols.")
    if len(set(password)) < 6:
        return tr("Too many repeated characters.")
    name = username.strip().casefold()
    if len(name) >= 3 and name in password.casefold():
        return tr("Must not contain the username.")
    return None


def fingerprint(secret: str | None) -> str | None:
    # Compares "same value as last time" without keeping another copy of the secret.
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


# --- widgets ----------------------------------------------------------------------------------


class SecretInput(QWidget):
    """A write-only secret: 'stored' with Replace, or a masked field for a new value."""

    changed = Signal()

    def __init__(self, name: str, stored: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._stored = stored
        self.setAccessibleName(name)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.stored_label = QLabel("●●●●●●●●  " + tr("stored"))
        self.stored_label.setProperty("muted", True)
        self.stored_label.setAccessibleName(tr("{0}: stored").format(name))
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.edit.setAccessibleName(name)
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        self.replace_button = QPushButton(tr("Replace"))
        self.replace_button.setAccessibleName(tr("Replace {0}").format(name))
        self.replace_button.clicked.connect(self.start_replacing)
        self.keep_button = QPushButton(tr("Keep stored"))
        self.keep_button.setAccessibleName(tr("Keep the stored {0}").format(name))
        self.keep_button.clicked.connect(self.keep_stored)
        lay.addWidget(self.stored_label, 1)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.replace_button)
        lay.addWidget(self.keep_button)
        focus_through(self, self.edit)  # (or Replace, while the stored value is kept)
        if stored:
            self.keep_stored()
        else:
            self.start_replacing(focus=False)

    @property
    def stored(self) -> bool:
        return self._stored

    @property
    def replacing(self) -> bool:
        return self.edit.isVisibleTo(self)

    def start_replacing(self, focus: bool = True) -> None:
        self.stored_label.hide()
        self.replace_button.hide()
        self.edit.show()
        self.keep_button.setVisible(self._stored)
        self.edit.setPlaceholderText(
            tr("New value (replaces the stored one)") if self._stored else tr("Not set")
        )
        self.setFocusProxy(self.edit)
        if focus:
            self.edit.setFocus()
        self.changed.emit()

    def keep_stored(self) -> None:
        self.edit.clear()
        self.edit.hide()
        self.keep_button.hide()
        self.stored_label.show()
        self.replace_button.show()
        self.setFocusProxy(self.replace_button)
        self.changed.emit()

    def value(self) -> str | None:
        """The new secret to send, or None to leave the stored one (or none) as it is."""
        return self.edit.text() if self.replacing and self.edit.text() else None

    def set_read_only(self) -> None:
        self.edit.setReadOnly(True)
        self.replace_button.hide()
        self.keep_button.hide()
        if self._stored:
            self.keep_stored()
            self.replace_button.hide()
        else:
            self.stored_label.setText(tr("not set"))
            self.edit.hide()
            self.stored_label.show()


class CodecList(QWidget):
    """Codecs in order of preference: tick the ones to offer, move them up and down."""

    def __init__(self, codecs: list[Codec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Codecs"))
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Codecs, in order of preference"))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setMaximumHeight(112)
        chosen = [c for c in codecs if c in CODECS]
        for codec in [*chosen, *[c for c in CODECS if c not in chosen]]:
            item = QListWidgetItem(codec.value)
            item.setData(Qt.ItemDataRole.UserRole, codec.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if codec in chosen else Qt.CheckState.Unchecked
            )
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.up_button = QPushButton(tr("&Move up"))
        self.up_button.setAccessibleName(tr("Move codec up"))
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton(tr("Move do&wn"))
        self.down_button.setAccessibleName(tr("Move codec down"))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda s=step: self.move_current(s))
        side = QVBoxLayout()
        side.addWidget(self.up_button)
        side.addWidget(self.down_button)
        side.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list, 1)
        lay.addLayout(side)
        focus_through(self, self.list)

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)

    def codecs(self) -> list[str]:
        """The ticked codecs, most preferred first."""
        items = [self.list.item(i) for i in range(self.list.count())]
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_read_only(self) -> None:
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        self.up_button.hide()
        self.down_button.hide()


# --- the dialog --------------------------------------------------------------------------------


class ConnectionDialog(FormDialog):
    def __init__(
        self,
        session: Session,
        connection: TelephonyConnection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        editing = connection is not None
        self.writer = session.can(Capability.TELEPHONY_WRITE)
        if connection is None:
            title, action = tr("New telephony connection"), tr("&Create connection")
        elif self.writer:
            title, action = tr("Edit “{0}”").format(connection.name), tr("&Save")
        else:
            title, action = tr("Telephony connection “{0}”").format(connection.name), tr("&Save")
        super().__init__(session, title, action, parent=parent)
        self.setObjectName("ConnectionDialog")
        self.setMinimumWidth(580)
        self.connection = connection
        self.tenant_id = session.tenant_id
        self.sections = FormSections(self)
        c = connection

        self.name_edit = QLineEdit(c.name if c else "")
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText(tr("e.g. Twilio production, Office PBX"))
        self.add_field("name", tr("&Name"), self.name_edit)
        self.provider_combo = QComboBox()
        for provider in PROVIDERS:
            self.provider_combo.addItem(provider_label(provider), provider.value)
        self.add_field(
            "provider",
            tr("&Provider"),
            self.provider_combo,
            help_text=tr("A connection keeps its provider; create another to switch.")
            if editing
            else None,
        )
        self.active_check = QCheckBox(tr("Acti&ve: numbers on this connection take calls"))
        self.active_check.setChecked(c.active if c else True)
        self.add_field("active", "", self.active_check)

        with self.sections.section(Provider.TWILIO.value):
            self.twilio_sid = QLineEdit(c.account_sid or "" if c else "")
            self.twilio_sid.setPlaceholderText("AC0123456789abcdef0123456789abcdef")
            self.add_field(
                "twilio_sid",
                tr("Account SI&D"),
                self.twilio_sid,
                api_names=("account_sid",),
                help_text=tr("On the Twilio console's home page: AC and 32 hex characters."),
            )
            self.auth_token = SecretInput(tr("Auth Token"), bool(c and c.has_auth_token))
            self.add_field("auth_token", tr("Auth &Token"), self.auth_token)
        with self.sections.section(Provider.EXOTEL.value):
            self.exotel_sid = QLineEdit(c.account_sid or "" if c else "")
            self.add_field(
                "exotel_sid", tr("Account SI&D"), self.exotel_sid, api_names=("account_sid",)
            )
            self.exotel_key = QLineEdit(c.api_key or "" if c else "")
            self.add_field("api_key", tr("API &key"), self.exotel_key)
            self.exotel_subdomain = QLineEdit(c.subdomain or "" if c else "")
            self.exotel_subdomain.setPlaceholderText("api.exotel.com")
            self.add_field(
                "subdomain",
                tr("Su&bdomain"),
                self.exotel_subdomain,
                help_text=tr("api.exotel.com, or api.in.exotel.com for the Mumbai cluster."),
            )
            self.exotel_token = SecretInput(tr("API token"), bool(c and c.has_api_token))
            self.add_field(
                "exotel_token", tr("API &token"), self.exotel_token, api_names=("api_token",)
            )
        with self.sections.section(Provider.MCUBE.value):
            self.mcube_token = SecretInput(tr("API token"), bool(c and c.has_api_token))
            self.add_field(
                "mcube_token",
                tr("API &token"),
                self.mcube_token,
                api_names=("api_token",),
                help_text=tr("From mCube's dashboard, under Settings → API."),
            )
        with self.sections.section(Provider.SIP.value):
            self.sip_uri = QLineEdit(c.termination_uri or "" if c else "")
            self.sip_uri.setPlaceholderText("sip:trunk.example.com:5060")
            self.sip_uri.textChanged.connect(lambda _t: self._check_live("termination_uri"))
            self.add_field("termination_uri", tr("Termination &URI"), self.sip_uri)
            self.sip_username = QLineEdit(c.username or "" if c else "")
            self.add_field("username", tr("Use&rname"), self.sip_username)
            self.sip_password = SecretInput(tr("Password"), bool(c and c.has_password))
            self.sip_password.changed.connect(lambda: self._check_live("password"))
            self.add_field(
                "password",
                tr("Passwor&d"),
                self.sip_password,
                help_text=tr(
                    "At least {0} characters, mixing three of: lowercase, uppercase, digits, "
                    "symbols; not the username."
                ).format(MIN_PASSWORD),
            )
            self.ip_acl = QPlainTextEdit("\n".join(c.ip_acl) if c else "")
            self.ip_acl.setTabChangesFocus(True)
            self.ip_acl.setPlaceholderText("203.0.113.10/32\n198.51.100.0/24\n2001:db8::/48")
            self.ip_acl.setMaximumHeight(110)
            self.ip_acl.textChanged.connect(lambda: self._check_live("ip_acl"))
            self.add_field(
                "ip_acl",
                tr("IP &allow-list"),
                self.ip_acl,
                help_text=tr(
                    "Addresses the trunk may send calls from: one IPv4 or IPv6 address or "
                    "CIDR block per line. Empty allows none."
                ),
            )
            self.codecs = CodecList(list(c.codecs) if c and c.codecs else list(DEFAULT_CODECS))
            self.add_field("codecs", tr("C&odecs"), self.codecs)

        provider = c.provider if c else Provider.TWILIO
        self.provider_combo.setCurrentIndex(max(self.provider_combo.findData(provider.value), 0))
        self.provider_combo.currentIndexChanged.connect(lambda _i: self._on_provider_changed())
        if editing:
            self.provider_combo.setEnabled(False)
        self._on_provider_changed()
        if not self.writer:
            self._make_read_only()
        self.name_edit.setFocus()

    # -- shape --------------------------------------------------------------------------------

    def provider(self) -> Provider:
        return Provider(str(self.provider_combo.currentData()))

    def _on_provider_changed(self) -> None:
        self.clear_errors()
        self.sections.show(self.provider().value)
        self.adjustSize()

    def _make_read_only(self) -> None:
        for edit in (
            self.name_edit,
            self.twilio_sid,
            self.exotel_sid,
            self.exotel_key,
            self.exotel_subdomain,
            self.sip_uri,
            self.sip_username,
        ):
            edit.setReadOnly(True)
        self.ip_acl.setReadOnly(True)
        self.active_check.setEnabled(False)
        self.provider_combo.setEnabled(False)
        for secret in (self.auth_token, self.exotel_token, self.mcube_token, self.sip_password):
            secret.set_read_only()
        self.codecs.set_read_only()
        self.submit_button.hide()
        self.buttons.removeButton(self.cancel_button)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.cancel_button.setAccessibleName(tr("Close"))
        self.intro.setText(tr("Only a Tenant Admin can change telephony connections."))
        self.intro.show()

    async def run(self) -> TelephonyConnection | None:
        try:
            await run_dialog(self)
            result = self.result_value
            return result if isinstance(result, TelephonyConnection) else None
        finally:
            self.deleteLater()

    # -- checks -------------------------------------------------------------------------------

    def _check_live(self, name: str) -> None:
        if name not in self.fields:
            return
        problem = self._problems(only=name).get(name)
        self.fields[name][1].set_error(problem)

    def _problems(self, only: str | None = None) -> dict[str, str]:
        problems: dict[str, str] = {}
        provider = self.provider()

        def check(name: str, problem: str | None) -> None:
            if problem and (only is None or only == name):
                problems[name] = problem

        if only is None and not self.name_edit.text().strip():
            problems["name"] = tr("Give the connection a name.")
        if provider == Provider.TWILIO:
            sid = self.twilio_sid.text().strip()
            if not sid:
                check("twilio_sid", tr("Enter the Account SID."))
            elif not TWILIO_SID.match(sid):
                check(
                    "twilio_sid",
                    tr("A Twilio Account SID is AC followed by 32 lowercase hex characters."),
                )
            if not self.auth_token.stored and not self.auth_token.value():
                check("auth_token", tr("Enter the Auth Token."))
        elif provider == Provider.EXOTEL:
            for name, edit, label in (
                ("exotel_sid", self.exotel_sid, tr("Enter the Account SID.")),
                ("api_key", self.exotel_key, tr("Enter the API key.")),
            ):
                text = edit.text().strip()
                if not text:
                    check(name, label)
                elif re.search(r"\s", text):
                    check(name, tr("Must not contain spaces."))
            sub = self.exotel_subdomain.text().strip()
            if sub and not HOSTNAME.match(sub):
                check("subdomain", tr("A host name such as api.exotel.com."))
            if not self.exotel_token.stored and not self.exotel_token.value():
                check("exotel_token", tr("Enter the API token."))
        elif provider == Provider.MCUBE:
            if not self.mcube_token.stored and not self.mcube_token.value():
                check("mcube_token", tr("Enter the API token."))
        else:
            uri = self.sip_uri.text()
            # While typing, an empty field is not yet an error worth shouting about.
            if only is None or uri.strip():
                check("termination_uri", sip_uri_problem(uri))
            password = self.sip_password.value()
            if password is not None:
                check("password", password_problem(password, self.sip_username.text()))
            found = acl_problems(self.ip_acl.toPlainText())
            if found:
                check("ip_acl", "\n".join(text for _line, text in found))
            if only is None and not self.codecs.codecs():
                problems["codecs"] = tr("Tick at least one codec.")
        return problems

    def validate(self) -> dict[str, str]:
        return self._problems()

    # -- sending ------------------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        """What the provider's fields say, secrets only when typed."""
        provider = self.provider()
        values: dict[str, Any] = {}
        if provider == Provider.TWILIO:
            values["account_sid"] = self.twilio_sid.text().strip()
            secret = self.auth_token.value()
            if secret is not None:
                values["auth_token"] = secret
        elif provider == Provider.EXOTEL:
            values["account_sid"] = self.exotel_sid.text().strip()
            values["api_key"] = self.exotel_key.text().strip()
            values["subdomain"] = self.exotel_subdomain.text().strip() or "api.exotel.com"
            secret = self.exotel_token.value()
            if secret is not None:
                values["api_token"] = secret
        elif provider == Provider.MCUBE:
            secret = self.mcube_token.value()
            if secret is not None:
                values["api_token"] = secret
        else:
            values["termination_uri"] = self.sip_uri.text().strip()
            values["username"] = self.sip_username.text().strip() or None
            values["ip_acl"] = [entry for _line, entry in acl_lines(self.ip_acl.toPlainText())]
            values["codecs"] = self.codecs.codecs()
            secret = self.sip_password.value()
            if secret is not None:
                values["password"] = secret
        return values

    def payload(self) -> Any:
        secrets = ("auth_token", "api_token", "password")
        values = {k: fingerprint(v) if k in secrets else v for k, v in self._settings().items()}
        return (
            self.name_edit.text().strip(),
            self.provider().value,
            self.active_check.isChecked(),
            repr(sorted(values.items())),
        )

    async def perform(self, idempotency_key: str) -> TelephonyConnection:
        api = self.session.scope(self.tenant_id).telephony_connections
        name = self.name_edit.text().strip()
        values = self._settings()
        if self.connection is None:
            return await api.create(
                name,
                self.provider().value,
                active=self.active_check.isChecked(),
                idempotency_key=idempotency_key,
                **values,
            )
        username = values.pop("username", UNSET)
        return await api.update(
            self.connection.id,
            name=name,
            active=self.active_check.isChecked(),
            username=username,
            **values,
        )

    def show_api_error(self, exc: ApiError) -> None:
        super().show_api_error(exc)
        # ip_acl.2 is the third entry sent, which is not the third line if some were blank.
        lines = acl_lines(self.ip_acl.toPlainText())
        messages = []
        for key, texts in exc.errors.items():
            parts = key.split(".")
            if parts[0] == "ip_acl" and len(parts) > 1 and parts[1].isdigit() and texts:
                index = int(parts[1])
                line = lines[index][0] if index < len(lines) else index + 1
                messages.append(tr("Line {0}: {1}").format(line, texts[0]))
        if messages and "ip_acl" in self.fields:
            self.fields["ip_acl"][1].set_error("\n".join(messages))
