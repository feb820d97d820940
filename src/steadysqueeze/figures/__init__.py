"""Publication figures, drawn only from the study datasets (never recomputing physics).

A figure is a draw function plus one :class:`FigureSpec` given to :func:`register`
(the paper's figures in :mod:`.paper`, the finite-N figures in :mod:`.scaling` and
:mod:`.transition`, the approach to the N = ∞ limit in :mod:`.approach`, the
Liouvillian gap in :mod:`.gap`, the declared-model figure in :mod:`.robustness`).
:func:`figure_jobs` (:mod:`.jobs`) lists a config's figure outputs for the workflow, and
:func:`draw_figure` draws one in the common :data:`STYLE` and saves it as PDF and
PNG with its provenance record.
"""

from __future__ import annotations

# registration order is the order of the figure jobs (and of the report)
from . import paper, robustness, scaling, transition, approach, gap  # noqa: F401, I001
from .jobs import FigureJob, figure_jobs, minima_path
from .registry import (FIGURES, FigureSpec, check_figure_studies, check_figure_study,
                       register, study_figure_names, unregister)
from .save import draw_figure, save_figure
from .style import STYLE

__all__ = ["draw_figure", "save_figure", "FIGURES", "FigureSpec", "register", "unregister",
           "figure_jobs", "FigureJob", "check_figure_study", "check_figure_studies",
           "study_figure_names", "minima_path", "STYLE"]
