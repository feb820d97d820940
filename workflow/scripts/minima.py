"""Rule minima: the located minima of every N of a study in one dataset (gathered, or
located here for a study not sharded by N)."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.pipeline.stages import write_minima  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_minima(Study.from_config(snakemake.params.study),
                 list(getattr(snakemake.input, "minima", [])), snakemake.output[0],
                 exact_path=getattr(snakemake.input, "exact", None))
