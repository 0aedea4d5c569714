"""Columns that fit the table's width while they are the page's own, and a header's restore.

A list lays its columns out for a first window (1,280 px). Narrower (a window tiled beside
another, a small laptop screen), the columns kept those widths and the table scrolled
sideways, the last columns out of sight. While the user has not changed them, the columns
now share the width there is, in the page's proportions, none narrower than its title; wider,
they keep the page's widths and the last one takes the rest. Once the user drags or moves a
column, the columns are the user's and are left alone (the page keeps them with the
workspace), until Reset column widths gives them back to the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTableView

_RESTORING = "callaroRestoring"

#: Room beside a column's title for the sort arrow and the section's padding.
_TITLE_SLACK = 30


def restore_layout(header: QHeaderView, layout: QByteArray) -> None:
    """`header.restoreState(layout)`, its signals marked as no user's doing.

    Qt announces the layout's sort on every restore, changed or not, and a page's sorting
    took it for a click (Reset column widths loaded the rows again); its resizes are not a
    user's drag either. The signals still go out (the view lays itself out on them); their
    handlers ask `restoring(header)`.
    """
    header.setProperty(_RESTORING, True)
    try:
        header.restoreState(layout)
    finally:
        header.setProperty(_RESTORING, False)


def restoring(header: QHeaderView) -> bool:
    """Whether `header` is restoring a layout (its signals are not a user's)."""
    return bool(header.property(_RESTORING))


class ColumnFitter(QObject):
    """Fits `table`'s columns into its width while they are the page's (`own`)."""

    #: The user resized or moved a column (each time): the columns are theirs from now on.
    taken = Signal()
    #: The columns became the page's (True) or the user's (False).
    owned_changed = Signal(bool)

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        self._header = table.horizontalHeader()
        self._widths: list[int] = []
        self._firm: set[int] = set()
        self._filler: int | None = None
        self._last_floor: int | None = None
        self._owned = False
        self._fitting = False
        self._header.sectionResized.connect(self._on_resized)
        self._header.sectionMoved.connect(self._on_moved)
        table.viewport().installEventFilter(self)

    @property
    def owned(self) -> bool:
        """Whether the page lays the columns out (the user has not changed them)."""
        return self._owned

    def lay_out(
        self, firm: Iterable[int] = (), last: int | None = None, filler: int | None = None
    ) -> None:
        """Take the widths the header has now (the page's own, by logical index) as the
        page's; `firm` columns (a status's pills, amounts) keep theirs when the columns are
        shared out. The stretched last column's size is what it stretched to, not the
        page's: it is owed `last` (or a column's default), and takes what is left. Or, in a
        table whose last column does not stretch, `filler` takes what is left (Usage's
        Description, between the date and the amounts)."""
        header = self._header
        self._widths = [header.sectionSize(i) for i in range(header.count())]
        if header.count() and header.stretchLastSection():
            stretched = header.logicalIndex(header.count() - 1)
            self._widths[stretched] = last or header.defaultSectionSize()
        self._firm = set(firm)
        self._filler = filler

    def own(self) -> None:
        """The columns are the page's (as `lay_out` took them): fitted from now on."""
        self._set_owned(True)
        self._last_floor = None  # (a restored layout brings its own)
        self.fit()

    def release(self) -> None:
        """The columns are the user's (restored from what they chose): leave them."""
        self._set_owned(False)

    def show_section(self, section: int, shown: bool) -> None:
        """Show or hide a column (the user's choice of columns, not a drag: the columns stay
        whose they were); the others share the room."""
        if self._header.isSectionHidden(section) != shown:
            return
        self._fitting = True  # (hiding a section announces it resized to nothing)
        try:
            self._header.setSectionHidden(section, not shown)
            # With a stretched last column Qt says so later, from the event loop, where it
            # would read as the user's: asking the length has it said now.
            self._header.length()
        finally:
            self._fitting = False
        self.fit()

    def _set_owned(self, owned: bool) -> None:
        if owned != self._owned:
            self._owned = owned
            self.owned_changed.emit(owned)

    def fit(self) -> None:
        header = self._header
        count = header.count()
        if not self._owned or len(self._widths) != count or count < 2:
            return
        if not self._table.isVisible():
            return  # (out of sight, its width is not the one it will be shown at)
        if any(header.sectionResizeMode(i) == QHeaderView.ResizeMode.Stretch for i in range(count)):
            return  # (a column that stretches: Qt shares the width itself)
        last = header.logicalIndex(count - 1) if header.stretchLastSection() else -1
        shown = [i for i in range(count) if not header.isSectionHidden(i)]
        wanted = {i: self._widths[i] for i in shown}
        room = self._table.viewport().width()
        narrow = sum(wanted.values()) > room
        widths = self._shared(wanted, room) if narrow else dict(wanted)
        if last in widths:
            # Qt never makes the stretched last column narrower than the size it was last
            # given: given its share (or, with room, its least), it fills what is left.
            widths[last] = widths[last] if narrow else self._least(last)
        elif not narrow and self._filler in widths:
            widths[self._filler] += room - sum(widths.values())
        self._fitting = True
        try:
            for i, width in widths.items():
                if i == last:
                    if self._last_floor != width:
                        header.resizeSection(i, width)
                        self._last_floor = width
                elif header.sectionSize(i) != width:
                    header.resizeSection(i, width)
        finally:
            self._fitting = False

    def _shared(self, wanted: dict[int, int], room: int) -> dict[int, int]:
        """`room` shared among the columns in the page's proportions (`wanted`), none under
        its least."""
        # A firm column's least is the page's width for it. (Measuring its cells instead
        # would ask the delegate about up to a thousand rows on every resize of the window.)
        least = {i: wanted[i] if i in self._firm else self._least(i) for i in wanted}
        widths = dict(least)
        # Columns held at their least give up no more and the rest share what is left,
        # again, until none more is held (each round holds one more column, or ends).
        free = [i for i in wanted if i not in self._firm]
        while free:
            spare = room - sum(least[i] for i in wanted if i not in free)
            total = sum(wanted[i] for i in free)
            scale = min(1.0, spare / total) if total > 0 and spare > 0 else 0.0
            for i in free:
                widths[i] = max(least[i], int(wanted[i] * scale))
            held = [i for i in free if widths[i] <= least[i]]
            if not held:
                break
            free = [i for i in free if i not in held]
        return widths

    def _least(self, section: int) -> int:
        # A column is never narrower than its title: the rows elide, the titles stay read.
        title = self._table.model().headerData(
            section, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
        )
        width = self._header.fontMetrics().horizontalAdvance(str(title or "")) + _TITLE_SLACK
        return max(width, self._header.minimumSectionSize())  # (Qt's own floor)

    def _by_user(self) -> bool:
        return not self._fitting and not restoring(self._header)

    def _on_resized(self, section: int, _old: int, _new: int) -> None:
        header = self._header
        stretched = (
            header.stretchLastSection() and header.visualIndex(section) == header.count() - 1
        )
        if stretched or not self._by_user():
            return  # (the last column follows the table's width, not a user)
        if header.sectionResizeMode(section) != QHeaderView.ResizeMode.Interactive:
            return  # (Qt sizes a stretched or fitted-to-contents column; no user can)
        self._set_owned(False)
        self.taken.emit()

    def _on_moved(self, _section: int, _old: int, _new: int) -> None:
        if self._by_user():
            self._set_owned(False)
            self.taken.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False
