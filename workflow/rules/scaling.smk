rule minimum:
    input:
        unpack(get_minimum_inputs),
    output:
        temp("results/minima/{study}/{N}.nc"),
    log:
        "logs/minima/{study}/{N}.log",
    benchmark:
        "results/benchmarks/minima/{study}/{N}.tsv"
    params:
        study=get_study_block,
    threads: get_minimum_threads
    resources:
        mem_mb=get_minimum_mem_mb,
        runtime=get_minimum_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Locating the minimum of the exact squeezing of study {wildcards.study} at N = {wildcards.N}"
    script:
        "../scripts/minimum.py"


rule minima:
    input:
        unpack(get_minima_inputs),
    output:
        "results/minima/{minima_study}.nc",
    log:
        "logs/minima/{minima_study}.log",
    benchmark:
        "results/benchmarks/minima/{minima_study}.tsv"
    params:
        study=lambda wildcards: STUDIES[wildcards.minima_study].block,
    threads: 1
    resources:
        mem_mb=get_minima_mem_mb,
        runtime=get_minima_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "The located minima of study {wildcards.minima_study}"
    script:
        "../scripts/minima.py"


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

