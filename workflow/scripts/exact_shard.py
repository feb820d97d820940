"""Rule exact_shard: exact steady states of one shard of the study grid."""
from steadysqueeze.stages import write_exact_shard
from steadysqueeze.studies import Study
from steadysqueeze.workflow_support import logged

with logged(snakemake.log[0]):
    write_exact_shard(
        Study.from_config(snakemake.params.study),
        int(snakemake.wildcards.shard),
        snakemake.input.model,
        snakemake.output[0],
    )
