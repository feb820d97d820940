# Config validation and input functions. Validation runs when the workflow is
# parsed, so a bad config fails before any job is scheduled.
from snakemake.utils import validate

from steadysqueeze.studies import ConfigError, parse_studies


validate(config, schema="../schemas/config.schema.yaml")
try:
    STUDIES = parse_studies(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None
for _figure, _spec in config["figures"].items():
    if _spec["study"] not in STUDIES:
        raise WorkflowError(
            f"invalid config: figures.{_figure}.study {_spec['study']!r} is not a study name"
        )

FIGURES = list(config["figures"])


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
    study = config["figures"][figure]["study"]
    return {
        "model": f"results/models/{study}.nc",
        "perturbative": f"results/perturbative/{study}.nc",
        "exact": f"results/exact/{study}.nc",
    }


def figure_study(figure):
    return STUDIES[config["figures"][figure]["study"]].block


def get_final_outputs(wildcards):
    return expand(
        "results/figures/{figure}.{ext}", figure=FIGURES, ext=("pdf", "png")
    ) + expand("results/exact/{study}.nc", study=STUDIES)
