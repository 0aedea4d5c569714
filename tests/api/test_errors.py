"""The error tree on its own: class choice, tolerant field errors, readable messages."""

from __future__ import annotations

import pytest

from callaro_desktop.api import errors as E


def test_hierarchy_lets_callers_catch_broadly() -> None:
    assert issubclass(E.TokenExpired, E.Unauthorized)
    assert issubclass(E.SessionExpired, E.Unauthorized)
    assert issubclass(E.TlsError, E.ConnectionFailed)
    for cls in (E.BadResponse, E.Forbidden, E.NotFound, E.Conflict, E.ValidationFailed):
        assert issubclass(cls, E.ApiError)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "", E.Unauthorized),
        (403, "", E.Forbidden),
        (404, "", E.NotFound),
        (408, "", E.RequestTimeout),
        (409, "", E.Conflict),
        (422, "", E.ValidationFailed),
        (429, "", E.RateLimited),
        (500, "", E.ServerError),
        (599, "", E.ServerError),
        (400, "", E.ApiError),
        (400, "TENANT_REQUIRED", E.TenantRequired),
        (401, "TOKEN_EXPIRED", E.TokenExpired),
        (404, "INVOICE_NOT_FOUND", E.NotFound),
        (None, "", E.ApiError),
    ],
)
def test_error_class(status: int | None, code: str, cls: type[E.ApiError]) -> None:
    assert E.error_class(status, code) is cls


def test_field_errors_keep_only_text() -> None:
    err = E.from_error_body(
        422,
        {
            "error": "Invalid",
            "error_code": "VALIDATION_ERROR",
            "errors": {"email": "bad", "gstin": ["too short", 5], "n": 3, "x": [None]},
            "details": ["not", "a", "dict"],
            "request_id": 12,
        },
        request_id="from-header",
        retry_after=None,
    )
    assert isinstance(err, E.ValidationFailed)
    assert err.errors == {"email": ["bad"], "gstin": ["too short"]}
    assert err.details == {}
    assert err.request_id == "from-header"


def test_odd_error_bodies_still_make_an_error() -> None:
    err = E.from_error_body(503, {"error": None, "error_code": 7}, request_id=None, retry_after=2)
    assert type(err) is E.ServerError
    assert (err.code, err.message, err.retry_after) == ("", E.ServerError.default_message, 2)


def test_user_message_is_one_sentence_with_the_request_id() -> None:
    err = E.ValidationFailed(
        "Some values were not accepted.",
        errors={"new_password": ["must be at least 12 characters"]},
        request_id="req-42",
    )
    assert err.user_message() == (
        "Some values were not accepted: new_password must be at least 12 characters "
        "(request id req-42)."
    )
    assert E.ConnectionFailed().user_message().endswith("server address.")
    assert E.Forbidden("Nope.", request_id="r").user_message() == "Nope (request id r)."
    assert "status=403" in repr(E.Forbidden(status=403))


def test_the_request_id_can_be_left_to_a_line_of_its_own() -> None:
    err = E.Forbidden("Nope.", request_id="r")
    assert err.user_message(reference=False) == "Nope."
    assert E.Forbidden("Nope.").user_message(reference=False) == "Nope."


def test_the_request_id_goes_inside_the_last_sentence() -> None:
    assert (
        E.with_request_id("Not saved: it failed.", "r1") == "Not saved: it failed (request id r1)."
    )
    assert E.with_request_id("Export failed", "r1") == "Export failed (request id r1)"
    assert E.with_request_id("Not saved.", None) == "Not saved."
    assert E.with_request_id("Fehler.", "r1", "{0} (Anfrage {1})") == "Fehler (Anfrage r1)."
    assert E.Forbidden("Nope.", request_id="r").user_message() == "Nope (request id r)."
