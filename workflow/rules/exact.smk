rule exact_shard:
    input:
        model="results/models/{study}.nc",
    output:
        temp("results/exact/shards/{study}/{shard}.nc"),
    log:
        "logs/exact/{study}/{shard}.log",
    benchmark:
        "results/benchmarks/exact/{study}/{shard}.tsv"
    params:
        study=get_study_block,
    threads: get_exact_threads
    resources:
        mem_mb=get_exact_mem_mb,
        runtime=get_exact_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Exact steady states of study {wildcards.study}, shard {wildcards.shard}"
    script:
        "../scripts/exact_shard.py"


rule exact:
    input:
        unpack(get_exact_inputs),
    output:
        "results/exact/{study}.nc",
    log:
        "logs/exact/{study}.log",
    benchmark:
        "results/benchmarks/exact/{study}.tsv"
    params:
        study=get_study_block,
    threads: get_exact_threads
    resources:
        mem_mb=get_exact_mem_mb,
        runtime=get_exact_runtime,
    conda:
        "../../envs/steadysqueeze.yaml"
    message:
        "Exact steady states of study {wildcards.study} (solved, or gathered from its shards)"
    script:
        "../scripts/exact_gather.py"
