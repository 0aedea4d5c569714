"""Reading a bulk-invite CSV: the checks that need no server."""

from __future__ import annotations

import pytest

from callaro_desktop.api.models import Role
from callaro_desktop.views.dialogs.bulk_invite import (
    MAX_ROWS,
    CsvProblem,
    RowState,
    parse_invite_csv,
    parse_role,
)


def test_roles_by_label_value_or_short_name_and_empty_is_operator() -> None:
    assert parse_role("Tenant Admin") is Role.TENANT_ADMIN
    assert parse_role("tenant_viewer") is Role.TENANT_VIEWER
    assert parse_role(" OPERATOR ") is Role.TENANT_OPERATOR
    assert parse_role("tenant-admin") is Role.TENANT_ADMIN
    assert parse_role("") is Role.TENANT_OPERATOR
    assert parse_role("Manager") is None


def test_a_header_may_name_the_columns_in_any_order() -> None:
    rows = parse_invite_csv(b"Role;E-mail\nadmin;a@example.com\n;b@example.com\n")
    assert [(r.line, r.email, r.role) for r in rows] == [
        (2, "a@example.com", Role.TENANT_ADMIN),
        (3, "b@example.com", Role.TENANT_OPERATOR),
    ]


def test_without_a_header_the_columns_are_email_then_role() -> None:
    rows = parse_invite_csv("\ufeffa@example.com,viewer\n\n  \nb@example.com\n".encode())
    assert [(r.line, r.email, r.role) for r in rows] == [
        (1, "a@example.com", Role.TENANT_VIEWER),
        (4, "b@example.com", Role.TENANT_OPERATOR),
    ]


def test_every_problem_is_said_per_row_with_its_file_line() -> None:
    data = (
        b'email,role\n"x@example.com","Tenant\nAdmin"\nbad,admin\n,viewer\n'
        b"X@Example.com,viewer\ny@example.com,boss\n"
    )
    rows = {r.line: r for r in parse_invite_csv(data)}
    assert rows[2].role is Role.TENANT_ADMIN  # a quoted cell over two lines still reads
    assert rows[4].reason == "not a valid email address"
    assert rows[5].reason == "no email address"
    assert rows[6].state is RowState.DUPLICATE and rows[6].reason == "same address as line 2"
    assert rows[7].state is RowState.INVALID and '"boss"' in rows[7].reason


def test_repeats_point_at_the_first_line_whatever_the_case() -> None:
    rows = parse_invite_csv(b"email\na@example.com\nA@EXAMPLE.COM\n")
    assert rows[1].state is RowState.DUPLICATE and rows[1].reason == "same address as line 2"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "no rows"),
        (b"email,role\n", "header but no rows"),
        (b"\x00\x01binary", "does not look like a CSV"),
        (("email\n" + "a@example.com\n" * (MAX_ROWS + 1)).encode(), "at most 5,000"),
    ],
)
def test_an_unusable_file_is_refused_as_a_whole(data: bytes, words: str) -> None:
    with pytest.raises(CsvProblem, match=words):
        parse_invite_csv(data)


def test_a_spreadsheet_saved_as_windows_1252_still_reads() -> None:
    rows = parse_invite_csv("email,role\nrené@example.com,viewer\n".encode("cp1252"))
    assert rows[0].email == "rené@example.com" and rows[0].state is RowState.READY
