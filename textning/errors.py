"""Errors that end a command with a one-line message instead of a traceback."""

from __future__ import annotations


class TextningError(Exception):
    """A failure the user can act on; the CLI prints ``str(error)`` on one line."""


class ModelReferenceError(TextningError):
    """A model reference that cannot be turned into a usable model directory."""
