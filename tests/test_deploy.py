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
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata"}
    assert SERVICES["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_use_production_settings_and_wait_for_healthy_backends(name):
    service = SERVICES[name]
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "servicecenter.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert service["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                     "redis": {"condition": "service_healthy"}}
    assert service["env_file"] == ".env"


def test_worker_scales_and_commands_point_at_real_modules():
    assert "ports" not in SERVICES["worker"] and "container_name" not in SERVICES["worker"]
    web = " ".join(SERVICES["web"]["command"])
    assert "gunicorn servicecenter.wsgi:application" in web and "migrate" in web
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
    assert "constraints.txt" in dockerfile and "collectstatic" in dockerfile


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the browser tests
    env = {**env, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production",
           "SECRET_KEY": "x" * 64 + "-production-check-1234567890", "DATABASE_URL": "sqlite:////tmp/deploy-check.db",
           "ALLOWED_HOSTS": "service.example.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
