r"""Tests of the notebook API (:mod:`steadysqueeze.api`) and of
:meth:`steadysqueeze.state.SteadyState.to_qutip`.

References
----------
* ``to_qutip()`` against :mod:`qutip.piqs`: ``Dicke(N, hamiltonian=H, **rates).liouvillian()``
  with ``H`` from :func:`qutip.piqs.jspin`, then :func:`qutip.steadystate`, entry by entry to
  1e-7 (PIQS keeps the rates in single precision; measured ≤ 2.7e-9 for xyz at N = 6, 7,
  10 and 1.4e-8 for the Dicke model with local emission at N = 5).
  ``qutip.expect`` of PIQS's ``jspin`` against our moments, ``purity_dicke`` and
  ``entropy_vn_dicke`` against :func:`~steadysqueeze.observables.analyze` to 1e-12
  (measured ≤ 5.3e-15).
* The collective Dicke model (J = N/2 only): its block against :func:`qutip.steadystate` on
  the spin-N/2 manifold (:func:`qutip.jmat`), the other blocks zero.
* :func:`steadysqueeze.solve` against the workflow's own stages
  (``write_exact_shard`` + ``write_exact_gather``) on the same grid: identical variables,
  attributes and values.
* The README's "Python and notebooks" example, run as it stands.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import numpy as np
import pytest
import qutip
import xarray as xr
from qutip import piqs

import steadysqueeze as sq
from steadysqueeze import api, state as state_module
from steadysqueeze.expressions import DeclarationError
from steadysqueeze.observables import analyze, moments
from steadysqueeze.variables import OBSERVABLES, attrs

from conftest import moments_of, reversed_basis

PIQS_TOL = 1e-7          # entries of rho; PIQS's rates are float32
EXACT_TOL = 1e-12        # the same state seen through qutip
README = Path(__file__).resolve().parents[1] / "README.md"

DICKE_LOCAL = """
models:
  dicke_local:
    description: "Driven Dicke model with added local emission"
    parameters: {Omega: null, Gamma: 1.0, gamma: 0.03}
    hamiltonian: "-Omega*Sx"
    dissipation:
      collective_emission: Gamma/N
      emission: gamma
"""


# -- to_qutip ------------------------------------------------------------------------------
def _xyz_piqs(N: int, p: dict[str, float]) -> qutip.Qobj:
    jx, jy, jz = piqs.jspin(N)
    H = (p["Jx"] * jx * jx + p["Jy"] * jy * jy + p["Jz"] * jz * jz) / N
    return qutip.steadystate(piqs.Dicke(N, hamiltonian=H, emission=1.0).liouvillian())


def _dicke_local_piqs(N: int, p: dict[str, float]) -> qutip.Qobj:
    H = -p["Omega"] * piqs.jspin(N, "x")
    L = piqs.Dicke(N, hamiltonian=H, emission=p["gamma"], collective_emission=1.0 / N)
    return qutip.steadystate(L.liouvillian())


CASES = [   # (model, N, parameters, PIQS reference)
    ("xyz", 6, dict(Jx=1.6, Jy=-2.0, Jz=1.0), _xyz_piqs),         # parity-reduced blocks
    ("xyz", 7, dict(Jx=0.5, Jy=-0.3, Jz=1.0), _xyz_piqs),         # odd N: J = 7/2 ... 1/2
    ("xyz", 10, dict(Jx=1.6, Jy=-2.0, Jz=1.0), _xyz_piqs),
    # H mixes parities; odd N: at even N PIQS's system on the whole Dicke space is singular
    # (its unphysical inter-block entries decouple), "Matrix is singular"
    ("dicke_local", 5, dict(Omega=0.3, gamma=0.03), _dicke_local_piqs),
]


def _model(name: str):
    return sq.declare(DICKE_LOCAL) if name == "dicke_local" else name


@pytest.fixture(scope="module", params=CASES, ids=[f"{c[0]}-N{c[1]}" for c in CASES])
def case(request):
    name, N, params, reference = request.param
    state = sq.steady_state(_model(name), N, **params)
    return N, state, state.to_qutip(), reference(N, params)


def test_to_qutip_equals_piqs_steady_state(case):
    N, _, rho, ref = case
    assert rho.dims == ref.dims == [[piqs.num_dicke_states(N)], [piqs.num_dicke_states(N)]]
    assert np.abs((rho - ref).full()).max() <= PIQS_TOL


def test_to_qutip_basis_and_normalisation(case):
    N, state, rho, ref = case
    nds = piqs.num_dicke_states(N)
    assert rho.shape == (nds, nds) and rho.isoper and rho.isherm
    # the same normalisation as PIQS: plain trace 1, = the degeneracy-weighted trace
    assert abs(rho.tr() - 1) <= EXACT_TOL and abs(ref.tr() - 1) <= PIQS_TOL
    assert abs(piqs.dicke_function_trace(lambda p: p, rho) - 1) <= EXACT_TOL
    # PIQS's blocks are ours in reverse (J from N/2 down, M from J down)
    for block, J in zip(piqs.dicke_blocks(rho), sorted(state.blocks, reverse=True)):
        np.testing.assert_array_equal(np.asarray(block), reversed_basis(state.blocks[J]))


def test_qutip_functions_give_our_observables(case):
    N, state, rho, _ = case
    ours = analyze(state)
    ops = piqs.jspin(N)
    mean = np.array([qutip.expect(op, rho) for op in ops])
    assert np.abs(mean - ours.mean_J).max() <= EXACT_TOL * N
    _, cov = moments_of(rho.full(), [op.full() for op in ops])
    assert np.abs(cov - ours.covariance).max() <= EXACT_TOL * N**2
    assert abs(piqs.purity_dicke(rho) - ours.purity) <= EXACT_TOL
    assert abs(piqs.entropy_vn_dicke(rho) - ours.entropy) <= EXACT_TOL * N


@pytest.mark.parametrize("N", [4, 7])
def test_to_qutip_of_collective_model_fills_other_blocks_with_zeros(N):
    state = sq.steady_state("dicke", N, Omega=0.6)
    assert list(state.blocks) == [N / 2]
    rho = state.to_qutip().full()
    manifold = qutip.steadystate(-0.6 * qutip.jmat(N / 2, "x"),
                                 [np.sqrt(1.0 / N) * qutip.jmat(N / 2, "-")]).full()
    np.testing.assert_allclose(rho[:N + 1, :N + 1], manifold, rtol=0, atol=1e-10)
    rest = rho.copy()
    rest[:N + 1, :N + 1] = 0
    assert not rest.any()
    assert abs(qutip.expect(piqs.jspin(N, "z"), state.to_qutip()) - moments(state)[0][2]) \
        <= EXACT_TOL * N


# -- declare -------------------------------------------------------------------------------
def test_declare_from_yaml_dict_and_single_declaration():
    one = sq.declare(DICKE_LOCAL)
    assert one.name == "dicke_local" and one.parameter_names() == ("Omega", "Gamma", "gamma")
    import yaml
    spec = yaml.safe_load(DICKE_LOCAL)
    assert sq.declare(spec).name == "dicke_local"
    single = sq.declare(spec["models"]["dicke_local"], name="renamed")
    assert single.name == "renamed"
    two = {"models": {"a": spec["models"]["dicke_local"], "b": spec["models"]["dicke_local"]}}
    both = sq.declare(two)
    assert isinstance(both, dict) and list(both) == ["a", "b"]
    assert sq.declare(two, name="b").name == "b"


@pytest.mark.parametrize("source, name, field", [
    ("models: [", None, "not valid YAML"),
    ("- 1", None, "expected a mapping"),
    ({"parameters": {"a": 1.0}, "hamiltonian": "a*Sz", "dissipation": {"emission": 1}},
     None, "need name="),
    ({"models": {"m": {"parameters": {"a": 1.0}, "hamiltonian": "a*Sz",
                       "dissipation": {"emission": 1}}}}, "x", "'x' is not declared"),
    ({"models": {"m": {"parameters": {"a": 1.0}, "hamiltonian": "a*Sz",
                       "dissipation": {"emision": 1}}}}, None, "dissipation.emision"),
    ("models: {m: {parameters: {a: 1}, hamiltonian: '__import__(\"os\")', "
     "dissipation: {emission: 1}}}", None, "'hamiltonian'"),
])
def test_declare_errors_name_the_field(source, name, field):
    with pytest.raises(DeclarationError, match=re.escape(field)) as info:
        sq.declare(source, name=name)
    assert isinstance(info.value, ValueError)


# -- steady_state and solve: bad input -------------------------------------------------------
@pytest.mark.parametrize("call", [sq.steady_state, sq.solve], ids=["steady_state", "solve"])
@pytest.mark.parametrize("model, N, params, field", [
    ("nope", 4, dict(Omega=0.1), "unknown model 'nope'"),
    (3.0, 4, dict(Omega=0.1), "unknown model 3.0"),
    ("dicke", 4, dict(Omega=0.1, Omgea=0.2), "unknown parameter(s) Omgea"),
    ("xyz", 4, dict(Jx=0.1, Jy=0.2), "missing parameter(s) Jz"),
    ("dicke", 4, dict(Omega=float("nan")), "parameter 'Omega' must be a finite number"),
    ("dicke", 1, dict(Omega=0.1), "N: must be an integer >= 2"),
    ("dicke", 4.0, dict(Omega=0.1), "N: must be an integer >= 2"),
    ("dicke_local", 4, dict(gamma=0.1), "missing parameter(s) Omega"),
])
def test_bad_input_raises_one_clear_value_error(call, model, N, params, field):
    with pytest.raises(ValueError, match=re.escape(field)):
        call(_model(model), N, **params)


@pytest.mark.parametrize("params, field", [
    (dict(Omega=[[0.1, 0.2]]), "Omega: expected a number or a non-empty 1-D sequence"),
    (dict(Omega=[]), "Omega: expected a number or a non-empty 1-D sequence"),
    (dict(Omega=[0.1, 0.1]), "Omega: the swept values repeat"),
    (dict(Omega=[0.1, float("inf")]), "parameter 'Omega' must be a finite number"),
])
def test_bad_sweep_raises_before_any_solve(params, field, monkeypatch):
    monkeypatch.setattr(api.exact.Scan, "solve", lambda *a, **k: pytest.fail("solved"))
    with pytest.raises(ValueError, match=re.escape(field)):
        sq.solve("dicke", 4, **params)
    with pytest.raises(ValueError, match=re.escape("N: must be an integer >= 2")):
        sq.solve("dicke", [4, 1], Omega=0.1)


# -- solve: the workflow's datasets ----------------------------------------------------------
def test_solve_one_point_is_scalar():
    ds = sq.solve("dicke", 6, Omega=0.3, Gamma=1)
    assert ds.xi2.dims == () and ds.mean_J.dims == ("component",)
    assert int(ds.N) == 6 and float(ds.Omega) == 0.3 and ds.Gamma.dtype == float
    assert ds.N.attrs["long_name"] == "number of emitters"
    ours = analyze(sq.steady_state("dicke", 6, Omega=0.3))
    assert float(ds.xi2) == ours.xi2
    np.testing.assert_array_equal(ds.covariance.values, ours.covariance)


def test_solve_grid_order_and_labels():
    ds = sq.solve("xyz", np.array([4, 5]), Jz=1, dJ=[0.1, 0.2, 0.3], J=np.array([-1, -0.2]))
    assert ds.xi2.dims == ("N", "dJ", "J")
    assert ds.covariance.dims == ("N", "dJ", "J", "component", "component_b")
    assert float(ds.Jz) == 1.0 and ds.attrs["model"] == "xyz"
    assert ds.N.dtype == np.int64 and ds.J.dtype == ds.Jz.dtype == float
    assert ds.dJ.attrs["units"] == "gamma" and "anisotropy" in ds.dJ.attrs["long_name"]
    for name in OBSERVABLES:
        assert {k: ds[name].attrs[k] for k in ("long_name", "units")} == attrs(name)
    one = sq.steady_state("xyz", 5, J=-0.2, dJ=0.3, Jz=1.0)
    assert abs(float(ds.xi2.sel(N=5, dJ=0.3, J=-0.2)) - analyze(one).xi2) <= 1e-10


def test_solve_equals_the_workflows_exact_dataset(tmp_path):
    from steadysqueeze.pipeline.stages import write_exact_gather, write_exact_shard
    from steadysqueeze.studies import Study
    study = Study.from_config({"name": "api_check", "model": "dicke", "N": [4, 6],
                               "fixed": {"Gamma": 1.0}, "sweep": {"Omega": [0.2, 0.4, 0.6]}})
    model_path = tmp_path / "model.nc"
    xr.Dataset().to_netcdf(model_path)
    write_exact_shard(study, 0, model_path, tmp_path / "shard.nc")
    write_exact_gather(study, [tmp_path / "shard.nc"], tmp_path / "exact.nc")
    workflow = xr.load_dataset(tmp_path / "exact.nc")
    ours = sq.solve("dicke", [4, 6], Gamma=1.0, Omega=[0.2, 0.4, 0.6])
    assert list(ours.data_vars) == list(workflow.data_vars)
    assert set(ours.coords) == set(workflow.coords)
    for name, var in workflow.variables.items():
        assert ours[name].dims == var.dims, name
        assert ours[name].attrs == var.attrs, name
    xr.testing.assert_allclose(ours, workflow, rtol=1e-12, atol=1e-14)


# -- documentation -------------------------------------------------------------------------
def _readme_example() -> str:
    text = README.read_text()
    section = text.split("\n## Python and notebooks\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_and_is_true(capsys):
    namespace: dict = {}
    exec(compile(_readme_example(), str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    ds, rho, best = namespace["ds"], namespace["rho"], namespace["best"]
    assert ds.xi2.dims == ("Omega",) and ds.attrs["model"] == "dicke_local"
    assert best == 0.3
    assert "0.861" in printed   # as the comment says
    assert abs(qutip.expect(piqs.jspin(10, "z"), rho)
               - float(ds.mean_J.sel(Omega=best, component="z"))) <= EXACT_TOL * 10
    assert abs(piqs.entropy_vn_dicke(rho) - float(ds.entropy.sel(Omega=best))) <= EXACT_TOL * 10


@pytest.mark.parametrize("module", [api, state_module], ids=["api", "state"])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("value", ["a", True, [0.1, "b"]])
def test_solve_refuses_a_non_number_naming_the_parameter(value):
    with pytest.raises(ValueError, match=re.escape("J: expected a number or a 1-D sequence")):
        sq.solve("xyz", 4, J=value, dJ=0.1, Jz=1.0)


def test_solve_at_infinite_N_equals_the_workflows_gaussian_dataset(tmp_path):
    """``N="inf"``: the N = ∞ limit, identical to rule gaussian's dataset of the same grid."""
    from steadysqueeze.pipeline.stages import write_gaussian
    from steadysqueeze.studies import Study
    study = Study.from_config({"name": "api_limit", "model": "xyz", "N": [4],
                               "fixed": {"J": -0.8, "Jz": 1.0},
                               "sweep": {"dJ": [0.5, 1.0, 2.2]}})
    write_gaussian(study, tmp_path / "gaussian.nc")
    workflow = xr.load_dataset(tmp_path / "gaussian.nc")
    ours = sq.solve("xyz", "inf", J=-0.8, Jz=1.0, dJ=[0.5, 1.0, 2.2])
    assert list(ours.data_vars) == list(workflow.data_vars)
    assert "N" not in ours.dims and ours.attrs["method"] == "gaussian"
    xr.testing.assert_allclose(ours.drop_attrs(), workflow.drop_attrs(), rtol=1e-12)
    with pytest.raises(ValueError, match="dJ"):
        sq.solve("xyz", "inf", J=-0.8, Jz=1.0, dJ=[0.5, float("nan")])
