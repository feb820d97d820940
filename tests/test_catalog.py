"""The Snakemake workflow catalog's standard files: ``config/README.md`` documents every
config key and the shipped configs, and ``.snakemake-workflow-catalog.yml`` has the usage
the catalog shows."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from steadysqueeze.config import schema
from steadysqueeze.figures import FIGURES
from steadysqueeze.models import MODELS
from steadysqueeze.models.declared import CHANNEL_NAMES
from steadysqueeze.models.declared import _KEYS as DECLARATION_KEYS

ROOT = Path(__file__).resolve().parent.parent
CONFIG_README = ROOT / "config" / "README.md"


def _documented() -> set[str]:
    """Every `code` span of config/README.md (outside its code blocks)."""
    text = re.sub(r"^```.*?^```", "", CONFIG_README.read_text(encoding="utf-8"),
                  flags=re.MULTILINE | re.DOTALL)
    return set(re.findall(r"`([^`\n]+)`", text))


def test_config_readme_documents_every_key() -> None:
    documented = _documented()
    study = schema()["properties"]["studies"]["items"]["properties"]
    keys = {"top level": set(schema()["properties"]), "study": set(study),
            "declared model": set(DECLARATION_KEYS), "channel": set(CHANNEL_NAMES),
            "model": set(MODELS)}
    missing = {where: sorted(k - documented) for where, k in keys.items() if k - documented}
    assert not missing


def test_config_readme_names_every_shipped_config_and_figure() -> None:
    documented = _documented()
    configs = {p.name for p in (ROOT / "config").glob("*.yaml")}
    assert configs == {"config.yaml", "quick.yaml", "transitions_large.yaml"}
    assert configs <= {d.split()[0] for d in documented}
    chosen_in_config = {n for n, s in FIGURES.items() if s.source in ("study", "studies")}
    assert chosen_in_config <= documented


def test_catalog_usage() -> None:
    settings = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())
    usage = settings["usage"]
    assert set(usage) == {"mandatory-flags", "software-stack-deployment", "report"}
    assert "--cores" in usage["mandatory-flags"]["flags"]
    assert usage["mandatory-flags"]["desc"].strip()
    assert all(isinstance(v, bool) for v in usage["software-stack-deployment"].values())
    # report: true is backed by the Snakefile's report directive and its texts
    assert usage["report"] is True
    assert re.search(r'^report: "workflow/report/workflow.rst"$',
                     (ROOT / "Snakefile").read_text(), re.MULTILINE)
    assert (ROOT / "workflow" / "report" / "workflow.rst").is_file()
