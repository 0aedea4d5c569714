"""Runtime hook of the frozen build: runs before the app's first import.

QT_API: qasync must pick PySide6, the only binding in the bundle (the app sets it too, but
only once callaro_desktop.app is imported).
"""

import os

os.environ.setdefault("QT_API", "pyside6")
