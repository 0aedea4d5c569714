"""LazyTableModel: each role answered by the column that serves it; big tables kept out of GC."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from callaro_desktop.views.widgets import lazy_table
from callaro_desktop.views.widgets.lazy_table import Column, LazyTableModel

PILL = int(Qt.ItemDataRole.UserRole) + 7


@dataclass(frozen=True)
class Item:
    name: str
    status: str


@dataclass(frozen=True)
class OnePage:
    items: list[Item]
    total: int | None = None
    has_next: bool = False


def _model() -> LazyTableModel[Item]:
    mono = QFont("monospace")
    model: LazyTableModel[Item] = LazyTableModel(
        [
            Column(
                "Name",
                lambda i: i.name,
                tooltip=lambda i: f"Named {i.name}",
                extra_roles={Qt.ItemDataRole.FontRole: lambda _i: mono},  # an enum key
            ),
            Column(
                "Status",
                lambda i: i.status.title(),
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                extra_roles={PILL: lambda i: i.status == "active"},  # a plain int key
            ),
        ]
    )
    model.reset(None, OnePage([Item("Alpha", "active"), Item("Beta", "paused")], 2))
    return model


def test_each_role_comes_from_its_own_column(qapp: QApplication) -> None:
    model = _model()
    name, status = model.index(1, 0), model.index(1, 1)
    assert model.rowCount() == 2
    assert model.data(name) == "Beta"
    assert model.data(status, Qt.ItemDataRole.DisplayRole) == "Paused"
    assert model.data(name, Qt.ItemDataRole.ToolTipRole) == "Named Beta"
    assert model.data(status, Qt.ItemDataRole.ToolTipRole) is None  # no tooltip there
    assert isinstance(model.data(name, Qt.ItemDataRole.FontRole), QFont)
    assert model.data(status, Qt.ItemDataRole.FontRole) is None  # another column's role
    assert model.data(status, PILL) is False
    assert model.data(model.index(0, 1), PILL) is True
    assert model.data(name, PILL) is None
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert model.data(status, Qt.ItemDataRole.TextAlignmentRole) == int(right.value)
    assert model.data(name, Qt.ItemDataRole.UserRole) == Item("Beta", "paused")
    # Roles no column serves, and indexes outside the rows.
    assert model.data(name, Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(name, Qt.ItemDataRole.CheckStateRole) is None
    assert model.data(QModelIndex()) is None
    assert model.data(model.index(5, 0)) is None


def test_a_big_table_s_rows_leave_the_collector_s_walk_and_still_go_when_dropped(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100k rows made each full collection walk 200k objects (~100 ms of GUI thread): past a
    # threshold the rows are frozen; they hold no cycles, so refcounting still frees them.
    monkeypatch.setattr(lazy_table, "FREEZE_FROM_ROWS", 400)
    # From nothing frozen: whatever an earlier test left frozen is not this table's (on
    # Python 3.12 the suite reached this test with 375 objects frozen).
    gc.unfreeze()
    model = _model()
    try:
        items = [Item(f"n{i}", "active") for i in range(300)]
        model._append(OnePage(items, 600, True), 2)
        assert gc.get_freeze_count() == 0  # 302 rows: below the threshold
        more = [Item(f"m{i}", "paused") for i in range(300)]
        probe = weakref.ref(more[0])
        model._append(OnePage(more, 600, False), 3)
        frozen = gc.get_freeze_count()
        assert frozen > 600
        walked = {id(o) for o in gc.get_objects()}
        assert id(more[0]) not in walked and id(items[0]) not in walked
        del items, more
        model.reset(None)
        assert probe() is None  # freed when the table let it go, frozen or not
    finally:
        gc.unfreeze()
