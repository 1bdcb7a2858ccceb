"""The apps depend one way (pyproject.toml's import-linter contracts, ARCHITECTURE.md)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def lint(config: Path | None = None) -> subprocess.CompletedProcess:
    args = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    if config:
        args += ["--config", str(config)]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_the_layer_contracts_hold():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_list_of_imports_still_pointing_up_only_shrinks():
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")
    assert layers["layers"] == ["demo", "surveys", "sla", "tickets", "staff"]
    assert len(layers["ignore_imports"]) <= 6


def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path):
    """The same contract without its exceptions fails, naming an import that points up."""
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")
    config = tmp_path / "strict.toml"
    config.write_text(
        "[tool.importlinter]\n"
        f"root_packages = {CONFIG['root_packages']!r}\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "strict"\ntype = "layers"\n'
        f"layers = {layers['layers']!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    config.write_text(config.read_text(encoding="utf-8").replace("'", '"'), encoding="utf-8")
    result = lint(config)
    assert result.returncode == 1
    assert "staff.scorecards -> tickets.models" in result.stdout
