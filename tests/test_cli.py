"""The real `mortem` command in a child process, on real repositories."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from helpers import run_cli, tiny_png
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
    graph.write_bytes(tiny_png())
    result = run_cli("attach", doc_id, str(graph), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "postmortems" / doc_id / "graph.png").read_bytes() == graph.read_bytes()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True
    )
    assert status.stdout == ""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "r"
    assert run_cli("init", str(repo), cwd=tmp_path).returncode == 0
    return repo


WRONG_TYPED = {
    "services": "services: 42",
    "tags": "tags: 7",
    "authors": "authors: 3",
    "responders": "responders: {a: 1}",
    "action-items-text": "action_items: fix the pool",
    "action-items-entries": "action_items: [1, text, [2]]",
    "timeline": "timeline: {at: noon}",
    "severity": "severity: [SEV1]",
    "title": "title: {text: x}",
    "whys": "whys: 5",
    "factors": "contributing_factors: [monitoring]",
    "started": "started_at: [1]",
}


def test_wrong_typed_fields_do_not_crash_index_backed_commands(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_cli("new", "Fine one", "--service", "api", "--started-at", "2026-01-02", cwd=repo)
    assert made.returncode == 0, made.stderr
    for name, line in WRONG_TYPED.items():
        title = "" if line.startswith("title:") else "title: Bad x\n"
        text = f"---\n{title}status: draft\n{line}\n---\n# {name}\n"
        (repo / "postmortems" / f"bad-{name}.md").write_text(text)
    listed = run_cli("list", "-f", "json", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert len(rows) == len(WRONG_TYPED) + 1
    assert all(rows[f"bad-{name}"]["problems"] >= 1 for name in WRONG_TYPED)
    assert rows["bad-services"]["services"] == []
    validated = run_cli("validate", cwd=repo)
    assert validated.returncode == 1, validated.stderr
    assert "postmortems/bad-services.md:4: services: Input should be a valid list" in (
        validated.stdout
    )
    assert "postmortems/bad-action-items-entries.md:4: action_items[0]:" in validated.stdout
    assert "postmortems/bad-title.md:3: title:" in validated.stdout
    for args in (("search", "x"), ("actions",), ("related", Path(made.stdout.strip()).stem)):
        result = run_cli(*args, cwd=repo)
        assert result.returncode == 0, (args, result.stderr)
        assert "unexpected error" not in result.stderr


def test_validate_follows_changes_to_mortem_toml(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_cli("new", "Minor", "--severity", "SEV3", cwd=repo)
    assert made.returncode == 0, made.stderr
    assert run_cli("validate", cwd=repo).returncode == 0
    config = repo / "mortem.toml"
    original = config.read_text()
    config.write_text(original.replace('name = "SEV3"', 'name = "MINOR"'))
    result = run_cli("validate", cwd=repo)
    assert result.returncode == 1
    assert f"{made.stdout.strip()}:5: severity: unknown severity 'SEV3'" in result.stdout
    config.write_text(original)
    assert run_cli("validate", cwd=repo).returncode == 0


def test_a_broken_template_is_reported_not_fatal(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "templates" / "broken.md").write_text("---\nname: [unclosed\n---\n# ${title}\n")
    listed = run_cli("templates", "-f", "json", cwd=repo)
    assert listed.returncode == 1
    assert {"default", "google-sre"} <= {t["name"] for t in json.loads(listed.stdout)}
    assert listed.stderr.startswith("templates/broken.md:2: YAML syntax error")
    assert "unexpected error" not in listed.stderr
    good = run_cli("new", "Still works", "--template", "pagerduty", cwd=repo)
    assert good.returncode == 0, good.stderr
    default = run_cli("new", "Default too", cwd=repo)
    assert default.returncode == 0, default.stderr
    bad = run_cli("new", "Uses it", "--template", "broken", cwd=repo)
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: templates/broken.md:2: YAML syntax error")
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["list", "--format", "xml"],
            "error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', "
            "'json', 'csv' (see mortem list --help)",
        ),
        (["validate", "--bogus"], "error: No such option: --bogus (see mortem validate --help)"),
        (["show"], "error: Missing argument 'ID' (see mortem show --help)"),
        (["bogus"], "error: No such command 'bogus' (see mortem --help)"),
        (["review", "nope"], "error: No such command 'nope' (see mortem review --help)"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    repo = _repo(tmp_path)
    result = run_cli(*args, cwd=repo)
    assert result.returncode == 2
    assert result.stderr == expected + "\n"
    assert result.stdout == ""


def test_help_is_kept_whole(tmp_path: Path) -> None:
    helped = run_cli("list", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and helped.stderr == ""
    assert "Usage: mortem list" in helped.stdout and "--format" in helped.stdout


def _command_tree() -> list[tuple[list[str], bool]]:
    """(path, is a group) of every command and group, from the click tree itself."""
    import typer.main

    from mortem.cli.main import _register, app

    _register()
    found: list[tuple[list[str], bool]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        found.append((path, subcommands is not None))
        for name, sub in sorted((subcommands or {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_and_group_has_an_example(tmp_path: Path) -> None:
    tree = _command_tree()
    groups = {" ".join(path) for path, is_group in tree if is_group}
    assert {"", "export", "import", "user", "review", "actions"} <= groups
    assert len(tree) > 40
    for path, _ in tree:
        helped = run_cli(*path, "--help", cwd=tmp_path)
        assert helped.returncode == 0, path
        assert "Example:" in helped.stdout, f"mortem {' '.join(path)} --help has no example"


def test_validate_a_folder(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_cli("new", "Folder one", cwd=repo)
    doc_id = Path(made.stdout.strip()).stem
    (repo / "postmortems" / "bad.md").write_text("---\ntitle: Bad\nstatus: done\n---\n")
    # Evidence may be Markdown: it is not a postmortem to validate.
    (repo / "postmortems" / doc_id).mkdir()
    (repo / "postmortems" / doc_id / "notes.md").write_text("just notes\n")
    result = run_cli("validate", "postmortems", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("postmortems/bad.md:3: status: unknown value 'done'")
    assert "notes.md" not in result.stdout
    assert "1 problem(s) in 2 files" in result.stderr
    (repo / "postmortems" / "bad.md").unlink()
    clean = run_cli("validate", "postmortems", cwd=repo)
    assert clean.returncode == 0 and "1 file valid" in clean.stderr
    missing = run_cli("validate", "nowhere", cwd=repo)
    assert missing.returncode == 2
    assert missing.stderr == "error: nowhere: no such file or folder\n"


def test_new_refuses_an_empty_title(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    for title in ("", "   "):
        result = run_cli("new", title, cwd=repo, input="")
        assert result.returncode == 2
        assert result.stderr == 'error: the title is empty: mortem new "What happened"\n'
    assert list((repo / "postmortems").glob("*.md")) == []


def test_new_checks_the_default_template_setting(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    config = repo / "mortem.toml"
    config.write_text(config.read_text() + '\n[templates]\ndefault = "nosuch"\n')
    line = config.read_text().splitlines().index('default = "nosuch"') + 1
    for args in (["new", "Uses default"], ["config"]):
        result = run_cli(*args, cwd=repo)
        assert result.returncode == 2
        assert f"mortem.toml:{line}: templates.default: no template named 'nosuch'" in (
            result.stderr
        )
    assert run_cli("new", "Named one", "--template", "default", cwd=repo).returncode == 0


def _run_in_terminal(args: list[str], cwd: Path, answers: str) -> tuple[int, str]:
    """Run mortem with stdin and stdout on a pseudo-terminal; answers typed up front.

    The terminal hands a prompt one line at a time, so typing every answer before the
    first prompt gives the same result as typing each when asked.
    """
    import os
    import pty
    import sys

    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mortem", *args],
        cwd=cwd,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    os.write(primary, answers.encode())
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal is gone once the process has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return process.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def test_new_in_a_terminal_asks_for_the_start_time(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, seen = _run_in_terminal(
        ["new", "Prompted"], repo, "SEV2\napi, web\nyesterday\n2026-03-14T02:47:00Z\n"
    )
    assert code == 0, seen
    assert "Started at" in seen and "is not an ISO date or time" in seen
    path = repo / "postmortems" / "2026-03-14-prompted.md"
    front = yaml.load(path.read_text().split("---\n")[1], Loader=YAML12)
    assert front["severity"] == "SEV2" and front["services"] == ["api", "web"]
    assert str(front["started_at"]) == "2026-03-14 02:47:00+00:00"
    # An empty answer means the start is not known yet.
    code, seen = _run_in_terminal(["new", "Unknown start", "-s", "SEV3"], repo, "db\n\n")
    assert code == 0, seen
    made = next((repo / "postmortems").glob("*-unknown-start.md"))
    front = yaml.load(made.read_text().split("---\n")[1], Loader=YAML12)
    assert front["started_at"] is None and front["services"] == ["db"]


def test_set_stores_text_and_lists_as_typed(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    run_cli("init", str(repo), cwd=tmp_path)
    doc_id = Path(run_cli("new", "Typed text", cwd=repo).stdout.strip()).stem
    for field, value in (
        ("impact", "`/checkout` returned 500s: timeout: 30s"),
        ("impact", "# not a comment"),
        ("title", "[unclosed @channel"),
    ):
        result = run_cli("set", doc_id, field, value, cwd=repo)
        assert result.returncode == 0, result.stderr
        shown = json.loads(run_cli("show", doc_id, "--format", "json", cwd=repo).stdout)
        assert shown[field] == value
    assert run_cli("set", doc_id, "tags", "db #primary, cache", cwd=repo).returncode == 0
    shown = json.loads(run_cli("show", doc_id, "--format", "json", cwd=repo).stdout)
    assert shown["tags"] == ["db #primary", "cache"]
    bad = run_cli("set", doc_id, "started_at", "2026-02-30T00:00:00Z", cwd=repo)
    assert bad.returncode == 2 and "is not a time" in bad.stderr and "Traceback" not in bad.stderr
