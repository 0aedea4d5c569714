"""A Callaro-compatible sandbox server (FastAPI + SQLite). No Qt, no callaro_desktop imports."""
