"""`--fix`: exactly the flagged spans change, through round-trip edits, in one commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mortem.config import CONFIG_NAME
from mortem.errors import ConflictError
from mortem.lint.cache import Target
from mortem.lint.fix import fix_run
from mortem.lint.rule_examples import BASE_FRONT
from mortem.lint.service import Run, lint_config, run_lint, targets_for
from mortem.workspace import Workspace

ROSTER = """
[people.priya]
name = "Priya Raman"
team = "payments"
role = "engineer"

[people.jordan]
name = "Jordan Ellis"
team = "platform"
role = "sre"
"""

MINI = "---\nname: default\nsections: [Summary]\n---\n# ${title}\n"

BODY = """\
# Checkout requests timed out

## Summary

At 03:01 Priya raised the rate limit; the errors stopped.

<!-- mortem: disable=B101 -->
The pool was exhausted.
"""

FRONT = BASE_FRONT.replace(
    "    event: The latency alert pages the on-call engineer.",
    '    event: "The latency alert pages Jordan, who opens the dashboard."  # paged',
)


def setup(ws: Workspace) -> Path:
    (ws.root / CONFIG_NAME).write_text((ws.root / CONFIG_NAME).read_text() + ROSTER)
    (ws.root / "templates" / "default.md").write_text(MINI, encoding="utf-8")
    path = ws.store.folder / "a.md"
    path.write_text(f"---\n{FRONT}---\n{BODY}", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=ws.root, check=True)
    subprocess.run(["git", "commit", "-qm", "add a"], cwd=ws.root, check=True)
    return path


def lint(ws: Workspace) -> tuple[Workspace, list[Target], list[str], Run]:
    fresh = Workspace.open(ws.root)
    targets = targets_for(fresh, [])
    run = run_lint(targets, lint_config(fresh), None)
    return fresh, targets, sorted(f.code for f in run.findings), run


def test_fix_changes_only_the_flagged_spans_and_commits(ws: Workspace) -> None:
    path = setup(ws)
    before = path.read_text()
    fresh, targets, found, run = lint(ws)
    assert {"N101", "S105", "X001"} <= set(found)
    fixed = fix_run(run.results, targets, fresh.store, fresh.author(None))
    assert [sorted(f.codes) for f in fixed] == [["N101", "N101", "S105", "X001"]]
    expected = (
        before.replace("At 03:01 Priya raised", "At 03:01 the payments engineer raised")
        .replace("pages Jordan, who", "pages the platform SRE, who")
        .replace("<!-- mortem: disable=B101 -->\n", "")
        .replace(
            "# Checkout requests timed out\n",
            "# Checkout requests timed out\n\n> **Blameless postmortem.** This document looks at "
            "how our systems and processes made the incident possible and what we will change. "
            "People acted reasonably given what they knew at the time; it names roles, not "
            "culprits.\n",
        )
    )
    after_lines = path.read_text().splitlines()
    expected_lines = expected.splitlines()
    assert len(after_lines) == len(expected_lines)
    differ = [i for i, (a, b) in enumerate(zip(after_lines, expected_lines, strict=True)) if a != b]
    # Only the edited value's line may be re-spaced by the round-trip writer; its
    # quotes and its comment survive.
    assert len(differ) <= 1
    for i in differ:
        assert after_lines[i].split("#")[0].strip() == expected_lines[i].split("#")[0].strip()
        assert after_lines[i].endswith("# paged")
    log = subprocess.run(
        ["git", "log", "-1", "--format=%s"], cwd=ws.root, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Lint fixes in a: N101 x2, S105, X001"
    _, _, after, _ = lint(ws)
    assert not {"N101", "S105", "X001"} & set(after)


def test_a_file_changed_since_the_lint_is_not_fixed(ws: Workspace) -> None:
    path = setup(ws)
    fresh, targets, _, run = lint(ws)
    path.write_text(path.read_text() + "\nOne more line.\n")
    with pytest.raises(ConflictError, match="changed since you opened it"):
        fix_run(run.results, targets, fresh.store, None)


def test_loose_markdown_is_fixed_in_place_without_a_commit(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nAt 03:01 Priya raised the limit.\n", encoding="utf-8")
    from mortem.config import Person, Settings
    from mortem.lint.options import build_config

    config = build_config(
        Settings(people={"priya": Person(name="Priya Raman", team="payments", role="engineer")}),
        {},
    )
    targets = targets_for(None, [path])
    run = run_lint(targets, config, None)
    fixed = fix_run(run.results, targets, None, None)
    assert [f.codes for f in fixed] == [("N101",)]
    assert path.read_text() == "# Notes\n\nAt 03:01 the payments engineer raised the limit.\n"


def test_a_file_that_does_not_parse_is_never_rewritten(ws: Workspace) -> None:
    setup(ws)
    broken = ws.store.folder / "b.md"
    text = "---\ntitle: [unclosed\n---\n# B\n\nPriya raised the limit.\n"
    broken.write_text(text, encoding="utf-8")
    fresh, targets, _, run = lint(ws)
    fix_run(run.results, [t for t in targets if t.path == str(broken)], fresh.store, None)
    assert broken.read_text() == text
