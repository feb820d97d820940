"""Atomic file writing: a reader never sees a half-written dataset, figure or record.

Every output of the workflow is written to a temporary file beside its target and
renamed onto it only once complete, so an interrupted job (``kill -9``, node
failure) leaves either the old file or none under the final name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import xarray as xr

__all__ = ["atomic_target", "write_atomic"]


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(ds: xr.Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``ds`` as netCDF-4 to a temporary file beside ``path``, then rename it into place."""
    with atomic_target(path) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4")
