"""The pre-commit hooks are the checks `make test` runs, with the same tools.

Every hook is local and runs a tool of the project's venv (`.venv/bin/...`, pinned by constraints.txt), so a
commit is checked by the same versions as `make test` and pre-commit needs no network. `pre-commit run` itself
is not started here (it would lint the whole tree, which other checks do); its own validator reads the file.
"""

import os
import re
import shlex
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

CONFIG = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
HOOKS = [hook for repo in CONFIG["repos"] for hook in repo["hooks"]]


def make_test_commands() -> list[list[str]]:
    """What scripts/test.sh (make test) runs from the venv, e.g. ["ruff", "check", "."]."""
    commands = []
    for line in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8").splitlines():
        if re.match(r'\s*"?\$VENV/bin/', line):
            program, *words = shlex.split(line.split("||")[0])
            commands.append([program.removeprefix("$VENV/bin/"), *words])
    return commands


MAKE_TEST = make_test_commands()


def test_every_repo_is_local():
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"]
    assert {hook["id"] for hook in HOOKS} >= {"ruff", "djlint", "lint-imports", "mypy"}


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_a_hook_runs_a_venv_tool_that_make_test_runs(hook):
    assert hook["language"] == "system"
    command = shlex.split(hook["entry"])
    assert command[0].startswith(".venv/bin/"), command
    assert (ROOT / command[0]).is_file(), f"{command[0]} is not installed (make install)"
    tool, words = command[0].removeprefix(".venv/bin/"), command[1:]
    runs = [cmd[1:] for cmd in MAKE_TEST if cmd[0] == tool]
    assert runs, f"scripts/test.sh does not run {tool}"
    # The subcommand and options of the entry (ruff's "check", djlint's "--lint") are those make test uses.
    assert any(set(words) <= set(run) for run in runs), (words, runs)


def test_whole_project_checks_take_no_file_names():
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert by_id["lint-imports"]["pass_filenames"] is False
    assert by_id["mypy"]["pass_filenames"] is False
    assert re.search(by_id["djlint"]["files"], "templates/tickets/detail.html")
    assert re.search(by_id["djlint"]["files"], "surveys/templates/surveys/answer.html")
    assert not re.search(by_id["djlint"]["files"], "static/app.js")


def test_pre_commit_accepts_the_file(tmp_path):
    pre_commit = ROOT / ".venv" / "bin" / "pre-commit"
    assert pre_commit.is_file(), "pre-commit is not installed (make install)"
    result = subprocess.run([str(pre_commit), "validate-config", ".pre-commit-config.yaml"], cwd=ROOT,
                            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path)},  # not the user's cache
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
