"""Rule perturbative: pure-state perturbation theory at every grid point."""
from steadysqueeze.stages import write_perturbative
from steadysqueeze.studies import Study
from steadysqueeze.workflow_support import logged

with logged(snakemake.log[0]):
    write_perturbative(
        Study.from_config(snakemake.params.study), snakemake.input.model, snakemake.output[0]
    )
