"""Provenance records: from any dataset or figure back to its config, code and inputs.

Every dataset carries in its global attributes: ``title``, ``Conventions``,
``history`` (CF style: one ``"<UTC time>: <step>"`` line per producing step, newest
first), ``source`` (package, version, git commit, dirty flag; ``"unknown"`` outside a
git checkout), ``rule``, ``study`` (the study's config block as canonical JSON),
``study_sha256``, ``inputs`` (JSON map path → sha256, paths as Snakemake gave them,
i.e. relative to the workflow's working directory), ``upstream`` (JSON map input path
→ that input's own record, so that the chain can be followed through temporary files
the workflow deletes), ``software`` (JSON map of versions) and ``created_utc``.
Figures carry the same record in their PDF (``Subject``) and PNG (``provenance`` text
chunk) metadata and in a sidecar ``<figure>.provenance.json``.

Writing the record: :func:`make_record` and :func:`dataset_attributes`; reading it back:
:func:`load_record` (any dataset, figure or sidecar, as a :class:`Record`). Both live in
the layer below, :mod:`steadysqueeze.records`, and are re-exported here; what writes a
record (the figures, the pipeline) can import them from there. Following the trail:
:func:`show` (the chain as a tree; :mod:`.show`) and :func:`verify` (recompute every
hash, and compare with a config's current study blocks; :mod:`.verify`, the one part
that needs the config loader).
"""

from __future__ import annotations

from ..records import (CONVENTIONS, TEMPORARY_RULES, ProvenanceError, ProvenanceUsageError,
                       Record, code_version, dataset_attributes, file_sha256, history_line,
                       load_record, make_record, merge_history, read_pdf_subject,
                       read_png_text, resolve_input, sidecar_path, software_versions)
from .show import show
from .verify import Problem, VerifyResult, current_study_blocks, format_verify, verify

__all__ = ["file_sha256", "code_version", "software_versions", "make_record",
           "history_line", "merge_history", "dataset_attributes", "CONVENTIONS",
           "TEMPORARY_RULES", "ProvenanceError", "ProvenanceUsageError", "Record",
           "load_record", "read_pdf_subject", "read_png_text", "sidecar_path",
           "resolve_input", "show", "Problem", "VerifyResult", "verify", "format_verify",
           "current_study_blocks"]
