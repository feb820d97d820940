"""The repository's citation and license files: ``CITATION.cff`` is valid Citation File
Format 1.2.0 (against the format's JSON schema, vendored in ``tests/data``, so that the
check runs offline), cites this version of the software and the paper it reproduces, and
agrees with ``pyproject.toml`` and ``LICENSE``."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "data" / "citation-cff-1.2.0.schema.json"


def _citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _errors(citation: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}"
            for e in validator.iter_errors(citation)]


def test_citation_file_is_valid_cff_1_2_0() -> None:
    citation = _citation()
    assert citation["cff-version"] == "1.2.0"
    assert _errors(citation) == []


def test_the_schema_check_rejects_an_invalid_file() -> None:
    broken = {k: v for k, v in _citation().items() if k != "authors"}
    broken["references"] = [{"type": "preprint", "title": "x", "authors": []}]
    errors = _errors(broken)
    assert any("'authors' is a required property" in e for e in errors)
    assert any(e.startswith("references.0.type") for e in errors)


def test_citation_matches_the_package() -> None:
    citation, project = _citation(), _project()
    assert citation["title"] == project["name"] == "steadysqueeze"
    assert citation["type"] == "software"
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"]["text"] == "BSD-3-Clause"
    assert citation["authors"] == [{"name": "The steadysqueeze developers"}]


def test_citation_references_the_reproduced_paper() -> None:
    (paper,) = [r for r in _citation()["references"]
                if "arXiv:2402.16824" in {i["value"] for i in r.get("identifiers", [])}]
    assert paper["type"] == "article"
    assert [a["family-names"] for a in paper["authors"]] == ["Huybrechts", "Roscilde"]
    assert paper["url"] == "https://arxiv.org/abs/2402.16824"
    assert paper["title"].startswith("Quantum correlations in the steady state of "
                                     "light-emitter ensembles")


def test_license_file_is_bsd_3_clause() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, The steadysqueeze developers" in text
    assert "Neither the name of the copyright holder" in text
