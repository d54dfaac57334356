"""Enum bases that accept values a newer API may send.

Back Market adds states and grades from time to time; an enum that raised on
an unknown value would break every call that reads one. These bases create
a member named ``UNKNOWN_<value>`` instead, which compares equal to the raw
value and is cached so that identity checks keep working.
"""

from __future__ import annotations

import enum
from typing import Any


class OpenIntEnum(int, enum.Enum):
    """An integer enum that keeps values it does not list."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        if value in cls._value2member_map_:
            return cls._value2member_map_[value]
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """False for a value the SDK does not list."""
        return self._name_ in type(self).__members__


class OpenStrEnum(str, enum.Enum):
    """A string enum that keeps values it does not list."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        upper = value.upper()
        if upper in cls._value2member_map_:
            return cls._value2member_map_[upper]
        member = str.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """False for a value the SDK does not list."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)
