"""Drawing a registered figure and saving it with its provenance record.

Every figure is saved as PDF and PNG. The provenance record
(:func:`steadysqueeze.records.make_record`, JSON) is written three times: in the
PDF's ``/Subject``, in a PNG text chunk ``provenance``, and in the sidecar
``{name}.provenance.json`` beside them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import xarray as xr
from matplotlib.figure import Figure

from ..io import atomic_target
from ..records import make_record
from .registry import FIGURES
from .style import STYLE

__all__ = ["save_figure", "draw_figure"]

#: attributes of an input dataset copied into the figure's record
_UPSTREAM_KEYS = ("title", "rule", "source", "study_sha256", "created_utc", "history")


def save_figure(fig: Figure, record: Mapping[str, Any], *, pdf: str, png: str,
                provenance: str) -> None:
    """Save ``fig`` as PDF and PNG with ``record`` in their metadata, plus the sidecar JSON.

    Parameters
    ----------
    fig
        The drawn figure.
    record
        Provenance record; its ``rule`` names the figure in the files' titles.
    pdf, png, provenance
        Output paths; each is written atomically.
    """
    text = json.dumps(record, sort_keys=True)
    title = f"steadysqueeze {record['rule']}"
    with atomic_target(pdf, suffix=".pdf") as tmp:
        fig.savefig(tmp, format="pdf", metadata={"Title": title, "Subject": text,
                                                 "Creator": "steadysqueeze", "CreationDate": None})
    with atomic_target(png, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", metadata={"Title": title, "provenance": text})
    with atomic_target(provenance) as tmp:
        Path(tmp).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def _upstream(path: str) -> dict[str, Any]:
    """The provenance attributes of an input dataset, as copied into the figure's record."""
    with xr.open_dataset(path) as ds:
        return {k: ds.attrs.get(k) for k in _UPSTREAM_KEYS}


def draw_figure(name: str, *, inputs: Mapping[str, str], pdf: str, png: str, provenance: str,
                study: Mapping[str, Any] | None, rule: str) -> None:
    """Draw registered figure ``name`` in :data:`.STYLE` and save it with its provenance.

    Parameters
    ----------
    name
        Key of :data:`.FIGURES` (the spec name: ``scaling`` for ``scaling_xyz``).
    inputs
        Dataset paths by role (:attr:`.FigureJob.inputs`).
    pdf, png, provenance
        Output paths.
    study
        Config block of the figure's study, recorded and hashed; ``None`` if the
        figure reads several studies.
    rule
        The producing Snakemake rule, recorded in the provenance.
    """
    draw = FIGURES[name].draw
    data = {role: xr.load_dataset(path) for role, path in inputs.items()}
    with plt.rc_context(STYLE):
        fig = draw(data)
        try:
            record = make_record(rule=rule, study=study, inputs=list(inputs.values()))
            record["datasets"] = {path: _upstream(path) for path in inputs.values()}
            save_figure(fig, record, pdf=pdf, png=png, provenance=provenance)
        finally:
            plt.close(fig)
