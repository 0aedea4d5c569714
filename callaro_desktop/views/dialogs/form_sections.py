"""Groups of rows in a FormDialog's form that are shown one group at a time.

Some forms change shape with one choice (a number's source, a connection's provider).
Keeping every row in the dialog's one QFormLayout keeps the labels aligned; a section
records the rows and fields added inside `with sections.section(name):`, and `show(name)`
makes only that section's rows visible and its fields the dialog's `fields`, so local
checks, busy states and the server's field errors only ever touch what the user sees
(two providers may both have an `account_sid`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QWidget

from callaro_desktop.views.dialogs.common import FieldError

if TYPE_CHECKING:
    from callaro_desktop.views.dialogs.form import FormDialog

FieldEntry = tuple[QWidget, FieldError, tuple[str, ...]]


class FormSections:
    def __init__(self, dialog: FormDialog) -> None:
        self.dialog = dialog
        self.rows: dict[str, list[int]] = {}
        self.fields: dict[str, dict[str, FieldEntry]] = {}
        self.current: str | None = None

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        form = self.dialog.form
        start = form.rowCount()
        before = set(self.dialog.fields)
        yield
        self.rows.setdefault(name, []).extend(range(start, form.rowCount()))
        added = {k: v for k, v in self.dialog.fields.items() if k not in before}
        self.fields.setdefault(name, {}).update(added)

    def field(self, section: str, name: str) -> FieldEntry:
        return self.fields[section][name]

    def show(self, name: str) -> None:
        dialog = self.dialog
        for entries in self.fields.values():
            for _widget, error, _names in entries.values():
                error.set_error(None)
        for key, rows in self.rows.items():
            self._show_rows(rows, key == name)
        owned = {key for entries in self.fields.values() for key in entries}
        common = {k: v for k, v in dialog.fields.items() if k not in owned}
        dialog.fields = {**common, **self.fields.get(name, {})}
        self.current = name

    def _show_rows(self, rows: list[int], visible: bool) -> None:
        form = self.dialog.form
        for row in rows:
            form.setRowVisible(row, visible)
            item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if visible and isinstance(widget, FieldError) and not widget.text():
                # The row is part of the layout again, but an error line shows only with text.
                widget.hide()
