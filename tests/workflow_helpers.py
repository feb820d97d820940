"""Running copies of the workflow from the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_workflow(target: Path) -> Path:
    """A runnable copy of the workflow (Snakefile, workflow/, config/, envs/) in ``target``."""
    shutil.copy(ROOT / "Snakefile", target / "Snakefile")
    for folder in ("workflow", "config", "envs"):
        shutil.copytree(ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return target


def snakemake_on_config(config: dict, workdir: Path, *args: str,
                        timeout: float = 120) -> subprocess.CompletedProcess:
    """The repository's Snakefile on ``config`` (written to ``workdir/bad.yaml``), run in
    ``workdir`` with one core and ``args``, output captured."""
    import yaml

    path = workdir / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    return snakemake(workdir, *args, "--cores", "1", "--configfile", str(path),
                     "--directory", str(workdir), "-s", str(ROOT / "Snakefile"),
                     timeout=timeout)


def snakemake(workdir: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """``python -m snakemake ARGS`` in ``workdir``, output captured."""
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir,
                          capture_output=True, text=True, timeout=timeout)
