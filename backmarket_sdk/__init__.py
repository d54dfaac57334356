"""Typed client for the Back Market seller API."""

__version__ = "0.1.0"
