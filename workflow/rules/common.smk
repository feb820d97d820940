# Config validation and input functions. Validation runs when the workflow is
# parsed, so a bad config fails before any job is scheduled.
from snakemake.utils import validate

from steadysqueeze.studies import ConfigError, parse_config


# Semantic checks first: their messages name the study and the field. The schema
# then catches anything of the wrong shape that they do not look at.
try:
    STUDIES, FIGURE_STUDY = parse_config(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None
validate(config, schema="../schemas/config.schema.yaml")

FIGURES = list(FIGURE_STUDY)


wildcard_constraints:
    study="|".join(STUDIES),
    shard=r"\d+",


def get_study_block(wildcards):
    """The study's validated config block (the provenance record hashes it)."""
    return STUDIES[wildcards.study].block


def get_exact_shards(wildcards):
    study = STUDIES[wildcards.study]
    return [f"results/exact/shards/{study.name}/{k}.nc" for k in range(study.shards)]


def figure_datasets(figure):
    """Datasets a figure is drawn from (perturbative and exact results of its study)."""
    study = FIGURE_STUDY[figure]
    return {
        "model": f"results/models/{study}.nc",
        "perturbative": f"results/perturbative/{study}.nc",
        "exact": f"results/exact/{study}.nc",
    }


def figure_study(figure):
    return STUDIES[FIGURE_STUDY[figure]].block


def get_final_outputs(wildcards):
    return expand(
        "results/figures/{figure}.{ext}", figure=FIGURES, ext=("pdf", "png")
    ) + expand("results/exact/{study}.nc", study=STUDIES)
