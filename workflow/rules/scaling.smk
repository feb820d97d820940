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

