"""Rule minimum: the located minimum of the exact squeezing over the drive at one N."""
from steadysqueeze.pipeline.support import limit_threads, logged, return_freed_memory

limit_threads(snakemake.threads)
return_freed_memory()

from steadysqueeze.pipeline.stages import write_minimum  # noqa: E402
from steadysqueeze.studies import Study  # noqa: E402

with logged(snakemake.log[0]):
    write_minimum(
        Study.from_config(snakemake.params.study),
        N=int(snakemake.wildcards.N),
        exact_path=getattr(snakemake.input, "exact", None),
        output=snakemake.output[0],
        grid_minima_paths=list(getattr(snakemake.input, "grid_minima", [])),
    )
