# One rule per figure output (figure_fig3, figure_scaling_xyz, ...), generated from
# FIGURE_JOBS: the outputs the config asks for, with their datasets, study, caption
# and SLURM group from the figure registry (steadysqueeze.figures). A figure is added
# in steadysqueeze/figures/ alone: a draw function and its register() entry.


for _job in FIGURE_JOBS:

    rule:
        name:
            _job.rule
        input:
            **_job.inputs,
        output:
            pdf=_job.outputs["pdf"],
            png=report(
                _job.outputs["png"],
                caption="../report/figure.rst",
                category=_job.category,
                labels={"figure": _job.name},
            ),
            provenance=_job.outputs["provenance"],
        log:
            _job.log,
        benchmark:
            _job.benchmark
        params:
            figure=_job.spec.name,
            study=_job.study,
            caption=_job.caption,
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        group:
            _job.group
        conda:
            "../../envs/steadysqueeze.yaml"
        message:
            _job.message
        script:
            "../scripts/figure.py"
