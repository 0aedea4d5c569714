"""Edit an API key: its name, whether it is enabled, and its scopes.

Everything about the key is shown at the top (prefix, who created it, when it was last
used) so the dialog doubles as the key's detail view. Only what changed is sent, and
sending scopes replaces the whole set, so an empty set is refused here before the
server has to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from callaro_desktop.api.models import ApiKey, Scope
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.dialogs.api_key_create import (
    key_form_problems,
    name_field,
    scope_options,
)
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.widgets.scope_picker import ScopePicker

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session


class ApiKeyEditDialog(FormDialog):
    def __init__(
        self,
        session: Session,
        tenant_id: int,
        key: ApiKey,
        catalogue: Sequence[Scope],
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, tr("Edit API key"), tr("&Save"), parent=parent)
        self.setMinimumWidth(560)
        self.tenant_id = tenant_id
        self.key = key

        tz = session.timezone
        for label, value in (
            (tr("Prefix"), f"{key.prefix}…"),
            (tr("Created"), format_datetime(key.created_at, tz)),
            (tr("Created by"), key.created_by.label if key.created_by else "—"),
            (tr("Last used"), format_datetime(key.last_used_at, tz, never=tr("never"))),
        ):
            text = QLabel(value)
            text.setAccessibleName(label)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, text)

        self.name = name_field(key.name)
        self.add_field("name", tr("&Name"), self.name)
        self.active = QCheckBox(tr("&Enabled: requests made with this key are accepted"))
        self.active.setAccessibleName(tr("Enabled"))
        self.active.setChecked(key.active)
        self.add_field("active", tr("Status"), self.active)
        self.disable_note = QLabel(
            tr("While disabled, every request made with this key is refused.")
        )
        self.disable_note.setWordWrap(True)
        self.disable_note.setProperty("fieldError", True)
        self.disable_note.setAccessibleName(tr("Disabling the key"))
        self.form.addRow("", self.disable_note)
        self.active.toggled.connect(self._on_active)
        self._on_active(key.active)

        self.picker = ScopePicker(scope_options(catalogue, key.scopes), key.scopes)
        self.add_field("scopes", tr("S&copes"), self.picker)
        self.name.setFocus()

    def _on_active(self, active: bool) -> None:
        # Said only when the user is turning a working key off, not for one already off.
        self.disable_note.setVisible(self.key.active and not active)

    def validate(self) -> dict[str, str]:
        return key_form_problems(self.name, self.picker)

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = self.name.text().strip()
        if name != self.key.name:
            out["name"] = name
        if self.active.isChecked() != self.key.active:
            out["active"] = self.active.isChecked()
        scopes = self.picker.selected()
        if set(scopes) != set(self.key.scopes):
            out["scopes"] = scopes
        return out

    def payload(self) -> Any:
        return sorted(self.changes().items())

    async def perform(self, idempotency_key: str) -> ApiKey:
        changes = self.changes()
        if not changes:
            return self.key
        return await self.session.scope(self.tenant_id).api_keys.update(self.key.id, **changes)
