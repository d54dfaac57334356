"""Tasks: follow the processing of a CSV catalog import."""

from __future__ import annotations

import math

from backmarket_sdk import errors
from backmarket_sdk._http import RequestSpec
from backmarket_sdk._logging import logger
from backmarket_sdk.models.tasks import Task
from backmarket_sdk.resources._base import (
    AsyncResource,
    SyncResource,
    parse_model,
    require_id,
)

TASKS_PATH = "/ws/tasks"
# NOTE: Back Market documents no limit, so one week is the SDK's own bound for
# timeout and poll_interval. It is far above the minutes a catalog task takes,
# and far below the ~9.2e9 s at which time.sleep() raises OverflowError
# (CPython 3.11 on 64-bit Linux).
MAX_WAIT_SECONDS = 7 * 24 * 3600


def get_spec(task_id: int) -> RequestSpec:
    """Describe ``GET /ws/tasks/{taskId}``."""
    return RequestSpec("GET", f"{TASKS_PATH}/{require_id('task_id', task_id)}")


def is_seconds(value: object) -> bool:
    """Return whether ``value`` is a finite int or float and not a bool."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def check_wait_args(timeout: float, poll_interval: float) -> None:
    """Raise ``InvalidRequestError`` unless both arguments are usable seconds.

    ``timeout`` must be finite and from 0 to :data:`MAX_WAIT_SECONDS`.
    ``poll_interval`` must be finite, above 0 and at most the same bound.
    """
    if not is_seconds(timeout) or not 0 <= timeout <= MAX_WAIT_SECONDS:
        raise errors.InvalidRequestError(
            f"Invalid timeout {timeout!r}: use a finite number of seconds from 0 "
            f"to {MAX_WAIT_SECONDS} (one week), such as 900."
        )
    if not is_seconds(poll_interval) or not 0 < poll_interval <= MAX_WAIT_SECONDS:
        raise errors.InvalidRequestError(
            f"Invalid poll_interval {poll_interval!r}: use a finite number of "
            f"seconds above 0 and at most {MAX_WAIT_SECONDS}, such as 5."
        )


def timeout_error(task: Task, timeout: float) -> errors.TaskTimeoutError:
    """Build the error raised when a task is still running at the deadline."""
    return errors.TaskTimeoutError(
        f"Task {task.task_id} still {task.status.value} (action_status "
        f"{task.action_status}) after {timeout:g} s; call wait() again or "
        "raise the timeout.",
        task=task,
    )


class Tasks(SyncResource):
    """``client.tasks``: catalog import tasks."""

    def get(self, task_id: int) -> Task:
        """Return a task with its status and per-SKU report."""
        spec = get_spec(task_id)
        return parse_model(self._client.request(spec), Task, spec)

    def wait(
        self, task_id: int, *, timeout: float = 900, poll_interval: float = 5
    ) -> Task:
        """Poll a task until it is done or failed and return it.

        Args:
            task_id: The task.
            timeout: Seconds to wait in total; processing takes minutes.
            poll_interval: Seconds between two reads.

        Raises:
            InvalidRequestError: ``timeout`` is negative, ``poll_interval`` is
                0 or below, either is not finite or above one week.
            TaskTimeoutError: The task is unfinished after ``timeout`` seconds.
        """
        check_wait_args(timeout, poll_interval)
        clock = self._client.rate_limiter.clock
        deadline = clock() + timeout
        while True:
            task = self.get(task_id)
            if task.is_finished:
                return task
            remaining = deadline - clock()
            if remaining <= 0:
                raise timeout_error(task, timeout)
            logger.debug("Task %d is %s; polling again", task_id, task.status.value)
            self._client.sleep(min(poll_interval, remaining))


class AsyncTasks(AsyncResource):
    """``client.tasks`` of the async client; see :class:`Tasks`."""

    async def get(self, task_id: int) -> Task:
        """Return a task with its status and per-SKU report."""
        spec = get_spec(task_id)
        return parse_model(await self._client.request(spec), Task, spec)

    async def wait(
        self, task_id: int, *, timeout: float = 900, poll_interval: float = 5
    ) -> Task:
        """Poll a task until it is done or failed; see :meth:`Tasks.wait`."""
        check_wait_args(timeout, poll_interval)
        clock = self._client.rate_limiter.clock
        deadline = clock() + timeout
        while True:
            task = await self.get(task_id)
            if task.is_finished:
                return task
            remaining = deadline - clock()
            if remaining <= 0:
                raise timeout_error(task, timeout)
            logger.debug("Task %d is %s; polling again", task_id, task.status.value)
            await self._client.sleep(min(poll_interval, remaining))
