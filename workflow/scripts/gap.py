"""Rule gap: a study's Liouvillian gap in one dataset, gathered from its jobs per N or,
for a study not sharded by N, computed here."""
from steadysqueeze.pipeline.support import limit_threads, logged, return_freed_memory

limit_threads(snakemake.threads)
return_freed_memory()

from steadysqueeze.pipeline.stages import write_gap  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_gap(
        Study.from_config(snakemake.params.study),
        snakemake.input.gaussian,
        snakemake.output[0],
        shard_paths=list(getattr(snakemake.input, "shards", [])),
    )
