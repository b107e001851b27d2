"""Shared ground for Textning's four stages: model references, configuration and errors."""

__version__ = "0.1.0"
