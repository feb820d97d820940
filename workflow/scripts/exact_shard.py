"""Rule exact_shard: exact steady states of one shard of the study grid."""
from steadysqueeze.pipeline.support import limit_threads, logged, return_freed_memory

limit_threads(snakemake.threads)
return_freed_memory()

from steadysqueeze.pipeline.stages import write_exact_shard  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_exact_shard(
        Study.from_config(snakemake.params.study),
        int(snakemake.wildcards.shard),
        snakemake.input.model,
        snakemake.output[0],
    )
