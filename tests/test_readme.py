"""The README's first example runs as printed."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.spec import REPO_ROOT


def test_readme_first_example_runs() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1
    completed = subprocess.run(
        [sys.executable, "-c", blocks[0]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    first = completed.stdout.splitlines()[0].split()
    assert first[0].isdigit()
    assert len(first) == 3
