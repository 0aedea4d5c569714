"""Callaro Desktop: a desktop admin console for Callaro workspaces."""

# The one place the version lives: pyproject reads it (hatch dynamic version),
# the User-Agent, About and --version all import it.
__version__ = "0.1.0"
