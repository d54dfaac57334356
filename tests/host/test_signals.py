"""Stopping on signals: a second signal ends the run at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# Holds an SQLite write lock on one connection and waits for it on another.
# The second wait happens inside SQLite's C code, where Python signal
# handlers cannot run until it gives up, five seconds later.
BLOCKED_IN_C = textwrap.dedent(
    """
    import sqlite3, sys
    from commercium_connector.host.cli import StopSignal

    holder = sqlite3.connect(sys.argv[1], isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
    with StopSignal().installed():
        print("ready", flush=True)
        try:
            waiter.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            pass
        print("returned", flush=True)
    """
)


def _signal_twice(
    tmp_path: Path, second: signal.Signals
) -> subprocess.CompletedProcess[str]:
    """Run BLOCKED_IN_C, send SIGINT then ``second`` while it waits in C."""
    process = subprocess.Popen(
        [sys.executable, "-c", BLOCKED_IN_C, str(tmp_path / "db.sqlite")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # let the waiter enter SQLite's busy wait
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)  # two separate deliveries, not one coalesced signal
    process.send_signal(second)
    out, err = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX signals")
def test_second_sigint_during_c_call(tmp_path: Path) -> None:
    done = _signal_twice(tmp_path, signal.SIGINT)

    assert done.returncode == 130
    assert "returned" not in done.stdout
    assert "SIGINT received: stopping after the current step" in done.stderr
    assert "SIGINT received again: stopping now" in done.stderr


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX signals")
def test_second_sigterm_status(tmp_path: Path) -> None:
    done = _signal_twice(tmp_path, signal.SIGTERM)

    assert done.returncode == 128 + signal.SIGTERM
    assert "returned" not in done.stdout
    assert "SIGTERM received again: stopping now" in done.stderr
