"""A pre-imported process that forks one ``commercium-connector sync`` per
request, so that killing many runs does not pay Python's start-up each time.

Protocol, one JSON object per line. In: ``{"argv": [...], "commit": k,
"after": bool}``; ``commit`` (optional) makes the run SIGKILL itself at its
k-th SQLite commit, before it or after it. Out: ``{"pid": n}`` once the run
started, then ``{"status": s}`` with the ``waitpid`` status when it ended.

The SDK client's own rate limits are lifted in the runs: the sandbox these
tests serve enforces none, and a real 10 s limiter wait would only slow the
test down.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from typing import Any

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from backmarket_sdk import BackMarketClient, RateLimits
from commercium_connector.backmarket import client_factory
from commercium_connector.host import cli

NO_LIMITS = RateLimits(general=10**6, catalog=10**6)


def _kill_at_commit(target: int, after: bool) -> None:
    original = SQLiteDialect_pysqlite.do_commit
    commits = 0

    def do_commit(self: Any, dbapi_connection: Any) -> None:
        nonlocal commits
        commits += 1
        if commits == target and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        original(self, dbapi_connection)  # type: ignore[no-untyped-call]
        if commits == target and after:
            os.kill(os.getpid(), signal.SIGKILL)

    SQLiteDialect_pysqlite.do_commit = do_commit  # type: ignore[method-assign]


def _run(command: dict[str, Any]) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    unlimited = functools.partial(BackMarketClient, rate_limits=NO_LIMITS)
    setattr(client_factory, "BackMarketClient", unlimited)  # noqa: B010
    if command.get("commit"):
        _kill_at_commit(int(command["commit"]), bool(command.get("after")))
    try:
        code = cli.main(command["argv"])
    except BaseException:
        code = 99
    os._exit(code)


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run(command)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": status}), flush=True)


if __name__ == "__main__":
    main()
