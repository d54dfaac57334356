"""Record the cassettes of tests/sdk_extra against the sandbox on loopback.

Run from the repository root: ``python -m tests.sdk_extra.record_cassettes``.
Each scenario runs against a freshly seeded sandbox; the token is filtered
out of every cassette.
"""

from __future__ import annotations

import httpx

from tests.sdk_extra.harness import (
    CASSETTE_DIR,
    FakeTime,
    make_client,
    make_sandbox,
    make_vcr,
)
from tests.sdk_extra.scenarios import SCENARIOS
from tests.sdk_extra.spec_validation import RecordingTransport


def record() -> None:
    """Run every scenario with recording on and rewrite its cassette."""
    CASSETTE_DIR.mkdir(parents=True, exist_ok=True)
    recorder = make_vcr("all")
    for name, scenario in SCENARIOS.items():
        sandbox = make_sandbox()
        with sandbox.serve() as server:
            fake = FakeTime(sandbox)
            transport = RecordingTransport(httpx.HTTPTransport())
            client = make_client(server.url, sandbox.token, fake, transport)
            path = CASSETTE_DIR / f"{name}.yaml"
            path.unlink(missing_ok=True)
            with client, recorder.use_cassette(path.name):
                scenario(client, fake)
        print(f"recorded {path.name}: {len(transport.exchanges)} requests")


if __name__ == "__main__":
    record()
