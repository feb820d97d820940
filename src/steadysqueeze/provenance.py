"""Provenance records: from any dataset or figure back to its config, code and inputs.

Every dataset carries in its global attributes (design.md, "Provenance record"):
``title``, ``Conventions``, ``history`` (one line per producing step, newest first),
``source`` (package, version, git commit, dirty flag), ``rule``, ``study`` (the
study's config block as canonical JSON), ``study_sha256``, ``inputs`` (JSON map
path → sha256), ``software`` (JSON map of versions) and ``created_utc``.
Figures carry the same record in their PDF/PNG metadata and in a sidecar
``<figure>.provenance.json``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import __version__
from .studies import config_sha256

__all__ = ["file_sha256", "code_version", "software_versions", "make_record",
           "history_line", "dataset_attributes", "CONVENTIONS"]

CONVENTIONS = "CF-1.10"
_SOFTWARE = ("numpy", "scipy", "qutip", "xarray", "netCDF4", "matplotlib", "snakemake")


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                             timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def code_version(directory: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Git commit and dirty flag of the source tree ("unknown" outside a git checkout)."""
    where = Path(directory) if directory else Path(__file__).resolve().parent
    commit = _git(["rev-parse", "HEAD"], where)
    if not commit:
        return {"commit": "unknown", "dirty": "unknown"}
    status = _git(["status", "--porcelain", "--untracked-files=no"], where)
    return {"commit": commit, "dirty": bool(status) if status is not None else "unknown"}


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "steadysqueeze": __version__}
    for name in _SOFTWARE:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_record(*, rule: str, study: Mapping[str, Any] | None,
                inputs: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Any]:
    """The provenance record of one produced file (plain JSON-able dict)."""
    code = code_version()
    return {
        "source": {"package": "steadysqueeze", "version": __version__, **code},
        "rule": rule,
        "study": dict(study) if study is not None else None,
        "study_sha256": config_sha256(study) if study is not None else None,
        "inputs": {str(p): file_sha256(p) for p in inputs},
        "software": software_versions(),
        "created_utc": _utc_now(),
    }


def history_line(record: Mapping[str, Any]) -> str:
    src = record["source"]
    dirty = " dirty" if src.get("dirty") is True else ""
    study = record.get("study") or {}
    return (f"{record['created_utc']} steadysqueeze {src['version']} "
            f"(commit {str(src['commit'])[:12]}{dirty}) rule={record['rule']} "
            f"study={study.get('name', '-')} study_sha256={str(record.get('study_sha256'))[:12]}")


def dataset_attributes(record: Mapping[str, Any], *, title: str,
                       previous_history: Iterable[str] = ()) -> dict[str, str]:
    """netCDF global attributes (strings only) for ``record``; history newest first."""
    history = [history_line(record), *[h for h in previous_history if h]]
    return {
        "title": title,
        "Conventions": CONVENTIONS,
        "history": "\n".join(dict.fromkeys(history)),
        "source": json.dumps(record["source"], sort_keys=True),
        "rule": record["rule"],
        "study": json.dumps(record["study"], sort_keys=True),
        "study_sha256": str(record["study_sha256"]),
        "inputs": json.dumps(record["inputs"], sort_keys=True),
        "software": json.dumps(record["software"], sort_keys=True),
        "created_utc": record["created_utc"],
    }
