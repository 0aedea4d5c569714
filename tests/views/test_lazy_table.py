"""LazyTableModel.data: each role answered by the column that serves it, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

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
