"""Helpers for the thin Snakemake scripts: BLAS threads and logging into the rule's log file."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

__all__ = ["logged", "limit_threads"]

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
