"""A grid of permission scopes: one row per resource, Read and Write columns.

Scope names read `resource:action` (`contacts:read`, `billing:partner:allocate`); the
last part is the action, the rest the resource, so rows and columns come from the names
and a scope the server adds later finds its place without a code change. Actions other
than read and write go to an "Other" column with their own label.

Opt-in scopes carry a visible badge, are never ticked by "Reset to defaults", and a
line under the grid names the ones that are ticked. The widget knows nothing about
the server: it is given the options and reports what is ticked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.views import theme
from callaro_desktop.views.widgets.edits import edits_form
from callaro_desktop.views.widgets.focus import focus_through


@dataclass(frozen=True)
class ScopeOption:
    name: str
    description: str = ""
    default: bool = False
    opt_in: bool = False

    @property
    def resource(self) -> str:
        head, _sep, _action = self.name.rpartition(":")
        return head or self.name

    @property
    def action(self) -> str:
        head, _sep, action = self.name.rpartition(":")
        return action if head else ""

    @property
    def preselected(self) -> bool:
        # An opt-in scope is never ticked for the user, whatever the catalogue says.
        return self.default and not self.opt_in


# Source texts for translation; a name not listed here is shown humanized.
_WORDS = {
    "bulk_call_campaigns": "Bulk call campaigns",
    "contacts": "Contacts",
    "phone_numbers": "Phone numbers",
    "voice_sessions": "Voice sessions",
    "billing": "Billing",
    "tenant": "tenant",
    "partner": "partner",
    "call_traces": "Call traces",
    "read": "Read",
    "write": "Write",
    "allocate": "Allocate",
    "admin_read": "Admin read",
}


def humanize(text: str) -> str:
    if text in _WORDS:
        return tr(_WORDS[text])
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def resource_label(resource: str) -> str:
    """`billing:partner` -> "Billing (partner)"; `phone_numbers` -> "Phone numbers"."""
    first, *rest = resource.split(":")
    label = humanize(first)
    if rest:
        label = f"{label} ({', '.join(humanize(r).lower() for r in rest)})"
    return label


def action_label(action: str) -> str:
    return humanize(action)


_COLUMNS = ("read", "write")


class ScopePicker(QFrame):
    changed = Signal()

    def __init__(
        self,
        options: Sequence[ScopeOption],
        selected: Iterable[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScopePicker")
        self.setAccessibleName(tr("Scopes"))
        self._options = list(options)
        self.boxes: dict[str, QCheckBox] = {}
        tokens = theme.tokens()

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        for column, title in enumerate((tr("Resource"), tr("Read"), tr("Write"), tr("Other"))):
            header = QLabel(title)
            header.setProperty("muted", True)
            grid.addWidget(header, 0, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(3, 1)

        rows: dict[str, int] = {}
        others: dict[str, QHBoxLayout] = {}
        for option in self._options:
            resource = option.resource
            if resource not in rows:
                rows[resource] = len(rows) + 1
                name = QLabel(resource_label(resource))
                grid.addWidget(name, rows[resource], 0)
            row = rows[resource]
            box = QCheckBox()
            action = action_label(option.action) if option.action else tr("Use")
            box.setAccessibleName(
                tr("{0}: {1}").format(resource_label(resource), action)
                + (tr(" (opt-in)") if option.opt_in else "")
            )
            tip = f"{option.description}\n{option.name}" if option.description else option.name
            if option.opt_in:
                tip += "\n" + tr("Opt-in: never part of the default set.")
            box.setToolTip(tip)
            box.setAccessibleDescription(option.description)
            box.toggled.connect(self._on_toggled)
            self.boxes[option.name] = box
            if option.action in _COLUMNS:
                grid.addWidget(box, row, 1 + _COLUMNS.index(option.action))
                continue
            box.setText(action)
            cell = others.get(resource)
            if cell is None:
                cell = QHBoxLayout()
                cell.setSpacing(6)
                others[resource] = cell
                grid.addLayout(cell, row, 3)
            cell.addWidget(box)
            if option.opt_in:
                badge = QLabel(tr("Opt-in"))
                badge.setObjectName("OptInBadge")
                badge.setToolTip(tr("Opt-in: never part of the default set."))
                badge.setStyleSheet(
                    f"QLabel#OptInBadge {{ color: {tokens.warning};"
                    f" border: 1px solid {tokens.warning}; border-radius: 6px;"
                    " padding: 0px 6px; font-size: 8pt; font-weight: 600; }"
                )
                cell.addWidget(badge)
        for cell in others.values():
            cell.addStretch(1)

        self.reset_button = QPushButton(tr("Reset to &defaults"))
        self.reset_button.setAccessibleName(tr("Reset scopes to the defaults"))
        self.reset_button.clicked.connect(self.reset_to_defaults)
        self.clear_button = QPushButton(tr("C&lear all"))
        self.clear_button.setAccessibleName(tr("Clear all scopes"))
        self.clear_button.clicked.connect(lambda: self.set_selected(()))
        edits_form(self.reset_button, self.clear_button)
        self.summary = QLabel()
        self.summary.setProperty("muted", True)
        self.summary.setAccessibleName(tr("Scope summary"))
        self.opt_in_note = QLabel()
        self.opt_in_note.setWordWrap(True)
        self.opt_in_note.setStyleSheet(f"color: {tokens.warning};")
        self.opt_in_note.setAccessibleName(tr("Opt-in scopes ticked"))
        tools = QHBoxLayout()
        tools.addWidget(self.summary, 1)
        tools.addWidget(self.reset_button)
        tools.addWidget(self.clear_button)

        self.setStyleSheet(
            f"QFrame#ScopePicker {{ border: 1px solid {tokens.border}; border-radius: 8px; }}"
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.addLayout(grid)
        lay.addLayout(tools)
        lay.addWidget(self.opt_in_note)

        first = next(iter(self.boxes.values()), None)
        if first is not None:
            focus_through(self, first)  # (the form's "Scopes" Alt key lands on the first box)
        self.set_selected(self.defaults() if selected is None else selected)

    # -- reading and setting ----------------------------------------------------------

    @property
    def options(self) -> list[ScopeOption]:
        return list(self._options)

    def defaults(self) -> list[str]:
        return [o.name for o in self._options if o.preselected]

    def selected(self) -> list[str]:
        """Ticked scope names, in the catalogue's order."""
        return [o.name for o in self._options if self.boxes[o.name].isChecked()]

    def set_selected(self, names: Iterable[str]) -> None:
        wanted = set(names)
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in wanted)
            box.blockSignals(False)
        self._on_toggled()

    def reset_to_defaults(self) -> None:
        self.set_selected(self.defaults())

    def _on_toggled(self, _checked: bool = False) -> None:
        chosen = self.selected()
        total = len(self._options)
        if not chosen:
            self.summary.setText(tr("0 of {0} scopes ticked.").format(total))
        elif set(chosen) == set(self.defaults()):
            self.summary.setText(
                tr("The default set: {0} of {1} scopes.").format(len(chosen), total)
            )
        else:
            self.summary.setText(tr("{0} of {1} scopes ticked.").format(len(chosen), total))
        opt_in = [o for o in self._options if o.opt_in and o.name in chosen]
        self.opt_in_note.setText(
            tr("Opt-in scopes ticked: {0}. Give them only to systems that need them.").format(
                ", ".join(o.name for o in opt_in)
            )
        )
        self.opt_in_note.setVisible(bool(opt_in))
        self.changed.emit()


__all__ = [
    "ScopeOption",
    "ScopePicker",
    "action_label",
    "humanize",
    "resource_label",
]
