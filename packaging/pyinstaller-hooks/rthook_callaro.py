"""Runtime hook of the frozen build: runs before the app's first import.

- The bundle leaves Pillow out (see the spec): fpdf2 then warns at import that it cannot add
  images, which sandbox invoices never contain. Silence exactly that warning.
- QT_API: qasync must pick PySide6, the only binding in the bundle (the app sets it too).
"""

import os
import warnings

warnings.filterwarnings("ignore", message="Pillow could not be imported", category=UserWarning)
os.environ.setdefault("QT_API", "pyside6")
