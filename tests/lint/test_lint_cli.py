"""`mortem lint` and `mortem rules` as a user runs them: a real process on a real repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import run_cli
from mortem.lint.docs import markdown_reference
from mortem.lint.rule_examples import BASE_BODY, BASE_FRONT
from mortem.workspace import Workspace

MINI = "---\nname: default\nsections: [Summary, Impact, Action items]\n---\n# ${title}\n"
BLAME = "The on-call engineer should have checked the replication lag.\n"
JUDGEMENT = "The deploy was careless.\n"


def write(ws: Workspace, name: str, extra: str = "", front: str = BASE_FRONT) -> Path:
    (ws.root / "templates" / "default.md").write_text(MINI, encoding="utf-8")
    path = ws.store.folder / f"{name}.md"
    path.write_text(f"---\n{front}---\n{BASE_BODY}{extra}", encoding="utf-8")
    return path


def git(ws: Workspace, *args: str) -> None:
    subprocess.run(["git", *args], cwd=ws.root, check=True, capture_output=True)


def test_clean_repository_exits_0(ws: Workspace) -> None:
    write(ws, "a")
    proc = run_cli("lint", "--today", "2026-03-20", cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "1 file checked, no findings" in proc.stderr


def test_text_output_and_exit_codes(ws: Workspace) -> None:
    path = write(ws, "a", "\n" + BLAME)
    proc = run_cli("lint", "--today", "2026-03-20", cwd=ws.root)
    assert proc.returncode == 0, proc.stderr  # B101 is a warning
    line = path.read_text().splitlines().index(BLAME.strip()) + 1
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        f"postmortems/a.md:{line}:22: B101 counterfactual 'should have checked': "
        "it says what someone did not do instead of what happened"
    )
    assert lines[1].startswith("    Describe what the person saw")
    assert "1 warning in 1 file" in proc.stderr
    write(ws, "a", "\n" + JUDGEMENT)
    judged = run_cli("lint", "--today", "2026-03-20", cwd=ws.root)
    assert judged.returncode == 1  # B103 is an error
    assert "B103" in judged.stdout and "1 error in 1 file" in judged.stderr


def test_json_output_has_the_documented_fields(ws: Workspace) -> None:
    write(ws, "a", "\n" + BLAME)
    proc = run_cli("lint", "--format", "json", "--today", "2026-03-20", cwd=ws.root)
    data = json.loads(proc.stdout)
    assert [d["code"] for d in data] == ["B101"]
    assert list(data[0]) == [
        "code",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "suggestion",
        "fixable",
    ]
    assert data[0]["end_column"] - data[0]["column"] == len("should have checked")


def test_select_ignore_and_github_format(ws: Workspace) -> None:
    write(ws, "a", "\n" + BLAME + "\n" + JUDGEMENT)
    both = run_cli("lint", "-f", "github", "--today", "2026-03-20", cwd=ws.root)
    assert [line.split("title=")[1][:4] for line in both.stdout.splitlines()] == ["B101", "B103"]
    only = run_cli("lint", "-f", "json", "--select", "B103", "--today", "2026-03-20", cwd=ws.root)
    assert [d["code"] for d in json.loads(only.stdout)] == ["B103"]
    ignored = run_cli("lint", "-f", "json", "--ignore", "B1", "--today", "2026-03-20", cwd=ws.root)
    assert json.loads(ignored.stdout) == [] and ignored.returncode == 0


def test_usage_errors_exit_2_with_one_line(ws: Workspace) -> None:
    for args, message in (
        (("--select", "Q"), "--select: no lint rule has a code starting with 'Q'"),
        (("nowhere.md",), "nowhere.md: no such file or folder"),
        (("--base", "HEAD"), "--base only makes sense with --changed"),
        (("--today", "soon"), "--today: 'soon' is not a date"),
    ):
        proc = run_cli("lint", *args, cwd=ws.root)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_bad_lint_setting_names_the_file_and_line(ws: Workspace) -> None:
    config = ws.root / "mortem.toml"
    config.write_text(config.read_text() + "\n[lint]\nmin_whys = 0\n")
    proc = run_cli("lint", cwd=ws.root)
    assert proc.returncode == 2
    line = config.read_text().splitlines().index("min_whys = 0") + 1
    assert f"mortem.toml:{line}: lint.min_whys" in proc.stderr


def test_stdin_is_one_document(ws: Workspace) -> None:
    (ws.root / "templates" / "default.md").write_text(MINI, encoding="utf-8")
    text = f"---\n{BASE_FRONT}---\n{BASE_BODY}\n{BLAME}"
    proc = run_cli("lint", "-", "-f", "json", "--today", "2026-03-20", cwd=ws.root, input=text)
    data = json.loads(proc.stdout)
    assert [(d["code"], d["path"]) for d in data] == [("B101", "<stdin>")]


def test_changed_lints_only_what_git_sees_changed(ws: Workspace) -> None:
    write(ws, "committed", "\n" + BLAME)
    write(ws, "edited")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "two postmortems")
    base = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ws.root, capture_output=True, text=True, check=True
    ).stdout.strip()
    write(ws, "edited", "\n" + BLAME)
    write(ws, "untracked", "\n" + BLAME)
    proc = run_cli("lint", "--changed", "-f", "json", "--today", "2026-03-20", cwd=ws.root)
    paths = sorted({d["path"] for d in json.loads(proc.stdout)})
    assert paths == ["postmortems/edited.md", "postmortems/untracked.md"]
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "more")
    since = run_cli(
        "lint", "--changed", "--base", base, "-f", "json", "--today", "2026-03-20", cwd=ws.root
    )
    assert sorted({d["path"] for d in json.loads(since.stdout)}) == paths
    now = run_cli("lint", "--changed", "-f", "json", cwd=ws.root)
    assert json.loads(now.stdout) == [] and "0 files checked" in now.stderr


def test_fix_from_the_command_line(ws: Workspace) -> None:
    config = ws.root / "mortem.toml"
    config.write_text(
        config.read_text()
        + '\n[people.priya]\nname = "Priya Raman"\nteam = "payments"\nrole = "engineer"\n'
    )
    path = write(ws, "a", "\nAt 03:01 Priya raised the limit.\n")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "a")
    proc = run_cli("lint", "--fix", "-f", "json", "--today", "2026-03-20", cwd=ws.root)
    assert json.loads(proc.stdout) == []
    assert "fixed 1 problem in 1 file(s)" in proc.stderr
    assert "At 03:01 the payments engineer raised the limit." in path.read_text()
    log = subprocess.run(
        ["git", "log", "-1", "--format=%s"], cwd=ws.root, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Lint fixes in a: N101"


def test_loose_files_outside_a_repository(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Outage\n\nThe engineer forgot to renew the certificate.\n")
    (tmp_path / "README.md").write_text("# Readme\n\nThe engineer forgot it.\n")
    proc = run_cli("lint", "-f", "json", str(notes), str(tmp_path / "README.md"), cwd=tmp_path)
    data = json.loads(proc.stdout)
    # README.md is excluded by default; the notes get the language rules and V002.
    assert sorted(d["code"] for d in data) == ["B101", "V002"]
    assert proc.returncode == 1


def test_rules_lists_explains_and_prints_the_reference(tmp_path: Path) -> None:
    listed = run_cli("rules", "-f", "json", cwd=tmp_path)
    rows = json.loads(listed.stdout)
    assert {"B101", "N101", "S101", "W104", "A101", "T101", "V002", "X001"} <= {
        r["code"] for r in rows
    }
    explained = run_cli("rules", "w104", cwd=tmp_path)
    assert explained.returncode == 0
    assert explained.stdout.startswith("W104  whys.ends-on-person  (root-cause, error)")
    assert "Flagged (in the front matter):" in explained.stdout
    assert "Human error: the engineer forgot" in explained.stdout
    reference = run_cli("rules", "--markdown", cwd=tmp_path)
    assert reference.stdout == markdown_reference()
    unknown = run_cli("rules", "Q999", cwd=tmp_path)
    assert unknown.returncode == 2 and "no rule 'Q999'" in unknown.stderr
