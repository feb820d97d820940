"""The ``steadysqueeze solve`` command line: JSON for good input, exit code 2 for bad."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from steadysqueeze.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "steadysqueeze.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_exact_point_prints_one_json_object() -> None:
    result = run("solve", "xyz", "--N", "8", "--param", "J=-0.8", "--param", "dJ=0.2",
                 "--param", "Jz=1")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"xi2", "theta", "squeezed_axis", "mean_J", "var_min", "var_max", "qfi", "purity",
            "residual"} <= set(out)
    assert len(out["squeezed_axis"]) == 3 and len(out["mean_J"]) == 3
    assert out["residual"] < 1e-9 and 0 < out["xi2"] < 1


def test_perturbative_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "dicke", "--N", "50", "--param", "Omega=0.05",
                 "--method", "perturbative"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["order"] == 2
    assert out["xi2"] == pytest.approx(1 - 2 * 0.05 ** 2, abs=1e-12)  # Eq. 70


BAD = {
    "unknown model": (["solve", "ising", "--N", "8"], "unknown model"),
    "unknown parameter": (["solve", "xyz", "--N", "8", "--param", "Jq=1"], "Jq"),
    "missing parameter": (["solve", "xyz", "--N", "8", "--param", "Jx=1"], "missing"),
    "unknown method": (["solve", "tfi", "--N", "8", "--param", "Jx=1", "--param", "Delta=1",
                        "--method", "magic"], "--method"),
    "malformed param": (["solve", "tfi", "--N", "8", "--param", "Jx"], "NAME=VALUE"),
    "non-numeric param": (["solve", "tfi", "--N", "8", "--param", "Jx=abc"], "not a number"),
    "N below 2": (["solve", "dicke", "--N", "1", "--param", "Omega=0.1"], "--N"),
    "N not integer": (["solve", "dicke", "--N", "2.5", "--param", "Omega=0.1"], "--N"),
    "zero rate": (["solve", "dicke", "--N", "8", "--param", "Omega=0.1", "--param", "Gamma=0"],
                  "Gamma"),
    "negative rate": (["solve", "xyz", "--N", "8", "--param", "Jx=1", "--param", "Jy=0",
                       "--param", "Jz=1", "--param", "gamma=-1"], "gamma"),
    "NaN": (["solve", "tfi", "--N", "8", "--param", "Jx=nan", "--param", "Delta=1"], "finite"),
    "inf": (["solve", "tfi", "--N", "8", "--param", "Jx=1", "--param", "Delta=-inf"], "finite"),
    "J and Jx mixed": (["solve", "xyz", "--N", "8", "--param", "J=1", "--param", "dJ=0.1",
                        "--param", "Jx=1", "--param", "Jz=1"], "either"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_message(case: str) -> None:
    args, fragment = BAD[case]
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_gaussian_limit_prints_the_exact_keys_per_emitter(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    """--method gaussian: the N = ∞ limit; for the driven Dicke model ξ² = √(1 − 4Ω²/Γ²)
    and gap (Γ/2)√(1 − 4Ω²/Γ²) (tests/test_gaussian.py)."""
    assert main(["solve", "dicke", "--method", "gaussian", "--param", "Omega=0.3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"xi2", "theta", "squeezed_axis", "mean_J", "gap", "stable", "fixed_points"} <= set(out)
    assert "N" not in out and out["stable"] is True and out["status"] == "unique"
    assert out["xi2"] == pytest.approx(0.8, abs=1e-10)
    assert out["gap"] == pytest.approx(0.4, abs=1e-10)
    assert out["mean_J"] == pytest.approx([0.0, -0.3, -0.4], abs=1e-10)   # per emitter


def test_gaussian_limit_without_a_stable_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "dicke", "--method", "gaussian", "--param", "Omega=0.7"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stable"] is False and out["xi2"] is None
    assert out["status"] == "no_stable_fixed_point"


@pytest.mark.parametrize("args, fragment", [
    (["solve", "dicke", "--method", "gaussian", "--N", "10", "--param", "Omega=0.3"],
     "leave --N out"),
    (["solve", "dicke", "--param", "Omega=0.3"], "--N is required"),
])
def test_gaussian_and_N_usage(capsys: pytest.CaptureFixture[str], args: list[str],
                              fragment: str) -> None:
    assert main(args) == 2
    assert fragment in capsys.readouterr().err


def test_non_extensive_declared_model_is_refused_naming_the_term(tmp_path) -> None:
    models = tmp_path / "models.yaml"
    models.write_text('models:\n  bad:\n    parameters: {Jx: 1.0}\n'
                      '    hamiltonian: "Jx*Sx**2"\n    dissipation: {emission: 1}\n')
    result = run("solve", "bad", "--models", str(models), "--method", "gaussian")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "field 'hamiltonian'" in result.stderr and "Sx*Sx" in result.stderr


def test_gap_prints_the_slowest_eigenvalues(capsys: pytest.CaptureFixture[str]) -> None:
    """steadysqueeze gap: the Liouvillian gap and the k slowest eigenvalues per sector,
    sorted by |Re λ|, each with its residual (the solver is tested in test_spectrum.py)."""
    assert main(["gap", "xyz", "--N", "8", "--param", "J=-0.8", "--param", "dJ=1.0",
                 "--param", "Jz=1", "--k", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    re = [value[0] for value in out["eigenvalues"]]
    assert out["gap"] == pytest.approx(min(abs(r) for r in re))
    assert re == sorted(re, key=abs) and all(r < 0 for r in re)
    assert out["sector"] in ("even", "odd") and set(out["sectors"]) <= {"even", "odd"}
    assert max(out["residuals"]) < 1e-9 and len(out["residuals"]) == len(re)


@pytest.mark.parametrize("args, fragment", [
    (["gap", "xyz", "--param", "Jx=1", "--param", "Jy=0", "--param", "Jz=1"], "--N"),
    (["gap", "xyz", "--N", "8", "--k", "0", "--param", "Jx=1", "--param", "Jy=0",
      "--param", "Jz=1"], "--k"),
    (["gap", "xyz", "--N", "8", "--param", "Jq=1"], "Jq"),
    (["gap", "xyz", "--N", "300", "--param", "Jx=1.6", "--param", "Jy=-2", "--param", "Jz=1",
      "--max-memory", "0.5"], "needs an estimated"),
])
def test_gap_bad_input_exits_2(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert fragment in result.stderr and "Traceback" not in result.stderr
