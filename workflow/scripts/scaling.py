"""Rule scaling: finite-N analysis of one model from its exact and perturbative datasets."""
from steadysqueeze.pipeline.support import limit_threads, logged

limit_threads(snakemake.threads)

from steadysqueeze.pipeline.stages import write_scaling  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_scaling(
        Study.from_config(snakemake.params.study),
        exact_path=snakemake.input.exact,
        perturbative_path=snakemake.input.perturbative,
        minima_path=snakemake.input.minima,
        gaussian_path=snakemake.input.gaussian,
        output=snakemake.output[0],
    )
