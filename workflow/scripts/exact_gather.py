"""Rule exact: gather the shards of a study into one dataset."""
from steadysqueeze.stages import write_exact_gather
from steadysqueeze.studies import Study
from steadysqueeze.workflow_support import logged

with logged(snakemake.log[0]):
    write_exact_gather(
        Study.from_config(snakemake.params.study), list(snakemake.input), snakemake.output[0]
    )
