"""`dojo lint` on files, folders and projects (dojo/lint.py): one line per finding, json and sarif, bad input.

The project is a stdlib-only snippet, so mypy stays quick; the kit is the one-review demo kit of
test_reviews_tooling, built once for the module so mypy's cache in its .dojo/ is warm after one run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dojo import lint, rulepack
from tests.dojo.test_reviews_tooling import FILES

APP = '''\
def first(queue: list[int]) -> int:
    return queue.pop(0)


def missing(value):
    if value == None:
        return 0
    return 1
'''
CLEAN = "def double(value: int) -> int:\n    return value * 2\n"
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+) (?P<code>(ruff|mypy|dojo):[\w-]+) (?P<message>.+)$")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kit (for the review profile and mypy's settings) and, beside it, a small project to lint."""
    base = tmp_path_factory.mktemp("lint")
    for relative, text in {**FILES, "proj/app.py": APP, "proj/clean.py": CLEAN}.items():
        path = base / ("kit" if not relative.startswith("proj/") else "") / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    venv = base / "proj" / ".venv" / "lib"
    venv.mkdir(parents=True)
    (venv / "vendored.py").write_text("def f(q):\n    return q.pop(0)\n", encoding="utf-8")
    (base / "empty").mkdir()
    return base


def invoke(workspace: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    app = typer.Typer()
    lint.register(app)
    app.command("unused")(lambda: None)  # two commands, so typer keeps `lint` as a subcommand
    monkeypatch.setenv("DOJO_ROOT", str(workspace / "kit"))
    monkeypatch.chdir(workspace)
    result = CliRunner().invoke(app, ["lint", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_project_gets_one_line_per_finding_from_all_three_linters(workspace, monkeypatch):
    code, output = invoke(workspace, monkeypatch, "proj")
    assert code == 1
    lines = output.splitlines()
    findings = [LINE.match(line) for line in lines[:-1]]
    assert all(findings), f"every finding is `file:line:col code message`:\n{output}"
    codes = {(m["path"], int(m["line"]), int(m["column"]), m["code"]) for m in findings if m}
    assert ("proj/app.py", 2, 12, "dojo:DOJO402") in codes
    assert ("proj/app.py", 5, 13, "ruff:ANN001") in codes
    assert ("proj/app.py", 6, 17, "ruff:E711") in codes  # ruff points at the None
    assert ("proj/app.py", 5, 1, "mypy:no-untyped-def") in codes
    assert not any(".venv" in line for line in lines), "hidden folders (.venv) are not the project's code"
    assert lines[-1].startswith(f"{len(findings)} finding(s) in 1 of 2 file(s).")


def test_json_lists_each_finding_with_its_tool_and_severity(workspace, monkeypatch):
    code, output = invoke(workspace, monkeypatch, "proj/app.py", "--format", "json")
    assert code == 1
    items = json.loads(output)
    pop = next(item for item in items if item["code"] == "dojo:DOJO402")
    assert pop == {
        "path": "proj/app.py",
        "line": 2,
        "column": 12,
        "code": "dojo:DOJO402",
        "tool": "dojo",
        "severity": "warning",
        "message": pop["message"],
    }
    assert pop["message"].startswith("`queue.pop(0)` shifts every remaining element")
    assert {item["tool"] for item in items} == {"ruff", "mypy", "dojo"}


def test_sarif_has_a_run_per_tool_and_documents_every_pack_rule(workspace, monkeypatch):
    code, output = invoke(workspace, monkeypatch, "proj", "--format", "sarif")
    assert code == 1
    sarif = json.loads(output)
    assert sarif["version"] == "2.1.0"
    runs = {run["tool"]["driver"]["name"].split()[0]: run for run in sarif["runs"]}
    assert set(runs) == {"ruff", "mypy", "Backend"}
    pack = runs["Backend"]
    documented = {rule["id"]: rule for rule in pack["tool"]["driver"]["rules"]}
    assert sorted(documented) == [rule.id for rule in rulepack.rules()]
    assert "## Why is this bad?" in documented["DOJO402"]["help"]["markdown"]
    (result,) = pack["results"]
    assert result["ruleId"] == "DOJO402"
    assert result["level"] == "warning"
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "proj/app.py"}, "region": {"startLine": 2, "startColumn": 12}}


def test_clean_code_is_quiet_and_exits_0(workspace, monkeypatch):
    code, output = invoke(workspace, monkeypatch, "proj/clean.py")
    assert code == 0
    assert output.strip() == "1 file(s): no findings from ruff's review profile, mypy --strict or the rule pack."


@pytest.mark.parametrize(
    ("args", "expected", "status"),
    [
        (["no/such.py"], "dojo: no/such.py: no such file or folder", 2),
        (["empty"], "dojo: empty: no Python files there", 2),
        (["demo_kata"], "dojo: 'demo_kata' is a kata, not a code review; to lint its file, pass the path", 2),
    ],
    ids=["missing-path", "no-python-files", "kata-slug"],
)
def test_bad_targets_get_one_line(workspace, monkeypatch, args, expected, status):
    code, output = invoke(workspace, monkeypatch, *args)
    assert code == status
    assert output.strip().count("\n") == 0, output
    assert output.startswith(expected), output


def test_a_file_python_cannot_parse_is_named_and_nothing_is_linted(workspace, monkeypatch):
    broken = workspace / "broken" / "bad.py"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("def oops(:\n", encoding="utf-8")
    code, output = invoke(workspace, monkeypatch, "broken")
    assert code == 1
    assert output.startswith("dojo: broken/bad.py:1:10: SyntaxError:"), output
    assert output.strip().endswith("fix it first, then lint")
