# One rule per figure; each reads datasets only and never recomputes physics.


rule figure_fig3:
    input:
        **figure_datasets("fig3"),
    output:
        pdf=report(
            "results/figures/fig3.pdf",
            caption="../report/fig3.rst",
            category="Paper figures",
            labels={"figure": "Fig. 3", "model": "xyz"},
        ),
        png="results/figures/fig3.png",
        provenance="results/figures/fig3.provenance.json",
    log:
        "logs/figures/fig3.log",
    benchmark:
        "results/benchmarks/figures/fig3.tsv"
    params:
        figure="fig3",
        study=figure_study("fig3"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "Drawing Fig. 3 (xyz: squeezing and angle vs dJ)"
    script:
        "../scripts/figure.py"
