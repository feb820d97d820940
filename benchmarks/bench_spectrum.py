"""Benchmark of the slowest Liouvillian eigenvalues (:func:`steadysqueeze.exact.spectrum.
slowest_eigenvalues`).

For every N and model point it computes the spectrum in a fresh subprocess (one BLAS
thread; glibc told to return freed heap at once, as in bench_exact.py) and reports the
wall time, the subprocess's peak RSS (``ru_maxrss`` of the child, Python and imports
included) beside the memory estimates (:func:`~steadysqueeze.exact.spectrum.
spectrum_memory_bytes`, which refuses, and the steady-state solve's
:func:`~steadysqueeze.exact.memory.peak_memory_bytes`), the gap per parity sector, the
excitation window that sufficed (N: the full problem), the shift-invert solves and their
GMRES iterations (in all, and in the window that was accepted or the full problem), and
the largest eigenvector residual. It prints a markdown table.

``--scan N [N ...]`` prints instead the gap per sector of xyz (J = -0.8, Jz = 1, γ = 1)
along ``--drives`` (δJ values; default around the mean-field transition at
δJ_c = 1.8682) for each N, one process per point.

Usage::

    python benchmarks/bench_spectrum.py                          # N = 100, three points
    python benchmarks/bench_spectrum.py --n 100 200 --points xyz-para
    python benchmarks/bench_spectrum.py --scan 20 40 80 --drives 1.0 1.6 1.8682 2.2
"""

from __future__ import annotations

import argparse

from children import FREED_HEAP_ENV, run_child

#: the issue's points: paramagnetic and ferromagnetic xyz, ferromagnetic tfi
POINTS = {
    "xyz-para": ("xyz", dict(J=-0.8, dJ=1.0, Jz=1.0)),
    "xyz-ferro": ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)),
    "tfi-ferro": ("tfi", dict(Jx=4.0, Delta=-2.0)),
}
#: δJ of ``--scan`` (J = -0.8, Jz = 1): paramagnetic, near and at δJ_c = 1.8682, ordered
DRIVES = (1.0, 1.4, 1.7, 1.8682, 2.0, 2.2)

_CHILD = r"""
import json, resource, sys, time
from steadysqueeze.exact.memory import peak_memory_bytes
from steadysqueeze.exact.spectrum import slowest_eigenvalues, spectrum_memory_bytes
from steadysqueeze.models import make_model
spec = json.loads(sys.argv[1])
model = make_model(spec["model"], spec["params"])
start = time.perf_counter()
s = slowest_eigenvalues(model, spec["N"], k=spec["k"])
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
sectors = sorted(s.radius)
out = dict(time=elapsed, rss=rss, gap=s.gap, sector=s.sector,
           gaps={x: s.gap_of(x) for x in sectors},
           slowest={x: [v.real, v.imag] for x in sectors
                    for v in [s.in_sector(x)[abs(s.in_sector(x).real).argmin()]]},
           residual=float(s.residuals.max()),
           estimate=spectrum_memory_bytes(model, spec["N"], spec["k"]) / 1e9,
           solve_estimate=peak_memory_bytes(type(model), spec["N"]) / 1e9,
           info=s.info)
print(json.dumps(out))
"""


def run(model: str, params: dict, N: int, k: int, timeout: float) -> dict | str:
    """One spectrum in a fresh interpreter: the child's result dict or why it failed."""
    threads = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return run_child(_CHILD, dict(model=model, params=params, N=N, k=k), timeout,
                     {**FREED_HEAP_ENV, **threads})


def _per_sector(r: dict, key: str, fmt: str) -> str:
    return " / ".join(fmt.format(r["info"].get(f"{s}_{key}", float("nan")))
                      for s in sorted(r["gaps"]))


def table_row(point: str, N: int, r: dict | str) -> str:
    if isinstance(r, str):
        return f"| {point} | {N} | {r} |" + " – |" * 9
    gaps = " / ".join(f"{r['gaps'][s]:.6g}" for s in sorted(r["gaps"]))
    return (f"| {point} | {N} | {r['time']:.1f} | {r['rss']:.2f} | {r['estimate']:.2f} | "
            f"{r['solve_estimate']:.2f} | {gaps} | {_per_sector(r, 'window', '{:.0f}')} | "
            f"{_per_sector(r, 'solves', '{:.0f}')} ({_per_sector(r, 'final_solves', '{:.0f}')}) | "
            f"{_per_sector(r, 'iterations', '{:.0f}')} "
            f"({_per_sector(r, 'final_iterations', '{:.0f}')}) | {r['residual']:.1e} |")


def benchmark(args: argparse.Namespace) -> None:
    print("| point | N | time / s | peak RSS / GB | spectrum estimate / GB | solve estimate / GB "
          "| gap even / odd | window even / odd | solves even / odd (last window) | GMRES "
          "iterations even / odd (last window) | max residual |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for point in args.points.split(","):
        name, params = POINTS[point]
        for N in args.n:
            print(table_row(point, N, run(name, params, N, args.k, args.timeout)), flush=True)


def scan(args: argparse.Namespace) -> None:
    print("| N | δJ | gap even | gap odd | slowest even | slowest odd | time / s |")
    print("|---|---|---|---|---|---|---|")
    for N in args.scan:
        for dJ in args.drives:
            r = run("xyz", dict(J=-0.8, dJ=dJ, Jz=1.0), N, args.k, args.timeout)
            if isinstance(r, str):
                print(f"| {N} | {dJ} | {r} | – | – | – | – |", flush=True)
                continue
            slow = {s: complex(*r["slowest"][s]) for s in r["slowest"]}
            print(f"| {N} | {dJ} | {r['gaps']['even']:.6g} | {r['gaps']['odd']:.6g} | "
                  f"{slow['even']:.5f} | {slow['odd']:.5f} | {r['time']:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100])
    parser.add_argument("--points", default=",".join(POINTS))
    parser.add_argument("--k", type=int, default=4, help="eigenvalues per sector")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--scan", type=int, nargs="+", default=None, metavar="N")
    parser.add_argument("--drives", type=float, nargs="+", default=list(DRIVES))
    args = parser.parse_args()
    scan(args) if args.scan else benchmark(args)


if __name__ == "__main__":
    main()
