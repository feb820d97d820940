"""Rules figure_*: draw one figure from its datasets, with its provenance record."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.figures import draw_figure  # noqa: E402

with logged(snakemake.log[0]):
    draw_figure(
        snakemake.params.figure,
        inputs=dict(snakemake.input.items()),
        pdf=snakemake.output.pdf,
        png=snakemake.output.png,
        provenance=snakemake.output.provenance,
        study=snakemake.params.study,
        rule=snakemake.rule,
    )
