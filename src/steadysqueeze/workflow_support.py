"""Helpers for the thin Snakemake scripts: logging into the rule's log file."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

__all__ = ["logged", "limit_threads", "local_memory_budget_mb"]

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Give BLAS the rule's ``threads`` (call before numpy is imported).

    Several single-threaded jobs side by side each running a multi-threaded BLAS
    oversubscribe the cores badly; the rule's ``threads:`` is the budget.
    """
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(max(1, int(threads)))


@contextlib.contextmanager
def logged(path: str | os.PathLike[str]) -> Iterator[logging.Logger]:
    """Send the package's log records and stderr (tracebacks included) to ``path``."""
    logger = logging.getLogger("steadysqueeze")
    with open(path, "w") as stream, contextlib.redirect_stderr(stream):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            yield logger
        except BaseException:
            logger.exception("rule failed")
            raise
        finally:
            logger.removeHandler(handler)
            stream.flush()
            sys.stderr.flush()


def local_memory_budget_mb(fraction: float = 0.85) -> int:
    """``fraction`` of this machine's physical memory, in MB.

    Local runs use it as the default ``mem_mb`` budget, so that several large-N
    jobs never run side by side beyond the machine's memory.
    """
    return int(fraction * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6)
