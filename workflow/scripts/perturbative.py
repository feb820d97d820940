"""Rule perturbative: pure-state perturbation theory at every grid point."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.pipeline.stages import write_perturbative  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_perturbative(
        Study.from_config(snakemake.params.study), snakemake.input.model, snakemake.output[0]
    )
