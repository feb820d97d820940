"""One measurement in a fresh interpreter: a child script reads a JSON spec from argv and
prints its result as the last line of JSON (shared by the benchmark scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

#: glibc returns freed heap at once, as in the workflow's scan jobs
#: (steadysqueeze.pipeline.support.return_freed_memory): without it peak RSS measures the
#: allocator's fragmentation, not the solver
FREED_HEAP_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


def run_child(code: str, spec: dict, timeout: float, defaults: dict[str, str],
              overrides: dict[str, str] | None = None, message_length: int = 100
              ) -> dict | str:
    """Run ``code`` with ``spec`` as JSON in ``argv[1]``, its environment this process's
    over ``defaults``, under ``overrides``: the child's result dict, or why it failed
    (timeout, last stderr line)."""
    env = {**defaults, **os.environ, **(overrides or {})}
    try:
        done = subprocess.run([sys.executable, "-c", code, json.dumps(spec)], env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timeout >{timeout:.0f}s"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1][:message_length]
    return json.loads(done.stdout.strip().splitlines()[-1])
