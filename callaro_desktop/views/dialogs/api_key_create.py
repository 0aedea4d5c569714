"""Create API key: a name and the scopes the key may use.

The scope picker starts with the server's default set ticked and the opt-in scopes
(`billing:partner:allocate`, `call_traces:admin_read`) unticked and marked. The submit
carries one Idempotency-Key per intent (FormDialog), so a create whose answer was lost
to the network and is sent again returns the same key instead of a second one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from callaro_desktop.api.models import OPT_IN_SCOPES, ApiKeyCreated, Scope
from callaro_desktop.i18n import tr
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.widgets.scope_picker import ScopeOption, ScopePicker

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

NAME_MAX_LENGTH = 100


def scope_options(catalogue: Sequence[Scope], extra: Iterable[str] = ()) -> list[ScopeOption]:
    """The picker's rows: the server's catalogue, plus any scope a key holds beyond it."""
    options = [
        ScopeOption(
            s.name,
            s.description or "",
            default=s.default,
            # Marked opt-in when the contract says so or the server leaves it out of the
            # default set: either way the user must tick it on purpose.
            opt_in=s.name in OPT_IN_SCOPES or not s.default,
        )
        for s in catalogue
    ]
    known = {o.name for o in options}
    options += [ScopeOption(n, opt_in=n in OPT_IN_SCOPES) for n in extra if n not in known]
    return options


def name_field(text: str = "") -> QLineEdit:
    field = QLineEdit(text)
    field.setMaxLength(NAME_MAX_LENGTH)
    field.setPlaceholderText(tr("e.g. CRM sync (production)"))
    field.setAccessibleName(tr("Key name"))
    return field


def key_form_problems(name: QLineEdit, picker: ScopePicker) -> dict[str, str]:
    """The local checks both key forms make: a name, and at least one scope."""
    problems: dict[str, str] = {}
    if not name.text().strip():
        problems["name"] = tr("Enter a name for the key.")
    if not picker.selected():
        problems["scopes"] = tr("Choose at least one scope.")
    return problems


class ApiKeyCreateDialog(FormDialog):
    def __init__(
        self,
        session: Session,
        tenant_id: int,
        tenant_name: str,
        catalogue: Sequence[Scope],
        *,
        existing_names: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            session,
            tr("Create API key"),
            tr("C&reate key"),
            intro=tr(
                "A key lets your own systems call the Callaro Public API for {0}. Its secret "
                "is shown once, right after it is created."
            ).format(tenant_name),
            parent=parent,
        )
        self.setMinimumWidth(560)
        self.tenant_id = tenant_id
        self._existing = {n.casefold() for n in existing_names}

        self.name = name_field()
        self.add_field(
            "name",
            tr("&Name"),
            self.name,
            help_text=tr("Say where the key is used, so the right one is easy to revoke later."),
        )
        self.name_taken = QLabel()
        self.name_taken.setWordWrap(True)
        self.name_taken.setProperty("muted", True)
        self.name_taken.setAccessibleName(tr("Name already used"))
        self.name_taken.hide()
        self.form.addRow("", self.name_taken)
        self.name.textChanged.connect(self._check_name)

        self.picker = ScopePicker(scope_options(catalogue))
        self.add_field("scopes", tr("S&copes"), self.picker)
        self.picker.changed.connect(self._clear_scope_error)
        self.name.setFocus()

    def _check_name(self, text: str) -> None:
        taken = text.strip().casefold() in self._existing
        self.name_taken.setText(
            tr(
                "A key named “{0}” already exists in this workspace. A different name makes "
                "the two easier to tell apart."
            ).format(text.strip())
            if taken
            else ""
        )
        self.name_taken.setVisible(taken)

    def _clear_scope_error(self) -> None:
        if self.picker.selected():
            self.fields["scopes"][1].set_error(None)

    # -- FormDialog --------------------------------------------------------------------

    def validate(self) -> dict[str, str]:
        return key_form_problems(self.name, self.picker)

    def payload(self) -> tuple[str, tuple[str, ...]]:
        return self.name.text().strip(), tuple(self.picker.selected())

    async def perform(self, idempotency_key: str) -> ApiKeyCreated:
        name, scopes = self.payload()
        # The default set is asked for by omitting scopes, so the server stays its owner.
        chosen = None if set(scopes) == set(self.picker.defaults()) else list(scopes)
        return await self.session.scope(self.tenant_id).api_keys.create(
            name, chosen, idempotency_key=idempotency_key
        )

    def busy_text(self) -> str:
        return tr("Creating the key…")
