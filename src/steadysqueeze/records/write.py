"""Writing provenance records: what a dataset or figure stores about how it was made.

:func:`make_record` builds the record of one produced file as a plain JSON-able dict;
:func:`dataset_attributes` turns it into netCDF global attributes (figures store the
dict itself as JSON, see :mod:`steadysqueeze.figures.save`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .. import __version__
from ..studies import config_sha256
from .read import ProvenanceError, Record, read_netcdf_record

__all__ = ["file_sha256", "code_version", "software_versions", "make_record",
           "history_line", "merge_history", "dataset_attributes", "CONVENTIONS",
           "TEMPORARY_RULES"]

CONVENTIONS = "CF-1.10"
_SOFTWARE = ("numpy", "scipy", "qutip", "xarray", "netCDF4", "matplotlib", "snakemake")
#: directory whose git checkout identifies the code: the steadysqueeze package
#: (monkeypatched in tests)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: rules whose outputs the workflow deletes (``temp()``); their records live on,
#: embedded in the consumers' ``upstream``, and ``verify`` checks through them
TEMPORARY_RULES = frozenset({"exact_shard", "minimum", "gap_shard"})
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                             timeout=10, check=True)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return out.stdout.strip()


def code_version(directory: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Git commit and dirty flag of the source tree.

    ``{"commit": "unknown", "dirty": "unknown"}`` when git is missing, ``directory``
    is not inside a git checkout, or the package files are not tracked by the
    enclosing checkout (e.g. an installed copy inside some other repository).
    ``dirty`` is true when any tracked file of the checkout (package, workflow,
    config) differs from the commit. Never raises.
    """
    where = Path(directory) if directory else _PACKAGE_DIR
    unknown = {"commit": "unknown", "dirty": "unknown"}
    if not where.is_dir():
        return unknown
    commit = _git(["rev-parse", "--verify", "HEAD"], where)
    tracked = _git(["ls-files", "--", "."], where)
    if not commit or not tracked:
        return unknown
    status = _git(["status", "--porcelain", "--untracked-files=no"], where)  # whole checkout
    return {"commit": commit, "dirty": bool(status) if status is not None else "unknown"}


def software_versions() -> dict[str, str]:
    """Versions of python, this package and the scientific stack."""
    versions = {"python": platform.python_version(), "steadysqueeze": __version__}
    for name in _SOFTWARE:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _input_records(inputs: Iterable[str]) -> dict[str, Record]:
    """Records of those inputs that are datasets with a provenance record."""
    records: dict[str, Record] = {}
    for path in inputs:
        if path.endswith(".nc"):
            try:
                records[path] = read_netcdf_record(path)
            except ProvenanceError:
                continue
    return records


def make_record(*, rule: str, study: Mapping[str, Any] | None,
                inputs: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Any]:
    """The provenance record of one produced file (plain JSON-able dict).

    ``upstream`` keeps each input dataset's own record (:meth:`Record.to_embedded`),
    so that the chain can be followed through temporary files the workflow deletes.
    ``history`` is a list of CF-style lines, newest first: this step, then the
    steps of the inputs.
    """
    inputs = [str(p) for p in inputs]
    code = code_version()
    upstream = _input_records(inputs)
    record: dict[str, Any] = {
        "source": {"package": "steadysqueeze", "version": __version__, **code},
        "rule": rule,
        "study": dict(study) if study is not None else None,
        "study_sha256": config_sha256(study) if study is not None else None,
        "inputs": {p: file_sha256(p) for p in inputs},
        "upstream": {path: rec.to_embedded() for path, rec in upstream.items()},
        "software": software_versions(),
        "created_utc": _utc_now(),
    }
    earlier = [line for rec in upstream.values() for line in rec.history]
    record["history"] = merge_history([history_line(record)], earlier)
    return record


def history_line(record: Mapping[str, Any], *, title: str | None = None) -> str:
    """One CF-style history line ``"<UTC time>: <what ran>"`` for ``record``."""
    src = record["source"]
    dirty = ", dirty" if src.get("dirty") is True else ""
    study = record.get("study") or {}
    inputs = " ".join(record.get("inputs") or {}) or "none"
    product = f' -> "{title}"' if title else ""
    return (f"{record['created_utc']}: steadysqueeze {src['version']} "
            f"(commit {str(src['commit'])[:12]}{dirty}) rule={record['rule']} "
            f"study={study.get('name', '-')} study_sha256={str(record.get('study_sha256'))[:12]} "
            f"inputs: {inputs}{product}")


def merge_history(*groups: Iterable[str]) -> list[str]:
    """History lines of several steps as one list: duplicates dropped, newest first.

    Lines are ordered by their leading UTC timestamp (stable; lines without one last).
    """
    lines = list(dict.fromkeys(line for group in groups for line in group if line))

    def key(line: str) -> str:
        match = _TIMESTAMP.match(line)
        return match.group(1) if match else ""

    return sorted(lines, key=key, reverse=True)


def dataset_attributes(record: Mapping[str, Any], *, title: str,
                       previous_history: Iterable[str] = ()) -> dict[str, str]:
    """netCDF global attributes (strings only) for ``record``; history newest first."""
    earlier = list(record.get("history", []))[1:]
    history = merge_history([history_line(record, title=title)], previous_history, earlier)
    return {
        "title": title,
        "Conventions": CONVENTIONS,
        "history": "\n".join(history),
        "source": json.dumps(record["source"], sort_keys=True),
        "rule": record["rule"],
        "study": json.dumps(record["study"], sort_keys=True),
        "study_sha256": str(record["study_sha256"]),
        "inputs": json.dumps(record["inputs"], sort_keys=True),
        "upstream": json.dumps(record.get("upstream", {}), sort_keys=True),
        "software": json.dumps(record["software"], sort_keys=True),
        "created_utc": record["created_utc"],
    }
