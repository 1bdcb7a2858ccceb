"""No secrets in the repository: no private keys, cloud keys, .env files or real-looking secret keys
in tracked files; production settings refuse to start without SECRET_KEY."""

import re
import subprocess

import pytest

from tests.conftest import ROOT

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Slack or GitHub token": re.compile(r"\b(?:xox[abp]-[0-9A-Za-z-]{10,}|gh[pousr]_[0-9A-Za-z]{36})\b"),
    "secret key literal": re.compile(r"""SECRET_KEY\s*=\s*["'](?!django-insecure-embedded|change-me)[^"']{30,}["']"""),
}


def tracked_files() -> list[str]:
    result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    return result.stdout.splitlines()


def test_no_secrets_are_tracked():
    found = []
    for name in tracked_files():
        if name == "tests/security/test_repository.py":  # the samples below
            continue
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".mo", ".woff2", ".ico"} or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{name}: {label}" for label, pattern in PATTERNS.items() if pattern.search(text)]
    assert found == []


def test_no_env_files_databases_or_virtualenvs_are_tracked():
    names = tracked_files()
    assert [n for n in names if re.search(r"(^|/)\.env$|\.sqlite3$|^\.venv/|^var/|node_modules/", n)] == []


@pytest.mark.parametrize(("label", "sample"), [
    ("private key", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    ("AWS access key", "key = AKIAABCDEFGHIJKLMNOP"),
    ("secret key literal", 'SECRET_KEY = "k3y-that-someone-pasted-from-production-1234"'),
])
def test_the_patterns_catch_what_they_should(label, sample):
    assert PATTERNS[label].search(sample)


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize("path", ["/login/", "/track/", "/s/unknown-token/"])
def test_pages_turn_off_powerful_browser_features(client, path):
    """No Permissions-Policy header was sent: a framed or injected page could ask for the camera."""
    policy = client.get(path)["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_no_template_carries_inline_script_or_style():
    offending = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son(?:click|change|submit|load|input)=|\sstyle=\"|<style|<script>(?!\s*$)", text):
            offending.append(path.relative_to(ROOT).as_posix())
    assert offending == []
