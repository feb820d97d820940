"""Provenance records: from any dataset or figure back to its config, code and inputs.

Every dataset carries in its global attributes (design.md, "Provenance record"):
``title``, ``Conventions``, ``history`` (CF style: one ``"<UTC time>: <step>"`` line
per producing step, newest first), ``source`` (package, version, git commit, dirty
flag; ``"unknown"`` outside a git checkout), ``rule``, ``study`` (the study's config
block as canonical JSON), ``study_sha256``, ``inputs`` (JSON map path → sha256, paths
as Snakemake gave them, i.e. relative to the workflow's working directory),
``upstream`` (JSON map input path → that input's own record, so that the chain can be
followed through temporary files the workflow deletes), ``software`` (JSON map of
versions) and ``created_utc``. Figures carry the same record in their PDF
(``Subject``) and PNG (``provenance`` text chunk) metadata and in a sidecar
``<figure>.provenance.json``.

Reading the trail back: :func:`load_record` (any dataset, figure or sidecar),
:func:`show` (the chain as a tree) and :func:`verify` (recompute every hash).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import re
import struct
import subprocess
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import __version__
from .studies import config_sha256

__all__ = ["file_sha256", "code_version", "software_versions", "make_record",
           "history_line", "merge_history", "dataset_attributes", "CONVENTIONS",
           "TEMPORARY_RULES", "ProvenanceError", "ProvenanceUsageError", "Record",
           "load_record", "read_pdf_subject", "read_png_text", "resolve_input",
           "show", "Problem", "VerifyResult", "verify", "format_verify",
           "current_study_blocks"]

CONVENTIONS = "CF-1.10"
_SOFTWARE = ("numpy", "scipy", "qutip", "xarray", "netCDF4", "matplotlib", "snakemake")
#: directory whose git checkout identifies the code (monkeypatched in tests)
_PACKAGE_DIR = Path(__file__).resolve().parent
#: rules whose outputs the workflow deletes (``temp()``); their records live on,
#: embedded in the consumers' ``upstream``, and ``verify`` checks through them
TEMPORARY_RULES = frozenset({"exact_shard"})
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")
_JSON_ATTRS = ("source", "study", "inputs", "software", "upstream")


class ProvenanceError(Exception):
    """A file has no readable provenance record."""


class ProvenanceUsageError(ValueError):
    """Bad command-line input: no such file or directory, unsupported file type."""


# --------------------------------------------------------------------------- writing


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


def _embedded(record: Mapping[str, Any]) -> dict[str, Any]:
    """The part of an input's record that a consumer keeps (``upstream``)."""
    keys = ("title", "rule", "source", "study_sha256", "inputs", "upstream", "created_utc")
    return {k: record[k] for k in keys if record.get(k) is not None}


def _input_records(inputs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Raw records of those inputs that are datasets with a provenance record."""
    records: dict[str, dict[str, Any]] = {}
    for path in inputs:
        if path.endswith(".nc"):
            try:
                records[path] = _read_netcdf_record(Path(path))
            except ProvenanceError:
                continue
    return records


def make_record(*, rule: str, study: Mapping[str, Any] | None,
                inputs: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Any]:
    """The provenance record of one produced file (plain JSON-able dict).

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
        "upstream": {path: _embedded(raw) for path, raw in upstream.items()},
        "software": software_versions(),
        "created_utc": _utc_now(),
    }
    earlier = [line for raw in upstream.values() for line in raw.get("history", [])]
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


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Record:
    """A provenance record read back from a file (or embedded in a consumer's record)."""

    path: Path                      #: where the record was read (or where the file was)
    origin: str                     #: "netCDF attributes", "PDF metadata", ...
    rule: str
    source: dict[str, Any]
    study: dict[str, Any] | None
    study_sha256: str | None
    inputs: dict[str, str]
    upstream: dict[str, Any]
    created_utc: str = ""
    title: str = ""
    history: tuple[str, ...] = ()


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _record_from_mapping(raw: Mapping[str, Any], path: Path, origin: str) -> Record:
    """Normalise a raw record (netCDF attributes or figure JSON) into a :class:`Record`."""
    if "rule" not in raw or "inputs" not in raw:
        raise ProvenanceError(f"{path}: no provenance record in its {origin}")
    data = {k: _json_value(raw.get(k)) for k in _JSON_ATTRS}
    history = raw.get("history") or ()
    if isinstance(history, str):
        history = history.splitlines()
    study_sha = raw.get("study_sha256")
    return Record(path=path, origin=origin, rule=str(raw["rule"]),
                  source=dict(data["source"] or {}), study=data["study"] or None,
                  study_sha256=None if study_sha in (None, "None") else str(study_sha),
                  inputs=dict(data["inputs"] or {}), upstream=dict(data["upstream"] or {}),
                  created_utc=str(raw.get("created_utc", "")), title=str(raw.get("title", "")),
                  history=tuple(history))


def _read_netcdf_attrs(path: Path) -> dict[str, Any]:
    import netCDF4  # local import: writing records must not need it

    try:
        with netCDF4.Dataset(path) as ds:
            return {name: ds.getncattr(name) for name in ds.ncattrs()}
    except OSError as exc:
        raise ProvenanceError(f"{path}: not a readable netCDF dataset ({exc})") from None


def _read_netcdf_record(path: Path) -> dict[str, Any]:
    """Raw record of a dataset (JSON attributes decoded, history as a list)."""
    attrs = _read_netcdf_attrs(path)
    record = _record_from_mapping(attrs, path, "netCDF attributes")
    return {"title": record.title, "rule": record.rule, "source": record.source,
            "study_sha256": record.study_sha256, "inputs": record.inputs,
            "upstream": record.upstream, "created_utc": record.created_utc,
            "history": list(record.history)}


def _unescape_pdf_literal(data: bytes, start: int) -> bytes:
    """Decode the PDF literal string whose ``(`` is at ``data[start]``."""
    simple = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
              ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
    out, depth, i = bytearray(), 1, start + 1
    while i < len(data):
        c = data[i]
        if c == ord("\\"):
            nxt = data[i + 1]
            if nxt in simple:
                out += simple[nxt]
                i += 2
            elif chr(nxt) in "01234567":
                digits = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4]).group(0)
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            elif nxt in b"\r\n":  # line continuation
                i += 3 if data[i + 1:i + 3] == b"\r\n" else 2
            else:
                out.append(nxt)
                i += 2
            continue
        depth += (c == ord("(")) - (c == ord(")"))
        if depth == 0:
            return bytes(out)
        out.append(c)
        i += 1
    raise ProvenanceError("unterminated PDF string")


def _decode_pdf_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def read_pdf_subject(path: str | os.PathLike[str]) -> str | None:
    """The ``/Subject`` entry of a PDF's (uncompressed) Info dictionary, or None."""
    data = Path(path).read_bytes()
    matches = list(re.finditer(rb"/Subject\s*([(<])", data))
    if not matches:
        return None
    match = matches[-1]  # the last Info dictionary wins (incremental updates)
    if match.group(1) == b"(":
        return _decode_pdf_text(_unescape_pdf_literal(data, match.start(1)))
    end = data.index(b">", match.end(1))
    hexdigits = re.sub(rb"\s", b"", data[match.end(1):end])
    return _decode_pdf_text(bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode()))


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ProvenanceError("not a PNG file")
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield kind, data[pos + 8:pos + 8 + length]
        pos += 12 + length


def read_png_text(path: str | os.PathLike[str], keyword: str = "provenance") -> str | None:
    """The text chunk (tEXt, zTXt or iTXt) named ``keyword`` of a PNG, or None."""
    for kind, body in _png_chunks(Path(path).read_bytes()):
        key, _, rest = body.partition(b"\0")
        if key.decode("latin-1") != keyword:
            continue
        if kind == b"tEXt":
            return rest.decode("latin-1")
        if kind == b"zTXt":
            return zlib.decompress(rest[1:]).decode("latin-1")
        if kind == b"iTXt":
            compressed, text = rest[0], rest[2:].split(b"\0", 2)[2]
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None


def sidecar_path(figure: str | os.PathLike[str]) -> Path:
    """``results/figures/fig3.pdf`` → ``results/figures/fig3.provenance.json``."""
    figure = Path(figure)
    return figure.with_name(figure.name.split(".")[0] + ".provenance.json")


def _figure_record(path: Path, text: str | None, origin: str) -> Record:
    if text is None:  # no metadata: fall back to the sidecar JSON
        sidecar = sidecar_path(path)
        if not sidecar.is_file():
            raise ProvenanceError(f"{path}: no provenance in its {origin} and no {sidecar.name}")
        return _record_from_mapping(json.loads(sidecar.read_text()), path, f"sidecar {sidecar.name}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProvenanceError(f"{path}: provenance in its {origin} is not JSON ({exc})") from None
    return _record_from_mapping(raw, path, origin)


def load_record(path: str | os.PathLike[str]) -> Record:
    """The provenance record of a dataset (.nc), a figure (.pdf, .png) or a sidecar.

    Raises :class:`ProvenanceUsageError` for a missing file or an unsupported type and
    :class:`ProvenanceError` for a file without a readable record.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceUsageError(f"{path}: no such file")
    name = path.name
    try:
        if name.endswith(".provenance.json"):
            return _record_from_mapping(json.loads(path.read_text()), path, "sidecar JSON")
        if name.endswith(".nc"):
            return _record_from_mapping(_read_netcdf_attrs(path), path, "netCDF attributes")
        if name.endswith(".pdf"):
            return _figure_record(path, read_pdf_subject(path), "PDF metadata")
        if name.endswith(".png"):
            return _figure_record(path, read_png_text(path), "PNG metadata")
    except (ValueError, UnicodeDecodeError, ProvenanceError) as exc:
        if isinstance(exc, ProvenanceError):
            raise
        raise ProvenanceError(f"{path}: unreadable provenance record ({exc})") from None
    raise ProvenanceUsageError(
        f"{path}: not a dataset or figure (expected .nc, .pdf, .png or .provenance.json)")


def _embedded_record(raw: Mapping[str, Any], path: Path) -> Record:
    return _record_from_mapping(raw, path, "record embedded in its consumer")


def resolve_input(recorded: str, consumer: Path, workdir: Path | None = None) -> Path:
    """Where the input ``recorded`` (a path as Snakemake gave it) of ``consumer`` lives.

    Absolute paths stand. Relative ones are relative to the workflow's working
    directory: ``workdir`` if given, else the ancestor of ``consumer`` under which
    ``consumer`` itself starts like ``recorded`` (``/x/results/figures/f.pdf`` and
    ``results/exact/s.nc`` → ``/x``), else the current directory.
    """
    path = Path(recorded)
    if path.is_absolute():
        return path
    if workdir is not None:
        return Path(workdir) / path
    consumer = Path(os.path.abspath(consumer))
    for ancestor in consumer.parents:
        relative = consumer.relative_to(ancestor)
        if relative.parts and relative.parts[0] == path.parts[0]:
            return ancestor / path
    return Path.cwd() / path


def _display(path: Path) -> str:
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- show


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
    return _embedded_record(embedded, path) if embedded else None


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
    label = f"{_display(record.path)}  [{record.origin}]"
    root = _record_node(record, label, {}, {Path(os.path.abspath(record.path))},
                        Path(workdir) if workdir else None)
    if record.history:
        root.children.insert(3, _Node("history (newest first)",
                                      [_Node(line) for line in record.history]))
    return "\n".join(_render(root))


# --------------------------------------------------------------------------- verify


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
        problem = Problem(_display(Path(path)), reason)
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
                result.fail(path, f"contents no longer match what {_display(owner)} "
                                  f"recorded {change}")
        elif embedded and embedded.get("rule") in TEMPORARY_RULES:
            result.temporary += 1
            _check_inputs(_embedded_record(embedded, path), result, workdir, hashes,
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
    """Study blocks of a config file as the workflow sees them (schema defaults filled).

    The schema ``workflow/schemas/config.schema.yaml`` next to the config's directory
    is applied when present (as ``snakemake.utils.validate`` does in the workflow).
    """
    import yaml

    from .studies import parse_studies

    path = Path(config)
    if not path.is_file():
        raise ProvenanceUsageError(f"--config {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text()) or {}
        schema = path.resolve().parent.parent / "workflow" / "schemas" / "config.schema.yaml"
        if schema.is_file():
            from snakemake.utils import validate

            validate(data, schema=str(schema))
        return {name: study.block for name, study in parse_studies(data).items()}
    except Exception as exc:  # yaml, schema (WorkflowError) or semantic (ConfigError)
        raise ProvenanceUsageError(f"--config {path}: invalid config ({exc})") from None


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
