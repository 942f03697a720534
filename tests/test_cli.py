"""The real `mortem` command in a child process, on real repositories."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import jsonschema
import yaml

from helpers import run_cli
from mortem.document import YAML12Loader as YAML12
from mortem.workspace import Workspace


def test_init_new_list_show_set_status_log(tmp_path: Path) -> None:
    repo = tmp_path / "pm"
    assert run_cli("init", str(repo), cwd=tmp_path).returncode == 0
    made = run_cli(
        "new",
        "Checkout timeouts",
        "--severity",
        "SEV2",
        "--service",
        "payments-api",
        "--tag",
        "rate-limiting",
        "--started-at",
        "2026-03-14T02:47:00Z",
        cwd=repo,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "postmortems/2026-03-14-checkout-timeouts.md"
    doc_id = "2026-03-14-checkout-timeouts"

    listed = json.loads(run_cli("list", "--format", "json", cwd=repo).stdout)
    assert [r["id"] for r in listed] == [doc_id]
    assert listed[0]["services"] == ["payments-api"] and listed[0]["status"] == "draft"

    assert run_cli("set", doc_id, "severity", "SEV1", cwd=repo).returncode == 0
    assert run_cli("set", doc_id, "services", "payments-api, gateway", cwd=repo).returncode == 0
    assert run_cli("status", doc_id, "in-review", cwd=repo).returncode == 0
    shown = json.loads(run_cli("show", doc_id, "--format", "json", cwd=repo).stdout)
    assert shown["severity"] == "SEV1"
    assert shown["services"] == ["payments-api", "gateway"]
    assert shown["status"] == "in-review"

    md = run_cli("show", doc_id, "--format", "md", cwd=repo).stdout
    assert md == (repo / "postmortems" / f"{doc_id}.md").read_text()
    text = run_cli("show", doc_id, cwd=repo)
    assert "Checkout timeouts" in text.stdout and "\x1b[" not in text.stdout  # no colour in a pipe

    log = json.loads(run_cli("log", doc_id, "--format", "json", cwd=repo).stdout)
    assert [e["subject"] for e in log] == [
        f"Set status of {doc_id} to in-review",
        f"Set services of {doc_id}",
        f"Set severity of {doc_id}",
        f"Create postmortem {doc_id}",
    ]


def test_list_filters_and_csv(sample: Workspace) -> None:
    root = sample.root
    all_rows = json.loads(run_cli("list", "-f", "json", cwd=root).stdout)
    assert len(all_rows) >= 30
    published = json.loads(run_cli("list", "-f", "json", "--status", "published", cwd=root).stdout)
    assert published and all(r["status"] == "published" for r in published)
    assert len(published) < len(all_rows)
    service = all_rows[0]["services"][0]
    by_service = json.loads(run_cli("list", "-f", "json", "--service", service, cwd=root).stdout)
    assert by_service and all(service in r["services"] for r in by_service)
    since = json.loads(run_cli("list", "-f", "json", "--since", "2026-01-01", cwd=root).stdout)
    assert since and all(r["started_at"] >= "2026-01-01" for r in since)
    assert len(since) < len(all_rows)
    table = run_cli("list", "-f", "csv", cwd=root).stdout
    parsed = list(csv.DictReader(io.StringIO(table)))
    assert [r["id"] for r in parsed] == [r["id"] for r in all_rows]


def test_validate_exit_codes(tmp_path: Path, sample: Workspace) -> None:
    root = sample.root
    clean = run_cli("validate", cwd=root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    bad = root / "postmortems" / "2099-01-01-bad.md"
    bad.write_text("---\ntitle: Bad\nstarted_at: 2026-01-01T10:00:00\n---\n")
    result = run_cli("validate", cwd=root)
    assert result.returncode == 1
    assert "postmortems/2099-01-01-bad.md:3: started_at: timestamp has no timezone" in result.stdout
    one = run_cli("validate", str(bad), cwd=root)
    assert one.returncode == 1 and "started_at" in one.stdout
    usage = run_cli("validate", "missing.md", cwd=root)
    assert usage.returncode == 2 and "missing.md: no such file" in usage.stderr


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    outside = run_cli("list", cwd=tmp_path)
    assert outside.returncode == 2
    assert outside.stderr.strip().startswith("error: no mortem.toml in")
    assert "Traceback" not in outside.stderr and len(outside.stderr.strip().splitlines()) == 1
    debug = run_cli("--debug", "list", cwd=tmp_path)
    assert "Traceback" in debug.stderr
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    missing = run_cli("show", "nope", cwd=repo)
    assert missing.returncode == 1 and "no postmortem 'nope'" in missing.stderr
    bad_flag = run_cli("list", "--format", "xml", cwd=repo)
    assert bad_flag.returncode == 2


def test_new_without_title_and_no_terminal_does_not_prompt(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    result = run_cli("new", cwd=repo, input="")
    assert result.returncode == 2 and "a title is needed" in result.stderr


def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    top = run_cli("--help", cwd=tmp_path).stdout
    commands = [
        "init",
        "new",
        "list",
        "show",
        "set",
        "status",
        "log",
        "validate",
        "schema",
        "config",
        "templates",
        "attach",
    ]
    for command in commands:
        assert command in top
        helped = run_cli(command, "--help", cwd=tmp_path)
        assert helped.returncode == 0 and "Example:" in helped.stdout, command


def test_schema_validates_real_files_and_rejects_bad_ones(sample: Workspace) -> None:
    schema = json.loads(run_cli("schema", cwd=sample.root).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(sample.store.folder.glob("*.md"))
    for path in files:
        front = path.read_text().split("---\n")[1]
        data = json.loads(json.dumps(yaml.load(front, Loader=YAML12), default=str))
        # JSON has no dates: the schema sees them as the strings an editor would.
        validator.validate(data)
    assert list(validator.iter_errors({"title": "x", "status": "finished"}))
    assert list(validator.iter_errors({"status": "draft"}))  # title is required


def test_config_shows_values_and_their_source(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    rows = {r["key"]: r for r in json.loads(run_cli("config", "-f", "json", cwd=repo).stdout)}
    assert rows["reviews.approvals"]["value"] == 1
    config_lines = (repo / "mortem.toml").read_text().splitlines()
    approvals_line = config_lines.index("approvals = 1") + 1
    assert rows["reviews.approvals"]["source"].endswith(f"mortem.toml:{approvals_line}")
    assert rows["limits.max_file_bytes"]["source"] == "default"
    assert rows["paths.postmortems"]["help"]
    (repo / "mortem.toml").write_text('[paths]\npostmortems = "pm"\nbogus = 1\n')
    bad = run_cli("config", cwd=repo)
    assert bad.returncode == 2 and "mortem.toml:3: unknown setting 'paths.bogus'" in bad.stderr
    (repo / "mortem.toml").write_text("[reviews]\napprovals = -1\n")
    bad = run_cli("list", cwd=repo)
    assert bad.returncode == 2 and "mortem.toml:2: reviews.approvals:" in bad.stderr


def test_templates_listed_and_used(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    names = [t["name"] for t in json.loads(run_cli("templates", "-f", "json", cwd=repo).stdout)]
    assert {"default", "google-sre", "pagerduty", "atlassian"} <= set(names)
    made = run_cli("new", "SRE style", "--template", "google-sre", cwd=repo)
    assert made.returncode == 0
    body = (repo / made.stdout.strip()).read_text()
    assert "## Where we got lucky" in body and "## Trigger" in body


def test_attach_through_the_cli(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    doc_id = Path(run_cli("new", "With graph", cwd=repo).stdout.strip()).stem
    graph = tmp_path / "graph.png"
    graph.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 10)
    result = run_cli("attach", doc_id, str(graph), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "postmortems" / doc_id / "graph.png").read_bytes() == graph.read_bytes()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True
    )
    assert status.stdout == ""
