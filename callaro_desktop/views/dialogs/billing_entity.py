"""Billing details: who invoices are made out to (legal name, address, email, GSTIN).

The GSTIN is checked as it is typed, character by character (services/gstin.py), so a
mistyped PAN letter is flagged at once and a full GSTIN whose check character does not
match is caught before the server sees it; the server's own field errors still land
under the fields. Leaving the GSTIN empty bills the tenant as unregistered (B2C).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from callaro_desktop.api.models import BillingEntity
from callaro_desktop.i18n import tr
from callaro_desktop.services import gstin
from callaro_desktop.services.gstin import Finding, Problem
from callaro_desktop.views.dialogs.form import FormDialog

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

# The server's rule for the billing email: something@domain.tld, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LEGAL_NAME = 200
MAX_ADDRESS = 500
MAX_EMAIL = 254


def gstin_message(finding: Finding, text: str) -> str:
    """The sentence for a GSTIN problem, pointing at the character that is wrong."""
    value = gstin.normalize(text)
    position = finding.position or 0
    pan = tr("characters 3 to 12 are the PAN: 5 letters, 4 digits, 1 letter")
    messages = {
        Problem.EMPTY: tr("Enter the GSTIN."),
        Problem.BAD_CHARACTER: tr("Character {0} is not a letter or a digit.").format(position),
        Problem.STATE_DIGIT: tr(
            "A GSTIN starts with the two-digit state code, e.g. 29 for Karnataka."
        ),
        Problem.UNKNOWN_STATE: tr("{0} is not a GST state code.").format(value[:2]),
        Problem.PAN_LETTER: tr("Character {0} should be a letter ({1}).").format(position, pan),
        Problem.PAN_DIGIT: tr("Character {0} should be a digit ({1}).").format(position, pan),
        Problem.ENTITY: tr("Character 13 is the entity number: 1 to 9 or A to Z, not 0."),
        Problem.NOT_Z: tr("Character 14 of a GSTIN is always Z."),
        Problem.TOO_SHORT: tr("A GSTIN has 15 characters; this has {0}.").format(len(value)),
        Problem.TOO_LONG: tr("A GSTIN has 15 characters; this has {0}.").format(len(value)),
        Problem.CHECKSUM: tr(
            "The last character does not match the rest of the GSTIN; check it for a typo."
        ),
    }
    return messages[finding.problem]


class BillingEntityDialog(FormDialog):
    def __init__(
        self,
        session: Session,
        tenant_id: int,
        entity: BillingEntity,
        *,
        tenant_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            session,
            tr("Billing details"),
            tr("&Save"),
            intro=tr(
                "Invoices for {0} are made out to these details. An invoice already issued "
                "keeps the details it was issued with."
            ).format(tenant_name or tr("this workspace")),
            parent=parent,
        )
        self.setObjectName("BillingEntityDialog")
        self.tenant_id = tenant_id
        self.legal_name = QLineEdit(entity.legal_name or "")
        self.legal_name.setMaxLength(MAX_LEGAL_NAME)
        self.address = QPlainTextEdit(entity.address or "")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(72)
        self.email = QLineEdit(entity.email or "")
        self.email.setMaxLength(MAX_EMAIL)
        self.email.setPlaceholderText(tr("accounts@example.in"))
        self.gstin = QLineEdit(entity.gstin or "")
        self.gstin.setObjectName("GstinField")
        self.gstin.setMaxLength(20)  # room for pasted spaces; the check counts 15
        self.gstin.setPlaceholderText("27AAPFU0939F1ZV")
        self.gstin.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.gstin.textEdited.connect(self._gstin_typed)

        self.add_field("legal_name", tr("&Legal name"), self.legal_name)
        self.add_field("address", tr("&Address"), self.address)
        self.add_field("email", tr("&Email for invoices"), self.email)
        self.gstin_error = self.add_field("gstin", tr("&GSTIN"), self.gstin)
        self.gstin_hint = QLabel()
        self.gstin_hint.setProperty("muted", True)
        self.gstin_hint.setWordWrap(True)
        self.gstin_hint.setAccessibleName(tr("GSTIN check"))
        self.form.addRow("", self.gstin_hint)
        self._describe_gstin()
        self.legal_name.setFocus()

    # -- GSTIN as typed ---------------------------------------------------------------

    def _gstin_typed(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            # Upper-case in place, keeping the cursor where the user is typing.
            cursor = self.gstin.cursorPosition()
            self.gstin.setText(upper)
            self.gstin.setCursorPosition(cursor)
        finding = gstin.check(upper, partial=True)
        self.gstin_error.set_error(gstin_message(finding, upper) if finding else None)
        self._describe_gstin()

    def _describe_gstin(self) -> None:
        value = gstin.normalize(self.gstin.text())
        state = gstin.state_name(value)
        if not value:
            hint = tr("15 characters, e.g. 27AAPFU0939F1ZV. Leave empty if not registered.")
        elif gstin.is_valid(value):
            hint = tr("✓ Valid GSTIN, registered in {0}.").format(state)
        elif state and len(value) < gstin.LENGTH:
            hint = tr("{0} · {1} of 15 characters").format(state, len(value))
        else:
            hint = tr("{0} of 15 characters").format(len(value))
        self.gstin_hint.setText(hint)

    # -- FormDialog -------------------------------------------------------------------

    def values(self) -> tuple[str, str | None, str | None, str | None]:
        return (
            self.legal_name.text().strip(),
            self.address.toPlainText().strip() or None,
            self.email.text().strip() or None,
            gstin.normalize(self.gstin.text()) or None,
        )

    def validate(self) -> dict[str, str]:
        name, address, email, number = self.values()
        problems: dict[str, str] = {}
        if not name:
            problems["legal_name"] = tr("Enter the legal name printed on invoices.")
        if address is not None and len(address) > MAX_ADDRESS:
            problems["address"] = tr("At most {0} characters.").format(MAX_ADDRESS)
        if email is not None and not _EMAIL.match(email):
            problems["email"] = tr("Enter a valid email address, like accounts@example.in.")
        if number is not None:
            finding = gstin.check(number)
            if finding is not None:
                problems["gstin"] = gstin_message(finding, number)
        return problems

    def payload(self) -> tuple[str, str | None, str | None, str | None]:
        return self.values()

    async def perform(self, idempotency_key: str) -> BillingEntity:
        name, address, email, number = self.values()
        return await self.session.scope(self.tenant_id).billing.update_entity(
            legal_name=name, address=address, email=email, gstin=number
        )
