rule perturbative:
    input:
        model="results/models/{study}.nc",
    output:
        "results/perturbative/{study}.nc",
    log:
        "logs/perturbative/{study}.log",
    benchmark:
        "results/benchmarks/perturbative/{study}.tsv"
    params:
        study=get_study_block,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Pure-state perturbation theory for study {wildcards.study}"
    script:
        "../scripts/perturbative.py"
