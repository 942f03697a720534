"""SARIF 2.1.0 output validates against the OASIS schema and carries the rule metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from helpers import run_cli
from mortem.lint.engine import lint_text
from mortem.lint.formats import github, sarif
from mortem.lint.rule_examples import BASE_BODY, BASE_FRONT, example_config
from mortem.lint.rules import all_rules
from mortem.workspace import Workspace

DATA = Path(__file__).parent / "data_sarif"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def errors(validator: Draft4Validator, log: Any) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]


def test_the_validator_is_not_vacuous(validator: Draft4Validator) -> None:
    good = json.loads((DATA / "1-Introduction_simple-example.sarif").read_text(encoding="utf-8"))
    assert errors(validator, good) == []
    draft = json.loads((DATA / "example-2.2-minimal-valid.json").read_text(encoding="utf-8"))
    assert any("'2.2' is not one of ['2.1.0']" in e for e in errors(validator, draft))


def findings() -> list[Any]:
    body = BASE_BODY + "\nThe on-call engineer should have checked the lag. Priya restarted it.\n"
    front = BASE_FRONT.replace("    owner: payments\n", "")
    text = f"---\n{front}---\n{body}"
    return lint_text(text, "postmortems/a.md", example_config()).findings


def test_the_log_validates_and_describes_every_rule(validator: Draft4Validator) -> None:
    found = findings()
    assert {"B101", "N101", "A101"} <= {f.code for f in found}
    log = sarif(found, "file:///repo/")
    assert errors(validator, log) == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    b101 = rules[[r["id"] for r in rules].index("B101")]
    assert b101["name"] == "blame.counterfactual"
    assert b101["defaultConfiguration"]["level"] == "warning"
    assert b101["shortDescription"]["text"].startswith("Counterfactual")
    assert b101["help"]["text"] and b101["fullDescription"]["text"]
    assert b101["helpUri"].endswith("#b101-blamecounterfactual")
    assert rules[[r["id"] for r in rules].index("N101")]["defaultConfiguration"]["level"] == "note"


def test_results_point_at_their_rule_and_region(validator: Draft4Validator) -> None:
    found = findings()
    log = sarif(found, "file:///repo/")
    results = log["runs"][0]["results"]
    assert len(results) == len(found)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for result, finding in zip(results, found, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "postmortems/a.md", "uriBaseId": "SRCROOT"}
        region = location["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.column)
        assert region["endLine"] == finding.end_line
    assert log["runs"][0]["originalUriBaseIds"] == {"SRCROOT": {"uri": "file:///repo/"}}
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_an_empty_run_validates_too(validator: Draft4Validator) -> None:
    assert errors(validator, sarif([], None)) == []


def test_github_workflow_commands() -> None:
    found = [f for f in findings() if f.code in ("B101", "N101", "A101")]
    lines = github(found).splitlines()
    by_code = {line.split("title=")[1].split("::")[0]: line for line in lines}
    b101 = next(f for f in found if f.code == "B101")
    assert by_code["B101"].startswith(
        f"::warning file=postmortems/a.md,line={b101.line},col={b101.column},"
    )
    assert by_code["A101"].startswith("::error ")
    assert by_code["N101"].startswith("::notice ")
    # Commas and colons in a property are escaped; a message keeps its colons.
    assert "counterfactual 'should have checked': it says" in by_code["B101"]


def test_the_cli_writes_a_valid_log(ws: Workspace, validator: Draft4Validator) -> None:
    (ws.store.folder / "a.md").write_text(
        f"---\n{BASE_FRONT}---\n{BASE_BODY}\nThe engineer forgot to renew the certificate.\n",
        encoding="utf-8",
    )
    proc = run_cli("lint", "--format", "sarif", cwd=ws.root)
    log = json.loads(proc.stdout)
    assert errors(validator, log) == []
    assert "B101" in [r["ruleId"] for r in log["runs"][0]["results"]]
    assert log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == ws.root.as_uri() + "/"
