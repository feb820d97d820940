"""Rule gaussian: the N -> infinity limit (mean field, Gaussian fluctuations) of a study."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.pipeline.stages import write_gaussian  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_gaussian(Study.from_config(snakemake.params.study), snakemake.output[0])
