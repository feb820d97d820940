rule scaling:
    input:
        unpack(get_scaling_inputs),
    output:
        "results/scaling/{model}.nc",
    log:
        "logs/scaling/{model}.log",
    benchmark:
        "results/benchmarks/scaling/{model}.tsv"
    params:
        study=get_scaling_study,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Finite-N scaling analysis of the {wildcards.model} model"
    script:
        "../scripts/scaling.py"


for _model in SCALING_STUDY:

    rule:
        name:
            f"figure_scaling_{_model}"
        input:
            scaling=f"results/scaling/{_model}.nc",
        output:
            pdf=f"results/figures/scaling_{_model}.pdf",
            png=report(
                f"results/figures/scaling_{_model}.png",
                caption="../report/scaling.rst",
                category="Finite-N scaling",
                labels={"figure": f"scaling_{_model}"},
            ),
            provenance=f"results/figures/scaling_{_model}.provenance.json",
        log:
            f"logs/figures/scaling_{_model}.log",
        benchmark:
            f"results/benchmarks/figures/scaling_{_model}.tsv"
        params:
            figure="scaling",
            study=STUDIES[SCALING_STUDY[_model]].block,
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../../envs/steadysqueeze.yaml"
        message:
            f"Drawing the finite-N scaling figure of {_model}"
        script:
            "../scripts/figure.py"


rule figure_minimal_uncertainty:
    input:
        **{model: f"results/scaling/{model}.nc" for model in SCALING_STUDY},
    output:
        pdf="results/figures/minimal_uncertainty.pdf",
        png=report(
            "results/figures/minimal_uncertainty.png",
            caption="../report/minimal_uncertainty.rst",
            category="Finite-N scaling",
            labels={"figure": "minimal_uncertainty"},
        ),
        provenance="results/figures/minimal_uncertainty.provenance.json",
    log:
        "logs/figures/minimal_uncertainty.log",
    benchmark:
        "results/benchmarks/figures/minimal_uncertainty.tsv"
    params:
        figure="minimal_uncertainty",
        study=None,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Drawing the minimal-uncertainty check (Eq. 21)"
    script:
        "../scripts/figure.py"
