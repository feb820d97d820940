"""Benchmark of the exact steady-state solver (:func:`steadysqueeze.exact.steady_state`).

For every N and model point it runs one solve in a fresh subprocess and reports the
number of physical unknowns, wall time, the subprocess's peak RSS (``ru_maxrss`` of
the child itself, Python and imports included), the solver, its iterations and the
relative residual; next to it :mod:`qutip.piqs` (``Dicke(N, hamiltonian=H,
emission=γ).liouvillian()`` + :func:`qutip.steadystate`) where it runs (N ≤
``--piqs-max-n``, with a timeout), the speed-up and the largest absolute differences
of ⟨J⟩ and of the covariance between the two. PIQS stores its rates in single
precision, so agreement to ~1e-7 relative is all that can be expected.

A last line times the collective-emission (driven Dicke, J = N/2 block) solver per
parameter point at N = 300 against :func:`qutip.steadystate` on the same (N+1)-dim
manifold (:func:`qutip.jmat`, H = −Ω Jx, c_ops = [√(Γ/N) J⁻]).

``--threads T [T ...]`` gives this version a budget of T threads (``OMP_NUM_THREADS``,
which the solver's sweep follows), one row per T; the baseline always runs on one.
``--baseline DIR`` sets another version of the package beside this one, in the same
run: DIR is a checkout of it (e.g. ``git worktree add ../baseline <commit>``), whose
``src/`` is imported in the baseline's subprocesses. ``--markdown`` prints the table
ready to paste into a note: per point this version's and the baseline's time, peak
RSS, iterations, their ratio and the largest relative difference of ⟨J⟩ and the
covariance. ``--map K`` adds a line for K points of the Fig. 4 map at N = 20 (median
of ``--map-repeats`` runs per version, time per point). ``--scan N`` adds the scan line (xyz, J = −0.8γ, Jz = γ, 25 values of δJ
from 0.1γ to 2.5γ, one process; ``--scan-baseline-points K`` times K of its points
with the baseline, one process each, to extrapolate).

``--declared N [N ...]`` times the declared models of ``DECLARED`` (any PIQS channels,
:mod:`steadysqueeze.models.declared`) instead, one fresh process per model and N, and
prints a markdown table (time, peak RSS, iterations, residual, the memory estimate);
``--declared-models`` picks some of them, ``--declared-scan N`` adds a 20-point scan in
Ω of ``rabi_local`` at N in one process (:class:`~steadysqueeze.exact.Scan` reuse).

Usage::

    python benchmarks/bench_exact.py                       # full table, N = 20 … 300
    python benchmarks/bench_exact.py --max-n 100 --points xyz-ferro,tfi-para
    python benchmarks/bench_exact.py --n 200 300 400 --baseline ../baseline --markdown \
        --points xyz-ferro,tfi-ferro,xyz-para --scan 300 --dicke-n 0 --piqs-max-n 0
    python benchmarks/bench_exact.py --declared 50 100 --declared-scan 100
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from pathlib import Path

import numpy as np

from children import FREED_HEAP_ENV, run_child   # benchmarks/, the script's directory

N_VALUES = (20, 40, 60, 80, 100, 150, 200, 250, 300)

#: model points: paramagnetic (nearly pure) and strongly mixed ferromagnetic
POINTS = {
    "xyz-para": ("xyz", dict(Jx=-0.5, Jy=-1.1, Jz=1.0)),     # J = -0.8, dJ = 0.3
    "xyz-ferro": ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)),     # (Jx-Jz)(Jz-Jy) = 1.8 > 1/4
    "tfi-para": ("tfi", dict(Jx=1.0, Delta=-6.0)),
    "tfi-ferro": ("tfi", dict(Jx=4.0, Delta=-2.0)),          # -Δ(Δ+Jx) = 4 > 1/4
}


#: declared models: the driven Dicke model with local emission, xyz with local dephasing,
#: all six PIQS channels with an odd Hamiltonian, emission against pumping
DECLARED = """
models:
  rabi_local:
    parameters: {Omega: 0.4, Gamma: 1.0, gamma: 0.03}
    hamiltonian: "-Omega*Sx"
    dissipation: {collective_emission: Gamma/N, emission: gamma}
  xyz_dephasing:
    parameters: {Jx: 0.1, Jy: -1.7, Jz: 1.0, gamma: 1.0, gamma_phi: 0.2}
    hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"
    dissipation: {emission: gamma, dephasing: gamma_phi}
  all_six_odd:
    parameters: {Omega: 0.7, Jz: 1.0}
    hamiltonian: "-Omega*Sx + Jz*Sz**2/N"
    dissipation: {emission: 1.0, dephasing: 0.2, pumping: 0.1, collective_emission: 1/N,
                  collective_dephasing: 0.1, collective_pumping: 0.05/N}
  emission_pumping:
    parameters: {Jx: 1.6, Jy: -2.0, Jz: 1.0, gamma: 1.0, w: 0.3}
    hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"
    dissipation: {emission: gamma, pumping: w}
"""
#: the Ω values of ``--declared-scan``
DECLARED_SCAN_OMEGA = tuple(np.linspace(0.1, 1.0, 20))

#: the scan of issue-sized work: xyz at J = -0.8, Jz = 1 across the mean-field transition
SCAN_DJ = tuple(np.linspace(0.1, 2.5, 25))
#: the (Jx, Jy) axes of the Fig. 4 map in the default config
MAP_AXIS = np.linspace(-2.0, 4.0, 61)

#: one solve (or a scan of several points at one N) in a fresh interpreter, for any version
#: of the package on sys.path: older versions take ``method=`` and have no ``Scan``
_VERSIONED_CHILD = r"""
import json, resource, sys, time
from steadysqueeze.models import make_model
from steadysqueeze.exact import steady_state
from steadysqueeze.observables import moments
spec = json.loads(sys.argv[1])
try:
    from steadysqueeze.exact import Scan, SolverOptions
except ImportError:
    Scan = SolverOptions = None
models = [make_model(spec["model"], p) for p in spec["params"]]
scan = None if SolverOptions is None else Scan(SolverOptions(method=spec["method"]))
elapsed, points = 0.0, []
for m in models:   # each state is dropped after its moments, as in the workflow's shards
    start = time.perf_counter()
    s = (steady_state(m, spec["N"], method=spec["method"]) if scan is None
         else scan.solve(m, spec["N"]))
    elapsed += time.perf_counter() - start
    mean, cov = moments(s)
    points.append(dict(mean=mean.tolist(), cov=cov.tolist(), iterations=s.iterations,
                       residual=s.residual))
    del s
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
print(json.dumps(dict(time=elapsed, rss=rss, points=points)))
"""


#: the thread-count variables a child's budget sets (the solver's worker threads follow
#: OMP_NUM_THREADS, :func:`steadysqueeze.exact.options.thread_budget`)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_version(source: Path | None, model: str, params: list[dict], N: int, method: str,
                timeout: float, threads: int = 1) -> dict | str:
    """Solve ``params`` (in order, one process) with the package under ``source``/src, or
    with the installed one if ``source`` is None, with a budget of ``threads`` threads;
    the result dict or a failure message."""
    overrides = {name: str(threads) for name in THREAD_VARIABLES}
    if source is not None:
        overrides["PYTHONPATH"] = str(Path(source).resolve() / "src")
    return run_child(_VERSIONED_CHILD, dict(model=model, params=params, N=N, method=method),
                     timeout, FREED_HEAP_ENV, overrides, message_length=80)


def relative_difference(a: dict, b: dict) -> float:
    """Largest difference of ⟨J⟩ and covariance between two solves, relative to their scale."""
    worst = 0.0
    for key in ("mean", "cov"):
        x, y = np.asarray(a[key]), np.asarray(b[key])
        worst = max(worst, float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-300)))
    return worst


def markdown_rows(args: argparse.Namespace, points: list[str], ns: list[int]) -> list[str]:
    """One row per (point, N): this version beside the baseline, same run."""
    from steadysqueeze.exact.memory import peak_memory_bytes
    from steadysqueeze.models import MODELS

    rows = ["| point | N | time / s | peak RSS / GB | iterations | baseline time / s | "
            "baseline RSS / GB | baseline iterations | speed-up | max rel. diff | "
            "estimated peak / GB |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for point in points:
        name, params = POINTS[point]
        for N in ns:
            old = (run_version(args.baseline, name, [params], N, args.method, args.timeout)
                   if args.baseline and N <= args.baseline_max_n else "not run")
            estimate = peak_memory_bytes(MODELS[name], N) / 1e9
            for threads in args.threads:
                new = run_version(None, name, [params], N, args.method, args.timeout, threads)
                label = point if args.threads == [1] else f"{point}, {threads} thr."
                rows.append(_row(label, N, new, old) + f" {estimate:.2f} |")
                print(rows[-1], flush=True)
    return rows


def _row(label: str, N: int, new: dict | str, old: dict | str) -> str:
    def cells(r: dict | str) -> str:
        if isinstance(r, str):
            return f"{r} | – | –"
        its = "/".join(str(p["iterations"]) for p in r["points"][:1])
        return f"{r['time']:.1f} | {r['rss']:.2f} | {its}"
    ratio = diff = "–"
    if isinstance(new, dict) and isinstance(old, dict):
        ratio = f"{old['time'] / new['time']:.1f}×"
        diff = f"{max(relative_difference(a, b) for a, b in zip(new['points'], old['points'])):.1e}"
    return f"| {label} | {N} | {cells(new)} | {cells(old)} | {ratio} | {diff} |"


def scan_row(args: argparse.Namespace) -> str:
    """The scan across the xyz transition: this version in one process; the baseline at
    ``--scan-baseline-points`` of its points (one process each), extrapolated to 25."""
    params = [dict(J=-0.8, dJ=float(d), Jz=1.0) for d in SCAN_DJ]
    new = run_version(None, "xyz", params, args.scan, args.method, args.timeout,
                      max(args.threads))
    cell = "not run"
    if args.baseline and args.scan_baseline_points:
        picks = np.linspace(0, len(params) - 1, args.scan_baseline_points).round().astype(int)
        olds = [run_version(args.baseline, "xyz", [params[i]], args.scan, args.method,
                            args.timeout) for i in picks]
        if all(isinstance(o, dict) for o in olds):
            per_point = np.mean([o["time"] for o in olds])
            diff = max(relative_difference(new["points"][i], o["points"][0])
                       for i, o in zip(picks, olds)) if isinstance(new, dict) else float("nan")
            cell = (f"{per_point * len(params):.0f} (extrapolated from {len(picks)} points) | "
                    f"{max(o['rss'] for o in olds):.2f} | max rel. diff {diff:.1e}")
    if isinstance(new, str):
        return f"| scan xyz 25 × δJ | {args.scan} | {new} | – | – | {cell} |"
    its = ",".join(str(p["iterations"]) for p in new["points"])
    return (f"| scan xyz 25 × δJ 0.1…2.5 | {args.scan} | {new['time']:.0f} | {new['rss']:.2f} | "
            f"{its} | {cell} |")


def map_row(args: argparse.Namespace) -> str:
    """The first ``--map`` points of the Fig. 4 map (xyz, N = 20, Jz = γ, (Jx, Jy) on the
    default config's 61 × 61 grid, row by row) in one process, ``--map-repeats`` times for
    each version: the median run's time per point (small N, where assembling L, not the LU
    solve, is the cost)."""
    params = [dict(Jx=float(x), Jy=float(y), Jz=1.0) for x in MAP_AXIS for y in MAP_AXIS]
    params = params[:args.map]

    def median_run(source: Path | None) -> dict | str:
        runs = [run_version(source, "xyz", params, 20, args.method, args.timeout)
                for _ in range(args.map_repeats)]
        failed = [r for r in runs if isinstance(r, str)]
        return failed[0] if failed else sorted(runs, key=lambda r: r["time"])[len(runs) // 2]

    new = median_run(None)
    old = median_run(args.baseline) if args.baseline else "not run"

    def cells(r: dict | str) -> str:
        if isinstance(r, str):
            return f"{r} | –"
        return f"{1e3 * r['time'] / len(params):.1f} | {r['rss']:.2f}"
    ratio = diff = "–"
    if isinstance(new, dict) and isinstance(old, dict):
        ratio = f"{old['time'] / new['time']:.1f}×"
        diff = f"{max(map(relative_difference, new['points'], old['points'])):.1e}"
    return (f"| map xyz N = 20, {len(params)} points, median of {args.map_repeats}: ms per point "
            f"| {cells(new)} | {cells(old)} | {ratio} | {diff} |")


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2   # kB on Linux


def _ours(name: str, params: dict, N: int, method: str) -> dict:
    from steadysqueeze.exact import SolverOptions, steady_state
    from steadysqueeze.models import make_model
    from steadysqueeze.observables import moments

    start = time.perf_counter()
    state = steady_state(make_model(name, params), N, SolverOptions(method=method))
    elapsed = time.perf_counter() - start
    mean, cov = moments(state)
    return dict(time=elapsed, rss=_peak_rss_gb(), unknowns=int(state.info["unknowns"]),
                method=state.method, iterations=state.iterations, residual=state.residual,
                mean=mean, cov=cov)


def _declared(name: str, N: int, omegas: tuple[float, ...], method: str) -> dict:
    """Declared model ``name`` of :data:`DECLARED` at N: one solve, or a scan in Ω."""
    from steadysqueeze.exact import Scan, SolverOptions
    from steadysqueeze.models.declared import load_declarations

    cls = load_declarations(DECLARED)[name]
    models = [cls.from_parameters({"Omega": w}) for w in omegas] if omegas else [cls()]
    scan = Scan(SolverOptions(method=method))
    start = time.perf_counter()
    states = [scan.solve(m, N) for m in models]
    return dict(time=time.perf_counter() - start, rss=_peak_rss_gb(),
                unknowns=int(states[0].info["unknowns"]), method=states[0].method,
                iterations=[s.iterations for s in states],
                reused=sum(bool(s.info.get("preconditioner_reused")) for s in states),
                residual=max(s.residual for s in states))


def declared_rows(args: argparse.Namespace) -> list[str]:
    """Markdown rows of ``--declared`` (and ``--declared-scan``): one process per row."""
    from steadysqueeze.exact.memory import peak_memory_bytes
    from steadysqueeze.models.declared import load_declarations

    classes = load_declarations(DECLARED)
    names = [n.strip() for n in args.declared_models.split(",") if n.strip()]
    runs = [(n, N, ()) for N in args.declared for n in names]
    if args.declared_scan:
        runs.append(("rabi_local", args.declared_scan, DECLARED_SCAN_OMEGA))
    rows = ["| model | N | unknowns | solver | time / s | peak RSS / GB | estimated / GB | "
            "iterations | max residual |", "|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(rows), flush=True)
    for name, N, omegas in runs:
        label = name if not omegas else f"{name}, scan {len(omegas)} × Ω {omegas[0]:g}…{omegas[-1]:g}"
        status, r = run_isolated(_declared, (name, N, omegas, args.method), args.timeout)
        if status != "ok":
            rows.append(f"| {label} | {N} | {status}: {r} |")
        else:
            its = "/".join(map(str, r["iterations"])) if omegas else str(r["iterations"][0])
            if omegas:
                its += f" ({r['reused']} reused)"
            estimate = peak_memory_bytes(classes[name], N) / 1e9
            short = "krylov" if r["method"].startswith("gmres") else "LU"
            rows.append(f"| {label} | {N} | {r['unknowns']} | {short} | {r['time']:.1f} | "
                        f"{r['rss']:.2f} | {estimate:.2f} | {its} | {r['residual']:.1e} |")
        print(rows[-1], flush=True)
    return rows


def _piqs(name: str, params: dict, N: int) -> dict:
    import qutip
    from qutip import piqs

    start = time.perf_counter()
    jx, jy, jz = piqs.jspin(N)
    if name == "xyz":
        H = (params["Jx"] * jx * jx + params["Jy"] * jy * jy + params["Jz"] * jz * jz) / N
    else:
        H = params["Jx"] / N * jx * jx + params["Delta"] * jz
    L = piqs.Dicke(N, hamiltonian=H, emission=params.get("gamma", 1.0)).liouvillian()
    rho = qutip.steadystate(L)
    elapsed = time.perf_counter() - start
    r = rho.full()
    ops = [o.full() for o in (jx, jy, jz)]
    mean = np.array([np.trace(r @ o).real for o in ops])
    second = np.array([[np.trace(r @ (a @ b + b @ a)).real / 2 for b in ops] for a in ops])
    return dict(time=elapsed, rss=_peak_rss_gb(), mean=mean, cov=second - np.outer(mean, mean))


def _dicke(N: int, omegas: tuple[float, ...], gamma: float = 1.0) -> dict:
    import qutip

    from steadysqueeze.exact import steady_state
    from steadysqueeze.models import make_model

    ours, theirs, diff = [], [], 0.0
    jx, jy, jz = (qutip.jmat(N / 2, a) for a in "xyz")
    jm = qutip.jmat(N / 2, "-")
    for omega in omegas:
        start = time.perf_counter()
        state = steady_state(make_model("dicke", dict(Omega=omega, Gamma=gamma)), N)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        rho = qutip.steadystate(-omega * jx, [np.sqrt(gamma / N) * jm])
        theirs.append(time.perf_counter() - start)
        # qutip.jmat orders M = J … −J, the Dicke block here M = −J … J
        block = state.blocks[N / 2][::-1, ::-1]
        for op in (jx, jy, jz):
            diff = max(diff, abs(np.trace(block @ op.full()) - qutip.expect(op, rho)))
    return dict(ours=float(np.mean(ours)), theirs=float(np.mean(theirs)), diff=diff,
                rss=_peak_rss_gb())


def _child(conn, func, args):
    try:
        conn.send(("ok", func(*args)))
    except BaseException as exc:  # report any failure to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:60]))
    finally:
        conn.close()


def run_isolated(func, args, timeout: float) -> tuple[str, object]:
    """Run ``func(*args)`` in a fresh spawned process (own peak RSS), with a timeout."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, func, args))
    proc.start()
    child.close()
    if parent.poll(timeout):
        try:
            result = parent.recv()
        except EOFError:
            result = ("error", f"child died (exit {proc.exitcode})")
    else:
        result = ("timeout", f">{timeout:.0f}s")
    proc.join(5)
    if proc.is_alive():
        proc.terminate()
        proc.join()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-n", type=int, default=max(N_VALUES))
    parser.add_argument("--n", type=int, nargs="*", help="explicit N values")
    parser.add_argument("--points", default=",".join(POINTS),
                        help=f"comma-separated subset of {', '.join(POINTS)}")
    parser.add_argument("--method", default="auto", choices=("auto", "direct", "krylov"))
    parser.add_argument("--timeout", type=float, default=1200.0, help="per solve, seconds")
    parser.add_argument("--piqs-max-n", type=int, default=60)
    parser.add_argument("--piqs-timeout", type=float, default=600.0)
    parser.add_argument("--dicke-n", type=int, default=300, help="0 to skip the dicke line")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="checkout of another version of the package to run beside this one")
    parser.add_argument("--baseline-max-n", type=int, default=300,
                        help="largest N solved with the baseline")
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="--markdown: this version's thread budget(s), one row each "
                             "(the baseline always has one; the scan uses the largest)")
    parser.add_argument("--markdown", action="store_true",
                        help="print a markdown table: this version beside the baseline")
    parser.add_argument("--scan", type=int, default=0, help="N of the scan line (0: none)")
    parser.add_argument("--scan-baseline-points", type=int, default=3)
    parser.add_argument("--map", type=int, default=0,
                        help="points of the Fig. 4 map (N = 20) for the map line (0: none)")
    parser.add_argument("--map-repeats", type=int, default=5)
    parser.add_argument("--declared", type=int, nargs="*", default=[],
                        help="time the declared models of DECLARED at these N (and nothing else)")
    parser.add_argument("--declared-models", default="rabi_local,xyz_dephasing,all_six_odd,"
                        "emission_pumping", help="comma-separated subset of DECLARED")
    parser.add_argument("--declared-scan", type=int, default=0,
                        help="N of a 20-point scan in Omega of rabi_local (0: none)")
    args = parser.parse_args(argv)

    if args.declared or args.declared_scan:
        declared_rows(args)
        return

    ns = [n for n in (args.n or N_VALUES) if n <= args.max_n]
    points = [p.strip() for p in args.points.split(",") if p.strip()]
    for p in points:
        if p not in POINTS:
            parser.error(f"unknown point {p!r}; choose from {', '.join(POINTS)}")

    if args.markdown:
        rows = markdown_rows(args, points, ns)
        if args.scan:
            rows.append(scan_row(args))
            print(rows[-1], flush=True)
        if args.map:
            rows.append(map_row(args))
            print(rows[-1], flush=True)
        print("\n".join(["", *rows]))
        return

    header = (f"{'point':10} {'N':>4} {'unknowns':>9} {'method':>8} {'it':>4} {'time/s':>8} "
              f"{'RSS/GB':>7} {'residual':>9} | {'piqs/s':>8} {'pRSS/GB':>7} {'speedup':>7} "
              f"{'d<J>':>8} {'dCov':>8}")
    print(header)
    print("-" * len(header), flush=True)
    for point in points:
        name, params = POINTS[point]
        for N in ns:
            status, ours = run_isolated(_ours, (name, params, N, args.method), args.timeout)
            if status != "ok":
                print(f"{point:10} {N:>4} {status}: {ours}", flush=True)
                continue
            short = "krylov" if ours["method"].startswith("gmres") else "LU"
            line = (f"{point:10} {N:>4} {ours['unknowns']:>9} {short:>8} {ours['iterations']:>4} "
                    f"{ours['time']:>8.2f} {ours['rss']:>7.2f} {ours['residual']:>9.1e} | ")
            if N <= args.piqs_max_n:
                status, piqs = run_isolated(_piqs, (name, params, N), args.piqs_timeout)
                if status == "ok":
                    dmean = np.abs(piqs["mean"] - ours["mean"]).max()
                    dcov = np.abs(piqs["cov"] - ours["cov"]).max()
                    line += (f"{piqs['time']:>8.2f} {piqs['rss']:>7.2f} "
                             f"{piqs['time'] / ours['time']:>6.1f}x {dmean:>8.1e} {dcov:>8.1e}")
                else:
                    line += f"piqs {status}: {piqs}"
            else:
                line += f"{'-':>8}"
            print(line, flush=True)

    if args.dicke_n:
        omegas = (0.2, 0.5, 1.0, 2.0)
        status, res = run_isolated(_dicke, (args.dicke_n, omegas), args.timeout)
        if status == "ok":
            print(f"\ndicke (collective emission) N={args.dicke_n}, (N+1)^2 = "
                  f"{(args.dicke_n + 1) ** 2} unknowns, mean over Omega in {omegas}: "
                  f"ours {res['ours']:.3f} s/point, qutip.steadystate {res['theirs']:.3f} "
                  f"s/point ({res['theirs'] / res['ours']:.1f}x), max |d<J>| {res['diff']:.1e}, "
                  f"peak RSS {res['rss']:.2f} GB", flush=True)
        else:
            print(f"\ndicke N={args.dicke_n}: {status}: {res}", flush=True)


if __name__ == "__main__":
    main()
