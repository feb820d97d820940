"""Reading provenance records back: datasets (netCDF attributes), figures (PDF and PNG
metadata, sidecar JSON) and the records embedded in a consumer's ``upstream``.

The PDF and PNG readers are small and self-contained (no PDF or image library): the
figures are written by matplotlib with an uncompressed Info dictionary and a text chunk.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ProvenanceError", "ProvenanceUsageError", "Record", "load_record",
           "read_netcdf_record", "read_pdf_subject", "read_png_text", "sidecar_path",
           "resolve_input", "display_path"]

#: record fields stored as JSON text (netCDF attributes are strings)
_JSON_ATTRS = ("source", "study", "inputs", "software", "upstream")


class ProvenanceError(Exception):
    """A file has no readable provenance record."""


class ProvenanceUsageError(ValueError):
    """Bad command-line input: no such file or directory, unsupported file type."""


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


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

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], path: Path, origin: str) -> "Record":
        """Normalise a raw record (netCDF attributes, figure JSON or an embedded record)."""
        if "rule" not in raw or "inputs" not in raw:
            raise ProvenanceError(f"{path}: no provenance record in its {origin}")
        data = {k: _json_value(raw.get(k)) for k in _JSON_ATTRS}
        history = raw.get("history") or ()
        if isinstance(history, str):
            history = history.splitlines()
        study_sha = raw.get("study_sha256")
        return cls(path=path, origin=origin, rule=str(raw["rule"]),
                   source=dict(data["source"] or {}), study=data["study"] or None,
                   study_sha256=None if study_sha in (None, "None") else str(study_sha),
                   inputs=dict(data["inputs"] or {}), upstream=dict(data["upstream"] or {}),
                   created_utc=str(raw.get("created_utc", "")),
                   title=str(raw.get("title", "")), history=tuple(history))

    @classmethod
    def from_embedded(cls, raw: Mapping[str, Any], path: Path) -> "Record":
        """The record of input ``path`` as its consumer keeps it in ``upstream``."""
        return cls.from_mapping(raw, path, "record embedded in its consumer")

    def to_embedded(self) -> dict[str, Any]:
        """The part of this record that a consumer keeps in its ``upstream`` map."""
        kept = {"title": self.title, "rule": self.rule, "source": self.source,
                "study_sha256": self.study_sha256, "inputs": self.inputs,
                "upstream": self.upstream, "created_utc": self.created_utc}
        return {key: value for key, value in kept.items() if value is not None}


# --------------------------------------------------------------------------- netCDF


def read_netcdf_record(path: str | os.PathLike[str]) -> Record:
    """The record in a dataset's global attributes.

    Raises :class:`ProvenanceError` when the file is not a readable netCDF dataset
    (missing included) or carries no record.
    """
    import netCDF4  # local import: writing records must not need it

    path = Path(path)
    try:
        with netCDF4.Dataset(path) as ds:
            attrs = {name: ds.getncattr(name) for name in ds.ncattrs()}
    except OSError as exc:
        raise ProvenanceError(f"{path}: not a readable netCDF dataset ({exc})") from None
    return Record.from_mapping(attrs, path, "netCDF attributes")


# --------------------------------------------------------------------------- PDF


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


# --------------------------------------------------------------------------- PNG


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


# --------------------------------------------------------------------------- figures


def sidecar_path(figure: str | os.PathLike[str]) -> Path:
    """``results/figures/fig3.pdf`` → ``results/figures/fig3.provenance.json``."""
    figure = Path(figure)
    return figure.with_name(figure.name.split(".")[0] + ".provenance.json")


def _figure_record(path: Path, text: str | None, origin: str) -> Record:
    if text is None:  # no metadata: fall back to the sidecar JSON
        sidecar = sidecar_path(path)
        if not sidecar.is_file():
            raise ProvenanceError(f"{path}: no provenance in its {origin} and no {sidecar.name}")
        return Record.from_mapping(json.loads(sidecar.read_text()), path,
                                   f"sidecar {sidecar.name}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProvenanceError(f"{path}: provenance in its {origin} is not JSON ({exc})") from None
    return Record.from_mapping(raw, path, origin)


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
            return Record.from_mapping(json.loads(path.read_text()), path, "sidecar JSON")
        if name.endswith(".nc"):
            return read_netcdf_record(path)
        if name.endswith(".pdf"):
            return _figure_record(path, read_pdf_subject(path), "PDF metadata")
        if name.endswith(".png"):
            return _figure_record(path, read_png_text(path), "PNG metadata")
    except ValueError as exc:  # bad JSON, bad text encoding, malformed PDF or PNG
        raise ProvenanceError(f"{path}: unreadable provenance record ({exc})") from None
    raise ProvenanceUsageError(
        f"{path}: not a dataset or figure (expected .nc, .pdf, .png or .provenance.json)")


# --------------------------------------------------------------------------- paths


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


def display_path(path: Path) -> str:
    """``path`` relative to the current directory where it lies below it, for reports."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)
