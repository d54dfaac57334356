"""Commercium host contract and the Back Market channel plugin."""

__version__ = "0.1.0"
