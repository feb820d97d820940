"""``steadysqueeze provenance verify``: recompute every hash of the records under a
directory, and compare the recorded study blocks with a config's current ones."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..studies import config_sha256
from ..records.read import (ProvenanceError, ProvenanceUsageError, Record, display_path,
                            load_record, read_pdf_subject, read_png_text, resolve_input,
                            sidecar_path)
from ..records.write import TEMPORARY_RULES, file_sha256

__all__ = ["Problem", "VerifyResult", "verify", "format_verify", "current_study_blocks"]


@dataclass(frozen=True)
class Problem:
    """One failed check: the file it concerns and why."""

    path: str
    reason: str


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`."""

    records: int = 0
    inputs: int = 0
    temporary: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: study name -> (recorded sha256, current config sha256), with ``config`` only
    changed_studies: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, path: Path | str, reason: str) -> None:
        problem = Problem(display_path(Path(path)), reason)
        if problem not in self.problems:
            self.problems.append(problem)


def _record_files(directory: Path) -> list[Path]:
    """Datasets, figures and sidecars under ``directory`` (hidden temporaries skipped)."""
    suffixes = (".nc", ".pdf", ".png", ".provenance.json")
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and p.name.endswith(suffixes) and not p.name.startswith("."))


def _check_study(record: Record, result: VerifyResult) -> None:
    if record.study is None:
        return
    actual = config_sha256(record.study)
    if actual != record.study_sha256:
        result.fail(record.path, f"recorded study block hashes to {actual[:12]}, "
                                 f"not to its study_sha256 {str(record.study_sha256)[:12]}")


def _check_config(record: Record, blocks: Mapping[str, Mapping[str, Any]] | None,
                  result: VerifyResult) -> None:
    if blocks is None or record.study is None:
        return
    name = record.study.get("name")
    if name not in blocks:
        result.fail(record.path, f"study {name!r} is no longer in the config")
        return
    current = blocks[name]
    if config_sha256(current) != config_sha256(record.study):
        result.changed_studies[name] = (str(record.study_sha256), config_sha256(current))
        keys = sorted(k for k in set(current) | set(record.study)
                      if current.get(k) != record.study.get(k))
        result.fail(record.path, f"study {name!r}: config block changed since this file was "
                                 f"made (fields: {', '.join(keys)}; recorded sha256 "
                                 f"{str(record.study_sha256)[:12]}, config "
                                 f"{config_sha256(current)[:12]})")


def _check_inputs(record: Record, result: VerifyResult, workdir: Path | None,
                  hashes: dict[Path, str], owner: Path | None = None, via: str = "") -> None:
    """Every recorded input exists and matches; temporary inputs via their embedded record.

    Problems found through a temporary input's embedded record are reported against
    ``owner``, the kept file that embeds it.
    """
    owner = owner or record.path
    for recorded, sha in sorted(record.inputs.items()):
        path = resolve_input(recorded, record.path, workdir)
        key = Path(os.path.abspath(path))
        result.inputs += 1
        embedded = record.upstream.get(recorded)
        if path.is_file():
            if key not in hashes:
                hashes[key] = file_sha256(path)
            if hashes[key] != sha:
                change = f"(sha256 now {hashes[key][:12]}, recorded {sha[:12]})"
                result.fail(owner, f"{via}recorded input {recorded} changed {change}")
                result.fail(path, f"contents no longer match what {display_path(owner)} "
                                  f"recorded {change}")
        elif embedded and embedded.get("rule") in TEMPORARY_RULES:
            result.temporary += 1
            _check_inputs(Record.from_embedded(embedded, path), result, workdir, hashes,
                          owner, f"{via}via temporary {recorded}: ")
        else:
            result.fail(owner, f"{via}recorded input {recorded} is missing (looked for {path})")


def _check_figure_copies(path: Path, result: VerifyResult) -> None:
    """A figure's PDF/PNG metadata must hold the same record as its sidecar."""
    sidecar = sidecar_path(path)
    reader = read_pdf_subject if path.name.endswith(".pdf") else read_png_text
    text = reader(path)
    if text is None:
        result.fail(path, "no provenance record in its metadata")
    elif sidecar.is_file() and json.loads(text) != json.loads(sidecar.read_text()):
        result.fail(path, f"provenance in its metadata differs from {sidecar.name}")


def _verify_file(path: Path, result: VerifyResult, workdir: Path | None,
                 blocks: Mapping[str, Mapping[str, Any]] | None, hashes: dict[Path, str]) -> None:
    try:
        if path.name.endswith((".pdf", ".png")):
            _check_figure_copies(path, result)
            if sidecar_path(path).is_file():
                return  # the sidecar's record is checked on its own
        record = load_record(path)
    except (ProvenanceError, ValueError, OSError) as exc:
        result.fail(path, f"unreadable provenance record: {exc}")
        return
    result.records += 1
    _check_study(record, result)
    _check_config(record, blocks, result)
    _check_inputs(record, result, workdir, hashes)


def current_study_blocks(config: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Study blocks of a config file as the workflow records them.

    The config is read by :func:`steadysqueeze.config.load_config`, the loader the
    workflow uses, so that the blocks (schema defaults filled) hash as in the records.
    """
    import yaml

    # not at import: the workflow's jobs import this package to write records and have no
    # use for the config loader, which loads the figures and matplotlib (0.4-0.6 s a job)
    from ..config import load_config

    path = Path(config)
    if not path.is_file():
        raise ProvenanceUsageError(f"--config {path}: no such file")
    try:
        studies = load_config(path).studies
    except (ValueError, OSError, yaml.YAMLError) as exc:  # ValueError: ConfigError
        raise ProvenanceUsageError(f"--config {path}: invalid config ({exc})") from None
    return {name: dict(study.block) for name, study in studies.items()}


def verify(directory: str | os.PathLike[str] = "results", *,
           config: str | os.PathLike[str] | None = None,
           workdir: str | os.PathLike[str] | None = None) -> VerifyResult:
    """Recompute every hash of the provenance records under ``directory``.

    For each dataset and figure record: its study block hashes to its
    ``study_sha256``; every recorded input exists and has its recorded sha256
    (inputs that are temporary outputs, see :data:`TEMPORARY_RULES`, are followed
    through the record embedded in the consumer); a figure's PDF/PNG metadata
    equals its sidecar; with ``config``, each study block equals the config's
    current block of that name.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ProvenanceUsageError(f"{directory}: no such directory")
    blocks = current_study_blocks(config) if config is not None else None
    result, hashes = VerifyResult(), {}
    files = _record_files(directory)
    if not files:
        result.fail(directory, "no datasets or figures found")
    for path in files:
        _verify_file(path, result, Path(workdir) if workdir else None, blocks, hashes)
    return result


def format_verify(result: VerifyResult, directory: str | os.PathLike[str]) -> str:
    """Human-readable report of :func:`verify`: one ``FAIL <file>: <reason>`` line each."""
    problems = sorted(result.problems, key=lambda p: p.path)
    lines = [f"FAIL {p.path}: {p.reason}" for p in problems]
    lines += [f"CHANGED study {name}: config block sha256 now {new[:12]}, recorded {old[:12]}"
              for name, (old, new) in sorted(result.changed_studies.items())]
    temporary = (f", {result.temporary} temporary inputs followed through their embedded "
                 f"records" if result.temporary else "")
    summary = (f"{result.records} records, {result.inputs} recorded inputs under "
               f"{directory}{temporary}")
    if result.ok:
        lines.append(f"OK: {summary}; the provenance chain holds")
    else:
        failed = len({p.path for p in result.problems})
        lines.append(f"FAILED: {failed} files with problems ({summary})")
    return "\n".join(lines)
