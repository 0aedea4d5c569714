"""The typed face of the API: one thin namespace per route family.

Namespaces only name things (route, body fields, result model); sending, retrying,
unwrapping and error mapping all happen once, in `Transport`.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, Final, TypedDict, TypeVar, Unpack

from pydantic import BaseModel, SecretStr, TypeAdapter

from callaro_desktop.api.models import (
    Agent,
    ApiKey,
    ApiKeyCreated,
    AvailableNumber,
    BillingEntity,
    BillingOverview,
    Checklist,
    ConnectionTestResult,
    Invitation,
    Invoice,
    InvoiceDetail,
    Me,
    Model,
    Money,
    PhoneNumber,
    Pricing,
    Recharge,
    Role,
    Scope,
    TelephonyConnection,
    Tenant,
    TokenPair,
    UsageEvent,
    UsageSummary,
    User,
)
from callaro_desktop.api.pages import Pager, parse_data
from callaro_desktop.api.routes import Route, Routes
from callaro_desktop.api.transport import (
    DEFAULT_BASE_URL,
    Envelope,
    Progress,
    Sink,
    Transport,
    TransportOptions,
)

M = TypeVar("M", bound=BaseModel)


class _Unset(Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""Default of PATCH arguments: left out of the body, unlike None which clears the field."""


class OwnedNumber(Model):
    """One number to import with `phone_numbers.import_owned`."""

    e164: str
    label: str | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _body(**fields: Any) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in fields.items() if v is not UNSET}


@cache
def _list_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _one_or_many(model: type[M], data: Any) -> list[M]:
    # Purchase/import answer with {"numbers": [...]}; accept a bare list or one object too.
    if isinstance(data, dict):
        data = data.get("numbers", data.get("items", [data]))
    return _list_adapter(model).validate_python(data)


class _Namespace:
    def __init__(self, transport: Transport, tenant_id: int | None = None) -> None:
        self._transport = transport
        self._tenant_id = tenant_id

    async def _call(
        self,
        route: Route,
        *,
        id: int | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> Envelope:
        return await self._transport.request(
            route,
            path_params={"id": id} if id is not None else None,
            params=params,
            body=body,
            tenant_id=self._tenant_id,
            idempotency_key=idempotency_key,
        )

    async def _one(
        self,
        model: type[M],
        route: Route,
        *,
        id: int | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> M:
        envelope = await self._call(
            route, id=id, params=params, body=body, idempotency_key=idempotency_key
        )
        return parse_data(model.model_validate, envelope.data, envelope)

    async def _list(
        self, model: type[M], route: Route, params: Mapping[str, Any] | None = None
    ) -> list[M]:
        envelope = await self._call(route, params=params)
        return parse_data(_list_adapter(model).validate_python, envelope.data, envelope)

    def _pager(
        self, model: type[M], route: Route, params: Mapping[str, Any], per_page: int
    ) -> Pager[M]:
        async def fetch(query: dict[str, Any]) -> Envelope:
            return await self._call(route, params=query)

        return Pager(fetch, model.model_validate, params=params, per_page=per_page)

    async def _all(self, model: type[M], route: Route) -> list[M]:
        # Short lists the contract does not page; reading through a Pager keeps them complete
        # if a server pages them anyway.
        return [item async for item in self._pager(model, route, {}, per_page=200)]


# --- account ----------------------------------------------------------------------------------


class AuthApi(_Namespace):
    @property
    def tokens(self) -> TokenPair | None:
        return self._transport.tokens

    @property
    def has_session(self) -> bool:
        return self._transport.has_session

    async def login(self, email: str, password: str) -> TokenPair:
        return await self._transport.login(email, password)

    async def resume(self, refresh_token: str) -> TokenPair:
        """Silent sign-in from a refresh token kept in the keychain."""
        self._transport.set_refresh_token(refresh_token)
        return await self._transport.refresh()

    async def refresh(self) -> TokenPair:
        return await self._transport.refresh()

    async def logout(self) -> None:
        await self._transport.logout()


class MeApi(_Namespace):
    async def get(self) -> Me:
        return await self._one(Me, Routes.ME_GET)

    async def update(
        self,
        *,
        display_name: str | _Unset | None = UNSET,
        timezone: str | _Unset = UNSET,
    ) -> Me:
        body = _body(display_name=display_name, timezone=timezone)
        return await self._one(Me, Routes.ME_UPDATE, body=body)

    async def change_password(
        self, current_password: str | SecretStr, new_password: str | SecretStr
    ) -> None:
        body = _body(current_password=current_password, new_password=new_password)
        await self._call(Routes.ME_PASSWORD, body=body)


class TenantsApi(_Namespace):
    def list(self, *, search: str | None = None, per_page: int = 50) -> Pager[Tenant]:
        return self._pager(Tenant, Routes.TENANTS_LIST, {"search": search}, per_page)


# --- tenant -----------------------------------------------------------------------------------


class OnboardingApi(_Namespace):
    async def checklist(self) -> Checklist:
        return await self._one(Checklist, Routes.ONBOARDING_CHECKLIST)

    async def dismiss(self) -> None:
        await self._call(Routes.ONBOARDING_DISMISS)


class UsersApi(_Namespace):
    def list(
        self,
        *,
        search: str | None = None,
        role: Role | None = None,
        status: str | None = None,
        sort: str | None = None,
        per_page: int = 50,
    ) -> Pager[User]:
        params = {"search": search, "role": role, "status": status, "sort": sort}
        return self._pager(User, Routes.USERS_LIST, params, per_page)

    async def update(
        self, user_id: int, *, role: Role | _Unset = UNSET, status: str | _Unset = UNSET
    ) -> User:
        body = _body(role=role, status=status)
        return await self._one(User, Routes.USERS_UPDATE, id=user_id, body=body)

    async def remove(self, user_id: int) -> None:
        await self._call(Routes.USERS_REMOVE, id=user_id)


class InvitationsApi(_Namespace):
    def list(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        sort: str | None = None,
        per_page: int = 50,
    ) -> Pager[Invitation]:
        params = {"status": status, "search": search, "sort": sort}
        return self._pager(Invitation, Routes.INVITATIONS_LIST, params, per_page)

    async def create(
        self,
        email: str,
        role: Role = Role.TENANT_OPERATOR,
        *,
        idempotency_key: str | None = None,
    ) -> Invitation:
        body = _body(email=email, role=role)
        return await self._one(
            Invitation, Routes.INVITATIONS_CREATE, body=body, idempotency_key=idempotency_key
        )

    async def resend(self, invitation_id: int) -> None:
        await self._call(Routes.INVITATIONS_RESEND, id=invitation_id)

    async def revoke(self, invitation_id: int) -> None:
        await self._call(Routes.INVITATIONS_REVOKE, id=invitation_id)


class BillingApi(_Namespace):
    async def overview(self) -> BillingOverview:
        return await self._one(BillingOverview, Routes.BILLING_OVERVIEW)

    async def create_recharge(
        self, credits: Money, *, idempotency_key: str | None = None
    ) -> Recharge:
        return await self._one(
            Recharge,
            Routes.RECHARGES_CREATE,
            body=_body(credits=credits),
            idempotency_key=idempotency_key,
        )

    async def recharge(self, recharge_id: int) -> Recharge:
        return await self._one(Recharge, Routes.RECHARGES_GET, id=recharge_id)

    async def entity(self) -> BillingEntity:
        return await self._one(BillingEntity, Routes.BILLING_ENTITY_GET)

    async def update_entity(
        self,
        *,
        legal_name: str | _Unset | None = UNSET,
        address: str | _Unset | None = UNSET,
        email: str | _Unset | None = UNSET,
        gstin: str | _Unset | None = UNSET,
    ) -> BillingEntity:
        body = _body(legal_name=legal_name, address=address, email=email, gstin=gstin)
        return await self._one(BillingEntity, Routes.BILLING_ENTITY_UPDATE, body=body)


class UsageApi(_Namespace):
    def events(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        category: str | None = None,
        per_page: int = 50,
    ) -> Pager[UsageEvent]:
        params = {"from": date_from, "to": date_to, "category": category}
        return self._pager(UsageEvent, Routes.USAGE_EVENTS, params, per_page)

    async def summary(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        group_by: str = "day",
    ) -> UsageSummary:
        params = {"from": date_from, "to": date_to, "group_by": group_by}
        return await self._one(UsageSummary, Routes.USAGE_SUMMARY, params=params)


class InvoicesApi(_Namespace):
    def list(self, *, status: str | None = None, per_page: int = 50) -> Pager[Invoice]:
        return self._pager(Invoice, Routes.INVOICES_LIST, {"status": status}, per_page)

    async def get(self, invoice_id: int) -> InvoiceDetail:
        return await self._one(InvoiceDetail, Routes.INVOICES_GET, id=invoice_id)

    async def pdf(self, invoice_id: int) -> bytes:
        return await self._transport.request_bytes(
            Routes.INVOICES_PDF, path_params={"id": invoice_id}, tenant_id=self._tenant_id
        )

    async def download_pdf(
        self, invoice_id: int, sink: Sink, progress: Progress | None = None
    ) -> int:
        """Stream the PDF into `sink` chunk by chunk, with progress; returns its size."""
        return await self._transport.download(
            Routes.INVOICES_PDF,
            sink,
            path_params={"id": invoice_id},
            tenant_id=self._tenant_id,
            progress=progress,
        )


class ApiKeysApi(_Namespace):
    async def create(
        self,
        name: str,
        scopes: Sequence[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> ApiKeyCreated:
        # Omitting scopes asks for the server's default set; an explicit list replaces it.
        body = _body(name=name, scopes=builtins.list(scopes) if scopes is not None else UNSET)
        return await self._one(
            ApiKeyCreated, Routes.API_KEYS_CREATE, body=body, idempotency_key=idempotency_key
        )

    async def list(self) -> builtins.list[ApiKey]:
        return await self._all(ApiKey, Routes.API_KEYS_LIST)

    async def update(
        self,
        key_id: int,
        *,
        name: str | _Unset = UNSET,
        active: bool | _Unset = UNSET,
        scopes: Sequence[str] | _Unset = UNSET,
    ) -> ApiKey:
        scope_list = builtins.list(scopes) if not isinstance(scopes, _Unset) else UNSET
        body = _body(name=name, active=active, scopes=scope_list)
        return await self._one(ApiKey, Routes.API_KEYS_UPDATE, id=key_id, body=body)

    async def revoke(self, key_id: int) -> None:
        await self._call(Routes.API_KEYS_REVOKE, id=key_id)

    async def scopes(self) -> builtins.list[Scope]:
        return await self._list(Scope, Routes.API_KEYS_SCOPES)


class PhoneNumbersApi(_Namespace):
    def list(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        per_page: int = 50,
    ) -> Pager[PhoneNumber]:
        params = {"search": search, "status": status, "sort": sort}
        return self._pager(PhoneNumber, Routes.PHONE_NUMBERS_LIST, params, per_page)

    async def available(self, country: str) -> builtins.list[AvailableNumber]:
        return await self._list(
            AvailableNumber, Routes.PHONE_NUMBERS_AVAILABLE, {"country": country}
        )

    async def pricing(self, country: str) -> Pricing:
        return await self._one(Pricing, Routes.PHONE_NUMBERS_PRICING, params={"country": country})

    async def purchase(
        self,
        country: str,
        quantity: int,
        telephony_connection_id: int,
        *,
        idempotency_key: str | None = None,
    ) -> builtins.list[PhoneNumber]:
        body = _body(
            country=country, quantity=quantity, telephony_connection_id=telephony_connection_id
        )
        envelope = await self._call(
            Routes.PHONE_NUMBERS_PURCHASE, body=body, idempotency_key=idempotency_key
        )
        return parse_data(lambda d: _one_or_many(PhoneNumber, d), envelope.data, envelope)

    async def import_owned(
        self,
        numbers: Sequence[OwnedNumber],
        telephony_connection_id: int,
        *,
        idempotency_key: str | None = None,
    ) -> builtins.list[PhoneNumber]:
        body = _body(
            numbers=builtins.list(numbers), telephony_connection_id=telephony_connection_id
        )
        envelope = await self._call(
            Routes.PHONE_NUMBERS_IMPORT, body=body, idempotency_key=idempotency_key
        )
        return parse_data(lambda d: _one_or_many(PhoneNumber, d), envelope.data, envelope)

    async def get(self, number_id: int) -> PhoneNumber:
        return await self._one(PhoneNumber, Routes.PHONE_NUMBERS_GET, id=number_id)

    async def update(
        self,
        number_id: int,
        *,
        label: str | _Unset | None = UNSET,
        inbound_agent_id: int | _Unset | None = UNSET,
    ) -> PhoneNumber:
        body = _body(label=label, inbound_agent_id=inbound_agent_id)
        return await self._one(PhoneNumber, Routes.PHONE_NUMBERS_UPDATE, id=number_id, body=body)

    async def activate(self, number_id: int) -> None:
        await self._call(Routes.PHONE_NUMBERS_ACTIVATE, id=number_id)

    async def sync(self) -> None:
        await self._call(Routes.PHONE_NUMBERS_SYNC)

    async def resync(self, number_id: int) -> None:
        await self._call(Routes.PHONE_NUMBERS_RESYNC, id=number_id)

    async def release(self, number_id: int) -> None:
        await self._call(Routes.PHONE_NUMBERS_RELEASE, id=number_id)


class AgentsApi(_Namespace):
    async def list(self) -> builtins.list[Agent]:
        return await self._all(Agent, Routes.AGENTS_LIST)


class ConnectionSettings(TypedDict, total=False):
    """Provider settings of a telephony connection; secrets are write-only."""

    active: bool
    account_sid: str | None
    auth_token: str | SecretStr
    api_key: str | None
    api_token: str | SecretStr
    subdomain: str | None
    termination_uri: str | None
    username: str | None
    password: str | SecretStr
    ip_acl: Sequence[str]
    codecs: Sequence[str]


class TelephonyConnectionsApi(_Namespace):
    async def list(self) -> builtins.list[TelephonyConnection]:
        return await self._all(TelephonyConnection, Routes.CONNECTIONS_LIST)

    async def create(
        self,
        name: str,
        provider: str,
        *,
        idempotency_key: str | None = None,
        **settings: Unpack[ConnectionSettings],
    ) -> TelephonyConnection:
        body = _body(name=name, provider=provider, **settings)
        return await self._one(
            TelephonyConnection,
            Routes.CONNECTIONS_CREATE,
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get(self, connection_id: int) -> TelephonyConnection:
        return await self._one(TelephonyConnection, Routes.CONNECTIONS_GET, id=connection_id)

    async def update(
        self,
        connection_id: int,
        *,
        name: str | _Unset = UNSET,
        **settings: Unpack[ConnectionSettings],
    ) -> TelephonyConnection:
        """Only the settings passed are sent; None clears a field, a secret is replaced."""
        body = _body(name=name, **settings)
        return await self._one(
            TelephonyConnection, Routes.CONNECTIONS_UPDATE, id=connection_id, body=body
        )

    async def delete(self, connection_id: int) -> None:
        await self._call(Routes.CONNECTIONS_DELETE, id=connection_id)

    async def test(self, connection_id: int) -> ConnectionTestResult:
        return await self._one(ConnectionTestResult, Routes.CONNECTIONS_TEST, id=connection_id)


# --- roots ------------------------------------------------------------------------------------


class TenantClient:
    """Calls for one tenant; every request carries its X-Tenant-Id."""

    def __init__(self, transport: Transport, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.onboarding = OnboardingApi(transport, tenant_id)
        self.users = UsersApi(transport, tenant_id)
        self.invitations = InvitationsApi(transport, tenant_id)
        self.billing = BillingApi(transport, tenant_id)
        self.usage = UsageApi(transport, tenant_id)
        self.invoices = InvoicesApi(transport, tenant_id)
        self.api_keys = ApiKeysApi(transport, tenant_id)
        self.phone_numbers = PhoneNumbersApi(transport, tenant_id)
        self.agents = AgentsApi(transport, tenant_id)
        self.telephony_connections = TelephonyConnectionsApi(transport, tenant_id)


class CallaroClient:
    """One signed-in account: account-level namespaces plus `tenant(id)` for the rest."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: Transport | None = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        self.transport = transport if transport is not None else Transport(base_url, **options)
        self.auth = AuthApi(self.transport)
        self.me = MeApi(self.transport)
        self.tenants = TenantsApi(self.transport)

    def tenant(self, tenant_id: int) -> TenantClient:
        return TenantClient(self.transport, tenant_id)

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> CallaroClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
