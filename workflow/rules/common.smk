# Config validation and input functions. Validation runs when the workflow is
# parsed, so a bad config fails before any job is scheduled.
from steadysqueeze.config import ConfigError, load_config
from steadysqueeze.figures import figure_jobs, minima_path
from steadysqueeze.pipeline.resources import (exact_job_resources, gap_job_resources,
                                              local_memory_budget_mb, minimum_job_resources)


# The one loader (also used by the CLI and `provenance verify --config`): schema
# defaults, semantic checks naming the study and the field, then the schema's shape.
try:
    CONFIG = load_config(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None
STUDIES, SCALING_STUDY = CONFIG.studies, CONFIG.scaling
# Studies with the `gap:` option (results/gap/{study}.nc, rules in gap.smk).
GAP_STUDIES = [name for name, study in STUDIES.items() if study.gap is not None]
# One job per figure output, from the figure registry (rules in figures.smk).
FIGURE_JOBS = figure_jobs(CONFIG)

# Local runs: unless `--resources mem_mb=...` is given, jobs run side by side only
# while their declared mem_mb fit into 85 % of this machine's memory.
MEMORY_BUDGET_MB = None
if workflow.local_exec and "mem_mb" not in workflow.global_resources:
    MEMORY_BUDGET_MB = local_memory_budget_mb()
    workflow.register_resource("mem_mb", MEMORY_BUDGET_MB)


wildcard_constraints:
    study="|".join(STUDIES),
    shard=r"\d+",
    N=r"\d+",
    model="|".join(SCALING_STUDY) or "none",
    minima_study="|".join(CONFIG.minima) or "none",
    gap_study="|".join(GAP_STUDIES) or "none",


def get_study_block(wildcards):
    """The study's validated config block (the provenance record hashes it)."""
    return STUDIES[wildcards.study].block


def get_exact_inputs(wildcards):
    """The shards of a study, to gather; for a study in one shard its model dataset: rule
    exact solves it itself (a gather of one shard would be a job that copies a file)."""
    study = STUDIES[wildcards.study]
    if study.shards == 1:
        return {"model": f"results/models/{study.name}.nc"}
    return {"shards": [f"results/exact/shards/{study.name}/{k}.nc" for k in range(study.shards)]}


def _solved_shard(wildcards):
    """The study and the shard an exact job solves (rule exact_shard, or rule exact for a
    study in one shard); shard None for a job that only gathers."""
    study = STUDIES[wildcards.study]
    if "shard" in wildcards.keys():
        return study, int(wildcards.shard)
    return study, 0 if study.shards == 1 else None


def get_exact_mem_mb(wildcards, attempt):
    """Memory of an exact job: grows with the largest N of its shard (and with retries);
    never more than a local run's whole budget, so that every job can start."""
    study, shard = _solved_shard(wildcards)
    if shard is None:
        return 1000
    N = study.shard_max_N(shard)
    mem_mb = exact_job_resources(study.model_class, N)["mem_mb"] * attempt
    return min(mem_mb, MEMORY_BUDGET_MB) if MEMORY_BUDGET_MB else mem_mb


def get_exact_threads(wildcards):
    """Threads of an exact job: the preconditioner's sweep threads at the largest N of
    its shard (snakemake gives a job at most --cores)."""
    study, shard = _solved_shard(wildcards)
    if shard is None:
        return 1
    return exact_job_resources(study.model_class, study.shard_max_N(shard))["threads"]


def get_exact_runtime(wildcards, attempt):
    """Runtime (minutes) of an exact job, from the points of its shard and their N."""
    study, shard = _solved_shard(wildcards)
    if shard is None:
        return 10
    per_point = exact_job_resources(study.model_class, study.shard_max_N(shard))["runtime"]
    return int(per_point * len(study.shard_indices(shard))) * attempt + 5


def get_scaling_inputs(wildcards):
    """Exact, perturbative and N = ∞ datasets of the model's finite-N study, and its minima."""
    study = STUDIES[SCALING_STUDY[wildcards.model]]
    return {
        "perturbative": f"results/perturbative/{study.name}.nc",
        "exact": f"results/exact/{study.name}.nc",
        "minima": minima_path(study.name),
        "gaussian": f"results/gaussian/{study.name}.nc",
    }


def get_minima_inputs(wildcards):
    """The located minimum of every N (rule minimum, temporary) for a study sharded by N;
    else the exact dataset, from which rule minima locates them itself."""
    study = STUDIES[wildcards.minima_study]
    if study.minimum_job_per_N:
        return {"minima": [f"results/minima/{study.name}/{N}.nc" for N in study.located_N]}
    return {"exact": f"results/exact/{study.name}.nc"}


def _minima_jobs(study):
    """Resources of the minimum searches that rule minima runs itself, or of a gather."""
    if study.minimum_job_per_N:
        return [{"mem_mb": 1000, "runtime": 10}]
    return [minimum_job_resources(study, N) for N in study.located_N]


def get_minima_mem_mb(wildcards, attempt):
    """Memory of rule minima (a gather, or the largest of the study's minimum searches)."""
    mem_mb = max(job["mem_mb"] for job in _minima_jobs(STUDIES[wildcards.minima_study]))
    mem_mb *= attempt
    return min(mem_mb, MEMORY_BUDGET_MB) if MEMORY_BUDGET_MB else mem_mb


def get_minima_runtime(wildcards, attempt):
    """Runtime in minutes of rule minima (a gather, or all of the study's searches)."""
    jobs = _minima_jobs(STUDIES[wildcards.minima_study])
    return int(sum(job["runtime"] for job in jobs)) * attempt + 5


def get_minimum_inputs(wildcards):
    """The exact dataset, whose grid brackets the minimum, at the grid's N; at the N of
    minima_N nothing for a closed-form model (the closed form brackets it), else the
    minima of the grid's N (extrapolated to N)."""
    study = STUDIES[wildcards.study]
    if int(wildcards.N) in study.N:
        return {"exact": f"results/exact/{study.name}.nc"}
    if not study.extrapolates_minima:
        return {}
    return {"grid_minima": [f"results/minima/{study.name}/{N}.nc" for N in study.N]}


def get_minimum_mem_mb(wildcards, attempt):
    """Memory of the minimum search at one N (rule minimum)."""
    study = STUDIES[wildcards.study]
    mem_mb = minimum_job_resources(study, int(wildcards.N))["mem_mb"] * attempt
    return min(mem_mb, MEMORY_BUDGET_MB) if MEMORY_BUDGET_MB else mem_mb


def get_minimum_threads(wildcards):
    """Threads of the minimum search at one N (rule minimum)."""
    return minimum_job_resources(STUDIES[wildcards.study], int(wildcards.N))["threads"]


def get_minimum_runtime(wildcards, attempt):
    """Runtime (minutes) of the minimum search at one N (rule minimum)."""
    study = STUDIES[wildcards.study]
    return int(minimum_job_resources(study, int(wildcards.N))["runtime"]) * attempt + 5


def get_gap_inputs(wildcards):
    """The study's N = ∞ dataset (its critical drive) and, for a study with a gap job per
    N, those jobs' outputs to gather."""
    study = STUDIES[wildcards.gap_study]
    inputs = {"gaussian": f"results/gaussian/{study.name}.nc"}
    if study.gap_job_per_N:
        inputs["shards"] = [f"results/gap/shards/{study.name}/{N}.nc" for N in study.gap.all_N]
    return inputs


def _gap_job(wildcards):
    """Resources of a gap job: one N (rule gap_shard), all N (rule gap computing them
    itself) or a gather."""
    study = STUDIES[wildcards.gap_study]
    if "N" in wildcards.keys():
        return gap_job_resources(study, [int(wildcards.N)])
    if study.gap_job_per_N:
        return {"mem_mb": 1000, "runtime": 5, "threads": 1}
    return gap_job_resources(study, study.gap.all_N)


def get_gap_mem_mb(wildcards, attempt):
    """Memory of a gap job (grows with retries; never more than a local run's budget)."""
    mem_mb = _gap_job(wildcards)["mem_mb"] * attempt
    return min(mem_mb, MEMORY_BUDGET_MB) if MEMORY_BUDGET_MB else mem_mb


def get_gap_threads(wildcards):
    """Threads of a gap job: an exact job's at its largest N (its solves sweep alike)."""
    return _gap_job(wildcards)["threads"]


def get_gap_runtime(wildcards, attempt):
    """Runtime (minutes) of a gap job."""
    return int(_gap_job(wildcards)["runtime"]) * attempt + 5


def get_scaling_study(wildcards):
    return STUDIES[SCALING_STUDY[wildcards.model]].block


def get_final_outputs(wildcards):
    return (
        [job.outputs[ext] for job in FIGURE_JOBS for ext in ("pdf", "png")]
        + expand("results/exact/{study}.nc", study=STUDIES)
        + expand("results/gaussian/{study}.nc", study=STUDIES)
        + expand("results/gap/{study}.nc", study=GAP_STUDIES)
        + expand("results/scaling/{model}.nc", model=SCALING_STUDY)
        + [minima_path(study) for study in CONFIG.minima]
    )
