"""Rule gap_shard: the Liouvillian gap of a study at one N."""
from steadysqueeze.pipeline.support import limit_threads, logged, return_freed_memory

limit_threads(snakemake.threads)
return_freed_memory()

from steadysqueeze.pipeline.stages import write_gap_shard  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_gap_shard(
        Study.from_config(snakemake.params.study),
        int(snakemake.wildcards.N),
        snakemake.input.gaussian,
        snakemake.output[0],
    )
