"""Provenance records: writing (:mod:`steadysqueeze.records.write`), reading back
(:mod:`~steadysqueeze.records.read`), ``show`` and ``verify``, on small chains of
datasets built by hand. The end-to-end tests on workflow runs are in
``test_provenance_workflow.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from steadysqueeze import provenance  # noqa: E402
from steadysqueeze.cli import main  # noqa: E402
from steadysqueeze.records import write as record_module  # noqa: E402
from steadysqueeze.studies import config_sha256  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BLOCK = {"name": "demo", "model": "xyz", "N": [4], "fixed": {"Jz": 1.0},
         "sweep": {"dJ": [0.1, 0.2]}, "shards": 1}
UNKNOWN = {"commit": "unknown", "dirty": "unknown"}


# ------------------------------------------------------------------ helpers


def write_dataset(path: str, *, rule: str, inputs: list[str] = (), study=BLOCK,
                  title: str | None = None) -> dict:
    """A tiny dataset with the provenance record of ``rule`` (paths relative to cwd)."""
    record = provenance.make_record(rule=rule, study=study, inputs=inputs)
    ds = xr.Dataset({"x": ("i", np.arange(3.0))})
    ds.attrs.update(provenance.dataset_attributes(record, title=title or f"{rule} {path}"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path)
    return record


def clock(monkeypatch: pytest.MonkeyPatch, *times: str) -> None:
    """Make successive records carry the given UTC times."""
    ticks = iter(times)
    monkeypatch.setattr(record_module, "_utc_now", lambda: next(ticks))


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """model → shard (temporary, deleted) → gather, model → perturbative, in tmp/results."""
    monkeypatch.chdir(tmp_path)
    clock(monkeypatch, "2030-01-01T00:00:01Z", "2030-01-01T00:00:02Z",
          "2030-01-01T00:00:03Z", "2030-01-01T00:00:04Z")
    write_dataset("results/models/demo.nc", rule="model")
    write_dataset("results/exact/shards/demo/0.nc", rule="exact_shard",
                  inputs=["results/models/demo.nc"])
    write_dataset("results/perturbative/demo.nc", rule="perturbative",
                  inputs=["results/models/demo.nc"])
    write_dataset("results/exact/demo.nc", rule="exact",
                  inputs=["results/exact/shards/demo/0.nc"])
    Path("results/exact/shards/demo/0.nc").unlink()  # temp() in the workflow
    return tmp_path


# ------------------------------------------------------------------ the record


def test_code_version_outside_git_checkout(tmp_path: Path) -> None:
    assert provenance.code_version(tmp_path) == UNKNOWN
    assert provenance.code_version(tmp_path / "does-not-exist") == UNKNOWN


def test_code_version_without_git_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert provenance.code_version() == UNKNOWN


def test_record_outside_git_has_unknown_commit(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record_module, "_PACKAGE_DIR", tmp_path)
    monkeypatch.chdir(tmp_path)
    record = provenance.make_record(rule="model", study=BLOCK)
    assert record["source"]["commit"] == "unknown"
    assert record["source"]["dirty"] == "unknown"
    assert record["study_sha256"] == config_sha256(BLOCK)
    attrs = provenance.dataset_attributes(record, title="t")
    assert "commit unknown" in attrs["history"]
    assert json.loads(attrs["source"])["commit"] == "unknown"


def test_record_in_this_checkout_names_the_commit() -> None:
    commit = provenance.code_version()["commit"]
    git = shutil.which("git") and (REPO / ".git").exists()
    if not git:
        pytest.skip("not a git checkout")
    assert len(commit) == 40 and all(c in "0123456789abcdef" for c in commit)


def test_history_is_cf_style_one_line_per_step_newest_first(chain: Path) -> None:
    attrs = xr.open_dataset("results/exact/demo.nc").attrs
    lines = attrs["history"].splitlines()
    stamps = [line.split(": ", 1)[0] for line in lines]
    # gather (4), shard (2), model (1): every step once, newest first
    assert stamps == ["2030-01-01T00:00:04Z", "2030-01-01T00:00:02Z", "2030-01-01T00:00:01Z"]
    assert "rule=exact " in lines[0] and "rule=model " in lines[-1]
    assert all("steadysqueeze" in line and "study=demo" in line for line in lines)


def test_merge_history_drops_duplicates_and_sorts() -> None:
    a = "2030-01-01T00:00:01Z: a"
    b = "2030-01-01T00:00:02Z: b"
    c = "2030-01-01T00:00:03Z: c"
    assert provenance.merge_history([c], [a, b], [a]) == [c, b, a]


def test_record_embeds_upstream_records(chain: Path) -> None:
    attrs = xr.open_dataset("results/exact/demo.nc").attrs
    upstream = json.loads(attrs["upstream"])
    shard = upstream["results/exact/shards/demo/0.nc"]
    assert shard["rule"] == "exact_shard"
    assert list(shard["inputs"]) == ["results/models/demo.nc"]


def test_upstream_is_the_inputs_record_as_read_back(chain: Path) -> None:
    """One shape: a consumer embeds exactly ``Record.to_embedded()`` of its input."""
    attrs = xr.open_dataset("results/perturbative/demo.nc").attrs
    embedded = json.loads(attrs["upstream"])["results/models/demo.nc"]
    model = provenance.load_record("results/models/demo.nc")
    assert embedded == model.to_embedded()
    assert set(embedded) == {"title", "rule", "source", "study_sha256", "inputs", "upstream",
                             "created_utc"}
    again = provenance.Record.from_embedded(embedded, model.path)
    assert again.to_embedded() == embedded
    assert (again.rule, again.inputs, again.created_utc) == ("model", {}, model.created_utc)


def test_record_without_study_embeds_no_study_hash(chain: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    clock(monkeypatch, "2030-01-01T00:00:05Z", "2030-01-01T00:00:06Z")
    write_dataset("results/other/none.nc", rule="model", study=None)
    record = provenance.make_record(rule="gather", study=None, inputs=["results/other/none.nc"])
    assert record["study"] is None and record["study_sha256"] is None
    assert "study_sha256" not in record["upstream"]["results/other/none.nc"]
    assert provenance.load_record("results/other/none.nc").study_sha256 is None


# ------------------------------------------------------------------ reading figures


def test_pdf_subject_and_png_text_round_trip(tmp_path: Path) -> None:
    text = json.dumps({"s": "paren ( ) \\ back\nslash é (unbalanced", "n": 1})
    fig = plt.figure()
    fig.savefig(tmp_path / "f.pdf", metadata={"Subject": text})
    fig.savefig(tmp_path / "f.png", metadata={"provenance": text})
    plt.close(fig)
    assert provenance.read_pdf_subject(tmp_path / "f.pdf") == text
    assert provenance.read_png_text(tmp_path / "f.png") == text
    assert provenance.read_png_text(tmp_path / "f.png", "absent") is None


def test_figure_without_metadata_falls_back_to_sidecar(tmp_path: Path) -> None:
    fig = plt.figure()
    fig.savefig(tmp_path / "g.pdf")
    plt.close(fig)
    sidecar = {"rule": "figure_g", "inputs": {}, "study": BLOCK,
               "study_sha256": config_sha256(BLOCK), "source": UNKNOWN}
    (tmp_path / "g.provenance.json").write_text(json.dumps(sidecar))
    record = provenance.load_record(tmp_path / "g.pdf")
    assert record.rule == "figure_g" and "sidecar" in record.origin


def test_resolve_input_relative_to_workflow_directory(tmp_path: Path) -> None:
    consumer = tmp_path / "results" / "figures" / "f.pdf"
    assert (provenance.resolve_input("results/exact/s.nc", consumer)
            == tmp_path / "results" / "exact" / "s.nc")
    assert (provenance.resolve_input("results/exact/s.nc", consumer, workdir=Path("/w"))
            == Path("/w/results/exact/s.nc"))
    assert provenance.resolve_input("/abs/s.nc", consumer) == Path("/abs/s.nc")


# ------------------------------------------------------------------ verify and show (unit)


def test_verify_follows_deleted_temporary_inputs(chain: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "provenance", "verify", "results")
    assert code == 0, out
    assert "1 temporary inputs" in out


def test_verify_names_a_changed_input_and_its_consumers(
        chain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flip_byte(Path("results/models/demo.nc"))
    code, out, _ = run_cli(capsys, "provenance", "verify", "results")
    assert code == 1
    assert "FAIL results/models/demo.nc: contents no longer match" in out
    assert "FAIL results/perturbative/demo.nc: recorded input results/models/demo.nc changed" in out
    # through the deleted shard's embedded record
    assert "FAIL results/exact/demo.nc: via temporary results/exact/shards/demo/0.nc" in out


def test_verify_reports_a_missing_kept_input(chain: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    Path("results/models/demo.nc").unlink()
    code, out, _ = run_cli(capsys, "provenance", "verify", "results")
    assert code == 1
    assert "recorded input results/models/demo.nc is missing" in out


def test_verify_checks_the_study_hash(chain: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    clock(monkeypatch, "2030-01-01T00:00:05Z")
    forged = provenance.make_record(rule="model", study=BLOCK)
    attrs = provenance.dataset_attributes(forged, title="forged")
    attrs["study"] = json.dumps({**BLOCK, "N": [6]})
    xr.Dataset(attrs=attrs).to_netcdf("results/models/forged.nc")
    code, out, _ = run_cli(capsys, "provenance", "verify", "results")
    assert code == 1
    assert "FAIL results/models/forged.nc: recorded study block hashes to" in out


def test_show_prints_the_chain(chain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "provenance", "show", "results/exact/demo.nc")
    assert code == 0
    assert "rule: exact " in out and "rule: exact_shard" in out and "rule: model" in out
    assert f"sha256 {config_sha256(BLOCK)}" in out
    assert 'model: "xyz"' in out
    assert "not kept (temporary output of rule exact_shard" in out
    assert "inputs: none (start of the chain)" in out


def test_study_blocks_do_not_depend_on_where_the_config_is(tmp_path: Path) -> None:
    """The same config file gives the same blocks in a workflow's config/ and elsewhere."""
    text = ("studies:\n  - {name: tiny, model: xyz, N: [4],\n"
            "     sweep: {J: [-0.8], Jz: [1.0], dJ: [0.1, 0.2]}}\n")
    inside = tmp_path / "wf" / "config" / "mine.yaml"
    elsewhere = tmp_path / "elsewhere" / "mine.yaml"
    for path in (inside, elsewhere):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    blocks = provenance.current_study_blocks(inside)
    assert list(blocks) == ["tiny"] and blocks["tiny"]["N"] == [4]
    assert provenance.current_study_blocks(elsewhere) == blocks


def test_invalid_config_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("studies:\n  - {name: tiny, model: nope, N: [4]}\n")
    with pytest.raises(provenance.ProvenanceUsageError, match="invalid config"):
        provenance.current_study_blocks(bad)
    bad.write_text("studies: [unclosed\n")
    with pytest.raises(provenance.ProvenanceUsageError, match="invalid config"):
        provenance.current_study_blocks(bad)


@pytest.mark.parametrize("argv", [
    ("provenance", "show", "no/such/file.pdf"),
    ("provenance", "show", "pyproject.toml"),
    ("provenance", "verify", "no/such/dir"),
    ("provenance", "verify", ".", "--config", "no/such/config.yaml"),
])
def test_bad_paths_are_usage_errors(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and not out
    assert err.startswith("steadysqueeze: error:")
