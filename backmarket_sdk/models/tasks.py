"""Tasks: the asynchronous processing of a CSV catalog."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs


class TaskStatus(str, enum.Enum):
    """Coarse status of a task, derived from its ``action_status`` code."""

    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"
    DONE = "DONE"
    UNKNOWN = "UNKNOWN"
    """A code this SDK does not map; the task is treated as unfinished."""


_STATUS_BY_CODE = {
    0: TaskStatus.TODO,
    2: TaskStatus.IN_PROGRESS,
    8: TaskStatus.FAILED,
    9: TaskStatus.DONE,
}


@attrs.frozen(weakref_slot=False)
class Task:
    """A catalog import task and its per-SKU report."""

    task_id: int
    action_status: int
    """Raw code: 0 todo, 2 in progress, 8 failed, 9 done."""
    last_action_error: str | None = None
    result: Any = None
    """Per-SKU report; its content depends on the task's action."""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """Fields this SDK version does not declare."""

    @property
    def status(self) -> TaskStatus:
        """Coarse status of the task."""
        return _STATUS_BY_CODE.get(self.action_status, TaskStatus.UNKNOWN)

    @property
    def is_finished(self) -> bool:
        """True once the task is done or failed."""
        return self.status in (TaskStatus.DONE, TaskStatus.FAILED)
