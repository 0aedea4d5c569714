"""Admin → Users: the people of the current tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from callaro_desktop.api.models import User
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient


class UsersPage(ListPage[User]):
    page_id = "users"
    search_placeholder = tr("Search users...")

    @classmethod
    def title(cls) -> str:
        return tr("Users")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Who can use this workspace, and with which role.")

    def columns(self) -> Sequence[Column[User]]:
        tz = self.session_timezone
        return [
            Column(tr("Name"), lambda u: u.display_name or "—", "display_name"),
            Column(tr("Email"), lambda u: u.email, "email"),
            Column(tr("Role"), lambda u: u.role.label, "role"),
            Column(tr("Status"), lambda u: tr(u.status.value.capitalize()), "status"),
            Column(
                tr("Last active"),
                lambda u: format_datetime(u.last_active_at, tz(), never=tr("never")),
                "last_active_at",
            ),
            Column(tr("Created"), lambda u: format_datetime(u.created_at, tz()), "created_at"),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[User]:
        return scope.users.list(search=search, per_page=100)

    def empty_title(self) -> str:
        return tr("No users yet")
