r"""One registry of every dataset variable: name, long name, units, extra dimensions, LaTeX.

Every dataset the workflow writes takes its variable metadata from here (xarray and the
figures build labels from ``long_name`` and ``units``). Long names and units may hold
``{drive}``, ``{order}``, ``{drive_units}`` and ``{rate}`` placeholders, filled by :func:`attrs`
for the finite-N analysis of a model. Couplings are in units of the decay rate
(``gamma`` or ``Gamma``, the model's ``rate_name``); equation numbers refer to
Huybrechts & Roscilde, arXiv:2402.16824.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr

__all__ = ["Variable", "VARIABLES", "OBSERVABLES", "PER_EMITTER", "attrs", "variable",
           "COMPONENTS", "component_coords"]

COMPONENTS = ("x", "y", "z")


@dataclass(frozen=True)
class Variable:
    """Metadata of one dataset variable (dims beyond the study grid in ``extra_dims``)."""

    long_name: str
    units: str = "1"
    extra_dims: tuple[str, ...] = ()
    latex: str | None = None


_V = Variable
#: observables of one state (fields of :class:`steadysqueeze.observables.Squeezing`)
OBSERVABLES: dict[str, Variable] = {
    "xi2": _V("squeezing parameter xi_R^2, Eq. 18", latex=r"\xi_R^2"),
    "theta": _V("squeezing angle in the plane transverse to <J> (NaN where isotropic)", "rad",
                latex=r"\theta"),
    "mean_J": _V("mean collective spin <J^a>", extra_dims=("component",)),
    "covariance": _V("symmetrised covariance (<J^a J^b + J^b J^a>/2 - <J^a><J^b>)",
                     extra_dims=("component", "component_b")),
    "squeezed_axis": _V("unit vector of the squeezed spin component", extra_dims=("component",)),
    "var_min": _V("variance of the squeezed transverse component"),
    "var_max": _V("variance of the anti-squeezed transverse component"),
    "qfi": _V("quantum Fisher information of the anti-squeezed component, Eq. 19"),
    "purity": _V("purity Tr rho^2 (PIQS degeneracy weights)"),
    "entropy": _V("von Neumann entropy (PIQS degeneracy weights)", "nat"),
}

VARIABLES: dict[str, Variable] = {
    **OBSERVABLES,
    # exact solver
    "residual": _V("relative residual max|L rho| / max|L_ij|"),
    "iterations": _V("iterations of the steady-state solver (0: direct)"),
    # perturbation theory and its assumptions (Sec. 2)
    "order": _V("order of perturbation theory"),
    "xi2_truncated_state": _V("diagnostic: xi_R^2 of the renormalised truncated state "
                              "(not a consistent expansion)"),
    "u1_violation": _V("max |[H0, J^z]| (U(1) symmetry of H0)", "rate"),
    "eq11_violation": _V("max |[sum_j gamma_j L_j^dag L_j, H0]| (Eq. 11)", "rate^2"),
    "dark_violation": _V("max |sum_j gamma_j L_j^dag L_j phi_0| (phi_0 dark)", "rate"),
    "min_denominator": _V("smallest |<H0^NH>_n - E0| over n != 0 (Eq. 12)", "rate"),
    "pt_applicable": _V("1 where pure-state perturbation theory applies (Sec. 2), 0 where "
                        "it does not (see the attribute perturbation_theory)"),
    "mean_field_growth_rate": _V("growth rate of fluctuations about the mean-field paramagnet "
                                 "(> 0: unstable)", "rate"),
    # the thermodynamic limit, N -> infinity (steadysqueeze.gaussian)
    "gap": _V("Liouvillian gap: slowest decay rate (N -> infinity: of the linearised "
              "mean-field dynamics; finite N: min |Re lambda| of the permutation-invariant "
              "sector)", "{rate}"),
    "stable": _V("1 where the N -> infinity limit has a reported state (see limit_status)"),
    "limit_status": _V("what the N -> infinity values are (flag_meanings)"),
    "n_stable": _V("number of stable mean-field fixed points"),
    "fixed_point": _V("mean-field fixed point m = <J>/N (NaN: fewer fixed points)",
                      extra_dims=("branch", "component")),
    "fixed_point_growth_rate": _V("largest real part of the linearised drift's eigenvalues "
                                  "at the fixed point (< 0: stable)", "{rate}",
                                  extra_dims=("branch",)),
    "xi2_branch": _V("xi_R^2 of the Gaussian fluctuations about the fixed point (NaN: "
                     "unstable)", extra_dims=("branch",)),
    "gap_branch": _V("slowest decay rate of the linearised dynamics about the fixed point "
                     "(NaN: unstable)", "{rate}", extra_dims=("branch",)),
    "drive_c": _V("mean-field critical {drive}, root-found (NaN: none within the sweep)",
                  "{drive_units}"),
    "xi2_c": _V("limit of the N -> infinity xi_R^2 as {drive} -> drive_c from the stable "
                "side"),
    "xi2_c_error": _V("estimated error of xi2_c (change of its extrapolation in the square "
                      "root of the distance to drive_c when the last point is left out)"),
    # the Liouvillian gap at finite N (steadysqueeze.exact.spectrum, results/gap)
    "gap_sector": _V("parity sector of M - M' holding the gap (flag_meanings)"),
    "gap_by_sector": _V("smallest |Re lambda| in each parity sector of M - M' (NaN: no "
                        "such sector)", "{rate}", extra_dims=("sector",)),
    "spectrum_radius": _V("modulus below which every eigenvalue of the sector is listed",
                          "{rate}", extra_dims=("sector",)),
    "eigenvalue_real": _V("Re lambda of the slowest eigenvalues of L other than the steady "
                          "state's 0, by |Re lambda| then |Im lambda| (NaN: padding)", "{rate}",
                          extra_dims=("eigen",)),
    "eigenvalue_imag": _V("Im lambda of the slowest eigenvalues of L (NaN: padding)", "{rate}",
                          extra_dims=("eigen",)),
    "eigenvalue_sector": _V("parity sector of M - M' of each eigenvalue (flag_meanings)",
                            extra_dims=("eigen",)),
    "eigenvalue_residual": _V("residual ||L v - lambda v|| / ||v|| of each eigenpair (NaN: "
                              "padding)", "{rate}", extra_dims=("eigen",)),
    "gap_critical": _V("Liouvillian gap at the mean-field critical {drive} drive_c (NaN: no "
                       "critical drive within the sweep)", "{rate}"),
    "gap_critical_sector": _V("parity sector of M - M' holding the gap at drive_c "
                              "(flag_meanings)"),
    "gap_critical_by_sector": _V("smallest |Re lambda| in each parity sector of M - M' at "
                                 "drive_c", "{rate}", extra_dims=("sector",)),
    "nu_gap": _V("exponent nu of gap_critical = a N^-nu"),
    "xi2_approachable": _V("lowest N -> infinity xi_R^2 of the stable branches an exact state "
                           "can approach (the one, or any inequivalent one where bistable; "
                           "NaN for symmetry-related branches)"),
    "xi2_min_limit": _V("minimum over {drive} within the sweep of the N -> infinity xi_R^2 of "
                        "the stable branches an exact state can approach (every inequivalent "
                        "one where bistable; xi2_c included)"),
    "drive_at_min_limit": _V("{drive} at xi2_min_limit", "{drive_units}"),
    "minimum_limit_interior": _V("1 if xi2_min_limit lies inside the sweep (or at drive_c), 0 "
                                 "if at its end"),
    "bistable_from": _V("smallest {drive} of the sweep where the mean field is bistable "
                        "(inequivalent stable branches; NaN: nowhere)", "{drive_units}"),
    "bistable_to": _V("largest {drive} of the sweep where the mean field is bistable (NaN: "
                      "nowhere)", "{drive_units}"),
    # finite-N analysis, per N
    "onset_exact": _V("exact onset coefficient lim (1 - xi2)/|{drive}|^{order}", "{onset_units}"),
    "onset_pt": _V("perturbative onset coefficient lim (1 - xi2)/|{drive}|^{order}",
                   "{onset_units}"),
    "xi2_min": _V("minimum of the exact xi_R^2 over the drive (located by bounded "
                  "minimisation on exact solves)"),
    "drive_at_min": _V("{drive} at the located minimum of the exact xi_R^2", "{drive_units}"),
    "minimum_evaluations": _V("evaluations of the exact xi_R^2 spent locating the minimum "
                              "(exact solves, or of a closed form)"),
    "minimum_interior": _V("1 if the minimum lies inside the sweep, 0 if at its end"),
    "pt_validity_1pct": _V("smallest |{drive}| where 1 - xi2 of PT and exact differ by 1 % "
                           "(inf: never within the sweep)", "{drive_units}"),
    "pt_validity_10pct": _V("smallest |{drive}| where 1 - xi2 of PT and exact differ by 10 % "
                            "(inf: never within the sweep)", "{drive_units}"),
    # finite-N analysis, fits over the largest N (stderr and window spread: see attrs())
    "drive_c_mean_field": _V("mean-field critical {drive} (root-found on the N -> infinity "
                             "limit, steadysqueeze.meanfield)", "{drive_units}"),
    "nu": _V("exponent nu of xi2_min = a N^-nu"),
    "nu_log": _V("exponent nu of xi2_min = a N^-nu (ln N)^(1/3)"),
    "asymptote_s": _V("s of xi2_min = [s (ln N + ln ln N + b)/N]^(1/3) (3/2 at large N)"),
    "asymptote_b": _V("b of xi2_min = [s (ln N + ln ln N + b)/N]^(1/3)"),
    "nu_zero_limit": _V("exponent nu of xi2_min = a N^-nu (window of the limit fits)"),
    "nu_gaussian_limit": _V("exponent nu of xi2_min = xi2_c + a N^-nu, xi2_c the Gaussian "
                            "N -> infinity value at the critical drive"),
    "nu_free_limit": _V("exponent nu of xi2_min = c + a N^-nu, c free"),
    "xi2_limit_free": _V("c of xi2_min = c + a N^-nu, c free"),
    "nu_limit": _V("exponent nu of the fit of xi2_min the data support best (limit_form)"),
    "xi2_gaussian": _V("N -> infinity xi_R^2 (Gaussian fluctuations about the mean field)"),
    "mu": _V("exponent mu of drive_at_min = drive_c + a N^-mu"),
    "drive_c_fit": _V("drive_c of drive_at_min = drive_c + a N^-mu", "{drive_units}"),
    "mu_log": _V("exponent mu of drive_at_min = drive_c + a (ln N / N)^mu"),
    "drive_c_fit_log": _V("drive_c of drive_at_min = drive_c + a (ln N / N)^mu",
                          "{drive_units}"),
    # finite-N analysis, per (N, drive)
    "xi2_exact": _V("exact xi_R^2, Eq. 18"),
    "xi2_pt": _V("perturbative xi_R^2"),
    "inverse_xi2": _V("xi_R^-2 (exact)"),
    "qfi_over_N": _V("QFI of the anti-squeezed component / N"),
    "pt_deficit_error": _V("|(1 - xi2_PT) - (1 - xi2_exact)| / |1 - xi2_exact|"),
}


#: long names of observables whose N -> infinity values are stored per emitter
PER_EMITTER = {
    "mean_J": "mean spin per emitter <J^a>/N",
    "covariance": "symmetrised covariance per emitter (<J^a J^b + J^b J^a>/2 - <J^a><J^b>)/N",
    "var_min": "variance of the squeezed transverse component per emitter",
    "var_max": "variance of the anti-squeezed transverse component per emitter",
}


def variable(name: str) -> Variable:
    """The registry entry of ``name`` (a clear KeyError for an unregistered one)."""
    try:
        return VARIABLES[name]
    except KeyError:
        raise KeyError(f"variable {name!r} is not in steadysqueeze.variables.VARIABLES") from None


#: derived variables: suffix -> how its long name reads
_SUFFIXES = {"_stderr": "standard error of {}", "_window_spread": "range of {} when the fit "
             "window moves by one N (corrections the form leaves out)"}


def attrs(name: str, **placeholders: str | int) -> dict[str, str]:
    """``{"long_name", "units"}`` of ``name``, placeholders filled; ``NAME_stderr`` and
    ``NAME_window_spread`` derive from ``NAME``."""
    for suffix, reads in _SUFFIXES.items():
        if name.endswith(suffix) and name[:-len(suffix)] in VARIABLES:
            base = attrs(name[:-len(suffix)], **placeholders)
            return {"long_name": reads.format(base["long_name"]), "units": base["units"]}
    entry = variable(name)
    return {"long_name": entry.long_name.format(**placeholders),
            "units": entry.units.format(**placeholders)}


def component_coords() -> dict[str, xr.Variable]:
    """The Cartesian ``component`` and ``component_b`` coordinates of vector variables."""
    return {name: xr.Variable((name,), list(COMPONENTS), {"long_name": "Cartesian component"})
            for name in ("component", "component_b")}
