"""Run every benchmark, one after the other: ``python -m bench``.

Each runs in its own interpreter so that none inherits another's caches,
threads or memory; its output is printed as it comes. Names given on the
command line run only those benchmarks, such as ``python -m bench
throughput order_import``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

# Run by default. ``scale`` needs Redis and PostgreSQL: run it by name.
BENCHMARKS = ("throughput", "calls_per_change", "order_import", "sdk_overhead")


def main() -> int:
    wanted = sys.argv[1:] or list(BENCHMARKS)
    folder = Path(__file__).parent
    unknown = [name for name in wanted if not (folder / f"{name}.py").exists()]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose among "
            f"{', '.join(n for n in BENCHMARKS if (folder / f'{n}.py').exists())}"
        )
        return 2
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores "
        f"available, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        flush=True,
    )
    failed = []
    for name in wanted:
        print(f"\n## python -m bench.{name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"])
        print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
