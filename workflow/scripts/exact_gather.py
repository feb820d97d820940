"""Rule exact: a study's exact steady states in one dataset, gathered from its shards or,
for a study in one shard, solved here."""
from steadysqueeze.pipeline.support import limit_threads, logged, return_freed_memory

limit_threads(snakemake.threads)
return_freed_memory()

from steadysqueeze.pipeline.stages import write_exact, write_exact_gather  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    study = Study.from_config(snakemake.params.study)
    if hasattr(snakemake.input, "model"):
        write_exact(study, snakemake.input.model, snakemake.output[0])
    else:
        write_exact_gather(study, list(snakemake.input.shards), snakemake.output[0])
