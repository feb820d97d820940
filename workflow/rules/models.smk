rule model:
    output:
        "results/models/{study}.nc",
    log:
        "logs/models/{study}.log",
    benchmark:
        "results/benchmarks/models/{study}.tsv"
    params:
        study=get_study_block,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Expanding study {wildcards.study} and checking the assumptions of perturbation theory"
    script:
        "../scripts/model.py"
