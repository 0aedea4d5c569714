"""My Profile: who you are, your roles and memberships, your timezone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.models import Me
from callaro_desktop.i18n import tr
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session


class ProfilePage(Page):
    page_id = "profile"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        account = Card(tr("Account"))
        form = QFormLayout()
        self.email = QLabel()
        self.email.setAccessibleName(tr("Email"))
        self.display_name = QLabel()
        self.display_name.setAccessibleName(tr("Display name"))
        self.roles = QLabel()
        self.roles.setAccessibleName(tr("Roles"))
        self.timezone = QLabel()
        self.timezone.setAccessibleName(tr("Timezone"))
        form.addRow(tr("Email"), self.email)
        form.addRow(tr("Display name"), self.display_name)
        form.addRow(tr("Roles"), self.roles)
        form.addRow(tr("Timezone"), self.timezone)
        account.layout_.addLayout(form)

        memberships = Card(tr("Workspaces"))
        self.memberships = QTableWidget(0, 2)
        self.memberships.setAccessibleName(tr("Workspace memberships"))
        self.memberships.setHorizontalHeaderLabels([tr("Workspace"), tr("Role")])
        self.memberships.horizontalHeader().setStretchLastSection(True)
        self.memberships.horizontalHeader().setDefaultSectionSize(260)
        self.memberships.verticalHeader().hide()
        self.memberships.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.memberships.setShowGrid(False)
        memberships.layout_.addWidget(self.memberships)

        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(account, 1)
        row.addWidget(memberships, 1)
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addStretch(1)

    @classmethod
    def title(cls) -> str:
        return tr("My Profile")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Manage your account settings and password.")

    async def fetch(self, scope: TenantClient) -> Me:
        return await self.session.refresh_me()

    def present(self, data: Me) -> None:
        self.email.setText(data.email)
        self.display_name.setText(data.display_name or tr("Not set"))
        tenant = self.session.tenant
        role = tenant.role_label if tenant else ""
        self.roles.setText(tr("{0} in {1}").format(role, tenant.name) if tenant else "—")
        self.timezone.setText(data.timezone)
        self.memberships.setRowCount(len(data.memberships))
        for i, m in enumerate(data.memberships):
            self.memberships.setItem(i, 0, QTableWidgetItem(m.tenant_name))
            self.memberships.setItem(i, 1, QTableWidgetItem(m.role.label))
