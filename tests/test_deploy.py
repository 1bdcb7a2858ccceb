"""docker-compose.yml cannot run here (no Docker engine), so these tests read it and check what it
points at; and the production settings pass Django's deployment checks."""

import os
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_runs_the_five_services_with_health_checks():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in SERVICES.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    assert SERVICES["postgres"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"] == "redis:7"
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "media"}
    assert SERVICES["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_every_app_service_shares_the_attachments(name):
    """Web stores agents' uploads, a worker takes e-mail in and sends replies with their files: one
    volume at MEDIA_ROOT for every replica, whatever ``--scale`` says."""
    service = SERVICES[name]
    assert service["environment"]["MEDIA_ROOT"] == "/app/var/media"
    assert service["volumes"] == ["media:/app/var/media"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_use_production_settings_and_wait_for_healthy_backends(name):
    service = SERVICES[name]
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "servicecenter.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert service["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                     "redis": {"condition": "service_healthy"}}
    assert service["env_file"] == ".env"


def test_worker_scales_and_commands_point_at_real_modules():
    assert "ports" not in SERVICES["worker"]
    assert "container_name" not in SERVICES["worker"]
    web = " ".join(SERVICES["web"]["command"])
    assert "gunicorn servicecenter.wsgi:application" in web
    assert "migrate" in web
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "servicecenter", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "servicecenter", "beat"]
    import servicecenter
    import servicecenter.wsgi

    assert servicecenter.wsgi.application is not None
    assert servicecenter.celery_app.main == "servicecenter"


def test_env_example_names_what_production_needs():
    example = (ROOT / ".env.example").read_text()
    for variable in ["SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "SECURE_SSL_REDIRECT"]:
        assert re.search(rf"^{variable}=", example, re.M), variable
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "constraints.txt" in dockerfile
    assert "collectstatic" in dockerfile


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the browser tests
    env = {**env, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production",
           "SECRET_KEY": "x" * 64 + "-production-check-1234567890", "DATABASE_URL": "sqlite:////tmp/deploy-check.db",
           "ALLOWED_HOSTS": "service.example.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- which settings each entry point runs when DJANGO_SETTINGS_MODULE is not set -----------------------

DEFAULT = re.compile(r'os\.environ\.setdefault\("DJANGO_SETTINGS_MODULE", "([\w.]+)"\)')


@pytest.mark.parametrize("path", ["servicecenter/wsgi.py", "servicecenter/asgi.py", "servicecenter/celery.py"])
def test_servers_default_to_the_production_settings(path):
    assert DEFAULT.findall((ROOT / path).read_text()) == ["servicecenter.settings.production"]


def test_manage_py_defaults_to_embedded_and_the_demo_names_embedded_for_everything_it_starts():
    assert DEFAULT.findall((ROOT / "manage.py").read_text()) == ["servicecenter.settings.embedded"]
    demo = (ROOT / "scripts" / "demo.sh").read_text()
    exported = demo.index("export DJANGO_SETTINGS_MODULE=servicecenter.settings.embedded\n")
    # before the first command that loads settings: migrate, seed_demo, the worker, beat and the web server
    assert exported < demo.index("compile_messages\n") < demo.index('"$PY" manage.py migrate')
    assert exported < demo.index('"$VENV/bin/celery" -A servicecenter worker')
    assert demo.count("DJANGO_SETTINGS_MODULE") == 1  # nothing sets it back
    soak = (ROOT / "bench" / "soak.py").read_text()
    assert '"DJANGO_SETTINGS_MODULE": "servicecenter.settings.embedded"' in soak
    assert '["bash", "scripts/demo.sh"]' in soak


def test_the_image_defaults_to_production_and_builds_with_embedded():
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_line = dockerfile[dockerfile.index("\nENV "):dockerfile.index("\nRUN ")]
    assert "DJANGO_SETTINGS_MODULE=servicecenter.settings.production" in env_line
    # the build steps need no SECRET_KEY or database, so they name the embedded settings themselves
    for step in ("compilemessages", "collectstatic"):
        line = next(line for line in dockerfile.splitlines() if f"manage.py {step}" in line)
        assert "DJANGO_SETTINGS_MODULE=servicecenter.settings.embedded python manage.py" in line


@pytest.mark.parametrize("module", ["servicecenter.wsgi", "servicecenter.asgi", "servicecenter.celery"])
def test_an_entry_point_started_without_settings_runs_production_with_debug_off(module, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update({"SECRET_KEY": "x" * 64 + "-default-check", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "SERVICECENTER_VAR_DIR": str(tmp_path / "var")})
    code = (f"import {module}, django; django.setup(); from django.conf import settings; "
            "print(settings.SETTINGS_MODULE, settings.DEBUG)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["servicecenter.settings.production", "False"]
