"""Asking where to save a file, without a nested event loop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from callaro_desktop.views.dialogs.common import run_dialog


def downloads_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(location) if location else Path.home()


async def choose_save_path(
    parent: QWidget | None,
    title: str,
    suggested_name: str,
    name_filter: str,
    suffix: str,
) -> Path | None:
    """A save dialog opened with open() and awaited; None when the user cancels."""
    picker = QFileDialog(parent, title)
    picker.setObjectName("SaveFileDialog")
    picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    picker.setFileMode(QFileDialog.FileMode.AnyFile)
    picker.setDefaultSuffix(suffix)
    picker.setNameFilters([name_filter])
    picker.setDirectory(str(downloads_folder()))
    picker.selectFile(suggested_name)
    try:
        accepted = await run_dialog(picker) == QDialog.DialogCode.Accepted
        files = picker.selectedFiles()
        return Path(files[0]) if accepted and files else None
    finally:
        picker.deleteLater()
