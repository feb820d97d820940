"""Rule model: expand the study grid and check the assumptions of perturbation theory."""
from steadysqueeze.stages import write_model
from steadysqueeze.studies import Study
from steadysqueeze.workflow_support import logged

with logged(snakemake.log[0]):
    write_model(Study.from_config(snakemake.params.study), snakemake.output[0])
