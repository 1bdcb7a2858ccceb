"""The apps depend one way (pyproject.toml's import-linter contracts, ARCHITECTURE.md)."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def lint(config: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    args = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    if config:
        args += ["--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_the_layer_contracts_hold():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_layers_have_no_exceptions():
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")
    assert layers["layers"] == ["demo", "workspace | reporting", "surveys", "notifications | messaging | calls", "sla",
                                "tickets", "staff"]
    assert "ignore_imports" not in layers
    assert sorted(CONFIG["root_packages"]) == sorted(
        ["servicecenter", "staff", "tickets", "sla", "notifications", "messaging", "calls", "surveys", "workspace",
         "reporting", "demo"])


def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path):
    """The project's own layers contract, run over a copy of the package names in which the org chart
    imports a reporting page, fails and names the import that points up."""
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")
    for package in CONFIG["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "reporting" / "views.py").write_text("", encoding="utf-8")
    (tmp_path / "staff" / "chart.py").write_text("from reporting import views  # noqa\n", encoding="utf-8")
    (tmp_path / "tickets" / "services.py").write_text("from staff import chart  # noqa\n", encoding="utf-8")
    config = tmp_path / "layers.toml"
    config.write_text(
        "[tool.importlinter]\n"
        f"root_packages = {json.dumps(CONFIG['root_packages'])}\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "layers"\ntype = "layers"\n'
        f"layers = {json.dumps(layers['layers'])}\n",
        encoding="utf-8",
    )
    result = lint(config, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "staff.chart -> reporting.views" in result.stdout
    assert "tickets.services -> staff.chart" not in result.stdout.split("BROKEN")[0]
