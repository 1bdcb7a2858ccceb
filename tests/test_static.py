"""collectstatic with the production storage succeeds: a vendored file that points at a missing
file (a source map) would fail the production build. The favicon that base.html links is among the
files served (whitenoise serves what the manifest names)."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_collectstatic_with_the_production_storage(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production", "SECRET_KEY": "x" * 50,
           "DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite3"), "STATIC_ROOT": str(tmp_path / "static")}
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert manifest["paths"]["favicon.svg"].startswith("favicon.")
    assert (tmp_path / "static" / manifest["paths"]["favicon.svg"]).read_text().startswith("<svg ")
