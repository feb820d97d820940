# One rule per figure (figure_fig3, figure_fig4, ...), generated for the figures named
# in the config; each reads the datasets of its study and never recomputes physics.

for _figure in FIGURES:

    rule:
        name:
            f"figure_{_figure}"
        input:
            **figure_datasets(_figure),
        output:
            pdf=f"results/figures/{_figure}.pdf",
            png=report(
                f"results/figures/{_figure}.png",
                caption=f"../report/{_figure}.rst",
                category="Paper figures",
                labels={"figure": _figure},
            ),
            provenance=f"results/figures/{_figure}.provenance.json",
        log:
            f"logs/figures/{_figure}.log",
        benchmark:
            f"results/benchmarks/figures/{_figure}.tsv"
        params:
            figure=_figure,
            study=figure_study(_figure),
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../../envs/steadysqueeze.yaml"
        message:
            f"Drawing {_figure}"
        script:
            "../scripts/figure.py"
