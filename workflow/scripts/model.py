"""Rule model: expand the study grid and check the assumptions of perturbation theory."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.pipeline.stages import write_model  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_model(Study.from_config(snakemake.params.study), snakemake.output[0])
