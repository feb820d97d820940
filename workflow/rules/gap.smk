rule gap_shard:
    input:
        gaussian="results/gaussian/{gap_study}.nc",
    output:
        temp("results/gap/shards/{gap_study}/{N}.nc"),
    log:
        "logs/gap/{gap_study}/{N}.log",
    benchmark:
        "results/benchmarks/gap/{gap_study}/{N}.tsv"
    params:
        study=lambda wildcards: STUDIES[wildcards.gap_study].block,
    threads: get_gap_threads
    resources:
        mem_mb=get_gap_mem_mb,
        runtime=get_gap_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Liouvillian gap of study {wildcards.gap_study} at N = {wildcards.N}"
    script:
        "../scripts/gap_shard.py"


rule gap:
    input:
        unpack(get_gap_inputs),
    output:
        "results/gap/{gap_study}.nc",
    log:
        "logs/gap/{gap_study}.log",
    benchmark:
        "results/benchmarks/gap/{gap_study}.tsv"
    params:
        study=lambda wildcards: STUDIES[wildcards.gap_study].block,
    threads: get_gap_threads
    resources:
        mem_mb=get_gap_mem_mb,
        runtime=get_gap_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Liouvillian gap of study {wildcards.gap_study} (computed, or gathered from its jobs per N)"
    script:
        "../scripts/gap.py"
