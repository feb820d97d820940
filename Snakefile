# steadysqueeze: steady-state spin squeezing of driven-dissipative emitter ensembles.
# model -> perturbative -> exact (sharded, gathered) -> figures, each study beside its
# N -> infinity limit (gaussian). See README.md.
from snakemake.utils import min_version

min_version("9.0")


# The default study; `--configfile FILE` replaces it (instead of being merged into it),
# so that a config file always describes the whole run.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/perturbative.smk"
include: "workflow/rules/gaussian.smk"
include: "workflow/rules/exact.smk"
include: "workflow/rules/scaling.smk"
include: "workflow/rules/gap.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        get_final_outputs,
    default_target: True
