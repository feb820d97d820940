"""``steadysqueeze provenance show``: the chain from a file back to its config and code."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..studies import config_sha256
from ..records.read import ProvenanceError, Record, display_path, load_record, resolve_input
from ..records.write import TEMPORARY_RULES, file_sha256

__all__ = ["show"]


@dataclass
class _Node:
    label: str
    children: list["_Node"] = field(default_factory=list)


def _render(node: _Node, prefix: str = "", last: bool = True, top: bool = True) -> list[str]:
    lines = [node.label] if top else [prefix + ("└── " if last else "├── ") + node.label]
    child_prefix = "" if top else prefix + ("    " if last else "│   ")
    for i, child in enumerate(node.children):
        lines.extend(_render(child, child_prefix, i == len(node.children) - 1, top=False))
    return lines


def _code_label(source: Mapping[str, Any]) -> str:
    dirty = source.get("dirty")
    state = {True: "dirty tree", False: "clean tree"}.get(dirty, "dirty flag unknown")
    return (f"code: {source.get('package', 'steadysqueeze')} {source.get('version', '?')}, "
            f"commit {source.get('commit', 'unknown')} ({state})")


def _study_node(record: Record, shown: dict[str, str]) -> _Node:
    study = record.study
    if not study:
        if record.study_sha256 in shown:
            return _Node(f"study: {shown[record.study_sha256]}  sha256 {record.study_sha256}"
                         "  (config block as above)")
        return _Node(f"study: sha256 {record.study_sha256}" if record.study_sha256 else "study: none")
    ok = config_sha256(study) == record.study_sha256
    check = "" if ok else "  ✗ block does not hash to this"
    label = f"study: {study.get('name', '?')}  sha256 {record.study_sha256}{check}"
    if shown.get(str(record.study_sha256)) and ok:
        return _Node(label + "  (config block as above)")
    shown[str(record.study_sha256)] = study.get("name", "?")
    return _Node(label, [_Node(f"{k}: {json.dumps(v)}") for k, v in study.items()])


def _input_state(path: Path, recorded: str, embedded: Mapping[str, Any] | None) -> str:
    if path.is_file():
        return "ok" if file_sha256(path) == recorded else "✗ CHANGED since recorded"
    if embedded and embedded.get("rule") in TEMPORARY_RULES:
        return f"not kept (temporary output of rule {embedded['rule']}; record embedded)"
    return "✗ MISSING"


def _input_record(path: Path, embedded: Mapping[str, Any] | None) -> Record | None:
    if path.is_file() and path.name.endswith(".nc"):
        try:
            return load_record(path)
        except ProvenanceError:
            pass
    return Record.from_embedded(embedded, path) if embedded else None


def _record_node(record: Record, label: str, shown: dict[str, str], seen: set[Path],
                 workdir: Path | None) -> _Node:
    node = _Node(label, [_Node(f"rule: {record.rule}  (created {record.created_utc or '?'})"),
                         _Node(_code_label(record.source)), _study_node(record, shown)])
    if not record.inputs:
        node.children.append(_Node("inputs: none (start of the chain)"))
        return node
    inputs = _Node(f"inputs ({len(record.inputs)})")
    for recorded, sha in sorted(record.inputs.items()):
        inputs.children.append(_input_node(record, recorded, sha, shown, seen, workdir))
    node.children.append(inputs)
    return node


def _input_node(consumer: Record, recorded: str, sha: str, shown: dict[str, str],
                seen: set[Path], workdir: Path | None) -> _Node:
    path = resolve_input(recorded, consumer.path, workdir)
    embedded = consumer.upstream.get(recorded)
    label = f"{recorded}  sha256 {sha}  {_input_state(path, sha, embedded)}"
    key = Path(os.path.abspath(path))
    if key in seen:
        return _Node(label + "  (record shown above)")
    seen.add(key)
    try:
        record = _input_record(path, embedded)
    except ProvenanceError as exc:
        return _Node(label, [_Node(f"✗ {exc}")])
    if record is None:
        return _Node(label + "  (no provenance record)")
    return _record_node(record, label, shown, seen, workdir)


def show(path: str | os.PathLike[str], *, workdir: str | os.PathLike[str] | None = None) -> str:
    """The chain from ``path`` back to its config block and code, as a text tree.

    Each node: the file (with its sha256 as recorded by its consumer and whether the
    file still matches), its rule, code version, study (name, sha256 and the config
    block, printed once) and its inputs, recursively down to the model dataset.
    """
    record = load_record(path)
    label = f"{display_path(record.path)}  [{record.origin}]"
    root = _record_node(record, label, {}, {Path(os.path.abspath(record.path))},
                        Path(workdir) if workdir else None)
    if record.history:
        root.children.insert(3, _Node("history (newest first)",
                                      [_Node(line) for line in record.history]))
    return "\n".join(_render(root))
