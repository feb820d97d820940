"""Command-line interface: ``steadysqueeze solve`` for one parameter point (exact,
perturbative, or its N = ∞ limit with ``--method gaussian``), ``steadysqueeze gap`` for
the slowest eigenvalues of its Liouvillian (:mod:`steadysqueeze.exact.spectrum`), and
``steadysqueeze provenance show|verify`` (see :mod:`steadysqueeze.provenance`).

Bad input (unknown model, parameter or method, malformed ``--param``, N < 2,
non-positive rate, NaN/inf) gives one message on stderr and exit code 2, before
any computation.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__, exact, perturbative
from .exact.memory import available_memory_bytes, format_gb, peak_memory_bytes
from .exact.spectrum import SpectrumOptions, slowest_eigenvalues, spectrum_memory_bytes
from .gaussian import Limit, LimitStatus, thermodynamic_limit
from .meanfield import NotExtensiveError
from .state import SolverError
from .models import MODELS, Model, make_model
from .observables import Squeezing, analyze

__all__ = ["main", "build_parser"]

METHODS = ("exact", "perturbative", "gaussian")


class UsageError(Exception):
    """Invalid command-line input (exit code 2)."""


def _parse_param(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UsageError(f"--param must look like NAME=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"--param {name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise UsageError(f"--param {name}: value must be finite, got {value!r}")
    return name.strip(), number


def _parse_N(text: str) -> int:
    try:
        N = int(text)
    except ValueError:
        raise UsageError(f"--N must be an integer >= 2, got {text!r}") from None
    if N < 2:
        raise UsageError(f"--N must be an integer >= 2, got {N}")
    return N


def _parse_memory(text: str | None) -> tuple[float, str]:
    """The memory limit of a solve: ``--max-memory GB`` or the memory available now."""
    if text is None:
        return available_memory_bytes(), "memory available now; override with --max-memory GB"
    try:
        limit = float(text)
    except ValueError:
        raise UsageError(f"--max-memory must be a number of GB, got {text!r}") from None
    if not math.isfinite(limit) or limit <= 0:
        raise UsageError(f"--max-memory must be a positive number of GB, got {text!r}")
    return limit * 1e9, f"--max-memory {text}"


def _check_memory(model: Any, N: int, limit: float, origin: str) -> None:
    need = peak_memory_bytes(type(model), N)
    if need > limit:
        raise UsageError(f"--N {N}: the exact solve of {model.name} needs an estimated "
                         f"{format_gb(need)}, more than {format_gb(limit)} ({origin})")


def _clean(x: Any) -> Any:
    """JSON-ready: arrays and tuples as lists, non-finite floats as null."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (np.ndarray, list, tuple)):
        return [_clean(v) for v in (x.tolist() if isinstance(x, np.ndarray) else x)]
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def _jsonable(result: Squeezing, extra: dict[str, Any]) -> dict[str, Any]:
    out = {"xi2": result.xi2, "theta": result.theta, "squeezed_axis": result.squeezed_axis,
           "mean_J": result.mean_J, "var_min": result.var_min, "var_max": result.var_max,
           "qfi": result.qfi, "purity": result.purity, "entropy": result.entropy}
    return _clean({**extra, **out})


def _limit_json(limit: Limit, header: dict[str, Any]) -> dict[str, Any]:
    """The N = ∞ limit as JSON: the exact solve's keys where they apply (per emitter),
    the gap, whether a stable state is reported, and every fixed point."""
    out: dict[str, Any] = dict.fromkeys(("xi2", "theta", "squeezed_axis", "mean_J", "var_min",
                                         "var_max", "gap"))
    reported = limit.reported
    if reported is not None:
        out.update(mean_J=reported.mean, gap=reported.gap)
        if limit.status != LimitStatus.mean_spin_vanishes:
            xi2, theta, axis, var_min, var_max = reported.squeezing()
            out.update(xi2=xi2, theta=theta, squeezed_axis=axis, var_min=var_min,
                       var_max=var_max)
    out.update(stable=reported is not None, status=limit.status.name,
               status_meaning=limit.status.meaning,
               fixed_points=[{"m": p.m, "growth_rate": p.growth_rate, "stable": p.stable}
                             for p in limit.fixed_points])
    return _clean({**header, **out})


def _declared_models(path: str | None) -> dict[str, Any]:
    """The models declared in ``--models FILE`` (a ``models:`` mapping), by name."""
    if path is None:
        return {}
    from .models.declared import load_declarations

    try:
        with open(path, encoding="utf-8") as handle:
            declared = load_declarations(handle.read())
    except OSError as exc:
        raise UsageError(f"--models {path}: {exc.strerror}") from None
    except ValueError as exc:   # DeclarationError
        raise UsageError(f"--models {path}: {exc}") from None
    clash = sorted(set(declared) & set(MODELS))
    if clash:
        raise UsageError(f"--models {path}: {', '.join(clash)} is a built-in model name")
    return declared


def _model(args: argparse.Namespace) -> Model:
    params = dict(_parse_param(p) for p in args.param)
    declared = _declared_models(args.models)
    try:
        if args.model in declared:
            return declared[args.model].from_parameters(params)
        return make_model(args.model, params)
    except ValueError as exc:   # ModelInputError, or DeclarationError evaluating a rate
        raise UsageError(str(exc)) from None


def _gaussian(model: Model, header: dict[str, Any]) -> dict[str, Any]:
    try:
        limit = thermodynamic_limit(model)
    except NotExtensiveError as exc:
        raise UsageError(str(exc)) from None
    return _limit_json(limit, header)


def solve(args: argparse.Namespace) -> dict[str, Any]:
    if args.method not in METHODS:
        raise UsageError(f"--method must be one of {', '.join(METHODS)}, got {args.method!r}")
    if args.method == "gaussian" and args.N is not None:
        raise UsageError("--N: the gaussian method is the N -> infinity limit; leave --N out")
    if args.method != "gaussian" and args.N is None:
        raise UsageError(f"--N is required by --method {args.method}")
    N = None if args.N is None else _parse_N(args.N)
    model = _model(args)
    header: dict[str, Any] = {"model": model.name, **({} if N is None else {"N": N}),
                              "parameters": {p: getattr(model, p) for p in model.parameter_names()},
                              "method": args.method}
    if N is None:
        return _gaussian(model, header)
    if args.method == "perturbative":
        order = args.order or model.default_order
        header["order"] = order
        return _jsonable(perturbative.squeezing(model, N, order), header)
    _check_memory(model, N, *_parse_memory(args.max_memory))
    progress = None
    if args.progress or sys.stderr.isatty():
        progress = exact.Progress(lambda line: print(line, file=sys.stderr, flush=True))
        progress.begin(f"{model.name} N={N}")
    state = exact.steady_state(model, N, progress=progress)
    header.update(residual=state.residual, solver=state.method, iterations=state.iterations)
    return _jsonable(analyze(state), header)


def gap(args: argparse.Namespace) -> dict[str, Any]:
    """``steadysqueeze gap``: the k slowest eigenvalues of L per parity sector and the gap
    of the permutation-invariant sector, as JSON."""
    if args.N is None:
        raise UsageError("--N is required by gap")
    N = _parse_N(args.N)
    if args.k < 1:
        raise UsageError(f"--k must be an integer >= 1, got {args.k}")
    model = _model(args)
    limit, origin = _parse_memory(args.max_memory)
    need = spectrum_memory_bytes(model, N, args.k)
    if need > limit:
        raise UsageError(f"--N {N}: the spectrum of {model.name} needs an estimated "
                         f"{format_gb(need)}, more than {format_gb(limit)} ({origin})")
    spectrum = slowest_eigenvalues(model, N, args.k, SpectrumOptions(max_memory_bytes=limit))
    return _clean({
        "model": model.name, "N": N,
        "parameters": {p: getattr(model, p) for p in model.parameter_names()},
        "gap": spectrum.gap, "sector": spectrum.sector,
        "eigenvalues": [[v.real, v.imag] for v in spectrum.eigenvalues],
        "sectors": list(spectrum.sectors), "residuals": spectrum.residuals,
        "complete_below": spectrum.radius})


def _add_model_arguments(command: argparse.ArgumentParser) -> None:
    """The model, its parameters and --N, shared by solve and gap."""
    command.add_argument("model", help=f"one of {', '.join(MODELS)}, or a model of --models")
    command.add_argument("--models", default=None, metavar="FILE",
                         help="YAML file with a 'models:' mapping of declared models "
                              "(see steadysqueeze.models.declared)")
    command.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                         help="model parameter in units of the decay rate (repeatable); "
                              "xyz: Jx, Jy, Jz (or J, dJ), gamma; tfi: Jx, Delta, gamma; "
                              "dicke: Omega, Gamma")
    command.add_argument("--max-memory", default=None, metavar="GB",
                         help="refuse a computation whose estimated peak memory exceeds "
                              "this (default: the memory available now)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steadysqueeze",
        description="Spin squeezing in steady states of driven-dissipative emitter ensembles.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("solve", help="observables at one parameter point, as JSON")
    _add_model_arguments(s)
    s.add_argument("--N", default=None,
                   help="number of emitters (integer >= 2); not with --method gaussian")
    s.add_argument("--method", default="exact",
                   help="exact (default), perturbative, or gaussian: the N -> infinity limit "
                        "(mean field plus Gaussian fluctuations; values per emitter)")
    s.add_argument("--order", type=int, choices=(1, 2), default=None,
                   help="order of perturbation theory (default: 1 for xyz/tfi, 2 for dicke)")
    s.add_argument("--progress", action="store_true",
                   help="report iteration, residual and elapsed time of a long solve on "
                        "stderr (default: only when stderr is a terminal)")
    s.set_defaults(handler=solve)
    g = commands.add_parser("gap", help="the slowest eigenvalues of the Liouvillian and its "
                                        "gap (permutation-invariant sector), as JSON")
    _add_model_arguments(g)
    g.add_argument("--N", default=None, help="number of emitters (integer >= 2)")
    g.add_argument("--k", type=int, default=4,
                   help="eigenvalues nearest zero per parity sector (default 4)")
    g.set_defaults(handler=gap)
    _add_provenance(commands)
    return parser


def _provenance_show(args: argparse.Namespace) -> int:
    from . import provenance

    try:
        print(provenance.show(args.file, workdir=args.workdir))
    except provenance.ProvenanceUsageError as exc:
        raise UsageError(str(exc)) from None
    except provenance.ProvenanceError as exc:
        print(f"steadysqueeze: {exc}", file=sys.stderr)
        return 1
    return 0


def _provenance_verify(args: argparse.Namespace) -> int:
    from . import provenance

    try:
        result = provenance.verify(args.directory, config=args.config, workdir=args.workdir)
    except provenance.ProvenanceUsageError as exc:
        raise UsageError(str(exc)) from None
    print(provenance.format_verify(result, args.directory))
    return 0 if result.ok else 1


def _add_provenance(commands: Any) -> None:
    """``steadysqueeze provenance show FILE`` and ``provenance verify [DIR]``."""
    p = commands.add_parser("provenance", help="show or verify the provenance trail")
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="the chain from a figure or dataset back to "
                                           "its config block and code, as a tree")
    show.add_argument("file", help="figure (.pdf, .png, .provenance.json) or dataset (.nc)")
    show.set_defaults(handler=_provenance_show)
    verify = actions.add_parser("verify", help="recompute every recorded hash "
                                               "(exit 0: the chain holds, 1: it does not)")
    verify.add_argument("directory", nargs="?", default="results",
                        help="results directory (default: results)")
    verify.add_argument("--config", default=None,
                        help="also check that the recorded study blocks equal this config's")
    verify.set_defaults(handler=_provenance_verify)
    for action in (show, verify):
        action.add_argument("--workdir", default=None,
                            help="directory the recorded input paths are relative to "
                                 "(default: inferred from the file locations)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except UsageError as exc:
        print(f"steadysqueeze: error: {exc}", file=sys.stderr)
        return 2
    except (SolverError, perturbative.PerturbationError) as exc:
        print(f"steadysqueeze: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if isinstance(result, int):  # provenance commands print their own output
        return result
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
