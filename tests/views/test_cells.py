"""Cells a narrow column cuts short: the short form for the whole column, the whole on hover."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from callaro_desktop.api.pages import Page
from callaro_desktop.views.pages.list_page import draw_cells
from callaro_desktop.views.widgets.badges import BADGES_ROLE, PILL_ROLE, BadgeDelegate, Tone
from callaro_desktop.views.widgets.cells import SHORT_ROLE, ShortFormDelegate
from callaro_desktop.views.widgets.lazy_table import Column, LazyTableModel

from .table_cells import hovered_tip, shown_text


@dataclass
class Row:
    email: str
    role: str
    short: str
    status: str
    note: str = ""
    twilio: bool = False


ROWS = [
    Row("ada@example.org", "Tenant Admin", "Admin", "Active"),
    Row("grace.hopper.longer.than.any@example.org", "Tenant Operator", "Operator", "Active"),
    Row("kay@example.org", "Tenant Viewer", "Viewer", "Deactivated", note="Left in May"),
    Row("+918605662385", "Tenant Viewer", "Viewer", "Active", twilio=True),
]
EMAIL, ROLE, STATUS, NOTE, NUMBER = range(5)


def _table(qtbot: QtBot) -> tuple[QTableView, LazyTableModel[Row]]:
    columns = [
        Column("Email", lambda r: r.email),
        Column("Role", lambda r: r.role, extra_roles={SHORT_ROLE: lambda r: r.short}),
        Column("Status", lambda r: r.status, extra_roles={PILL_ROLE: lambda _r: Tone.SUCCESS}),
        Column("Note", lambda r: r.note or "—", tooltip=lambda r: r.note),
        Column(
            "Number",
            lambda r: r.email if r.twilio else "—",
            extra_roles={BADGES_ROLE: lambda r: [("Twilio", Tone.ACCENT)] if r.twilio else []},
        ),
    ]
    model: LazyTableModel[Row] = LazyTableModel(columns)
    model.reset(None, Page(items=ROWS, total=len(ROWS), page=1, pages=1))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    draw_cells(table, model)
    table.horizontalHeader().setStretchLastSection(False)
    table.resize(1000, 300)
    table.show()
    qtbot.waitExposed(table)
    return table, model


def test_the_cells_of_each_kind_get_their_delegate(qtbot: QtBot) -> None:
    table, model = _table(qtbot)
    kinds = [type(table.itemDelegateForIndex(model.index(0, c))).__name__ for c in range(5)]
    assert kinds == [
        "CellDelegate",
        "ShortFormDelegate",
        "BadgeDelegate",
        "CellDelegate",
        "CellDelegate",
    ]


def test_a_column_too_narrow_for_one_cell_shows_all_its_cells_short(qtbot: QtBot) -> None:
    table, _model = _table(qtbot)
    header = table.horizontalHeader()
    header.resizeSection(ROLE, 200)
    assert [shown_text(table, r, ROLE) for r in range(3)] == [r.role for r in ROWS[:3]]

    # Wide enough for "Tenant Admin", not for "Tenant Operator": the column reads alike.
    metrics = table.fontMetrics()
    header.resizeSection(ROLE, metrics.horizontalAdvance("Tenant Admin") + 12)
    assert metrics.horizontalAdvance("Tenant Admin") <= table.columnWidth(ROLE) - 6
    assert [shown_text(table, r, ROLE) for r in range(3)] == ["Admin", "Operator", "Viewer"]
    # Each says what it stands for on hover, the one that would have fitted too.
    assert hovered_tip(table, 0, ROLE) == "Tenant Admin"
    assert hovered_tip(table, 1, ROLE) == "Tenant Operator"

    # Fitting the column to its contents fits the whole text, not the short form.
    table.resizeColumnToContents(ROLE)
    assert table.columnWidth(ROLE) >= metrics.horizontalAdvance("Tenant Operator")
    assert [shown_text(table, r, ROLE) for r in range(3)] == [r.role for r in ROWS[:3]]
    assert hovered_tip(table, 1, ROLE) == ""


def test_a_cell_cut_short_shows_its_whole_text_onhovered_tip(qtbot: QtBot) -> None:
    table, _model = _table(qtbot)
    header = table.horizontalHeader()
    header.resizeSection(EMAIL, 150)
    assert hovered_tip(table, 1, EMAIL) == ROWS[1].email  # cut: "grace.hopper…"
    assert hovered_tip(table, 0, EMAIL) == ""  # whole already: no tooltip repeating it
    header.resizeSection(EMAIL, 400)
    assert hovered_tip(table, 1, EMAIL) == ""


def test_a_cells_own_tooltip_wins_over_its_whole_text(qtbot: QtBot) -> None:
    table, _model = _table(qtbot)
    table.horizontalHeader().resizeSection(NOTE, 30)
    assert hovered_tip(table, 2, NOTE) == "Left in May"  # the model's tooltip, cut or not


def test_pills_and_badges_cut_short_show_the_whole_onhovered_tip(qtbot: QtBot) -> None:
    table, _model = _table(qtbot)
    table.setItemDelegateForColumn(NUMBER, BadgeDelegate(table))  # as Phone numbers does
    header = table.horizontalHeader()
    header.resizeSection(STATUS, 200)
    header.resizeSection(NUMBER, 300)
    assert hovered_tip(table, 2, STATUS) == ""
    assert hovered_tip(table, 3, NUMBER) == ""

    header.resizeSection(STATUS, 60)  # "Deactivated" does not fit its pill
    assert hovered_tip(table, 2, STATUS) == "Deactivated"
    header.resizeSection(NUMBER, table.fontMetrics().horizontalAdvance(ROWS[3].email) + 20)
    assert hovered_tip(table, 3, NUMBER) == "+918605662385 · Twilio"  # the badge left out


def test_short_column_decisions_follow_the_rowsshown_text(qtbot: QtBot) -> None:
    """The short forms are decided for the rows on screen, again when they change."""
    table, model = _table(qtbot)
    delegate = table.itemDelegateForColumn(ROLE)
    assert isinstance(delegate, ShortFormDelegate)
    metrics = table.fontMetrics()
    table.horizontalHeader().resizeSection(ROLE, metrics.horizontalAdvance("Tenant Admin") + 12)
    assert shown_text(table, 0, ROLE) == "Admin"
    # Only rows that fit are left: the column shows them whole again.
    model.reset(None, Page(items=[ROWS[0]], total=1, page=1, pages=1))
    assert shown_text(table, 0, ROLE) == "Tenant Admin"


def test_rows_scrolled_into_view_decide_again(qtbot: QtBot) -> None:
    table, model = _table(qtbot)
    admins = [Row(f"a{n}@example.org", "Tenant Admin", "Admin", "Active") for n in range(40)]
    model.reset(None, Page(items=[*admins, ROWS[1]], total=41, page=1, pages=1))
    metrics = table.fontMetrics()
    table.horizontalHeader().resizeSection(ROLE, metrics.horizontalAdvance("Tenant Admin") + 12)
    assert shown_text(table, 0, ROLE) == "Tenant Admin"  # the operator is out of sight
    table.scrollToBottom()
    assert shown_text(table, 40, ROLE) == "Operator"
    assert shown_text(table, 39, ROLE) == "Admin"  # alike, as the column reads now
    table.scrollToTop()
    assert shown_text(table, 0, ROLE) == "Tenant Admin"
