"""The provenance record of a dataset or figure: writing it and reading it back.

What a record holds is described in :mod:`steadysqueeze.provenance`, which also follows
and checks the chain of records (``show``, ``verify``). This package is the layer below
it: it needs only the study blocks (:mod:`steadysqueeze.studies`), so that whatever
writes a dataset or a figure (:mod:`steadysqueeze.figures`, the pipeline) can record it
without the config loader that ``verify --config`` uses.

Writing: :func:`make_record` and :func:`dataset_attributes` (:mod:`.write`). Reading:
:func:`load_record` (any dataset, figure or sidecar, as a :class:`Record`) and the
format readers (:mod:`.read`).
"""

from __future__ import annotations

from .read import (ProvenanceError, ProvenanceUsageError, Record, display_path, load_record,
                   read_netcdf_record, read_pdf_subject, read_png_text, resolve_input,
                   sidecar_path)
from .write import (CONVENTIONS, TEMPORARY_RULES, code_version, dataset_attributes,
                    file_sha256, history_line, make_record, merge_history, software_versions)

__all__ = ["file_sha256", "code_version", "software_versions", "make_record",
           "history_line", "merge_history", "dataset_attributes", "CONVENTIONS",
           "TEMPORARY_RULES", "ProvenanceError", "ProvenanceUsageError", "Record",
           "load_record", "read_netcdf_record", "read_pdf_subject", "read_png_text",
           "sidecar_path", "resolve_input", "display_path"]
