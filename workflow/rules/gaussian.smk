rule gaussian:
    output:
        "results/gaussian/{study}.nc",
    log:
        "logs/gaussian/{study}.log",
    benchmark:
        "results/benchmarks/gaussian/{study}.tsv"
    params:
        study=get_study_block,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "The N -> infinity limit (mean field, Gaussian fluctuations) of study {wildcards.study}"
    script:
        "../scripts/gaussian.py"
