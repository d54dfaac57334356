"""Tasks: follow the processing of a CSV catalog import."""

from __future__ import annotations

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


def get_spec(task_id: int) -> RequestSpec:
    """Describe ``GET /ws/tasks/{taskId}``."""
    return RequestSpec("GET", f"{TASKS_PATH}/{require_id('task_id', task_id)}")


def check_wait_args(timeout: float, poll_interval: float) -> None:
    """Raise ``InvalidRequestError`` for a negative timeout or a bad interval."""
    if not isinstance(timeout, (int, float)) or timeout < 0:
        raise errors.InvalidRequestError(
            f"Invalid timeout {timeout!r}: use a number of seconds, 0 or more."
        )
    if not isinstance(poll_interval, (int, float)) or poll_interval <= 0:
        raise errors.InvalidRequestError(
            f"Invalid poll_interval {poll_interval!r}: use a positive number of "
            "seconds."
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
